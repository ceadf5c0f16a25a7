"""The employment ledgers (S004 (十), S001 11): 公益性岗位考勤与补贴 (a subsidy under the floor flagged), 帮扶车间
吸纳脱贫人口 with each worker's 稳岗补贴, 一次性交通补贴, and the 零就业家庭 — counted by the employment app's one
definition of each (``employment.selectors``), so that a ledger, its list page and its worklist line agree. The
wages and subsidies paid to a person are personal information: blank for a role without unmask on the households."""

from __future__ import annotations

from django.db.models import Count, Q

from shoudi.employment.models import Attendance, TransportSubsidy, WorkshopEmployee
from shoudi.employment.selectors import SettingsResolver, covered_households, flagged_attendance
from shoudi.registry.models import Household, Member
from shoudi.registry.selectors import LABOUR, zero_employment

from ..definitions import Column, Filter, LedgerContext, LedgerDefinition, Lookup, Param
from .estimates import HIDDEN_NOTE, incomes_hidden, personal_money
from .parts import CASE, HEAD, case_column, head_columns, household_columns, place, seq

__all__ = ["DEFINITIONS"]


def _year() -> Param:
    return Param("year", "年度", "year", lambda ctx: ctx.today.year)


def _hidden_note(ctx: LedgerContext) -> str:
    return HIDDEN_NOTE if incomes_hidden(ctx) else ""


def _rules(ctx: LedgerContext) -> SettingsResolver:
    return ctx.memo("employment-settings", SettingsResolver)


def _person(m: str) -> list[Column]:
    return [
        Column("name", "姓名", f"{m}name", width=9),
        Column("id_number", "证件号码", f"{m}id_number", kind="id"),
    ]


# --- 公益性岗位考勤与补贴 --------------------

ATTENDANCE_HOUSEHOLD = "placement__member__household__"


def _floor(row, ctx):
    return _rules(ctx)(row[f"{ATTENDANCE_HOUSEHOLD}village__code"]).subsidy_floor


def _flagged(row, ctx):
    return row["subsidy_paid"] < _floor(row, ctx)


ATTENDANCE_LEDGER = LedgerDefinition(
    code="public-post-attendance",
    title="公益性岗位考勤与补贴台账",
    description="乡村公益性岗位人员逐月出勤和补贴发放；补贴低于当地最低工资标准规定比例的标注",
    model=Attendance,
    unit="人次",
    columns=(
        seq(),
        *place(ATTENDANCE_HOUSEHOLD, group=False),
        *_person("placement__member__"),
        Column("post", "岗位", "placement__post__name", width=12),
        Column("employer", "用人单位", "placement__post__employer", width=16),
        Column("start_date", "上岗日期", "placement__start_date", kind="date"),
        Column("month", "月份", lambda row, ctx: f"{row['month']:%Y-%m}", fields=("month",), width=9),
        Column("days", "出勤天数", "days", kind="int", total=True),
        personal_money("subsidy_paid", "发放补贴（元）", "subsidy_paid", total=True),
        Column("floor", "补贴下限（元）", _floor, kind="money", fields=(f"{ATTENDANCE_HOUSEHOLD}village__code",)),
        Column(
            "flagged",
            "低于下限",
            _flagged,
            kind="bool",
            fields=("subsidy_paid", f"{ATTENDANCE_HOUSEHOLD}village__code"),
        ),
    ),
    base=lambda ctx: Q(month__year=ctx.params["year"]),
    filters=(Filter("flagged", "仅补贴低于下限", lambda ctx, v: Q(pk__in=flagged_attendance().values("pk"))),),
    params=(_year(),),
    order_by=(f"{ATTENDANCE_HOUSEHOLD}village__code", "placement__post_id", "placement_id", "month", "id"),
    household=ATTENDANCE_HOUSEHOLD,
    note=_hidden_note,
)


# --- 帮扶车间 --------------------

WORKER_HOUSEHOLD = "member__household__"


def _eligible(row, ctx):
    rules = _rules(ctx)(row[f"{WORKER_HOUSEHOLD}village__code"])
    return rules.workshop_eligible(row["months"], row["income"])


