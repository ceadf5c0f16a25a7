"""Keeping the summary rows current: for the villages a change touches (after a case transition, after an
import), every night, and all at once (``shoudi rebuild_dashboard``)."""

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

__all__ = ["on_change", "post_import", "rebuild", "refresh_villages", "villages_of"]

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
    if codes is None:
        codes = list(Region.objects.filter(level="village").values_list("code", flat=True))
    VillageRefresh.objects.bulk_create(
        [VillageRefresh(village_code=code, refreshed_at=now) for code in codes],
        batch_size=5000,
        update_conflicts=True,
        unique_fields=["village_code"],
        update_fields=["refreshed_at"],
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


def on_change(kind: str, household_ids: list[int]) -> None:
    """The change listener (core.notifications): the cards that ``kind`` moves, for the households' villages."""
    refresh_villages(villages_of(household_ids), sources={kind})


def post_import(*, household_ids, user=None, **kwargs) -> dict:
    """After a household import: every card of the imported households' villages."""
    codes = villages_of(household_ids)
    refresh_villages(codes)
    return {"更新看板的行政村": len(codes)}


def nightly() -> str:
    return f"看板汇总 {rebuild()} 行"
