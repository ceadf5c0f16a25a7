"""收入预估台账 (S004 (七)): the year's income estimates of the households (entered by cadres at their visits) that
fall in one of the 三类人群 — 人均纯收入不增反降 (lower than last year's recorded per capita), 低于 1 万元 (the
monitoring settings' low-income floor) and below the year's monitoring line. The same conditions as the lists of
assistance.estimates (the page), read per county like the income ledger's. The amounts are personal information:
blank for a role without unmask on the households (``personal_money``), as the registry's export leaves them out.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import F, Q

from shoudi.assistance.estimates import lines_of
from shoudi.assistance.models import IncomeEstimate

from ..definitions import Column, Filter, LedgerDefinition, Param
from .income import MONEY_FIELDS, _floors, _per_county, _previous_per_capita, income_flags
from .parts import CASE, HEAD, case_column, head_columns, household_columns, household_type_filter, place, seq

__all__ = ["DEFINITIONS", "HIDDEN_NOTE", "incomes_hidden", "personal_money"]

HIDDEN_NOTE = "收入和补贴金额属个人信息，您的角色不能查看，已留空"


def incomes_hidden(ctx) -> bool:
    """Whether the ledger's reader may not read incomes (no unmask on the households; None: the command line)."""
    return not ctx.can("registry.household", "unmask")


def personal_money(key: str, label: str, source: str | Callable, *, fields: tuple[str, ...] = (), **kwargs) -> Column:
    """A money column of personal information (an income, a subsidy paid to a person): its value, or blank for a
    role without unmask on the households."""
    if isinstance(source, str):
        path = source
        fields = (path,)

        def source(row, ctx):
            return row[path]

    def value(row, ctx):
        return None if incomes_hidden(ctx) else source(row, ctx)

    return Column(key, label, value, kind="money", fields=fields, **kwargs)


def _lines(ctx) -> dict:
    """The year's line per county, or the year before's while it is not published (assistance.estimates.lines_of)."""
    year = ctx.params["year"]
    return ctx.memo(f"estimate-lines-{year}", lambda: lines_of(ctx.counties(), year))


def _line_q(ctx) -> Q:
    return _per_county({code: line for code, (line, _) in _lines(ctx).items()})


def _warnings(row, ctx):
    county = row["household__village__code"][:6]
    line = _lines(ctx).get(county, (None, None))[0]
    return income_flags(row["per_capita"], prev=row["prev_per_capita"], line=line, floor=_floors(ctx).get(county))


def _note(ctx) -> str:
    year = ctx.params["year"]
    lines = set(_lines(ctx).values())
    floors = set(_floors(ctx).values())
    if not lines or all(amount is None for amount, _ in lines):
        line_text = f"{year} 年未设置监测线"
    elif len(lines) == 1:
        amount, line_year = next(iter(lines))
        line_text = f"监测线：{amount:,.0f} 元/人·年" + (f"（按 {line_year} 年）" if line_year != year else "")
    else:
        line_text = "监测线：按各县标准"
    floor_text = f"低收入预警线：{next(iter(floors)):,.0f} 元" if len(floors) == 1 else "低收入预警线：按各县标准"
    hidden = f"；{HIDDEN_NOTE}" if incomes_hidden(ctx) else ""
    return f"{year} 年收入预估；{line_text}；{floor_text}{hidden}"


def _change(row, ctx):
    prev = row["prev_per_capita"]
    return None if prev is None else row["per_capita"] - prev


ESTIMATE_LEDGER = LedgerDefinition(
    code="income-estimates",
    title="收入预估台账",
    description="年底前预估本年度收入：人均纯收入不增反降、低于 1 万元或低于监测线的户（三类人群）",
    model=IncomeEstimate,
    unit="户",
    columns=(
        seq(),
        *place(group=False),
        *household_columns(phone=False, size=False),
        *head_columns(id_number=False),
        case_column(),
        Column("household_size", "计算人口数", "household_size", kind="int", width=7),
        *(personal_money(key, label, key, default=key != "business_cost") for key, label in MONEY_FIELDS),
        personal_money("net_income", "预估家庭纯收入", "net_income"),
        personal_money("per_capita", "预估人均纯收入", "per_capita"),
        personal_money("prev_per_capita", "上年人均纯收入", "prev_per_capita"),
        personal_money("change", "比上年增减", _change, fields=("per_capita", "prev_per_capita")),
        Column(
            "warnings",
            "重点人群",
            _warnings,
            width=24,
            fields=("household__village__code", "per_capita", "prev_per_capita"),
        ),
        Column("entered_on", "预估日期", "entered_on", kind="date"),
    ),
    params=(Param("year", "预估年度", "year", lambda ctx: ctx.today.year),),
    annotate=_previous_per_capita,
    base=lambda ctx: Q(year=ctx.params["year"]),
    filters=(
        Filter(
            "dropped",
            "人均纯收入不增反降",
            lambda ctx, v: Q(prev_per_capita__isnull=False, per_capita__lt=F("prev_per_capita")),
            default=True,
            group="rule",
        ),
        Filter(
            "below_floor",
            "人均纯收入低于 1 万元（低收入预警线）",
            lambda ctx, v: _per_county(_floors(ctx)),
            default=True,
            group="rule",
        ),
        Filter("below_line", "人均纯收入低于监测线", lambda ctx, v: _line_q(ctx), default=True, group="rule"),
        household_type_filter(),
    ),
    order_by=("household__village__code", "household__household_no"),
    lookups={"head": HEAD, "case": CASE},
    note=_note,
)

DEFINITIONS = (ESTIMATE_LEDGER,)
