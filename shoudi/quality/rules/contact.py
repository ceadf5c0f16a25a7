"""联系方式: phones that are not 11 digits, and one phone for households whose heads have different surnames."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, Subquery

from shoudi.registry.models import Household, Member

from ..passes import LIVE
from .base import HOUSEHOLD, MEMBER, TOWNSHIP, Found, Rule

TOPIC = "联系方式"
PHONE = r"^[0-9]{11}$"
CHUNK = 500


def shared_phones(params, scope: str):
    """Households whose 户联系电话 another household uses too, their heads' surnames differing (a family that split
    into two households keeps one phone; unrelated households should not)."""
    shared = (
        Household.objects.exclude(phone="")
        .order_by()
        .values("phone")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .values("phone")
    )
    heads = list(
        Member.objects.filter(relation="户主", status=LIVE, household__phone__in=Subquery(shared)).values_list(
            "household_id",
            "household__phone",
            "household__household_no",
            "household__village_id",
            "household__village__code",
            "name",
        )
    )
    by_phone: dict[str, list[tuple]] = defaultdict(list)
    for row in heads:
        by_phone[row[1]].append(row)
    for phone, rows in by_phone.items():
        if len({name[:1] for *_, name in rows}) < 2:
            continue
        for household_id, _, household_no, village_id, code, name in rows:
            if not code.startswith(scope):
                continue
            others = sorted(no for other, _, no, *_ in rows if other != household_id)
            figures = {"户编号": household_no, "户主": name, "联系电话": phone, "其他户编号": "、".join(others)}
            yield Found(household_id, household_id, village_id, figures)


RULES = [
    Rule(
        "7_01_010",
        "户联系电话不是 11 位数字",
        TOPIC,
        "提示",
        TOWNSHIP,
        HOUSEHOLD,
        "户 {户编号} 的户联系电话“{联系电话}”不是 11 位数字",
        {"户编号": "household_no", "联系电话": "phone"},
        when=lambda p: "phone <> '' AND NOT (LENGTH(phone) = 11 AND TRIM(phone, '0123456789') = '')",
    ),
    Rule(
        "7_01_020",
        "成员联系电话不是 11 位数字",
        TOPIC,
        "提示",
        TOWNSHIP,
        MEMBER,
        "{姓名}的联系电话“{联系电话}”不是 11 位数字",
        {"姓名": "name", "联系电话": "phone"},
        when=lambda p: ~Q(phone="") & ~Q(phone__regex=PHONE),
    ),
    Rule(
        "7_02_010",
        "同一电话号码用于不同姓户主的多户",
        TOPIC,
        "疑点",
        TOWNSHIP,
        HOUSEHOLD,
        "户 {户编号}（户主{户主}）的户联系电话 {联系电话} 也是户 {其他户编号} 的电话，户主不同姓",
        check=shared_phones,
        note="全部县、乡、村范围内比对户联系电话；户主同姓的分户不计",
    ),
]
