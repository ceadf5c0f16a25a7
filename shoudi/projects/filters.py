"""The filters of the project and asset lists: year, state, type, region, the deadlines and the worklist's lines."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from shoudi.core.filters import ScopedFilterSet
from shoudi.regions.models import Region

from . import choices as c
from .models import Asset, Inspection, Project
from .selectors import WORKLIST, assets_with_income, projects_funded_in, worklist_rows

__all__ = ["AssetFilterSet", "InspectionFilterSet", "ProjectFilterSet"]

PROJECT_TODO = [(key, label) for key, label, kind, *_ in WORKLIST if kind == "projects"]
ASSET_TODO = [(key, label) for key, label, kind, *_ in WORKLIST if kind == "assets"]


def _regions_in_scope(request):
    if request is None:
        return Region.objects.none()
    return Region.objects.restrict(request.user, "view").order_by("code")


class AreaFilterSet(ScopedFilterSet):
    """``region`` (a choice, with its villages) and ``area`` (a code prefix, as the dashboard cards link)."""

    region = django_filters.ModelChoiceFilter(label="区划（含下级）", queryset=_regions_in_scope, method="in_region")
    area = django_filters.CharFilter(label="区划代码", method="in_area")
    area_lookup = "region__code"

    def in_region(self, queryset, name, value):
        return queryset.filter(**{f"{self.area_lookup}__startswith": value.code})

    def in_area(self, queryset, name, value):
        return queryset.filter(**{f"{self.area_lookup}__startswith": value.strip()})


class ProjectFilterSet(AreaFilterSet):
    q = django_filters.CharFilter(label="项目名称/实施单位", method="search")
    year = django_filters.NumberFilter(label="项目年度")
    plan_year = django_filters.NumberFilter(label="计划年度")
    state = django_filters.ChoiceFilter(label="状态", choices=c.STATE_CHOICES)
    project_type = django_filters.ChoiceFilter(label="项目类型", choices=c.TYPE_CHOICES)
    todo = django_filters.ChoiceFilter(label="待办", choices=PROJECT_TODO, method="todo_only")
    allocated_month = django_filters.CharFilter(label="资金下达月份（如 2026-05）", method="funded_in")
    paid_month = django_filters.CharFilter(label="资金拨付月份（如 2026-05）", method="funded_in")

    class Meta:
        model = Project
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(implementing_unit__contains=value))

    def funded_in(self, queryset, name, value):
        return queryset.filter(pk__in=projects_funded_in(value.strip(), paid=name == "paid_month"))

    def todo_only(self, queryset, name, value):
        return queryset.filter(pk__in=worklist_rows(value, self.request.user).values("pk"))


class AssetFilterSet(AreaFilterSet):
    q = django_filters.CharFilter(label="资产名称/产权单位", method="search")
    kind = django_filters.ChoiceFilter(label="资产类别", choices=c.ASSET_KIND_CHOICES)
    state = django_filters.ChoiceFilter(label="状态", choices=c.ASSET_STATE_CHOICES)
    overdue = django_filters.BooleanFilter(label="确权移交已逾期", method="overdue_only")
    todo = django_filters.ChoiceFilter(label="待办", choices=ASSET_TODO, method="todo_only")
    income_year = django_filters.NumberFilter(label="有收益的年度", method="with_income")
    distributed = django_filters.BooleanFilter(label="收益已全部分配到户", method="distributed_only")

    class Meta:
        model = Asset
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(owner_name__contains=value))

    def overdue_only(self, queryset, name, value):
        from django.utils import timezone

        late = {"state": c.PENDING, "transfer_due__lt": timezone.localdate()}
        return queryset.filter(**late) if value else queryset.exclude(**late)

    def _year(self) -> int | None:
        raw = (self.data or {}).get("income_year", "")
        return int(raw) if str(raw).isdigit() else None

    def with_income(self, queryset, name, value):
        return assets_with_income(queryset, int(value))

    def distributed_only(self, queryset, name, value):
        return assets_with_income(queryset, self._year(), value)

    def todo_only(self, queryset, name, value):
        return queryset.filter(pk__in=worklist_rows(value, self.request.user).values("pk"))


class InspectionFilterSet(AreaFilterSet):
    year = django_filters.NumberFilter(label="年度")
    quarter = django_filters.ChoiceFilter(label="季度", choices=[(q, f"第{q}季度") for q in (1, 2, 3, 4)])

    class Meta:
        model = Inspection
        fields = []
