"""The filters of the team lists: the area, the month, doubtful check-ins, what waits for my approval, the
worklist's missing logs."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from shoudi.core.filters import ScopedFilterSet
from shoudi.regions.models import Region

from . import choices as c
from .attendance import month_bounds, parse_month
from .models import Absence, CheckIn, Meeting, SupportUnit, Team, TeamMember, WorkLog

__all__ = [
    "AbsenceFilterSet",
    "CheckInFilterSet",
    "MeetingFilterSet",
    "MemberFilterSet",
    "SupportUnitFilterSet",
    "TeamFilterSet",
    "WorkLogFilterSet",
]

TODO_CHOICES = [("missing_logs", "近30天缺少驻村工作日志")]
WAITING_CHOICES = [("mine", "待我审批")]


def _areas(request):
    if request is None:
        return Region.objects.none()
    return Region.objects.restrict(request.user, "view").order_by("code")


class AreaFilter(django_filters.ModelChoiceFilter):
    """?area=<region code>: the rows of a county, township or village, through the row's village code (the code, as
    the dashboards' links give it)."""

    def __init__(self, code_field: str, **kwargs):
        self.code_field = code_field
        super().__init__(label="区划", queryset=_areas, to_field_name="code", method=self.in_area, **kwargs)

    def in_area(self, queryset, name, value):
        return queryset.filter(**{f"{self.code_field}__startswith": value.code})


class MonthFilter(django_filters.CharFilter):
    """A month written 2026-05: the rows whose date field falls in it (a bad month: a Chinese error)."""

    def __init__(self, field_name: str, **kwargs):
        super().__init__(label="月份（如 2026-05）", field_name=field_name, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        try:
            first, last = month_bounds(*parse_month(value))
        except ValueError:
            return qs.none()
        return qs.filter(**{f"{self.field_name}__range": (first, last)})


class SupportUnitFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="单位名称", field_name="name", lookup_expr="contains")
    level = django_filters.ChoiceFilter(label="单位层级", choices=c.UNIT_LEVELS)

    class Meta:
        model = SupportUnit
        fields = []


class TeamFilterSet(ScopedFilterSet):
    area = AreaFilter("village__code")
    q = django_filters.CharFilter(label="村/后盾单位", method="search")

    class Meta:
        model = Team
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(village__name__contains=value) | Q(unit__name__contains=value))


class MemberFilterSet(ScopedFilterSet):
    area = AreaFilter("team__village__code")
    q = django_filters.CharFilter(label="姓名/派出单位", method="search")
    post = django_filters.ChoiceFilter(label="队内职务", choices=c.POSTS)
    current = django_filters.BooleanFilter(label="在岗", field_name="end_date", lookup_expr="isnull")
    todo = django_filters.ChoiceFilter(label="待办", choices=TODO_CHOICES, method="todo_only")

    class Meta:
        model = TeamMember
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(unit__name__contains=value))

    def todo_only(self, queryset, name, value):
        from .logs import missing_logs_queryset

        return queryset.filter(pk__in=missing_logs_queryset(self.request.user).values("pk"))


class CheckInFilterSet(ScopedFilterSet):
    area = AreaFilter("member__team__village__code")
    member = django_filters.CharFilter(label="队员", field_name="member__name", lookup_expr="contains")
    month = MonthFilter("day")
    kind = django_filters.ChoiceFilter(label="方式", choices=c.CHECKIN_KINDS)
    flagged = django_filters.BooleanFilter(label="存疑")

    class Meta:
        model = CheckIn
        fields = []


class AbsenceFilterSet(ScopedFilterSet):
    area = AreaFilter("member__team__village__code")
    member = django_filters.CharFilter(label="队员", field_name="member__name", lookup_expr="contains")
    category = django_filters.ChoiceFilter(label="类别", choices=c.CATEGORIES)
    state = django_filters.ChoiceFilter(label="状态", choices=c.ABSENCE_STATES)
    waiting = django_filters.ChoiceFilter(label="待办", choices=WAITING_CHOICES, method="waiting_for_me")

    class Meta:
        model = Absence
        fields = []

    def waiting_for_me(self, queryset, name, value):
        from .selectors import absences_waiting_for

        return queryset.filter(pk__in=absences_waiting_for(self.request.user).values("pk"))


class WorkLogFilterSet(ScopedFilterSet):
    area = AreaFilter("member__team__village__code")
    member = django_filters.CharFilter(label="队员", field_name="member__name", lookup_expr="contains")
    month = MonthFilter("day")
    q = django_filters.CharFilter(label="内容", method="search")

    class Meta:
        model = WorkLog
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(work_done__contains=value) | Q(problems__contains=value))


class MeetingFilterSet(ScopedFilterSet):
    area = AreaFilter("region__code")
    kind = django_filters.ChoiceFilter(label="类型", choices=c.MEETING_KINDS)
    month = MonthFilter("held_on")

    class Meta:
        model = Meeting
        fields = []
