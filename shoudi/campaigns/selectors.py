"""Reads of campaigns for a user: the campaign's problems, its progress per township and each work item's completion
by the townships. Counted set-based: one grouped query for the problems, one for the latest progress notes.

``user=None`` is an operator on the command line (the ledger's CLI): no scope.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone

from shoudi.regions.models import Region
from shoudi.work import choices as wc
from shoudi.work.models import Problem

from . import choices as c
from .models import Campaign, ProgressNote, WorkItem

__all__ = [
    "TownshipProgress",
    "campaign_problems",
    "item_township_counts",
    "latest_notes",
    "township_progress",
]


def _scoped(queryset: QuerySet, user, action: str = "view") -> QuerySet:
    return queryset if user is None else queryset.restrict(user, action)


def _ids(campaigns) -> list[int] | QuerySet:
    if isinstance(campaigns, Campaign):
        return [campaigns.pk]
    if isinstance(campaigns, QuerySet):
        return campaigns.values("pk")
    return [getattr(campaign, "pk", campaign) for campaign in campaigns]


def campaign_problems(campaigns: Campaign | Iterable[Campaign], user) -> QuerySet:
    """The problems of the campaign(s) the user sees."""
    return _scoped(Problem.objects.all(), user).filter(campaign_link__campaign__in=_ids(campaigns))


def latest_notes(items: QuerySet, user) -> QuerySet:
    """Each unit's latest progress note on each of ``items`` (its current state there), as the user sees them."""
    later = ProgressNote.objects.filter(item=OuterRef("item"), region=OuterRef("region"), pk__gt=OuterRef("pk"))
    return _scoped(ProgressNote.objects.all(), user).filter(item__in=items).filter(~Exists(later))


@dataclass
class TownshipProgress:
    """One township's row: its problems of the campaign by state, and its completion of the work items."""

    township: Region
    found: int = 0
    open: int = 0  # 已下发, 整改中, 申请销号: not yet 销号
    overdue: int = 0  # running past the due date
    closed: int = 0  # 已销号
    suspended: int = 0  # 挂起
    items: int = 0  # the work items the townships report on
    items_done: int = 0
    items_ongoing: int = 0

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return round(100 * part / whole, 1) if whole else None

    @property
    def closed_rate(self) -> float | None:
        """销号率 (%): closed of found."""
        return self._rate(self.closed, self.found)

    @property
    def items_rate(self) -> float | None:
        """完成率 (%): work items the township has reported done, of those it reports on."""
        return self._rate(self.items_done, self.items)


def township_progress(
    campaigns: Campaign | Iterable[Campaign],
    user,
    *,
    townships: QuerySet | None = None,
    today: datetime.date | None = None,
) -> list[TownshipProgress]:
    """Per township of the campaigns' counties (those the user sees, or ``townships``): problems found / open /
    overdue / closed / suspended and the work items' completion, in code order."""
    today = today or timezone.localdate()
    ids = _ids(campaigns)
    counties = Campaign.objects.filter(pk__in=ids).values("issuer_region")
    if townships is None:
        townships = _scoped(Region.objects.all(), user).filter(level="township", parent__in=counties)
    rows = {t.code: TownshipProgress(t) for t in townships.order_by("code")}
    if not rows:
        return []
    running = Q(state__in=wc.RUNNING_STATES, due_date__lt=today)
    problems = (
        campaign_problems(ids, user)
        .annotate(township=Substr("region__code", 1, 9))
        .values("township")
        .annotate(
            found=Count("pk"),
            open=Count("pk", filter=Q(state__in=wc.OPEN_STATES)),
            overdue=Count("pk", filter=running),
            closed=Count("pk", filter=Q(state=wc.CLOSED)),
            suspended=Count("pk", filter=Q(state=wc.SUSPENDED)),
        )
        .order_by()
    )
    for counts in problems:
        row = rows.get(counts.pop("township"))
        if row is not None:
            for key, value in counts.items():
                setattr(row, key, value)
    items = WorkItem.objects.filter(campaign__in=ids, townships_report=True)
    per_county = {
        row["campaign__issuer_region__code"]: row["n"]
        for row in items.values("campaign__issuer_region__code").annotate(n=Count("pk")).order_by()
    }
    notes = (
        latest_notes(items, user)
        .filter(region__level="township")
        .values("region__code")
        .annotate(
            done=Count("pk", filter=Q(state=c.DONE)),
            pushing=Count("pk", filter=Q(state=c.ONGOING)),
        )
        .order_by()
    )
    for counts in notes:
        row = rows.get(counts["region__code"])
        if row is not None:
            row.items_done, row.items_ongoing = counts["done"], counts["pushing"]
    for code, row in rows.items():
        row.items = per_county.get(code[:6], 0)
    return list(rows.values())


def item_township_counts(items: QuerySet, user) -> dict[int, dict[str, int]]:
    """Work item id → how many townships (that the user sees) report it 已完成 and 推进中."""
    rows = (
        latest_notes(items, user)
        .filter(region__level="township")
        .values("item")
        .annotate(done=Count("pk", filter=Q(state=c.DONE)), pushing=Count("pk", filter=Q(state=c.ONGOING)))
        .order_by()
    )
    return {row["item"]: {"done": row["done"], "pushing": row["pushing"]} for row in rows}
