import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q

from shoudi.core.filters import ScopedFilterSet
from shoudi.regions.filters import VillageFilter

from . import choices
from .models import Household, Member, ResettlementSite
from .search import search_households, search_members
from .sites import zero_employment_at_sites


class HouseholdSearchFilter(django_filters.CharFilter):
    """A text box finding the rows of the households that match (name, part of the 户编号, phone's last four …),
    for lists that point at households through ``household``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "农户（姓名/户编号/电话后四位）")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value or not value.strip():
            return qs
        return qs.filter(household__in=search_households(Household.objects.all(), value).values("pk"))


class HouseholdFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="姓名/户编号/证件号/电话后四位/拼音首字母", method="search")
    village = VillageFilter()
    household_type = django_filters.ChoiceFilter(label="户类型", choices=choices.HOUSEHOLD_TYPES)
    dibao = django_filters.BooleanFilter(label="享受低保", method="filter_dibao")
    tekun = django_filters.BooleanFilter(label="享受特困", method="filter_tekun")
    disabled = django_filters.BooleanFilter(label="有残疾成员", method="filter_disabled")
    relocated = django_filters.BooleanFilter(label="易地搬迁")
    # the site page links here (?resettlement_site=<pk>); the rows stay those of the user's scope
    resettlement_site = django_filters.NumberFilter(label="安置点", widget=forms.HiddenInput)
    resettled_zero_employment = django_filters.BooleanFilter(
        label="安置户有劳动力但无人就业", method="filter_resettled_zero_employment", widget=forms.HiddenInput
    )

    class Meta:
        model = Household
        fields = []

    def _with_member(self, queryset, value, condition: Q):
        exists = Exists(Member.objects.filter(condition, household=OuterRef("pk"), status="正常"))
        return queryset.filter(exists) if value else queryset.exclude(exists)

    def filter_dibao(self, queryset, name, value):
        return self._with_member(queryset, value, Q(dibao__in=["农村低保", "城市低保"]))

    def filter_tekun(self, queryset, name, value):
        return self._with_member(queryset, value, Q(tekun__in=["农村特困", "城市特困"]))

    def filter_disabled(self, queryset, name, value):
        return self._with_member(queryset, value, Q(health__contains="残疾") | ~Q(disability_category=""))

    def search(self, queryset, name, value):
        return search_households(queryset, value)

    def filter_resettled_zero_employment(self, queryset, name, value):
        found = zero_employment_at_sites().values("pk")
        return queryset.filter(pk__in=found) if value else queryset.exclude(pk__in=found)


class MemberFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="姓名/证件号/电话后四位/户编号", method="search")
    status = django_filters.ChoiceFilter(label="状态", choices=choices.MEMBER_STATUS)
    labour_skill = django_filters.ChoiceFilter(label="劳动技能", choices=choices.LABOUR_SKILLS)
    student_status = django_filters.ChoiceFilter(label="在校生状况", choices=choices.STUDENT_STATUS)

    class Meta:
        model = Member
        fields = []

    def search(self, queryset, name, value):
        return search_members(queryset, value)


class ResettlementSiteFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="安置点名称/社区", method="search")

    class Meta:
        model = ResettlementSite
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__contains=value) | Q(community__name__contains=value)) if value else queryset


__all__ = ["HouseholdFilterSet", "HouseholdSearchFilter", "MemberFilterSet", "ResettlementSiteFilterSet"]
