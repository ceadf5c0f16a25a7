"""The sector ledgers of issue 20: the 送教上门台账 (S001 15: every child taught at home in the month, his visits
against the two required) and the 慢病签约台账 (S004 (五): the 脱贫/监测 patients of the four chronic diseases with
their signing and this year's services, from the latest 卫健 list the matching app holds)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Exists, OuterRef, Q

from shoudi.core.dates import age_on
from shoudi.matching.selectors import chronic_patients, chronic_unmet
from shoudi.matching.sources import health
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.models import Member
from shoudi.sectors.models import HomeTeaching, HomeTeachingVisit
from shoudi.sectors.selectors import MIN_VISITS_A_MONTH, month_bounds, month_visits, taught_on

from ..definitions import Column, Filter, LedgerContext, LedgerDefinition, Lookup, Param
from .parts import CASE, age, case_column, disability, disability_grade, household_type_filter, in_register, place, seq

__all__ = ["DEFINITIONS", "base_population"]

CHILD = "member__household__"


def base_population(h: str = "household__") -> Q:
    """脱贫人口 and 监测对象: a member of a 脱贫户 or of a household ever identified (the matching base list's rule)."""
    outer = OuterRef(h.rstrip("_"))
    identified = Exists(MonitoringCase.objects.filter(household=outer, identified_on__isnull=False))
    return Q(**{f"{h}household_type": "脱贫户"}) | Q(identified)


# --- 送教上门台账 --------------------


def _month(ctx: LedgerContext):
    return month_bounds(ctx.params["month"])


def _day(ctx: LedgerContext):
    """The day the ledger looks at: the month's last day, or today in the current month."""
    return min(_month(ctx)[1], ctx.today)


def _taught(ctx: LedgerContext) -> Q:
    """The children to be taught at home on that day: the worklist's and the card's definition
    (``sectors.selectors.taught_on``: enrolled then and of 6–15 then)."""
    return taught_on(_day(ctx))


def _visit_days(ctx: LedgerContext, ids) -> dict:
    """Per household, per enrolment: the days of the month's visits, "5日、18日"."""
    first, last = _month(ctx)
    found: dict[int, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    rows = HomeTeachingVisit.objects.filter(
        enrolment__member__household_id__in=ids, taught_on__range=(first, last)
    ).order_by("enrolment_id", "taught_on", "id")
    for hid, enrolment, day in rows.values_list("enrolment__member__household_id", "enrolment_id", "taught_on"):
        found[hid][enrolment].append(f"{day.day}日")
    return {hid: {e: "、".join(days) for e, days in by.items()} for hid, by in found.items()}


def _days_of(row, ctx):
    return (row["visit_days"] or {}).get(row["id"])


def _child_age(row, ctx):
    return age_on(row["member__birth_date"], _day(ctx))


HOME_TEACHING_LEDGER = LedgerDefinition(
    code="home-teaching",
    title="送教上门台账",
    description="6—15周岁重度残疾儿童少年送教上门：学校、送教教师，当月送教次数和日期（每月不少于2次）",
    model=HomeTeaching,
    unit="人",
    columns=(
        seq(),
        *place(CHILD, group=False),
        Column("household_no", "户编号", f"{CHILD}household_no", kind="code"),
        Column("name", "姓名", "member__name", width=9),
        Column("gender", "性别", "member__gender", width=5),
        Column("id_number", "证件号码", "member__id_number", kind="id"),
        Column("age", "年龄（周岁）", _child_age, kind="int", fields=("member__birth_date",), width=7),
        Column(
            "disability",
            "残疾类别",
            lambda row, ctx: disability({"disability_category": row["member__disability_category"]}, ctx),
            fields=("member__disability_category",),
            width=8,
        ),
        Column(
            "disability_grade",
            "残疾等级",
            lambda row, ctx: disability_grade({"disability_grade": row["member__disability_grade"]}, ctx),
            fields=("member__disability_grade",),
            width=8,
        ),
        Column("school", "学籍学校", "school", width=18),
        Column("teacher", "送教教师", "teacher", width=9),
        Column(
            "teacher_phone", "教师电话", "teacher_phone", kind="phone", mask_model="sectors.hometeaching", default=False
        ),
        Column("start_date", "开始送教日期", "start_date", kind="date"),
        Column("end_date", "结束日期", "end_date", kind="date", default=False),
        Column("month_visits", "当月送教次数", "month_visits", kind="int", total=True),
        Column("visit_days", "送教日期", _days_of, fields=("id",), lookups=("visit_days",), width=16),
        Column(
            "met",
            "达到每月2次",
            lambda row, ctx: row["month_visits"] >= MIN_VISITS_A_MONTH,
            kind="bool",
            fields=("month_visits",),
        ),
    ),
    base=_taught,
    annotate=lambda ctx: {"month_visits": month_visits(ctx.params["month"])},
    params=(Param("month", "送教月份（该月任一日）", "date", lambda ctx: ctx.today),),
    filters=(
        Filter("short", "仅当月不足2次", lambda ctx, v: Q(month_visits__lt=MIN_VISITS_A_MONTH)),
        Filter("current", "仅送教中（未结束）", lambda ctx, v: Q(end_date__isnull=True)),
    ),
    order_by=(f"{CHILD}village__code", f"{CHILD}household_no", "id"),
    household=CHILD,
    lookups={"visit_days": Lookup("sectors.hometeachingvisit", _visit_days)},
    note=lambda ctx: "送教月份 {0.year}年{0.month}月；每月送教上门不少于{1}次".format(
        ctx.params["month"], MIN_VISITS_A_MONTH
    ),
)


# --- 慢病签约台账 --------------------


def _year(ctx: LedgerContext) -> int:
    return ctx.params["year"]


def _chronic(ctx: LedgerContext, ids) -> dict:
    """Per household, per ID number: (病种, 签约, 服务次数, 签约医生, 名单期) from the person's latest 卫健 row."""
    numbers = Member.objects.filter(household_id__in=ids).values("id_number")
    rows = chronic_patients(_year(ctx)).filter(id_number__in=numbers)
    latest = {
        number: rest
        for number, *rest in rows.values_list("id_number", "category", "status", "amount", "detail", "list__period")
    }
    found: dict[int, dict[str, tuple]] = defaultdict(dict)
    members = Member.objects.filter(household_id__in=ids, id_number__in=list(latest)).values_list(
        "household_id", "id_number"
    )
    for hid, number in members:
        found[hid][number] = latest[number]
    return dict(found)


def _of(index: int):
    def value(row, ctx):
        figures = (row["chronic"] or {}).get(row["id_number"])
        return figures[index] if figures is not None else None

    return value


def _signed(row, ctx):
    status = _of(1)(row, ctx)
    return None if status is None else status != health.NOT_SIGNED


def _services(row, ctx):
    count = _of(2)(row, ctx)
    return None if count is None else int(count)


def _chronic_met(row, ctx):
    """签约且服务满4次: 否 when not signed; blank when signed with no service count (the rule cannot tell)."""
    signed, count = _signed(row, ctx), _services(row, ctx)
    if signed is None or (signed and count is None):
        return None
    return bool(signed and count >= health.MIN_SERVICES)


def _yes_no(value) -> str | None:
    return None if value is None else ("是" if value else "否")


# A 四类慢病 patient's signing and services tell his disease: health columns, as text, masked like 病种.
def _signed_text(row, ctx):
    return _yes_no(_signed(row, ctx))


def _chronic_met_text(row, ctx):
    return _yes_no(_chronic_met(row, ctx))


CHRONIC = ("chronic",)

CHRONIC_LEDGER = LedgerDefinition(
    code="chronic-signing",
    title="慢病签约台账",
    description=(
        "脱贫人口和监测对象中四类慢病（高血压、糖尿病、结核病、严重精神障碍）患者的家庭医生签约和本年度服务次数"
        "（年度不少于4次），取当年最新一期卫健名单"
    ),
    model=Member,
    unit="人",
    columns=(
        seq(),
        *place(),
        Column("household_no", "户编号", "household__household_no", kind="code"),
        Column("household_type", "户类型", "household__household_type", width=9),
        case_column(),
        Column("name", "姓名", "name", width=9),
        Column("gender", "性别", "gender", width=5),
        Column("id_number", "证件号码", "id_number", kind="id"),
        Column("age", "年龄（周岁）", age, kind="int", fields=("birth_date",), width=7),
        Column("disease", "病种", _of(0), kind="health", fields=("id_number",), lookups=CHRONIC, width=12),
        Column("signed", "是否签约", _signed_text, kind="health", fields=("id_number",), lookups=CHRONIC, width=8),
        Column("services", "本年度服务次数", _services, kind="health", fields=("id_number",), lookups=CHRONIC, width=8),
        Column(
            "met", "签约且服务满4次", _chronic_met_text, kind="health", fields=("id_number",), lookups=CHRONIC, width=10
        ),
        Column(
            "doctor", "签约医生", _of(3), kind="health", fields=("id_number",), lookups=CHRONIC, width=14, default=False
        ),
        Column("period", "名单期", _of(4), fields=("id_number",), lookups=CHRONIC, width=9),
    ),
    base=lambda ctx: Q(id_number__in=chronic_patients(_year(ctx)).values("id_number")) & base_population(),
    params=(Param("year", "年度", "year", lambda ctx: ctx.today.year),),
    filters=(
        in_register(),
        Filter(
            "unmet",
            "仅未签约或服务不足4次",
            lambda ctx, v: Q(id_number__in=chronic_unmet(_year(ctx)).values("id_number")),
        ),
        household_type_filter(),
    ),
    order_by=("household__village__code", "household__household_no", "id"),
    lookups={"chronic": Lookup("registry.member", _chronic), "case": CASE},
    note=lambda ctx: f"{_year(ctx)}年；取当年最新一期卫健慢病签约名单；年度服务不少于{health.MIN_SERVICES}次",
)

DEFINITIONS = (HOME_TEACHING_LEDGER, CHRONIC_LEDGER)
