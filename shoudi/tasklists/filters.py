"""The filters of the task list: words, state, list, recurrence, region, month, overdue, and the worklist's lines."""

from __future__ import annotations

import calendar
import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone

from shoudi.core.filters import ScopedFilterSet
from shoudi.regions.models import Region

from . import choices as c
from .models import Assignment, TaskList
from .selectors import WORKLIST, awaiting_review, due_for, issued_by, visible_lists

__all__ = ["AssignmentFilterSet"]

TODO_CHOICES = [
    ("due", "我承办的：逾期和即将到期"),
    ("review", "待我审核：已报送"),
    ("issued", "我下发的：全部承办方"),
    *((key, label) for key, label, _overdue, _rows in WORKLIST),
]
LINES = {key: rows for key, _label, _overdue, rows in WORKLIST}


def _regions_in_scope(request):
    if request is None:
        return Region.objects.none()
    return Region.objects.restrict(request.user, "view").exclude(level="county").order_by("code")


def _lists_in_scope(request):
    if request is None:
        return TaskList.objects.none()
    return visible_lists(request.user).order_by("-month", "-id")


class AssignmentFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="任务/清单", method="search")
    state = django_filters.ChoiceFilter(label="状态", choices=c.STATE_CHOICES)
    task_list = django_filters.ModelChoiceFilter(
        label="任务清单", field_name="task__task_list", queryset=_lists_in_scope
    )
    recurrence = django_filters.ChoiceFilter(
        label="重复", field_name="task__recurrence", choices=c.RECURRENCE_CHOICES[1:]
    )
    region = django_filters.ModelChoiceFilter(
        label="承办区划（含下级）", queryset=_regions_in_scope, method="in_region"
    )
    month = django_filters.DateFilter(
        label="到期月份",
        method="due_in_month",
        input_formats=["%Y-%m", "%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )
    overdue = django_filters.BooleanFilter(label="已逾期", method="overdue_only")
    todo = django_filters.ChoiceFilter(label="待办", choices=TODO_CHOICES, method="todo_only")

    class Meta:
        model = Assignment
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(task__title__contains=value) | Q(task__task_list__title__contains=value))

    def in_region(self, queryset, name, value):
        return queryset.filter(region__code__startswith=value.code)

    def due_in_month(self, queryset, name, value: datetime.date):
        first = value.replace(day=1)
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        return queryset.filter(due_date__gte=first, due_date__lte=last)

    def overdue_only(self, queryset, name, value):
        running = {"state__in": c.RUNNING_STATES, "due_date__lt": timezone.localdate()}
        return queryset.filter(**running) if value else queryset.exclude(**running)

    def todo_only(self, queryset, name, value):
        user = self.request.user
        rows = {"due": due_for, "review": awaiting_review, "issued": issued_by, **LINES}[value](user)
        return queryset.filter(pk__in=rows.values("pk"))
