import json

import django_filters
from django.db.models import Q

from shoudi.core.filters import ScopedFilterSet
from shoudi.regions.filters import VillageFilter

from . import choices as c
from .models import MonitoringCase, NoticeDelivery, NoticeDocument


class CaseFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="户主姓名/户编号", method="search")
    step = django_filters.ChoiceFilter(label="环节", choices=c.STEP_FILTER_CHOICES)
    chain = django_filters.ChoiceFilter(label="流程", choices=c.CHAINS)
    category = django_filters.ChoiceFilter(label="类别", choices=c.CATEGORIES)
    risk = django_filters.ChoiceFilter(label="风险类型", choices=c.RISK_TYPES, method="filter_risk")
    source = django_filters.ChoiceFilter(label="发现方式", choices=c.SOURCES)
    is_open = django_filters.BooleanFilter(label="进行中")
    overdue = django_filters.BooleanFilter(label="识别超时", method="filter_overdue")
    village = VillageFilter(field_name="household__village")

    class Meta:
        model = MonitoringCase
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(household__household_no=value.strip())
            | Q(household__members__relation="户主", household__members__name__contains=value)
        )

    def filter_risk(self, queryset, name, value):
        # the JSON list searched as text in both ways it is stored: as written (PostgreSQL's jsonb) and with
        # non-ASCII characters escaped (SQLite's text, where "因病" alone found nothing)
        return queryset.filter(Q(risk_types__icontains=f'"{value}"') | Q(risk_types__icontains=json.dumps(value)))

    def filter_overdue(self, queryset, name, value):
        from .selectors import overdue_identification

        overdue = overdue_identification(queryset)
        return queryset.filter(pk__in=overdue) if value else queryset.exclude(pk__in=overdue)


class NoticeDeliveryFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="户主姓名/户编号", method="search")
    kind = django_filters.ChoiceFilter(label="文书", choices=NoticeDelivery.KINDS)
    document = django_filters.ModelChoiceFilter(
        label="明白纸", queryset=lambda request: NoticeDocument.objects.restrict(request.user, "view")
    )
    way = django_filters.ChoiceFilter(label="送达方式", choices=NoticeDelivery.WAYS)
    village = VillageFilter(field_name="household__village")
    area = django_filters.CharFilter(label="区划代码", field_name="household__village__code", lookup_expr="startswith")

    class Meta:
        model = NoticeDelivery
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(household__household_no=value.strip())
            | Q(household__members__relation="户主", household__members__name__contains=value)
        ).distinct()