def _subsidy(row, ctx):
    rules = _rules(ctx)(row[f"{WORKER_HOUSEHOLD}village__code"])
    return rules.workshop_subsidy if rules.workshop_eligible(row["months"], row["income"]) else 0


WORKER_FIELDS = ("months", "income", f"{WORKER_HOUSEHOLD}village__code")

WORKSHOP_LEDGER = LedgerDefinition(
    code="workshop-employees",
    title="就业帮扶车间吸纳脱贫人口台账",
    description="就业帮扶车间吸纳的脱贫人口（含监测对象）：务工月数、务工收入和稳岗补贴",
    model=WorkshopEmployee,
    unit="人",
    columns=(
        seq(),
        Column("workshop", "帮扶车间", "workshop__name", width=18),
        Column("operator", "经营主体", "workshop__operator", width=18),
        *place(WORKER_HOUSEHOLD, group=False),
        *household_columns(WORKER_HOUSEHOLD, phone=False, size=False),
        *_person("member__"),
        Column("year", "年度", "year", kind="int", width=6),
        Column("months", "务工时间（月）", "months", kind="int"),
        personal_money("income", "务工收入（元）", "income", total=True),
        Column("eligible", "符合稳岗补贴条件", _eligible, kind="bool", fields=WORKER_FIELDS),
        personal_money("subsidy", "稳岗补贴（元）", _subsidy, fields=WORKER_FIELDS, total=True),
    ),
    base=lambda ctx: Q(year=ctx.params["year"]),
    params=(_year(),),
    order_by=(f"{WORKER_HOUSEHOLD}village__code", "workshop_id", "id"),
    household=WORKER_HOUSEHOLD,
    note=_hidden_note,
)


# --- 一次性交通补贴 --------------------

TRANSPORT_LEDGER = LedgerDefinition(
    code="transport-subsidies",
    title="一次性交通补贴发放台账",
    description="脱贫人口（含监测对象）外出务工一次性交通补贴：务工地点、金额和发放日期",
    model=TransportSubsidy,
    unit="人",
    columns=(
        seq(),
        *place(WORKER_HOUSEHOLD),
        *household_columns(WORKER_HOUSEHOLD, phone=False, size=False),
        *_person("member__"),
        Column("destination", "务工地点", "destination", width=18),
        personal_money("amount", "补贴金额（元）", "amount", total=True),
        Column("paid_on", "发放日期", "paid_on", kind="date"),
    ),
    base=lambda ctx: Q(year=ctx.params["year"]),
    filters=(Filter("paid", "仅已发放", lambda ctx, v: Q(paid_on__isnull=False)),),
    params=(_year(),),
    order_by=(f"{WORKER_HOUSEHOLD}village__code", f"{WORKER_HOUSEHOLD}household_no", "id"),
    household=WORKER_HOUSEHOLD,
    note=_hidden_note,
)


# --- 零就业家庭 --------------------


def _labour(ctx: LedgerContext, ids) -> dict:
    """Household → its persons of labour (one grouped query over the ledger's households)."""
    rows = Member.objects.filter(household_id__in=ids).filter(LABOUR).order_by().values("household_id")
    return dict(rows.annotate(n=Count("pk")).values_list("household_id", "n"))


ZERO_LEDGER = LedgerDefinition(
    code="zero-employment",
    title="零就业家庭台账",
    description="脱贫户和监测户中有劳动力而无一人务工（含公益性岗位）的家庭，实现一人就业即动态清零",
    model=Household,
    unit="户",
    columns=(
        seq(),
        *place(""),
        *household_columns(""),
        *head_columns(),
        case_column(),
        Column("labour", "劳动力（人）", lambda row, ctx: row["labour"] or 0, kind="int", lookups=("labour",)),
    ),
    base=lambda ctx: Q(pk__in=zero_employment(covered_households()).values("pk")),
    order_by=("village__code", "household_no"),
    household="",
    lookups={"head": HEAD, "case": CASE, "labour": Lookup("registry.member", _labour)},
)

DEFINITIONS = (ATTENDANCE_LEDGER, WORKSHOP_LEDGER, TRANSPORT_LEDGER, ZERO_LEDGER)
