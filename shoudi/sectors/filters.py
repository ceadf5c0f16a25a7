"""The filters of the 送教上门 list: village, name, current or ended, and the worklist's 本月不足2次."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from shoudi.core.filters import ScopedFilterSet
from shoudi.regions.filters import VillageFilter

from .models import CHILD_CODE, HomeTeaching
from .selectors import short_this_month

__all__ = ["TODO_SHORT", "HomeTeachingFilterSet"]

TODO_SHORT = "home_teaching_short"
TODO_CHOICES = [(TODO_SHORT, "本月送教上门不足2次")]


class HomeTeachingFilterSet(ScopedFilterSet):
    area = django_filters.CharFilter(label="区划代码", field_name=CHILD_CODE, lookup_expr="startswith")
    village = VillageFilter(field_name="member__household__village")
    q = django_filters.CharFilter(label="姓名/学校/教师", method="search")
    current = django_filters.BooleanFilter(label="送教中", field_name="end_date", lookup_expr="isnull")
    todo = django_filters.ChoiceFilter(label="待办", choices=TODO_CHOICES, method="todo_only")

    class Meta:
        model = HomeTeaching
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(member__name__contains=value) | Q(school__contains=value) | Q(teacher__contains=value))

    def todo_only(self, queryset, name, value):
        return queryset.filter(pk__in=short_this_month(self.request.user).values("pk"))
