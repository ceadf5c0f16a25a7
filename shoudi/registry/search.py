"""Finding households and members by what people remember: a name (or its pinyin initials), a part of the 户编号,
an ID number (whole, or its last digits), the last 4 digits of a phone. One search for the household list, the
picker and the visit page."""

from __future__ import annotations

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from shoudi.core.idnumbers import normalize_id_number

from .models import Household, Member

__all__ = ["member_condition", "search_households", "search_members"]

PHONE_TAIL = 4  # "1234": the last four digits of a phone (or of an ID: what a masked ID still shows)
PHONE = 11


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _tail(text: str) -> bool:
    """Four digits (the last one of an ID may be X): what people read off a phone or a masked ID."""
    return len(text) == PHONE_TAIL and text.isascii() and text[:3].isdigit() and (text[3].isdigit() or text[3] in "xX")


def member_condition(text: str, prefix: str = "") -> Q | None:
    """The members matching ``text`` (``prefix``: the lookup from the model searched to the member).

    A name (or its pinyin initials), a whole ID number, the last four digits of a phone or an ID, a whole phone.
    Digits are never looked for in names, and other lengths of digits only in 户编号 (``search_households``)."""
    text = text.strip()
    if not text:
        return None
    id_number = normalize_id_number(text)
    if len(id_number) == 18 and id_number[:17].isdigit():
        return Q(**{f"{prefix}id_number": id_number})
    if _tail(text):
        return Q(**{f"{prefix}phone__endswith": text}) | Q(**{f"{prefix}id_number__endswith": text.upper()})
    if _digits(text):
        return Q(**{f"{prefix}phone": text}) if len(text) == PHONE else None
    q = Q(**{f"{prefix}name__contains": text})
    if text.isascii() and text.isalpha():
        q |= Q(**{f"{prefix}name_initials": text.upper()})
    return q


def search_households(queryset: QuerySet[Household], text: str) -> QuerySet[Household]:
    """Households whose 户编号 contains ``text``, whose phone ends with its four digits (or is it), or with a member
    matching it; the closest first (the 户编号 itself, its end, the phone or the head, then the rest), each group in
    户编号 order."""
    text = text.strip()
    if not text:
        return queryset.order_by("household_no")
    condition = Q(household_no__contains=text)
    close = [When(household_no=text, then=Value(0)), When(household_no__endswith=text, then=Value(1))]
    if _tail(text) or (_digits(text) and len(text) == PHONE):
        phone = Q(phone__endswith=text) if _tail(text) else Q(phone=text)
        condition |= phone
        close.append(When(phone, then=Value(2)))
    members = member_condition(text)
    if members is not None:
        matching = Member.objects.filter(members)
        condition |= Q(pk__in=matching.values("household_id"))
        if not _digits(text):
            head = matching.filter(household=OuterRef("pk"), relation="户主")
            close.append(When(Exists(head), then=Value(2)))
    rank = Case(*close, default=Value(3), output_field=IntegerField())
    return queryset.filter(condition).annotate(search_rank=rank).order_by("search_rank", "household_no")


def search_members(queryset: QuerySet[Member], text: str) -> QuerySet[Member]:
    """Members matching ``text`` themselves, or of a household whose 户编号 contains it."""
    text = text.strip()
    if not text:
        return queryset.order_by("household__household_no", "id")
    condition = Q(household__in=Household.objects.filter(household_no__contains=text))
    members = member_condition(text)
    if members is not None:
        condition |= members
    return queryset.filter(condition).order_by("household__household_no", "id")
