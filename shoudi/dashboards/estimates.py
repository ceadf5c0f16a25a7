"""The card of the 收入预估 (S004 (七)): how many households of the region the year's estimates put in each of the
三类人群 — 不增反降, 低于 1 万元, below the line. Counted live from assistance.estimates (one row per household and
year; the lists are those of its page), so it keeps no summary rows; each figure is the count of the tab it links to.
"""

from __future__ import annotations

from shoudi.assistance import estimates as est
from shoudi.assistance.models import IncomeEstimate
from shoudi.core.scope import user_can

from .cards import Card, CardContext, CardData, Series

__all__ = ["ESTIMATE_CARDS"]


def estimates_present(ctx: CardContext) -> CardData | None:
    if not user_can(ctx.user, IncomeEstimate, "view"):
        return None
    year = ctx.today.year
    if not est.estimates_of(ctx.user, year, ctx.region.code).exists():
        return None
    counts = est.estimate_lists(ctx.user, year, ctx.region.code)
    total = est.estimates_of(ctx.user, year, ctx.region.code).count()
    return CardData(
        categories=[item.title for item in est.LISTS],
        series=[
            Series(
                "农户",
                [counts[item.key] for item in est.LISTS],
                [ctx.link("assistance:estimate_lists", list=item.key, year=year) for item in est.LISTS],
            )
        ],
        unit="户",
        notes=[f"{year} 年已预估 {total} 户"],
        category_title="重点人群",
    )


ESTIMATE_CARDS = [
    Card(
        "income_estimates",
        "收入预估三类人群（本年）",
        "bar",
        None,
        estimates_present,
        note="按帮扶干部走访时填报的本年收入预估统计",
    ),
]
