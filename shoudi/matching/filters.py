import django_filters
from django.db.models import Q

from shoudi.assistance.filters import TodoFilter
from shoudi.core.filters import ScopedFilterSet
from shoudi.regions.models import Region

from . import choices as c
from .models import Finding, MatchRun
from .sources import department_choices, sources


def _rule_choices() -> list[tuple[str, str]]:
    seen, out = set(), []
    for source in sources():
        for rule in source.all_rules:
            if rule.code not in seen:
                seen.add(rule.code)
                out.append((rule.code, f"{source.label}·{rule.label}" if rule in source.rules else rule.label))
    return out


class RunFilterSet(ScopedFilterSet):
    department = django_filters.ChoiceFilter(label="部门", choices=department_choices)
    period = django_filters.CharFilter(label="比对期（如 2025-05）")
    status = django_filters.ChoiceFilter(label="状态", choices=c.RUN_STATUSES)

    class Meta:
        model = MatchRun
        fields = []


class FindingFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="姓名/户编号", method="search")
    department = django_filters.ChoiceFilter(label="部门", choices=department_choices)
    period = django_filters.CharFilter(label="比对期（如 2025-05）")
    rule = django_filters.ChoiceFilter(label="问题类型", choices=_rule_choices)
    status = django_filters.ChoiceFilter(label="状态", choices=c.FINDING_STATUSES)
    overdue = django_filters.BooleanFilter(label="核实已逾期", method="filter_overdue")
    village = django_filters.ModelChoiceFilter(label="行政村", queryset=Region.objects.none())
    run = django_filters.NumberFilter(label="比对批次编号")
    change = django_filters.ChoiceFilter(
        label="与上期相比", method="filter_change", choices=[("new", "新增"), ("recurring", "连续出现")]
    )
    resolved_by = django_filters.NumberFilter(label="该批次中已消失", method="filter_resolved")
    todo = TodoFilter(kind="findings", label="待办事项")

    class Meta:
        model = Finding
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            villages = Region.objects.restrict(request.user, "view").filter(level="village")
            self.filters["village"].queryset = self.form.fields["village"].queryset = villages

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__contains=value) | Q(household__household_no=value))

    def filter_overdue(self, queryset, name, value):
        from django.utils import timezone

        late = Q(status=c.PENDING, due_on__lt=timezone.localdate())
        if value is None:
            return queryset
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_change(self, queryset, name, value):
        run_id = self.form.cleaned_data.get("run")
        run = MatchRun.objects.filter(pk=run_id).first() if run_id else None
        if not value or run is None:
            return queryset
        recurring = Q(previous__run=run.previous_run) if run.previous_run_id else Q(pk__in=[])
        return queryset.filter(recurring) if value == "recurring" else queryset.exclude(recurring)

    def filter_resolved(self, queryset, name, value):
        run = MatchRun.objects.filter(pk=value).first() if value else None
        if run is None:
            return queryset
        from .services import resolved_findings

        return queryset.filter(pk__in=resolved_findings(run).values("pk"))
