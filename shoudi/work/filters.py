"""The filters of the problem list: source, state, region, overdue, and the worklist's two lines."""

from __future__ import annotations

import django_filters
from django.utils import timezone

from shoudi.core.filters import ScopedFilterSet
from shoudi.regions.models import Region

from . import choices as c
from .models import Problem
from .selectors import awaiting_review, due_for

__all__ = ["ProblemFilterSet"]

TODO_CHOICES = [("due", "我负责的：逾期和即将到期"), ("review", "待我审核：申请销号、延期申请")]


def _regions_in_scope(request):
    if request is None:
        return Region.objects.none()
    return Region.objects.restrict(request.user, "view").exclude(level="county").order_by("code")


class ProblemFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="问题/文件编号", method="search")
    source = django_filters.ChoiceFilter(label="问题来源", choices=c.SOURCE_CHOICES)
    state = django_filters.ChoiceFilter(label="状态", choices=c.STATE_CHOICES)
    region = django_filters.ModelChoiceFilter(
        label="责任区划（含下级）", queryset=_regions_in_scope, method="in_region"
    )
    overdue = django_filters.BooleanFilter(label="已逾期", method="overdue_only")
    todo = django_filters.ChoiceFilter(label="待办", choices=TODO_CHOICES, method="todo_only")

    class Meta:
        model = Problem
        fields = []

    def search(self, queryset, name, value):
        from django.db.models import Q

        return queryset.filter(Q(title__contains=value) | Q(document_no__contains=value))

    def in_region(self, queryset, name, value):
        return queryset.filter(region__code__startswith=value.code)

    def overdue_only(self, queryset, name, value):
        today = timezone.localdate()
        running = {"state__in": c.RUNNING_STATES, "due_date__lt": today}
        return queryset.filter(**running) if value else queryset.exclude(**running)

    def todo_only(self, queryset, name, value):
        rows = due_for(self.request.user) if value == "due" else awaiting_review(self.request.user)
        return queryset.filter(pk__in=rows.values("pk"))
