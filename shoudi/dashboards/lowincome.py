"""The card of the 低收入人口 register (issue 20 §9): households by category, and those of each category not yet
visited this period by the 村级工作专班. Counted live from the lowincome app's selectors (a county's register is
thousands of households), so it keeps no summary rows; each figure is the count of the register page it links to."""

from __future__ import annotations

from shoudi.lowincome.selectors import category_figures
from shoudi.lowincome.wiring import UNVISITED

from .cards import Card, CardContext, CardData, Series

__all__ = ["LOWINCOME_CARDS"]


def register_present(ctx: CardContext) -> CardData | None:
    figures = category_figures(ctx.region.code, ctx.today)
    if not figures:
        return None
    categories = list(figures)
    households = [figures[k][0] for k in categories]
    unvisited = [figures[k][1] for k in categories]
    return CardData(
        categories=categories,
        series=[
            Series("在册户数", households, [ctx.link("lowincome:register", category=k) for k in categories]),
            Series(
                "本月未走访",
                unvisited,
                [ctx.link("lowincome:register", category=k, todo=UNVISITED) for k in categories],
            ),
        ],
        notes=[f"本月未走访 {sum(unvisited)} 户次（一户多类别的分别计入各类别）"],
        category_title="类别",
    )


LOWINCOME_CARDS = [
    Card(
        "lowincome_register",
        "低收入人口与本月走访",
        "bar",
        None,
        register_present,
        note="风险消除户取自监测记录；走访间隔按低收入人口走访参数（默认每月）",
    ),
]
