"""身份信息: the ID number's format, check character, birth date and placeholders; the same ID in two households; the
age the ID gives against 在校生状况."""

from __future__ import annotations

from collections import defaultdict
from functools import reduce
from operator import or_

from django.db.models import F, Max, Min, Q, Subquery

from shoudi.core.idnumbers import FIRST_BIRTH_YEAR, RESIDENT_ID_TYPES
from shoudi.registry.models import Member

from ..passes import ID_FORMAT, LIVE
from ..pgsettings import GROUPING, postgres_settings
from .base import COUNTY, MEMBER, Figure, Found, Params, Rule

TOPIC = "身份信息"
CHUNK = 500  # values per IN list (SQLite takes at most 999 parameters a statement)

# numbers typed where the real one was unknown: one digit repeated, a counting sequence, or a marker character
PLACEHOLDER_NUMBERS = (*(d * 18 for d in "0123456789"), "123456789012345678", "12345678901234567X")
PLACEHOLDER_MARKS = ("*", "?", "？", "无", "待", "暂", "不详")

NAME, ID = "name", "id_number"


def _resident() -> Q:
    return Q(id_type__in=RESIDENT_ID_TYPES)


def placeholder() -> Q:
    return Q(id_number__in=PLACEHOLDER_NUMBERS) | reduce(
        or_, (Q(id_number__contains=mark) for mark in PLACEHOLDER_MARKS)
    )


def _age(born, params: Params):
    return params.age(born)


def _is_placeholder(number: str) -> bool:
    return number in PLACEHOLDER_NUMBERS or any(mark in number for mark in PLACEHOLDER_MARKS)


def duplicate_ids(params: Params, scope: str):
    """Living members whose ID number a living member of another household also has (placeholders aside).

    One grouping of every living member by number, in memory and in one process (a parallel plan had each worker
    group the whole table again); the few placeholder numbers with marks are dropped from its result in Python
    rather than tested on every row."""
    live = Member.objects.filter(status=LIVE).exclude(id_number="").exclude(id_number__in=PLACEHOLDER_NUMBERS)
    shared = (
        live.order_by()
        .values("id_number")
        .annotate(low=Min("household_id"), high=Max("household_id"))
        .filter(low__lt=F("high"))
        .values("id_number")
    )
    with postgres_settings(**GROUPING, max_parallel_workers_per_gather="0"):
        rows = [
            row
            for row in live.filter(
                household__village__code__startswith=scope, id_number__in=Subquery(shared)
            ).values_list("pk", "household_id", "household__village_id", "name", "id_number")
            if not _is_placeholder(row[4])
        ]
    numbers = sorted({row[4] for row in rows})
    households: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for start in range(0, len(numbers), CHUNK):
        for number, household_id, household_no in live.filter(id_number__in=numbers[start : start + CHUNK]).values_list(
            "id_number", "household_id", "household__household_no"
        ):
            households[number].add((household_id, household_no))
    for pk, household_id, village_id, name, number in rows:
        others = sorted(no for other, no in households[number] if other != household_id)
        yield Found(pk, household_id, village_id, {"姓名": name, "证件号码": number, "其他户编号": "、".join(others)})


def gross_age_mismatch(params: Params) -> Q:
    """在校生状况 the ID's age makes impossible (the number, not the school, is probably wrong)."""
    bands = [
        (("学龄前儿童", "学前教育"), 0, 9),
        (
            (
                "小学",
                "七年级",
                "八年级",
                "九年级",
                *(f"普通高中{g}年级" for g in "一二三"),
                *(f"中职{g}年级" for g in "一二三"),
            ),
            5,
            24,
        ),
        (
            (
                *(f"高职高专{g}年级" for g in "一二三"),
                *(f"技师学院{g}年级" for g in "一二三四"),
                *(f"本科{g}年级" for g in "一二三四五"),
            ),
            14,
            39,
        ),
        (("硕士研究生及以上",), 18, 59),
    ]
    out = Q()
    for statuses, youngest, oldest in bands:
        too_young = Q(birth_date__gt=params.born_by(youngest))
        too_old = Q(birth_date__lte=params.born_after(oldest))
        out |= Q(student_status__in=statuses) & (too_young | too_old)
    return ~Q(student_status="") & out & Q(birth_date__isnull=False)  # the cheap test first: most are no students


RULES = [
    Rule(
        "1_01_010",
        "证件号码位数或字符错误",
        TOPIC,
        "错误",
        COUNTY,
        MEMBER,
        "{姓名}的证件号码“{证件号码}”不是 18 位数字（末位可为 X）",
        {"姓名": NAME, "证件号码": ID},
        when=lambda p: _resident() & ~Q(id_number__regex=ID_FORMAT) & ~placeholder(),
        note="证件类型为居民身份证（或未填）的成员",
    ),
    Rule(
        "1_01_020",
        "证件号码校验位错误",
        TOPIC,
        "错误",
        COUNTY,
        MEMBER,
        "{姓名}的证件号码 {证件号码} 校验位错误，按 GB 11643 应为 {应为}",
        {"姓名": NAME, "证件号码": ID, "应为": "id_check"},
        # id_check is the number's own last character when it is not 17 digits and one more: only 1_01_010 fires
        when=lambda p: _resident() & ~Q(id_last=F("id_check")) & ~Q(id_number__in=PLACEHOLDER_NUMBERS),
    ),
    Rule(
        "1_01_030",
        "证件号码中的出生日期无效",
        TOPIC,
        "错误",
        COUNTY,
        MEMBER,
        "{姓名}的证件号码 {证件号码} 第 7–14 位不是有效的出生日期",
        {"姓名": NAME, "证件号码": ID},
        when=lambda p: (
            _resident()
            & Q(id_number__regex=ID_FORMAT)
            & ~placeholder()
            & (Q(birth_date__isnull=True) | Q(birth_date__gt=p.today) | Q(birth_date__year__lt=FIRST_BIRTH_YEAR))
        ),
        note="出生日期不存在、晚于今天或早于 1890 年",
    ),
    Rule(
        "1_01_040",
        "占位证件号码",
        TOPIC,
        "错误",
        COUNTY,
        MEMBER,
        "{姓名}的证件号码“{证件号码}”是占位号码，请录入真实证件号码",
        {"姓名": NAME, "证件号码": ID},
        when=lambda p: placeholder(),
        note="同一数字重复 18 位、123456789012345678，或含 *、?、无、待、暂、不详",
    ),
    Rule(
        "1_01_050",
        "同一证件号码在多户",
        TOPIC,
        "错误",
        COUNTY,
        MEMBER,
        "{姓名}的证件号码 {证件号码} 同时登记在户 {其他户编号}",
        {"姓名": NAME, "证件号码": ID},
        check=duplicate_ids,
        note="状态正常的成员；全部县、乡、村范围内查重",
    ),
    Rule(
        "1_02_010",
        "证件年龄与在校生状况明显不符",
        TOPIC,
        "疑点",
        COUNTY,
        MEMBER,
        "{姓名}按证件号码为 {年龄} 岁，在校生状况却是“{在校生状况}”，请核对证件号码",
        {"姓名": NAME, "年龄": Figure("birth_date", _age), "在校生状况": "student_status"},
        when=gross_age_mismatch,
        note="学龄前 10 岁及以上；中小学 5 岁以下或 25 岁及以上；高职、技师、本科 14 岁以下或 40 岁及以上",
    ),
]
