"""The household and member pickers (core.picker): what the user may choose, how it is searched and how it reads."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from shoudi.core.masking import mask_id_number
from shoudi.core.picker import PickerOption, PickerSource, picker_view, use_picker

from .models import Household, Member
from .search import search_households, search_members

__all__ = ["HEAD_NAME", "HOUSEHOLDS", "MEMBERS", "household_picker", "member_picker", "pick_household", "pick_member"]

# the head's name for lists of households (one subquery, no query per row)
HEAD_NAME = Subquery(Member.objects.filter(household=OuterRef("pk"), relation="户主").values("name")[:1])


def households_for(user):
    return Household.objects.restrict(user, "view").select_related("village__parent").annotate(head_name=HEAD_NAME)


def household_option(household: Household) -> PickerOption:
    township = household.village.parent.name if household.village.parent_id else ""
    detail = f"户编号 {household.household_no} · {township}{household.village.name} · {household.household_type}"
    return PickerOption(household.pk, household.label, detail)


def members_for(user):
    return Member.objects.restrict(user, "view").select_related("household__village")


def member_option(member: Member) -> PickerOption:
    household = member.household
    detail = f"{mask_id_number(member.id_number)} · {household.village.name} · 户编号 {household.short_no}"
    return PickerOption(member.pk, f"{member.name}（{member.relation}）", detail)


HOUSEHOLDS = PickerSource(
    url_name="registry:household_picker",
    queryset=households_for,
    search=search_households,
    option=household_option,
    placeholder="户主姓名、户编号、证件号或电话后四位",
)
MEMBERS = PickerSource(
    url_name="registry:member_picker",
    queryset=members_for,
    search=search_members,
    option=member_option,
    placeholder="姓名、证件号、户编号或电话后四位",
)

household_picker = picker_view(HOUSEHOLDS, model=Household)
member_picker = picker_view(MEMBERS, model=Member)


def pick_household(form, name: str = "household") -> None:
    """The form's household field as the picker, choosing among the user's households (as its validation does)."""
    field = form.fields.get(name)
    if field is None:
        return
    if form.user is not None:
        field.queryset = households_for(form.user)
    use_picker(field, HOUSEHOLDS)


def pick_member(form, name: str = "member") -> None:
    field = form.fields.get(name)
    if field is None:
        return
    if form.user is not None:
        field.queryset = members_for(form.user)
    use_picker(field, MEMBERS)
