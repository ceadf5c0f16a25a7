"""What the standard ledgers share: the lookups (one query each over a ledger's households), the columns and filters
several ledgers use, and the codes they compare with.

Rows are ordered by codes and ids only (never by Chinese text or nullable dates, which SQLite and PostgreSQL sort
differently), so a ledger comes out the same on both databases.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Exists, Max, OuterRef, Q

from shoudi.assistance import choices as ac
from shoudi.assistance.models import GuaranteeProblem, Measure, Pairing, Visit
from shoudi.core.dates import age_on
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry import choices as rc
from shoudi.registry.models import Member

from ..definitions import SEQ, Column, Filter, LedgerContext, Lookup, Param

__all__ = [
    "CADRE",
    "CASE",
    "DIBAO",
    "HEAD",
    "LAST_VISIT",
    "MEASURES",
    "NOTHING",
    "NOT_IN_SCHOOL",
    "TEKUN",
    "VOCATIONAL",
    "age",
    "cadre_columns",
    "case_column",
    "disability",
    "disability_grade",
    "employed_counts",
    "head_columns",
    "household_columns",
    "household_type_filter",
    "in_register",
    "measure_columns",
    "measure_status_filter",
    "measures_of",
    "monitored_filter",
    "not_ended",
    "part",
    "person_columns",
    "place",
    "problems_of",
    "reference_date",
    "seq",
    "value_of",
    "vocational_students",
]

FROM_MEMBER = "household__"  # the lookup from a member row to its household
NOT_IN_SCHOOL = ("", "学龄前儿童", "学前教育")  # 在校生状况 of a child who attends no compulsory or higher grade
VOCATIONAL = tuple(v for v, _ in rc.STUDENT_STATUS if v.startswith(("中职", "高职高专", "技师学院")))
DIBAO = ("农村低保", "城市低保")
TEKUN = ("农村特困", "城市特困")
MEASURE_ORDER = {category: i for i, category in enumerate(ac.MEASURE_CATEGORIES)}
NOTHING = Q(pk__in=[])


# --- lookups: one query each over the ledger's households --------------------


def _heads(ctx: LedgerContext, ids) -> dict:
    """户主 of each household: (name, ID number); a head still registered wins over one who died or moved out."""
    heads = {}
    rows = Member.objects.filter(household_id__in=ids, relation="户主").order_by("household_id", "id")
    for hid, name, id_number, status in rows.values_list("household_id", "name", "id_number", "status"):
        if hid not in heads or status == "正常":
            heads[hid] = (name, id_number)
    return heads


def _cases(ctx: LedgerContext, ids) -> dict:
    """The latest identified case of each household: (category, risk eliminated?)."""
    rows = (
        MonitoringCase.objects.filter(household_id__in=ids, identified_on__isnull=False)
        .order_by("household_id", "identified_on", "id")
        .values_list("household_id", "category", "step")
    )
    return {hid: (category, step == mc.ELIMINATED) for hid, category, step in rows}


def _cadres(ctx: LedgerContext, ids) -> dict:
    """The current 帮扶干部 of each household: (name, unit, position, phone)."""
    rows = Pairing.objects.filter(household_id__in=ids, end_date__isnull=True).order_by("household_id", "id")
    return {
        hid: rest
        for hid, *rest in rows.values_list(
            "household_id", "cadre__name", "cadre__unit", "cadre__position", "cadre__phone"
        )
    }


def measures_of(category: str | None = None):
    """Measures not ended, per household: "产业帮扶（种植业、养殖业）；…", or for one category "危房改造（已落实）"."""

    def fetch(ctx: LedgerContext, ids) -> dict:
        qs = Measure.objects.filter(household_id__in=ids).exclude(status="终止")
        if category:
            qs = qs.filter(category=category)
        found: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        for hid, cat, item, status in qs.order_by("household_id", "id").values_list(
            "household_id", "category", "sub_item", "status"
        ):
            text = f"{item}（{status}）" if category else item
            if text not in found[hid][cat]:
                found[hid][cat].append(text)
        result = {}
        for hid, by_category in found.items():
            ordered = sorted(by_category.items(), key=lambda kv: MEASURE_ORDER.get(kv[0], 99))
            if category:
                result[hid] = "、".join(text for _, items in ordered for text in items)
            else:
                result[hid] = "；".join(f"{cat}（{'、'.join(items)}）" for cat, items in ordered)
        return result

    return fetch


def problems_of(kind: str):
    """Open guarantee problems of one kind, per household: "2025-03-01 房屋漏雨；…"."""

    def fetch(ctx: LedgerContext, ids) -> dict:
        found: dict[int, list[str]] = defaultdict(list)
        rows = GuaranteeProblem.objects.filter(household_id__in=ids, kind=kind, resolved_on__isnull=True)
        for hid, description, opened_on in rows.order_by("household_id", "opened_on", "id").values_list(
            "household_id", "description", "opened_on"
        ):
            found[hid].append(f"{opened_on:%Y-%m-%d} {description or kind}")
        return {hid: "；".join(items) for hid, items in found.items()}

    return fetch


def _last_visits(ctx: LedgerContext, ids) -> dict:
    rows = Visit.objects.filter(household_id__in=ids).order_by().values("household_id").annotate(last=Max("visited_on"))
    return {row["household_id"]: row["last"] for row in rows}


def vocational_students(ctx: LedgerContext, ids) -> dict:
    """Members in 中职/高职/技师学院 (those 雨露计划 supports): "张三（中职二年级）、…"."""
    found: dict[int, list[str]] = defaultdict(list)
    rows = Member.objects.filter(household_id__in=ids, status="正常", student_status__in=VOCATIONAL)
    for hid, name, status in rows.order_by("household_id", "id").values_list("household_id", "name", "student_status"):
        found[hid].append(f"{name}（{status}）")
    return {hid: "、".join(items) for hid, items in found.items()}


def employed_counts(ctx: LedgerContext, ids) -> dict:
    rows = (
        Member.objects.filter(household_id__in=ids, status="正常", employed=True)
        .order_by()
        .values("household_id")
        .annotate(n=Count("id"))
    )
    return {row["household_id"]: row["n"] for row in rows}


HEAD = Lookup("registry.member", _heads)
CASE = Lookup("monitoring.monitoringcase", _cases)
CADRE = Lookup("assistance.pairing", _cadres)
MEASURES = Lookup("assistance.measure", measures_of())
LAST_VISIT = Lookup("assistance.visit", _last_visits)


# --- columns used by several ledgers --------------------


def part(lookup: str, index: int):
    def get(row, ctx):
        value = row[lookup]
        return value[index] if value is not None else None

    return get


def value_of(lookup: str):
    def get(row, ctx):
        return row[lookup]

    return get


def _case_label(row, ctx):
    case = row["case"]
    if case is None:
        return None
    category, eliminated = case
    return f"{category}（已消除）" if eliminated else category


def age(row, ctx):
    return age_on(row["birth_date"], ctx.params.get("reference") or ctx.today)


def disability(row, ctx):
    value = row["disability_category"]
    return dict(rc.DISABILITY_CATEGORIES).get(value, value) or None


def disability_grade(row, ctx):
    value = row["disability_grade"]
    return dict(rc.DISABILITY_GRADES).get(value, value) or None


def seq() -> Column:
    return Column("seq", "序号", SEQ, kind="int", width=6)


def place(h: str = FROM_MEMBER, *, group: bool = True) -> list[Column]:
    columns = [
        Column("township", "乡镇", f"{h}village__parent__name", width=10),
        Column("village", "行政村", f"{h}village__name", width=10),
    ]
    if group:
        columns.append(Column("group_name", "村民小组", f"{h}group_name", width=9))
    return columns


def household_columns(
    h: str = FROM_MEMBER, *, phone: bool = True, size: bool = True, kind: bool = True
) -> list[Column]:
    return [
        Column("household_no", "户编号", f"{h}household_no", kind="code"),
        Column("household_type", "户类型", f"{h}household_type", width=9, default=kind),
        Column("size", "家庭人口数", f"{h}size", kind="int", width=7, default=size),
        Column(
            "household_phone", "户联系电话", f"{h}phone", kind="phone", mask_model="registry.household", default=phone
        ),
        Column("address", "家庭住址", f"{h}address", width=24, default=False),
    ]


def head_columns(*, id_number: bool = True) -> list[Column]:
    return [
        Column("head_name", "户主姓名", part("head", 0), lookups=("head",), width=9),
        Column("head_id", "户主证件号码", part("head", 1), kind="id", lookups=("head",), default=id_number),
    ]


def case_column(*, default: bool = True) -> Column:
    return Column("case_category", "监测对象类别", _case_label, lookups=("case",), width=16, default=default)


def cadre_columns(*, default: bool = True, details: bool = True) -> list[Column]:
    return [
        Column("cadre_name", "帮扶干部", part("cadre", 0), lookups=("cadre",), width=9, default=default),
        Column("cadre_unit", "干部单位", part("cadre", 1), lookups=("cadre",), width=18, default=default and details),
        Column(
            "cadre_phone",
            "干部电话",
            part("cadre", 3),
            kind="phone",
            lookups=("cadre",),
            mask_model="assistance.cadre",
            default=default and details,
        ),
    ]


def person_columns(*, relation: bool = True) -> list[Column]:
    columns = [
        Column("name", "姓名", "name", width=9),
        Column("gender", "性别", "gender", width=5),
        Column("id_number", "证件号码", "id_number", kind="id"),
    ]
    if relation:
        columns.append(Column("relation", "与户主关系", "relation", width=9))
    return columns


def household_type_filter(h: str = FROM_MEMBER) -> Filter:
    return Filter(
        "household_type", "户类型", lambda ctx, v: Q(**{f"{h}household_type": v}), choices=tuple(rc.HOUSEHOLD_TYPES)
    )


def monitored_filter(h: str = FROM_MEMBER) -> Filter:
    def q(ctx, value):
        outer = OuterRef("pk") if not h else OuterRef(h.rstrip("_"))
        monitored = Exists(MonitoringCase.objects.filter(household=outer, is_open=True, identified_on__isnull=False))
        return monitored if value == "yes" else ~monitored

    return Filter("monitored", "是否监测对象（未消除）", q, choices=(("yes", "是"), ("no", "否")))


def in_register() -> Filter:
    return Filter("in_register", "仅在册人员（不含死亡、迁出）", lambda ctx, v: Q(status="正常"), default=True)


def reference_date() -> Param:
    return Param("reference", "参考日期", "date", lambda ctx: ctx.today)


# --- 4. 帮扶措施台账 --------------------


def measure_columns(*, amount_label: str = "金额（元）") -> list[Column]:
    return [
        Column("category", "措施类别", "category", width=12),
        Column("sub_item", "具体项目", "sub_item", width=12),
        Column("content", "措施内容", "content", width=30),
        Column("amount", amount_label, "amount", kind="money", total=True),
        Column("department", "责任部门", "department", width=12),
        Column("planned_on", "计划日期", "planned_on", kind="date"),
        Column("implemented_on", "落实日期", "implemented_on", kind="date"),
        Column("status", "状态", "status", width=8),
    ]


def not_ended() -> Filter:
    return Filter("not_ended", "不含已终止的措施", lambda ctx, v: ~Q(status="终止"), default=True)


def measure_status_filter() -> Filter:
    return Filter("status", "措施状态", lambda ctx, v: Q(status=v), choices=tuple(ac.MEASURE_STATUS))
