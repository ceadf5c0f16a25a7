"""低收入人口台账 (S003 三(二)1 分户建立帮扶台账): every household of the 低收入人口 register on the reference
date, with its categories (风险消除户 from monitoring), the year's visits by the 村级工作专班 and whether this
period's visit is done, the 分类帮扶 actions and the 关爱 services of the year. The figures come from
``shoudi.lowincome.selectors``, one query each over the ledger's households."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict

from django.db.models import Count, Max, Q

from shoudi.assistance.models import Visit
from shoudi.lowincome import choices as lc
from shoudi.lowincome.models import CareRecord, SupportAction
from shoudi.lowincome.selectors import categories_of, in_register, visit_period, visits_in
from shoudi.lowincome.selectors import settings_for as lowincome_settings
from shoudi.registry.models import Household

from ..definitions import Column, Filter, LedgerContext, LedgerDefinition, Lookup, Param
from .parts import CADRE, HEAD, cadre_columns, head_columns, household_columns, place, seq, value_of

__all__ = ["DEFINITIONS"]

CATEGORY_CHOICES = ((lc.ELIMINATED, lc.ELIMINATED), *lc.CATEGORIES)


def _reference(ctx: LedgerContext) -> datetime.date:
    return ctx.params.get("reference") or ctx.today


def _year(ctx: LedgerContext) -> tuple[datetime.date, datetime.date]:
    day = _reference(ctx)
    return datetime.date(day.year, 1, 1), day


def _categories(ctx: LedgerContext, ids) -> dict:
    return {
        hid: "、".join(found) for hid, found in categories_of(ids.values_list("pk", flat=True), _reference(ctx)).items()
    }


def _visits(ctx: LedgerContext, ids) -> dict:
    """(visits this year, the last one's date, visited in the current period?) per household."""
    start, day = _year(ctx)
    rows = (
        Visit.objects.filter(household_id__in=ids, visited_on__gte=start, visited_on__lte=day)
        .order_by()
        .values("household_id")
        .annotate(n=Count("pk"), last=Max("visited_on"))
    )
    settings = lowincome_settings(ctx.user)
    period_start, _ = visit_period(day, settings)
    done = set(
        visits_in(period_start, day, settings).filter(household_id__in=ids).values_list("household_id", flat=True)
    )
    return {row["household_id"]: (row["n"], row["last"], row["household_id"] in done) for row in rows}


def _actions(ctx: LedgerContext, ids) -> dict:
    found: dict[int, list[str]] = defaultdict(list)
    rows = SupportAction.objects.filter(household_id__in=ids).order_by("household_id", "applied_on", "id")
    for hid, kind, status, day in rows.values_list("household_id", "kind", "status", "applied_on"):
        found[hid].append(f"{day:%Y-%m-%d} {kind}（{status}）")
    return {hid: "；".join(items) for hid, items in found.items()}


def _care(ctx: LedgerContext, ids) -> dict:
    start, day = _year(ctx)
    found: dict[int, Counter] = defaultdict(Counter)
    rows = CareRecord.objects.filter(household_id__in=ids, served_on__gte=start, served_on__lte=day)
    for hid, kind in rows.order_by("household_id", "id").values_list("household_id", "kind"):
        found[hid][kind] += 1
    return {hid: "；".join(f"{kind} {n} 次" for kind, n in counts.items()) for hid, counts in found.items()}


def _visit_part(index: int, default=None):
    def get(row, ctx):
        value = row["visits"]
        return value[index] if value is not None else default

    return get


LOWINCOME_LEDGER = LedgerDefinition(
    code="lowincome",
    title="低收入人口台账",
    description="农村低收入人口分户台账：类别、本年走访、本期是否已走访、分类帮扶事项、关爱服务",
    model=Household,
    unit="户",
    columns=(
        seq(),
        *place(""),
        *household_columns(""),
        *head_columns(),
        Column("categories", "低收入人口类别", value_of("categories"), lookups=("categories",), width=24),
        Column("visits", "本年走访次数", _visit_part(0, 0), kind="int", lookups=("visits",), total=True),
        Column("last_visit", "最近走访日期", _visit_part(1), kind="date", lookups=("visits",)),
        Column("visited", "本期已走访", _visit_part(2, False), kind="bool", lookups=("visits",)),
        Column("actions", "分类帮扶事项", value_of("actions"), lookups=("actions",), width=30),
        Column("care", "本年关爱服务", value_of("care"), lookups=("care",), width=24),
        *cadre_columns(default=False),
    ),
    base=lambda ctx: in_register(_reference(ctx)),
    params=(Param("reference", "参考日期", "date", lambda ctx: ctx.today),),
    filters=(
        Filter("category", "类别", lambda ctx, value: in_register(_reference(ctx), value), choices=CATEGORY_CHOICES),
        Filter(
            "unvisited",
            "仅本期未走访",
            lambda ctx, value: ~Q(pk__in=_visited_ids(ctx)),
        ),
    ),
    order_by=("village__code", "household_no"),
    household="",
    lookups={
        "head": HEAD,
        "cadre": CADRE,
        "categories": Lookup("lowincome.designation", _categories),
        "visits": Lookup("assistance.visit", _visits),
        "actions": Lookup("lowincome.supportaction", _actions),
        "care": Lookup("lowincome.carerecord", _care),
    },
)


def _visited_ids(ctx: LedgerContext):
    day = _reference(ctx)
    settings = lowincome_settings(ctx.user)
    start, _ = visit_period(day, settings)
    return visits_in(start, day, settings).values("household_id")


DEFINITIONS = (LOWINCOME_LEDGER,)
