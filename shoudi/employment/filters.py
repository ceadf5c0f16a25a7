"""The filters of the employment lists: the area (a code, as the dashboards' links give it), the month, the
flagged subsidies, eligibility, the worklist's ``?todo=``."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from shoudi.core.filters import ScopedFilterSet
from shoudi.regions.models import Region
from shoudi.registry.models import Household, Member

from .models import Attendance, Post, TransportSubsidy, Verification, Workshop, WorkshopEmployee
from .selectors import flagged_attendance, flagged_posts

__all__ = [
    "AttendanceFilterSet",
    "PostFilterSet",
    "TransportSubsidyFilterSet",
    "VerificationFilterSet",
    "WorkshopFilterSet",
    "ZeroEmploymentFilterSet",
]

FLAGGED_TODO = "post_subsidy_low"
ZERO_TODO = "zero_employment"


def _areas(request):
    if request is None:
        return Region.objects.none()
    return Region.objects.restrict(request.user, "view").order_by("code")


class AreaFilter(django_filters.ModelChoiceFilter):
    """?area=<region code>: the rows of a county, township or village."""

    def __init__(self, code_field: str, **kwargs):
        self.code_field = code_field
        super().__init__(label="区划", queryset=_areas, to_field_name="code", method=self.in_area, **kwargs)

    def in_area(self, queryset, name, value):
        return queryset.filter(**{f"{self.code_field}__startswith": value.code})


class ZeroEmploymentFilterSet(ScopedFilterSet):
    area = AreaFilter("village__code")
    q = django_filters.CharFilter(label="户编号/户主", method="search")
    todo = django_filters.ChoiceFilter(label="待办", choices=[(ZERO_TODO, "零就业家庭")], method="everything")

    class Meta:
        model = Household
        fields = []

    def search(self, queryset, name, value):
        heads = Member.objects.filter(name__contains=value, relation="户主").values("household_id")
        return queryset.filter(Q(household_no__contains=value) | Q(pk__in=heads))

    def everything(self, queryset, name, value):  # the list is the worklist line's rows already
        return queryset


class VerificationFilterSet(ScopedFilterSet):
    name = django_filters.CharFilter(label="姓名", field_name="member__name", lookup_expr="contains")
    group = django_filters.ChoiceFilter(label="核实对象", choices=Verification._meta.get_field("group").choices)
    verified = django_filters.BooleanFilter(
        label="已核实", field_name="verified_at", lookup_expr="isnull", exclude=True
    )
    employed = django_filters.BooleanFilter(label="务工")

    class Meta:
        model = Verification
        fields = []


class PostFilterSet(ScopedFilterSet):
    area = AreaFilter("region__code")
    name = django_filters.CharFilter(label="岗位/用人单位", method="search")
    low = django_filters.BooleanFilter(label="补贴标准低于下限", method="low_only")

    class Meta:
        model = Post
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(employer__contains=value))

    def low_only(self, queryset, name, value):
        low = flagged_posts().values("pk")
        return queryset.filter(pk__in=low) if value else queryset.exclude(pk__in=low)


class AttendanceFilterSet(ScopedFilterSet):
    area = AreaFilter("placement__member__household__village__code")
    name = django_filters.CharFilter(label="姓名", field_name="placement__member__name", lookup_expr="contains")
    month = django_filters.DateFilter(label="月份（该月1日）", field_name="month")
    flagged = django_filters.BooleanFilter(label="补贴低于下限", method="flagged_only")
    todo = django_filters.ChoiceFilter(
        label="待办", choices=[(FLAGGED_TODO, "公益性岗位补贴低于下限")], method="todo_only"
    )

    class Meta:
        model = Attendance
        fields = []

    def flagged_only(self, queryset, name, value):
        low = flagged_attendance().values("pk")
        return queryset.filter(pk__in=low) if value else queryset.exclude(pk__in=low)

    def todo_only(self, queryset, name, value):
        return queryset.filter(pk__in=flagged_attendance().values("pk"))


class WorkshopFilterSet(ScopedFilterSet):
    area = AreaFilter("region__code")
    name = django_filters.CharFilter(label="车间/经营主体", method="search")

    class Meta:
        model = Workshop
        fields = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__contains=value) | Q(operator__contains=value))


class WorkshopEmployeeFilterSet(ScopedFilterSet):
    year = django_filters.NumberFilter(label="年度")

    class Meta:
        model = WorkshopEmployee
        fields = []


class TransportSubsidyFilterSet(ScopedFilterSet):
    area = AreaFilter("member__household__village__code")
    name = django_filters.CharFilter(label="姓名", field_name="member__name", lookup_expr="contains")
    year = django_filters.NumberFilter(label="年度")
    paid = django_filters.BooleanFilter(label="已发放", field_name="paid_on", lookup_expr="isnull", exclude=True)

    class Meta:
        model = TransportSubsidy
        fields = []
