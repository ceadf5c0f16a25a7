"""The filters of the problem list: source, state, region, open, overdue, escalated, and the worklist's lines."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils import timezone

from shoudi.core.filters import ScopedFilterSet
from shoudi.regions.models import Region

from . import choices as c
from .models import Problem
from .selectors import WORKLIST, awaiting_review, counties_of, due_for, escalated_condition

__all__ = ["TODO_CHOICES", "ProblemFilterSet"]

# the home panel's two combined lines, then each line of 我的待办 (its key is the ?todo= value its link carries)
TODO_ROWS = {
    "due": due_for,
    "review": awaiting_review,
    **{key: rows for key, _label, _overdue, rows in WORKLIST},
}
TODO_CHOICES = [
    ("due", "我负责的：逾期和即将到期"),
    ("review", "待我审核：申请销号、延期申请"),
    *((key, label) for key, label, _overdue, _rows in WORKLIST),
]


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
    open = django_filters.BooleanFilter(label="未销号", method="open_only")
    overdue = django_filters.BooleanFilter(label="已逾期", method="overdue_only")
    escalated = django_filters.BooleanFilter(label="已升级", method="escalated_only")
    todo = django_filters.ChoiceFilter(label="待办", choices=TODO_CHOICES, method="todo_only")

    class Meta:
        model = Problem
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(title__contains=value) | Q(document_no__contains=value))

    def in_region(self, queryset, name, value):
        return queryset.filter(region__code__startswith=value.code)

    def open_only(self, queryset, name, value):
        return queryset.filter(state__in=c.OPEN_STATES) if value else queryset.exclude(state__in=c.OPEN_STATES)

    def overdue_only(self, queryset, name, value):
        today = timezone.localdate()
        running = {"state__in": c.RUNNING_STATES, "due_date__lt": today}
        return queryset.filter(**running) if value else queryset.exclude(**running)

    def escalated_only(self, queryset, name, value):
        condition = escalated_condition(timezone.localdate(), counties_of(self.request.user))
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def todo_only(self, queryset, name, value):
        rows = TODO_ROWS[value](self.request.user, today=timezone.localdate())
        return queryset.filter(pk__in=rows.values("pk"))
