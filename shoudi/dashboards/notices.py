"""The card of the written notices (S003 三(一)3 退出告知书; S004 (二)一 明白纸): how many households have every 明白纸
meant for them (all households: the county's 申报政策明白纸; 监测户: also the 帮扶政策明白纸) and how many completed
eliminations have their 退出告知书 delivered. Counted per village in the database (``monitoring.notices`` defines
who is due what); a delivery, a case or a household import marks the villages stale."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.db.models import Count, QuerySet

from shoudi.core.scope import user_can
from shoudi.monitoring.models import MonitoringCase, NoticeDelivery
from shoudi.monitoring.notices import CHANGE_KIND, exit_notices_due, leaflet_covered, leaflet_households
from shoudi.registry.models import Household

from .cards import Card, CardContext, CardData, Series

__all__ = ["NOTICE_CARDS", "notice_figures"]


def _by_village(queryset: QuerySet, lookup: str = "village__code") -> dict[str, int]:
    return dict(queryset.order_by().values_list(lookup).annotate(n=Count("pk")).values_list(lookup, "n"))


def notice_figures(codes: list[str] | None, today: datetime.date) -> Iterator[tuple[str, str, int]]:
    """Per village: ``households``/``households_covered`` and ``monitored``/``monitored_covered`` (in counties
    that uploaded 明白纸), ``exit_delivered``/``exit_due``."""
    households = Household.objects.all() if codes is None else Household.objects.filter(village__code__in=codes)
    for bucket, queryset in (
        ("households", leaflet_households(households)),
        ("households_covered", leaflet_covered(households)),
        ("monitored", leaflet_households(households, monitored=True)),
        ("monitored_covered", leaflet_covered(households, monitored=True)),
    ):
        yield from ((code, bucket, n) for code, n in _by_village(queryset).items())
    cases = MonitoringCase.objects.filter(household__in=households.values("pk"))
    lookup = "household__village__code"
    yield from ((code, "exit_due", n) for code, n in _by_village(exit_notices_due(cases), lookup).items())
    delivered = NoticeDelivery.objects.filter(kind=NoticeDelivery.EXIT, household__in=households.values("pk"))
    yield from ((code, "exit_delivered", n) for code, n in _by_village(delivered, lookup).items())


def _share(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def notices_present(ctx: CardContext) -> CardData | None:
    if not user_can(ctx.user, NoticeDelivery, "view"):
        return None
    total, monitored = ctx.value("households"), ctx.value("monitored")
    covered, monitored_covered = ctx.value("households_covered"), ctx.value("monitored_covered")
    due, delivered = ctx.value("exit_due"), ctx.value("exit_delivered")
    if not (total or monitored or due or delivered):
        return None

    def households(state: str) -> str:
        return ctx.link("registry:household_list", notices=state)

    return CardData(
        categories=["全体农户（明白纸）", "监测户（明白纸）", "风险消除户（退出告知书）"],
        series=[
            Series(
                "已发放/已送达",
                [covered, monitored_covered, delivered],
                [
                    households("covered"),
                    households("monitored_covered"),
                    ctx.link("monitoring:noticedelivery_list", kind=NoticeDelivery.EXIT),
                ],
            ),
            Series(
                "未发放/待送达",
                [total - covered, monitored - monitored_covered, due],
                [
                    households("missing"),
                    households("monitored_missing"),
                    ctx.link("monitoring:case_list", todo="exit_notice_due"),
                ],
            ),
        ],
        notes=[
            f"明白纸覆盖率：全体农户 {_share(covered, total)}，监测户 {_share(monitored_covered, monitored)}",
            f"退出告知书待送达 {due} 户",
        ],
        category_title="对象",
    )


NOTICE_CARDS = [
    Card(
        "notice_coverage",
        "明白纸发放与退出告知",
        "stack",
        notice_figures,
        notices_present,
        frozenset({CHANGE_KIND, "cases", "households"}),
        note="户须收到本县全部在用的相应明白纸才计为已发放；退出告知书按县级确定风险消除的监测对象计",
    ),
]
