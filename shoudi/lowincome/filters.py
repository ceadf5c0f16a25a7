"""The register's filters: the area (the dashboards' links), the village, the category (风险消除户 included), the
worklist's line and a household number."""

from __future__ import annotations

import django_filters
from django.utils import timezone

from shoudi.assistance.filters import TodoFilter
from shoudi.core.filters import ScopedFilterSet
from shoudi.regions.models import Region
from shoudi.registry.models import Household

from . import choices as c
from .selectors import in_register

__all__ = ["RegisterFilterSet"]

CATEGORY_CHOICES = [(c.ELIMINATED, c.ELIMINATED), *c.CATEGORIES]


def _regions(request, level: str | None = None):
    if request is None:
        return Region.objects.none()
    regions = Region.objects.restrict(request.user, "view").order_by("code")
    return regions.filter(level=level) if level else regions


class RegisterFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="户编号", field_name="household_no", lookup_expr="contains")
    category = django_filters.ChoiceFilter(
        label="类别", choices=CATEGORY_CHOICES, method="of_category", empty_label="全部"
    )
    village = django_filters.ModelChoiceFilter(
        label="行政村", queryset=lambda request: _regions(request, "village"), field_name="village"
    )
    area = django_filters.CharFilter(label="区划代码", method="in_area")
    todo = TodoFilter(kind="lowincome", label="待办事项", empty_label="全部")

    class Meta:
        model = Household
        fields = []

    def of_category(self, queryset, name, value):
        return queryset.filter(in_register(timezone.localdate(), value)) if value else queryset

    def in_area(self, queryset, name, value):
        return queryset.filter(village__code__startswith=value.strip()) if value.strip() else queryset
