"""The income ledger (item 15, 收入核算台账): the year's records below the line, below the floor or lower than
the year before.
"""

from __future__ import annotations

from django.db.models import F, FilteredRelation, Max, Q

from shoudi.monitoring.policy import lines_by_county, settings_for
from shoudi.registry.models import IncomeRecord

from ..definitions import Column, Filter, LedgerDefinition, Param
from .parts import (
    CASE,
    HEAD,
    NOTHING,
    case_column,
    head_columns,
    household_columns,
    household_type_filter,
    place,
    seq,
)

__all__ = ["DEFINITIONS"]

# --- 15. 收入核算台账 --------------------


def _latest_income_year(ctx) -> int:
    qs = IncomeRecord.objects.all()
    if ctx.region is not None:
        qs = qs.filter(household__village__code__startswith=ctx.region.code)
    return qs.aggregate(latest=Max("year"))["latest"] or ctx.today.year - 1


def _lines(ctx) -> dict:
    year = ctx.params["year"]
    return ctx.memo(f"lines-{year}", lambda: lines_by_county(ctx.counties(), year))


def _floors(ctx) -> dict:
    year = ctx.params["year"]
    return ctx.memo(
        f"floors-{year}", lambda: {code: settings_for(code, year).low_income_floor for code in ctx.counties()}
    )


def _per_county(values: dict) -> Q:
    q = NOTHING
    for county, amount in values.items():
        if amount is not None:
            q |= Q(household__village__code__startswith=county, per_capita__lt=amount)
    return q


def _previous_per_capita(ctx) -> dict:
    # A LEFT JOIN on the year before, not a correlated subquery: with stale statistics PostgreSQL ran the subquery
    # through the (year, per_capita) index, a scan of the whole year for every row (40 s on the demo county).
    previous = FilteredRelation("household__incomes", condition=Q(household__incomes__year=ctx.params["year"] - 1))
    return {"previous_income": previous, "prev_per_capita": F("previous_income__per_capita")}


def _line_of(row, ctx):
    return _lines(ctx).get(row["household__village__code"][:6])


def _change(row, ctx):
    prev = row["prev_per_capita"]
    return None if prev is None else row["per_capita"] - prev


def _warnings(row, ctx):
    county = row["household__village__code"][:6]
    return income_flags(
        row["per_capita"], prev=row["prev_per_capita"], line=_lines(ctx).get(county), floor=_floors(ctx).get(county)
    )


def income_flags(per_capita, *, prev, line, floor) -> str | None:
    """The 提示 of a per-capita income, recorded (收入核算) or estimated (收入预估): under the year's line, under the
    low-income floor, lower than last year's."""
    hits = []
    if line is not None and per_capita < line:
        hits.append("低于监测线")
    if floor is not None and per_capita < floor:
        hits.append(f"低于{floor:,.0f}元")
    if prev is not None and per_capita < prev:
        hits.append("收入不增反降")
    return "、".join(hits) or None


def _income_note(ctx) -> str:
    year = ctx.params["year"]
    lines = set(_lines(ctx).values())
    floors = set(_floors(ctx).values())
    if lines == {None}:
        line_text = f"{year} 年未设置监测线"
    elif len(lines) == 1:
        line_text = f"{year} 年监测线：{next(iter(lines)):,.0f} 元/人·年"
    else:
        line_text = "监测线：按各县标准"
    floor_text = f"低收入预警线：{next(iter(floors)):,.0f} 元" if len(floors) == 1 else "低收入预警线：按各县标准"
    return f"{line_text}；{floor_text}"


MONEY_FIELDS = (
    ("wage", "工资性收入"),
    ("business", "生产经营性收入"),
    ("property_income", "财产性收入"),
    ("transfer", "转移性收入"),
    ("business_cost", "生产经营性支出"),
)

INCOME_LEDGER = LedgerDefinition(
    code="income",
    title="收入核算台账",
    description="年度收入核算：人均纯收入低于监测线、低于 1 万元或比上年下降（不增反降）的户",
    model=IncomeRecord,
    unit="户",
    columns=(
        seq(),
        *place(group=False),
        *household_columns(phone=False, size=False),
        *head_columns(id_number=False),
        case_column(),
        Column("household_size", "计算人口数", "household_size", kind="int", width=7),
        *(Column(key, label, key, kind="money", default=key != "business_cost") for key, label in MONEY_FIELDS),
        Column("net_income", "家庭纯收入", "net_income", kind="money"),
        Column("per_capita", "人均纯收入", "per_capita", kind="money"),
        Column("prev_per_capita", "上年人均纯收入", "prev_per_capita", kind="money"),
        Column("change", "比上年增减", _change, kind="money", fields=("per_capita", "prev_per_capita")),
        Column("line", "监测线", _line_of, kind="money", fields=("household__village__code",)),
        Column("compliant_medical", "合规自付支出", "compliant_medical", kind="money", default=False),
        Column(
            "warnings",
            "预警情形",
            _warnings,
            width=24,
            fields=("household__village__code", "per_capita", "prev_per_capita"),
        ),
    ),
    params=(Param("year", "收入年度", "year", _latest_income_year),),
    annotate=_previous_per_capita,
    base=lambda ctx: Q(year=ctx.params["year"]),
    filters=(
        Filter(
            "below_line", "人均纯收入低于监测线", lambda ctx, v: _per_county(_lines(ctx)), default=True, group="rule"
        ),
        Filter(
            "below_floor",
            "人均纯收入低于 1 万元（低收入预警线）",
            lambda ctx, v: _per_county(_floors(ctx)),
            default=True,
            group="rule",
        ),
        Filter(
            "dropped",
            "人均纯收入比上年下降",
            lambda ctx, v: Q(prev_per_capita__isnull=False, per_capita__lt=F("prev_per_capita")),
            default=True,
            group="rule",
        ),
        household_type_filter(),
    ),
    order_by=("household__village__code", "household__household_no"),
    lookups={"head": HEAD, "case": CASE},
    note=_income_note,
)

DEFINITIONS = (INCOME_LEDGER,)
