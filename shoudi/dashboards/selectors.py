"""Reads of the summary rows: a region's figures, its children's, and how old they are."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Min, Sum
from django.db.models.functions import Substr

from shoudi.regions.models import Region

from .models import VillageFigure, VillageRefresh

__all__ = ["child_figures", "missing_villages", "refreshed_at", "region_figures", "stale_villages"]


def region_figures(region: Region) -> dict[str, dict[str, int]]:
    """card → bucket → the sum over the region's villages."""
    rows = (
        VillageFigure.objects.filter(village_code__startswith=region.code)
        .values("card", "bucket")
        .annotate(total=Sum("value"))
        .values_list("card", "bucket", "total")
    )
    figures: dict[str, dict[str, int]] = defaultdict(dict)
    for card, bucket, total in rows:
        figures[card][bucket] = int(total)
    return figures


def child_figures(region: Region, card: str, prefix: str, child_length: int) -> dict[str, int]:
    """child code → the sum of the card's buckets starting with ``prefix`` over the child's villages."""
    rows = (
        VillageFigure.objects.filter(village_code__startswith=region.code, card=card, bucket__startswith=prefix)
        .annotate(child=Substr("village_code", 1, child_length))
        .values("child")
        .annotate(total=Sum("value"))
        .values_list("child", "total")
    )
    return {child: int(total) for child, total in rows}


def refreshed_at(region: Region) -> datetime.datetime | None:
    """The oldest computation among the region's villages: every figure shown is at least this recent (a stale
    village keeps the time of its last computation until the worker computes it again)."""
    return VillageRefresh.objects.filter(village_code__startswith=region.code).aggregate(t=Min("refreshed_at"))["t"]


def missing_villages(region: Region) -> list[str]:
    """The region's villages never computed (new, or before the first rebuild)."""
    villages = Region.objects.filter(level="village", code__startswith=region.code).values_list("code", flat=True)
    done = VillageRefresh.objects.filter(village_code__startswith=region.code, refreshed_at__isnull=False)
    computed = set(done.values_list("village_code", flat=True))
    return [code for code in villages if code not in computed]


def stale_villages(region: Region, limit: int) -> list[str]:
    """Up to ``limit`` + 1 of the region's villages changed since their figures were computed."""
    stale = VillageRefresh.objects.filter(village_code__startswith=region.code, stale=True)
    return list(stale.values_list("village_code", flat=True)[: limit + 1])
