"""What a dashboard card is, and what it hands the page: its figures by category and series, each with the link
to the list of its rows.

A card is registered in the core registry (store ``dashboard_cards``, key = its key) from an app's ``wiring.py``:

- ``compute(codes, today)`` counts its figures per village: ``(village_code, bucket, value)`` rows, for the villages
  whose codes are given (None: every village). It must count exactly the rows its links list.
- ``present(ctx)`` turns the figures of a region (``ctx.figures``: bucket → value, added up over its villages) into
  a ``CardData`` for the page, the table view and the Excel download.
- ``sources``: the kinds of change (``core.notifications.changed``) that move its figures (what the card depends
  on; ``refresh_villages(codes, sources=…)`` computes only the cards of those kinds).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import urlencode

from django.urls import NoReverseMatch, resolve, reverse

from shoudi.core.registry import registry
from shoudi.core.scope import user_can

__all__ = ["Card", "CardContext", "CardData", "Series", "all_cards", "card_by_key"]

Rows = Iterable[tuple[str, str, int]]


@dataclass(frozen=True)
class Card:
    key: str
    title: str
    chart: str  # bar | stack | hbar | pie | funnel | line
    compute: Callable[[list[str] | None, datetime.date], Rows] | None
    present: Callable[[CardContext], CardData]
    sources: frozenset[str] = frozenset()
    note: str = ""  # how the figures are counted, under the card


@dataclass
class Series:
    name: str
    values: list[int]
    links: list[str]  # the list of each value's rows ("" when the user may not open it)


@dataclass
class CardData:
    categories: list[str]
    series: list[Series]
    unit: str = "户"
    notes: list[str] = field(default_factory=list)  # 环比/同比 and shares, one line each
    drill: list[str] = field(default_factory=list)  # per category: the dashboard it opens (a township's bar)
    category_title: str = "类别"

    def table(self) -> tuple[list[str], list[list[tuple[int, str]]]]:
        """Headers and rows of the table view: each row (the category, its dashboard or ""), then (value, link) per
        series."""
        headers = [self.category_title, *(s.name for s in self.series)]
        rows = [
            [
                (label, self.drill[i] if i < len(self.drill) else ""),
                *((s.values[i], s.links[i] if i < len(s.links) else "") for s in self.series),
            ]
            for i, label in enumerate(self.categories)
        ]
        return headers, rows

    def as_json(self, card: Card) -> dict:
        return {
            "key": card.key,
            "title": card.title,
            "chart": card.chart,
            "unit": self.unit,
            "categories": self.categories,
            "series": [{"name": s.name, "data": s.values, "links": s.links} for s in self.series],
            "drill": self.drill,
        }


@cache
def _list_model(url_name: str):
    """The model a list page shows (its view's queryset), for the permission check of a link to it."""
    view = resolve(reverse(url_name)).func
    queryset = getattr(getattr(view, "view_class", None), "queryset", None)
    return queryset.model if queryset is not None else None


@dataclass
class CardContext:
    region: object  # the Region the dashboard is about
    user: object
    today: datetime.date
    figures: dict[str, int]
    children: list = field(default_factory=list)  # the regions one level down, for drill-down cards
    child_figures: Callable[[str, str], dict[str, int]] | None = None  # (card, bucket) -> child code -> value

    def value(self, bucket: str) -> int:
        return int(self.figures.get(bucket, 0))

    def link(self, url_name: str, *, area: str | None = None, **params) -> str:
        """The list page filtered to the region (or ``area``) and ``params``; "" when the user may not view it."""
        model = _list_model(url_name)
        if model is not None and not user_can(self.user, model, "view"):
            return ""
        try:
            base = reverse(url_name)
        except NoReverseMatch:
            return ""
        query = {"area": area or self.region.code, **{k: v for k, v in params.items() if v is not None}}
        return f"{base}?{urlencode(query)}"


def all_cards() -> list[Card]:
    return list(registry.keyed("dashboard_cards").values())


def card_by_key(key: str) -> Card | None:
    return registry.keyed("dashboard_cards").get(key)
