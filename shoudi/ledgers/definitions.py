"""The parts of a ledger definition (台账): columns, filters, parameters, lookups, the definition itself, and the
context a ledger is built in (who, where, which parameters).

Definitions are data: ``standard`` builds the standard ones from these parts, ``wiring`` registers them in the core
registry's "ledgers" store, and the engine reads them from there.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q

from shoudi.core.scope import user_can

__all__ = [
    "DEFAULT_WIDTHS",
    "KINDS",
    "MASKED_KINDS",
    "SEQ",
    "Column",
    "Filter",
    "LedgerContext",
    "LedgerDefinition",
    "LedgerError",
    "Lookup",
    "Param",
]

KINDS = ("text", "code", "id", "phone", "birth_date", "health", "money", "int", "number", "date", "bool")
# masked for a role without ``unmask`` on the column's ``mask_model``
MASKED_KINDS = ("id", "phone", "birth_date", "health")
SEQ = "__seq__"  # the source of a 序号 column: the row's number in the ledger
DEFAULT_WIDTHS = {
    "id": 21,
    "phone": 14,
    "birth_date": 12,
    "code": 20,
    "date": 12,
    "money": 13,
    "int": 8,
    "number": 11,
    "bool": 8,
}


class LedgerError(ValueError):
    """A request the engine cannot build (an unknown ledger, a bad parameter): the message is for the user."""


# --- the parts of a definition -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column: its Chinese label and where its value comes from.

    ``source`` is a field path of the base model as ``.values()`` takes it, ``SEQ`` for the row number, or a
    function ``fn(row, ctx)`` over the row dict (which holds the paths named in ``fields`` and the lookups named in
    ``lookups``). ``kind`` decides the cell: text, code (户编号: text, never masked), id and phone (text, masked for
    roles without ``unmask`` on ``mask_model``), birth_date (a date; its year alone for those roles, as a masked ID
    hides it), health (text, （已隐藏） for those roles), money / number / int (numbers), date, bool (是/否).
    ``total`` columns are summed in subtotal and total rows. ``default`` columns make up the standard ledger; the
    others are offered when a county copies it.
    """

    key: str
    label: str
    source: str | Callable[[dict, LedgerContext], Any] = ""
    kind: str = "text"
    width: float | None = None
    fields: tuple[str, ...] = ()
    lookups: tuple[str, ...] = ()
    total: bool = False
    mask_model: str = "registry.member"
    default: bool = True

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"column {self.key}: unknown kind {self.kind!r}")
        if not self.source:
            raise ValueError(f"column {self.key}: no source")

    @property
    def column_width(self) -> float:
        if self.width:
            return self.width
        return DEFAULT_WIDTHS.get(self.kind) or max(8, min(40, len(self.label) * 2 + 2))


@dataclass(frozen=True)
class Filter:
    """A named condition with a Chinese label: a toggle (on/off) or a choice (one value, "" = 全部).

    ``q(ctx, value)`` returns the condition (value: True for a toggle, the chosen value for a choice). Toggles of
    one ``group`` are alternatives: a row matches if it meets any of those switched on (none on: no rows).
    """

    key: str
    label: str
    q: Callable[[LedgerContext, Any], Q]
    choices: tuple[tuple[str, str], ...] = ()
    default: Any = False
    group: str = ""

    @property
    def is_choice(self) -> bool:
        return bool(self.choices)

    def clean(self, value) -> Any:
        """The value as stored: bool for a toggle, a known choice or "" for a choice."""
        if self.is_choice:
            value = "" if value is None else str(value)
            return value if value in {v for v, _ in self.choices} else ""
        if isinstance(value, str):
            return value.strip().lower() in {"1", "true", "on", "yes"}
        return bool(value)

    def describe(self, value) -> str:
        if self.is_choice:
            return f"{self.label}：{dict(self.choices).get(value, value)}" if value else ""
        return self.label if value else ""


