import django_filters
from django.db.models import Q

from shoudi.core.filters import ScopedFilterSet
from shoudi.regions.filters import VillageFilter
from shoudi.registry.filters import HouseholdSearchFilter

from . import choices as c
from .models import Cadre, GuaranteeProblem, Measure, Pairing, Visit


class TodoFilter(django_filters.ChoiceFilter):
    """?todo=<worklist item>: the rows behind one line of 我的待办."""

    def __init__(self, *args, kind: str, **kwargs):
        from .worklist import all_items

        super().__init__(*args, choices=lambda: [(i.key, i.label) for i in all_items() if i.kind == kind], **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        from .worklist import item_queryset

        return qs.filter(pk__in=item_queryset(value, self.parent.request.user).values("pk"))


class CadreFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="姓名/单位", method="search")
    active = django_filters.BooleanFilter(label="在岗")

    class Meta:
        model = Cadre
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(unit__contains=value))


class PairingFilterSet(ScopedFilterSet):
    household = HouseholdSearchFilter()
    cadre = django_filters.CharFilter(label="帮扶干部", field_name="cadre__name", lookup_expr="contains")
    current = django_filters.BooleanFilter(label="当前结对", field_name="end_date", lookup_expr="isnull")

    class Meta:
        model = Pairing
        fields = []


class MeasureFilterSet(ScopedFilterSet):
    household = HouseholdSearchFilter()
    category = django_filters.ChoiceFilter(label="类别", choices=c.CATEGORY_CHOICES)
    status = django_filters.ChoiceFilter(label="状态", choices=c.MEASURE_STATUS)
    village = VillageFilter(field_name="household__village")

    class Meta:
        model = Measure
        fields = []


class VisitFilterSet(ScopedFilterSet):
    household = HouseholdSearchFilter()
    kind = django_filters.ChoiceFilter(label="方式", choices=c.VISIT_KINDS)
    visited_after = django_filters.DateFilter(label="起始日期", field_name="visited_on", lookup_expr="gte")
    visited_before = django_filters.DateFilter(label="截止日期", field_name="visited_on", lookup_expr="lte")

    class Meta:
        model = Visit
        fields = []


class ProblemFilterSet(ScopedFilterSet):
    household = HouseholdSearchFilter()
    kind = django_filters.ChoiceFilter(label="类型", choices=c.PROBLEM_KINDS)
    open = django_filters.BooleanFilter(label="未解决", field_name="resolved_on", lookup_expr="isnull")

    class Meta:
        model = GuaranteeProblem
        fields = []
