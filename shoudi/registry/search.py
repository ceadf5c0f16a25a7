"""Finding households and members by what people remember: a name (or its pinyin initials), a part of the 户编号,
an ID number (whole, or its last digits), the last 4 digits of a phone. One search for the household list, the
picker and the visit page."""

from __future__ import annotations

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from shoudi.core.idnumbers import normalize_id_number

from .models import Household, Member

__all__ = ["member_condition", "search_households", "search_members"]

PHONE_TAIL = range(4, 12)  # "1234" is a phone's last four digits; up to a whole 11-digit number


def member_condition(text: str, prefix: str = "") -> Q | None:
    """The members matching ``text`` (``prefix``: the lookup from the model searched to the member)."""
    text = text.strip()
    if not text:
        return None
    id_number = normalize_id_number(text)
    if len(id_number) == 18 and id_number[:17].isdigit():
        return Q(**{f"{prefix}id_number": id_number})
    q = Q(**{f"{prefix}name__contains": text})
    if text.isascii() and text.isalpha():
        q |= Q(**{f"{prefix}name_initials": text.upper()})
    digits = id_number if id_number[:-1].isdigit() else ""
    if digits and len(digits) >= 4:
        q |= Q(**{f"{prefix}id_number__endswith": digits})
    if text.isdigit() and len(text) in PHONE_TAIL:
        q |= Q(**{f"{prefix}phone__endswith": text})
    return q


def search_households(queryset: QuerySet[Household], text: str) -> QuerySet[Household]:
    """Households whose 户编号 contains ``text``, whose phone ends with it, or with a member matching it; the
    closest first (the 户编号 itself, then its end, then the rest), each group in 户编号 order."""
    text = text.strip()
    if not text:
        return queryset.order_by("household_no")
    members = Member.objects.filter(member_condition(text))
    condition = Q(household_no__icontains=text) | Q(pk__in=members.values("household_id"))
    if text.isdigit() and len(text) in PHONE_TAIL:
        condition |= Q(phone__endswith=text)
    close = [When(household_no=text, then=Value(0)), When(household_no__endswith=text, then=Value(1))]
    if text.isdigit() and len(text) in PHONE_TAIL:
        close.append(When(phone__endswith=text, then=Value(2)))
    close.append(When(Exists(members.filter(household=OuterRef("pk"), relation="户主")), then=Value(2)))
    rank = Case(*close, default=Value(3), output_field=IntegerField())
    return queryset.filter(condition).annotate(search_rank=rank).order_by("search_rank", "household_no")


def search_members(queryset: QuerySet[Member], text: str) -> QuerySet[Member]:
    """Members matching ``text`` themselves, or of a household whose 户编号 contains it."""
    text = text.strip()
    if not text:
        return queryset.order_by("household__household_no", "id")
    condition = member_condition(text) | Q(household__household_no__icontains=text)
    return queryset.filter(condition).order_by("household__household_no", "id")
