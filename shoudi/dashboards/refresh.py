"""Keeping the summary rows current. A change (a case transition, a pairing, a visit: core.notifications) marks its
villages stale, which costs its request one statement, and so does each part of an import; the worker computes the
stale villages again within seconds (``refresh_stale``, a frequent step), a page about a few villages computes its
own stale ones first, and every night every village is computed again."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from shoudi.regions.models import Region
from shoudi.registry.models import Household

from .builtin import one_pass
from .cards import all_cards
from .models import VillageFigure, VillageRefresh

__all__ = ["mark_stale", "on_change", "post_import", "rebuild", "refresh_stale", "refresh_villages", "villages_of"]

logger = logging.getLogger("shoudi.dashboards")


def _write(codes: list[str] | None, cards, today: datetime.date) -> int:
    rows = [
        VillageFigure(village_code=code, card=card.key, bucket=bucket[:80], value=value)
        for card in cards
        for code, bucket, value in card.compute(codes, today)
        if value
    ]
    keys = [card.key for card in cards]
    stale = VillageFigure.objects.filter(card__in=keys)
    if codes is not None:
        stale = stale.filter(village_code__in=codes)
    stale.delete()
    VillageFigure.objects.bulk_create(rows, batch_size=5000)
    now = timezone.now()
    if codes is None:  # everything is computed again: every region's rows are current (a township's own problems')
        VillageRefresh.objects.update(refreshed_at=now, stale=False)
        villages = Region.objects.filter(level="village").values_list("code", flat=True)
        codes = sorted({*villages, *(row.village_code for row in rows)})
    VillageRefresh.objects.bulk_create(
        [VillageRefresh(village_code=code, refreshed_at=now, stale=False) for code in codes],
        batch_size=5000,
        update_conflicts=True,
        unique_fields=["village_code"],
        update_fields=["refreshed_at", "stale"],
    )
    return len(rows)


def refresh_villages(
    codes: Iterable[str] | None, *, sources: set[str] | None = None, today: datetime.date | None = None
) -> int:
    """Recompute the figures of these villages (None: every village) for the cards that ``sources`` move (None:
    every card); returns the rows written. Two refreshes of one village at once: the second one tries again."""
    codes = sorted(set(codes)) if codes is not None else None
    if codes is not None and not codes:
        return 0
    cards = [card for card in all_cards() if card.compute and (sources is None or card.sources & sources)]
    today = today or timezone.localdate()
    for attempt in (1, 2):
        try:
            with transaction.atomic(), one_pass():
                return _write(codes, cards, today)
        except IntegrityError:
            if attempt == 2:
                raise
    return 0


def rebuild(today: datetime.date | None = None) -> int:
    """Every summary row again (the nightly step and ``shoudi rebuild_dashboard``)."""
    with transaction.atomic(), one_pass():
        VillageFigure.objects.all().delete()
        return _write(None, [card for card in all_cards() if card.compute], today or timezone.localdate())


def villages_of(household_ids: Iterable[int]) -> list[str]:
    ids = list(household_ids)
    return sorted(set(Household.objects.filter(pk__in=ids).values_list("village__code", flat=True)))


def mark_stale(codes: Iterable[str]) -> None:
    """These villages' figures are out of date (one statement; a village never computed stays so until it is)."""
    VillageRefresh.objects.bulk_create(
        [VillageRefresh(village_code=code, stale=True) for code in sorted(set(codes))],
        update_conflicts=True,
        unique_fields=["village_code"],
        update_fields=["stale"],
    )


def refresh_stale(codes: Iterable[str] | None = None, *, limit: int = 100) -> int:
    """Compute the stale villages again (of ``codes``, or any), at most ``limit``; returns how many. A change that
    comes in meanwhile marks its village stale again, for the next round."""
    stale = VillageRefresh.objects.filter(stale=True)
    if codes is not None:
        stale = stale.filter(village_code__in=list(codes))
    picked = list(stale.order_by("refreshed_at").values_list("village_code", flat=True)[:limit])
    if picked:
        VillageRefresh.objects.filter(village_code__in=picked).update(stale=False)
        try:
            refresh_villages(picked)
        except Exception:
            mark_stale(picked)  # tried again next round
            raise
    return len(picked)


def on_change(kind: str, household_ids: list[int]) -> None:
    """The change listener (core.notifications): the households' villages are stale."""
    mark_stale(villages_of(household_ids))


def frequent() -> str:
    """The worker's frequent step: the stale villages, a hundred at a time."""
    done = refresh_stale()
    return f"更新 {done} 个行政村" if done else ""


def post_import(*, household_ids, user=None, **kwargs) -> dict:
    """After a household import (a few hundred households a call): their villages are stale, for the worker."""
    codes = villages_of(household_ids)
    mark_stale(codes)
    return {"待更新看板的行政村": len(codes)}


def nightly() -> str:
    return f"看板汇总 {rebuild()} 行"
