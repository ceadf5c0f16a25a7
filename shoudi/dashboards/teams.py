"""The cards of the village-stationed teams (issue 19): members under the monthly minimum last month and members
owing work logs, per township (or village), and the year's household coverage by kind, with and without 一般农户.
The teams app counts the figures (``shoudi.teams.figures``); these cards present them and link to its pages. Visits
move the coverage (``assistance``); attendance and logs are computed again every night."""

from __future__ import annotations

from django.urls import reverse

from shoudi.core.scope import user_can
from shoudi.teams.coverage import KINDS
from shoudi.teams.figures import coverage_figures, missing_log_figures, under_minimum_figures
from shoudi.teams.models import CheckIn
from shoudi.teams.selectors import previous_month

from .cards import Card, CardContext, CardData, Series

__all__ = ["TEAM_CARDS"]


def _share(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def _places(ctx: CardContext):
    """(names, codes, drill links) of the region's children, or the region itself on a village's dashboard."""
    if ctx.children:
        return (
            [child.name for child in ctx.children],
            [child.code for child in ctx.children],
            [reverse("dashboards:region", args=[child.pk]) for child in ctx.children],
        )
    return [ctx.region.name], [ctx.region.code], []


def _values(ctx: CardContext, card: str, bucket: str, codes: list[str]) -> list[int]:
    if ctx.children and ctx.child_figures is not None:
        figures = ctx.child_figures(card, bucket)
        return [figures.get(code, 0) for code in codes]
    return [ctx.value(bucket)]


def _title(ctx: CardContext) -> str:
    return "乡镇" if ctx.region.level == "county" else "行政村"


def attendance_present(ctx: CardContext) -> CardData | None:
    if not user_can(ctx.user, CheckIn, "view"):
        return None  # a role that may not open the attendance gets no card of it
    year, month = previous_month(ctx.today)
    period = f"{year}-{month:02d}"
    names, codes, drill = _places(ctx)
    return CardData(
        categories=names,
        series=[
            Series(
                "驻村不足规定天数",
                _values(ctx, "team_attendance", "under", codes),
                [ctx.link("teams:attendance", area=code, month=period, under="on") for code in codes],
            ),
            Series(
                "队员",
                _values(ctx, "team_attendance", "members", codes),
                [ctx.link("teams:attendance", area=code, month=period) for code in codes],
            ),
        ],
        unit="人",
        notes=[
            f"{year}年{month}月：队员 {ctx.value('members')} 人，驻村不足规定天数 {ctx.value('under')} 人"
            f"（{_share(ctx.value('under'), ctx.value('members'))}）"
        ],
        drill=drill,
        category_title=_title(ctx),
    )


def logs_present(ctx: CardContext) -> CardData:
    names, codes, drill = _places(ctx)
    return CardData(
        categories=names,
        series=[
            Series(
                "缺少日志的队员",
                _values(ctx, "team_logs", "members", codes),
                [ctx.link("teams:teammember_list", area=code, todo="missing_logs") for code in codes],
            )
        ],
        unit="人",
        notes=[f"近30天缺少工作日志：队员 {ctx.value('members')} 人，共 {ctx.value('days')} 天"],
        drill=drill,
        category_title=_title(ctx),
    )


def coverage_present(ctx: CardContext) -> CardData:
    visited = [ctx.value(f"visited:{kind}") for kind in KINDS]
    total = [ctx.value(f"total:{kind}") for kind in KINDS]
    with_ordinary = _share(sum(visited), sum(total))
    without = _share(sum(visited[:2]), sum(total[:2]))

    def links(state: str) -> list[str]:
        return [ctx.link("registry:household_list", team_coverage=f"{state}:{kind}") for kind in KINDS]

    return CardData(
        categories=list(KINDS),
        series=[
            Series("今年已走访", visited, links("visited")),
            Series("尚未走访", [t - v for t, v in zip(total, visited, strict=True)], links("not_visited")),
        ],
        notes=[f"全年走访覆盖：含一般农户 {with_ordinary}，不含一般农户 {without}"],
        category_title="户类别",
    )


TEAM_CARDS = [
    Card(
        "team_attendance",
        "驻村考勤：上月不足规定天数",
        "bar",
        under_minimum_figures,
        attendance_present,
        note="在村天数含手机签到、补录和事前报备的公出；每晚重算",
    ),
    Card("team_logs", "驻村工作日志缺写", "bar", missing_log_figures, logs_present, note="近30天；每晚重算"),
    Card(
        "team_coverage",
        "驻村工作队全覆盖走访",
        "stack",
        coverage_figures,
        coverage_present,
        frozenset({"assistance", "households"}),
        note="每户每年至少走访一次；入户、电话、微信走访均计入",
    ),
]