@dataclass(frozen=True)
class Param:
    """A value chosen when the ledger is built: ``year`` (收入年度) or ``date`` (参考日期)."""

    key: str
    label: str
    kind: str  # "year" | "date"
    default: Callable[[LedgerContext], Any]

    def parse(self, raw) -> Any:
        if isinstance(raw, datetime.date) and self.kind == "date":
            return raw
        text = str(raw).strip()
        try:
            if self.kind == "year":
                value = int(text)
                if not 2000 <= value <= 2100:
                    raise ValueError
                return value
            return datetime.date.fromisoformat(text)
        except ValueError:
            example = "2025" if self.kind == "year" else "2025-12-31"
            raise LedgerError(f"{self.label}格式不正确（例如 {example}）：{text}") from None

    def format(self, value) -> str:
        return f"{value:%Y-%m-%d}" if isinstance(value, datetime.date) else str(value)


@dataclass(frozen=True)
class Lookup:
    """Values kept on other rows, fetched once per ledger: ``fetch(ctx, household_ids) → {household id: value}``.

    ``household_ids`` is a subquery of the ledger's household ids; ``model`` is the model the values come from —
    columns using the lookup are left out for a role that may not view it.
    """

    model: str
    fetch: Callable[[LedgerContext, models.QuerySet], dict]


@dataclass(frozen=True)
class LedgerDefinition:
    """A standard ledger. ``base(ctx)`` is the condition that makes it this ledger (always applied);
    ``household`` is the path from the base model to its household ("" when the model is the household)."""

    code: str
    title: str
    model: type[models.Model]
    unit: str
    columns: tuple[Column, ...]
    description: str = ""
    base: Callable[[LedgerContext], Q] | None = None
    annotate: Callable[[LedgerContext], dict] | None = None
    filters: tuple[Filter, ...] = ()
    params: tuple[Param, ...] = ()
    order_by: tuple[str, ...] = ()
    household: str = "household__"
    lookups: dict[str, Lookup] = field(default_factory=dict)
    grouped: bool = False
    note: Callable[[LedgerContext], str] | None = None
    # the group key and its labels when the rows are no household's (a problem's responsible region): code, name,
    # the name above it; empty: the household's village, its name and its township's name
    groups: tuple[str, str, str] | tuple[()] = ()

    def __post_init__(self):
        keys = [c.key for c in self.columns]
        if len(keys) != len(set(keys)):
            raise ValueError(f"ledger {self.code}: duplicate column keys")
        for column in self.columns:
            missing = set(column.lookups) - set(self.lookups)
            if missing:
                raise ValueError(f"ledger {self.code}: column {column.key} needs unknown lookups {missing}")

    @property
    def name(self) -> str:
        return self.code

    @property
    def household_key(self) -> str:
        """The ``.values()`` name of the household id on a row."""
        return f"{self.household}id" if self.household else "id"

    @property
    def group_fields(self) -> tuple[str, str, str]:
        """Village code, village name and township name: the group key and its label."""
        if self.groups:
            return self.groups
        h = self.household
        return f"{h}village__code", f"{h}village__name", f"{h}village__parent__name"

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    def filter(self, key: str) -> Filter | None:
        return next((f for f in self.filters if f.key == key), None)

    @property
    def default_columns(self) -> list[str]:
        return [c.key for c in self.columns if c.default]

    @property
    def default_filters(self) -> dict:
        return {f.key: f.default for f in self.filters}


# --- context: who, where, which parameters --------------------------------------------------------------------------


@dataclass
class LedgerContext:
    """Who builds the ledger (None: an operator on the command line — no scope, nothing masked), for which region
    (None: everything the user reaches) and with which parameters. ``cache`` holds what a definition computes once
    per ledger (the lines of the counties, say)."""

    user: Any
    region: Any
    params: dict
    today: datetime.date
    cache: dict = field(default_factory=dict)
    _can: dict = field(default_factory=dict)

    def can(self, model_label: str, action: str) -> bool:
        if self.user is None:
            return True
        key = (model_label, action)
        if key not in self._can:
            self._can[key] = user_can(self.user, apps.get_model(model_label), action)
        return self._can[key]

    @property
    def region_code(self) -> str:
        return self.region.code if self.region is not None else ""

    @property
    def region_name(self) -> str:
        return self.region.full_name if self.region is not None else "全部区划"

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    def counties(self) -> list[str]:
        """Codes of the counties the ledger covers."""
        from shoudi.regions.models import Region

        if self.region is not None:
            return [self.region.code[:6]]
        return list(Region.objects.filter(level="county").values_list("code", flat=True))

    @property
    def operator_name(self) -> str:
        if self.user is None:
            return "命令行"
        return self.user.get_full_name() or self.user.get_username()
