import django_filters
from django.db.models import Exists, OuterRef, Q

from shoudi.core.filters import ScopedFilterSet
from shoudi.core.idnumbers import normalize_id_number
from shoudi.regions.filters import VillageFilter

from . import choices
from .models import Household, Member


class HouseholdFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="姓名/户编号/证件号/电话/拼音首字母", method="search")
    village = VillageFilter()
    household_type = django_filters.ChoiceFilter(label="户类型", choices=choices.HOUSEHOLD_TYPES)
    dibao = django_filters.BooleanFilter(label="享受低保", method="filter_dibao")
    tekun = django_filters.BooleanFilter(label="享受特困", method="filter_tekun")
    disabled = django_filters.BooleanFilter(label="有残疾成员", method="filter_disabled")
    relocated = django_filters.BooleanFilter(label="易地搬迁")

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
        value = value.strip()
        if not value:
            return queryset
        members = Member.objects.filter(Q(name__contains=value) | Q(phone=value) | Q(name_initials=value.upper()))
        id_number = normalize_id_number(value)
        if len(id_number) == 18:
            members = Member.objects.filter(id_number=id_number)
        return queryset.filter(Q(household_no=value) | Q(phone=value) | Q(pk__in=members.values("household_id")))


class MemberFilterSet(ScopedFilterSet):
    q = django_filters.CharFilter(label="姓名/证件号/拼音首字母", method="search")
    status = django_filters.ChoiceFilter(label="状态", choices=choices.MEMBER_STATUS)
    labour_skill = django_filters.ChoiceFilter(label="劳动技能", choices=choices.LABOUR_SKILLS)
    student_status = django_filters.ChoiceFilter(label="在校生状况", choices=choices.STUDENT_STATUS)

    class Meta:
        model = Member
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        id_number = normalize_id_number(value)
        if len(id_number) == 18:
            return queryset.filter(id_number=id_number)
        return queryset.filter(Q(name__contains=value) | Q(name_initials=value.upper()))
