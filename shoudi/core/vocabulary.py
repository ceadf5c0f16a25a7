"""Code tables (码表): the values of an enumerated column, each with its code, standard name and synonyms.

An app declares its vocabularies in its wiring (store ``vocabularies``, keyed by ``Vocabulary.key``). Reading a
cell is ``vocabulary.reader()`` → ``reader(text)``: the stored value for a code, a standard name, a value, a
synonym (built in, or added by a county admin on the 码表 page as a ``core.Synonym`` row) or whatever the
vocabulary's own ``rule`` accepts, and ``None`` for a text it does not know. What the caller does with an unknown
value is its business; the household import keeps it verbatim and lists it (docs/adr/0009).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from .cells import cell_text, fold
from .registry import registry

__all__ = ["SPLIT_RE", "Reader", "Tables", "Term", "Vocabulary", "all_vocabularies", "synonyms_stamp", "vocabulary"]

SPLIT_RE = re.compile(r"[,，、;；/|]+")  # between the values of a multi-valued cell ("残疾,长期慢性病")


@dataclass(frozen=True)
class Term:
    """One value: what Shoudi stores, the national code, the standard name (the export writes it) and synonyms."""

    value: str
    code: str = ""
    name: str = ""  # the standard name when it differs from the stored value (残疾类别 "1" → "视力")
    synonyms: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.name or self.value

    @property
    def spellings(self) -> tuple[str, ...]:
        return tuple(s for s in (self.value, self.code, self.name, *self.synonyms) if s)


@dataclass(frozen=True)
class Vocabulary:
    """The code table of one enumerated column.

    ``rule(folded_text, known) -> value | None`` accepts spellings a table cannot list (致贫风险 "务工就业不稳" →
    "因务工就业不稳"); ``known`` looks a folded text up in the table. ``multiple``: one cell holds several values.
    """

    key: str
    title: str
    terms: tuple[Term, ...]
    multiple: bool = False
    rule: Callable[[str, Callable[[str], str | None]], str | None] | None = None
    note: str = ""
    _builtin: dict[str, str] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self):
        table = self._builtin
        for term in self.terms:
            for spelling in term.spellings:
                table.setdefault(fold(spelling), term.value)
        # a term's own value and code win over another term's synonym
        for term in self.terms:
            table[fold(term.value)] = term.value
            if term.code:
                table[fold(term.code)] = term.value

    # --- reading ---

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(t.value for t in self.terms)

    def spellings(self) -> dict[str, str]:
        """Folded spelling → value, by the built-in table alone (no synonym added on the page)."""
        return dict(self._builtin)

    def builtin_value(self, text) -> str | None:
        """The value a text means by the built-in table alone (no added synonym, no rule)."""
        return self._builtin.get(fold(text))

    def table(self, county: str | None = None) -> dict[str, str]:
        """Folded spelling → value: the built-in spellings and the synonyms added on the 码表 page.

        ``county`` (a region code; its first six digits) takes that county's synonyms and the deployment-wide
        ones; None takes every synonym (the command line, run by the operator for any county).
        """
        table = dict(self._builtin)
        for text, value in _synonyms(county).filter(vocabulary=self.key).values_list("folded", "value"):
            table.setdefault(text, value)
        return table

    def reader(self, table: dict[str, str] | None = None) -> Reader:
        return Reader(self, self.table() if table is None else table)

    # --- writing and showing ---

    def term(self, value: str) -> Term | None:
        return next((t for t in self.terms if t.value == value), None)

    def name_of(self, value: str) -> str:
        """The standard name of a stored value; an unknown value as it is."""
        term = self.term(value)
        return term.label if term else value

    def choices(self, current: str | Iterable[str] = "", *, blank: str | None = None) -> list[tuple[str, str]]:
        """(value, label) pairs for a form, with the current value(s) kept even when the table does not know them."""
        options = [(t.value, t.label if t.label == t.value else f"{t.value} {t.label}") for t in self.terms]
        known = set(self.values)
        for value in [current] if isinstance(current, str) else list(current):
            if value and value not in known:
                options.append((value, f"{value}（未在码表中）"))
        return ([("", blank)] if blank is not None else []) + options


class Reader:
    """A vocabulary with its synonyms loaded once: ``reader(text)`` → the stored value, "" for blank, None if unknown.

    For a multi-valued vocabulary the result joins the values with "," and ``unknown_parts`` says which parts of the
    last text were not known (they are kept as written).
    """

    __slots__ = ("known", "vocabulary")

    def __init__(self, vocabulary: Vocabulary, table: dict[str, str]):
        self.vocabulary = vocabulary
        self.known = table.get

    def __call__(self, text) -> str | None:
        key = fold(text)
        if not key:
            return ""
        value = self.known(key)
        if value is None and self.vocabulary.rule is not None:
            value = self.vocabulary.rule(key, self.known)
        return value

    def split(self, text) -> list[tuple[str, str | None]]:
        """(part as written, its value or None) of each part of a multi-valued cell, in order."""
        return [(part.strip(), self(part)) for part in SPLIT_RE.split(cell_text(text)) if part.strip()]


def _synonyms(county: str | None):
    from django.db.models import Q

    from .models import Synonym  # the models import this module's callers: read at call time

    rows = Synonym.objects.order_by("-region_code", "id")  # a county's own spelling before a deployment-wide one
    return rows if county is None else rows.filter(Q(region_code="") | Q(region_code=county[:6]))


class Tables:
    """The code tables one file is read with, each read once (five risk columns share one), for one county."""

    def __init__(self, county: str | None = None):
        self.county = county
        self.tables: dict[str, dict[str, str]] = {}

    def reader(self, vocab: Vocabulary) -> Reader:
        table = self.tables.get(vocab.key)
        if table is None:
            table = self.tables[vocab.key] = vocab.table(self.county)
        return vocab.reader(table)


def synonyms_stamp(county: str | None = None) -> str:
    """Changes whenever a synonym is added, changed or removed: what a kept parse of a file was read with."""
    from django.db.models import Count, Max

    facts = _synonyms(county).aggregate(n=Count("id"), last=Max("id"), changed=Max("updated_at"))
    changed = facts["changed"].isoformat() if facts["changed"] else ""
    return f"{county}:{facts['n']}:{facts['last'] or 0}:{changed}"


def vocabulary(key: str) -> Vocabulary:
    """The registered vocabulary ``key`` (``KeyError`` if none)."""
    return registry.keyed("vocabularies")[key]


def all_vocabularies() -> list[Vocabulary]:
    return list(registry.keyed("vocabularies").values())
