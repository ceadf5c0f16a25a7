"""The problem-rectification cards (问题整改): open, overdue and closed problems by source, and the same by township
(or village), each figure linking to the problem list filtered to its rows.

A problem belongs to its responsible region, which is a village or a township: its figures are kept under that
region's code (a township's own problems under the township's, so that a county's or a township's figures are
still one prefix range of the summary rows). Problems tell no change listener (their services name no
households), so a frequent step marks the regions of problems changed since their figures were computed.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from shoudi.work import choices as wc
from shoudi.work.models import Problem

from .cards import Card, CardContext, CardData, Series
from .models import VillageRefresh
from .refresh import mark_stale

__all__ = ["PROBLEMS", "PROBLEM_CARDS", "mark_changed_problems"]

PROBLEMS = "problems"  # the kind of change the cards depend on
LIST = "work:problem_list"
# bucket prefix → (series name, the list's filter of its rows)
KINDS = {
    "open": ("在办", {"open": "true"}),
    "overdue": ("其中逾期", {"overdue": "true"}),
    "closed": ("已销号", {"state": wc.CLOSED}),
}


def _conditions(today: datetime.date) -> dict[str, Q]:
    """Each series' rows, as the list's filters select them (open, overdue, state=closed)."""
    return {
        "open": Q(state__in=wc.OPEN_STATES),
        "overdue": Q(state__in=wc.RUNNING_STATES, due_date__lt=today),
        "closed": Q(state=wc.CLOSED),
    }


def sources_compute(codes, today):
    """(responsible region code, "<kind>:<source>", count): one grouped pass over the problems."""
    problems = Problem.objects.all()
    if codes is not None:
        problems = problems.filter(region__code__in=codes)
    counts = {kind: Count("pk", filter=condition) for kind, condition in _conditions(today).items()}
    rows = problems.order_by().values("region__code", "source").annotate(**counts)
    for row in rows.values_list("region__code", "source", *counts):
        code, source, *values = row
        yield from ((code, f"{kind}:{source}", n) for kind, n in zip(counts, values, strict=True))


def sources_present(ctx: CardContext) -> CardData:
    sources = [s for s in wc.SOURCES if any(ctx.value(f"{kind}:{s}") for kind in KINDS)]
    series = [
        Series(
            name,
            [ctx.value(f"{kind}:{s}") for s in sources],
            [ctx.link(LIST, source=s, **params) for s in sources],
        )
        for kind, (name, params) in KINDS.items()
    ]
    totals = {kind: sum(s.values) for kind, s in zip(KINDS, series, strict=True)}
    return CardData(
        categories=sources,
        series=series,
        unit="个",
        notes=[f"在办 {totals['open']} 个，其中逾期 {totals['overdue']} 个；已销号 {totals['closed']} 个"],
        category_title="问题来源",
    )


def regions_present(ctx: CardContext) -> CardData | None:
    """By the regions one level down; a row 本级 for the problems given to the region itself."""
    if not ctx.children or ctx.child_figures is None:
        return None
    figures = {kind: ctx.child_figures("problem_sources", f"{kind}:") for kind in KINDS}
    places = [(child.name, child.code, reverse("dashboards:region", args=[child.pk])) for child in ctx.children]
    own = ctx.region.code
    if any(figures[kind].get(own) for kind in KINDS):  # the region's own problems (a township's, say)
        places.append(("本级", own, ""))

    def link(code: str, params: dict) -> str:
        if code == own:  # exactly this region, not the ones below it
            return ctx.link(LIST, area=own, at=own, **params)
        return ctx.link(LIST, area=code, **params)

    return CardData(
        categories=[name for name, _, _ in places],
        series=[
            Series(
                name,
                [figures[kind].get(code, 0) for _, code, _ in places],
                [link(code, params) for _, code, _ in places],
            )
            for kind, (name, params) in KINDS.items()
        ],
        unit="个",
        drill=[drill for _, _, drill in places],
        category_title="乡镇" if ctx.region.level == "county" else "行政村",
    )


PROBLEM_CARDS = [
    Card(
        "problem_sources",
        "整改问题（按来源）",
        "bar",
        sources_compute,
        sources_present,
        frozenset({PROBLEMS}),
        note="在办：已下发、整改中、申请销号（挂起的不计）",
    ),
    Card("problem_regions", "整改问题（按乡镇、村）", "bar", None, regions_present, note="点击名称查看该地看板"),
]


def mark_changed_problems() -> str:
    """The worker's frequent step: the regions of problems changed (下发, 整改, 销号 ...) since their figures were
    computed are stale. Only the last day's changes are looked at; the nightly rebuild covers the rest."""
    since = timezone.now() - datetime.timedelta(days=1)
    fresh = VillageRefresh.objects.filter(village_code=OuterRef("region__code")).filter(
        Q(stale=True) | Q(refreshed_at__gte=OuterRef("updated_at"))
    )
    changed = Problem.objects.filter(updated_at__gte=since).exclude(Exists(fresh))
    codes = set(changed.values_list("region__code", flat=True))
    if codes:
        mark_stale(codes)
    return f"整改问题变动：{len(codes)} 个区划待更新看板" if codes else ""
