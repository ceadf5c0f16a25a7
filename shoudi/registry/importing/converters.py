"""The converter of each known column of the national export: one raw cell → its value, or ``INVALID``.

The cell rules themselves (fold, yes/no, money, year-month, ID numbers) are ``core.cells`` and ``core.idnumbers``;
here they are chosen per column (``national.COLUMNS``) and remembered per distinct raw value.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter

from django.db import models

from shoudi.core.cells import CellError, cell_text, fold, parse_money, parse_yearmonth
from shoudi.core.idnumbers import parse_id_number
from shoudi.core.vocabulary import Reader, Tables, vocabulary

from .. import national
from ..models import Household, Member
from ..vocabularies import BY_TARGET, YES_NO

__all__ = ["INVALID", "KnownColumn", "cells_getter", "converter"]


class _Invalid:
    """The value of a cell that could not be read (its message is kept by the column)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "INVALID"


INVALID = _Invalid()

_UNIT_RE = re.compile(r"(个月|月|人|年度|年|个)$")
_INT_RE = re.compile(r"[+-]?\d+(?:\.0*)?")


def _int_parser(low: int, high: int):
    def parse(value) -> int | None:
        if isinstance(value, float):
            if not value.is_integer():
                raise CellError(f"“{cell_text(value)}”应为整数")
            number = int(value)
        else:
            text = _UNIT_RE.sub("", fold(value))
            if not text:
                return None
            if not _INT_RE.fullmatch(text):
                raise CellError(f"“{cell_text(value)}”应为整数")
            number = int(float(text))
        if not low <= number <= high:
            raise CellError(f"{number} 超出允许范围（{low}–{high}）")
        return number

    return parse


def _text_parser(max_length: int | None, *, squeeze: bool = False, folded: bool = False):
    def parse(value) -> str:
        text = fold(value) if folded else cell_text(value)
        if squeeze and not folded:
            text = "".join(text.split())
        if max_length and len(text) > max_length:
            raise CellError(f"“{text[:20]}…”超过 {max_length} 个字")
        return text

    return parse


def _household_no(value) -> str:
    text = fold(value).lstrip("'")
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if len(text) > 30:
        raise CellError(f"户编号“{text}”超过 30 个字符")
    return text


def _vocabulary_parser(reader: Reader, unknown: set[str], max_length: int | None):
    """A value of the code table, or the text as written (remembered in ``unknown``): never refused for being new."""

    def parse(value) -> str:
        known = reader(value)
        if known is not None:
            return known
        text = cell_text(value)
        if max_length and len(text) > max_length:
            raise CellError(f"“{text[:20]}…”超过 {max_length} 个字")
        unknown.add(text)
        return text

    return parse


def _multivalue_parser(reader: Reader, unknown: set[str], max_length: int | None):
    """Several values of the code table in one cell ("残疾,长期慢性病"): each known or kept as written."""

    def parse(value) -> str:
        result: list[str] = []
        for written, known in reader.split(value):
            if known is None:
                unknown.add(written)
                known = written
            if known and known not in result:
                result.append(known)
        text = ",".join(result)
        if max_length and len(text) > max_length:
            raise CellError(f"“{text[:20]}…”超过 {max_length} 个字")
        return text

    return parse


class UnreadYesNo(str):
    """A 是/否 cell no word of the table means: imported blank, listed with the unknown values.

    The marker lets the reader find its rows after the file is read (``_RowReader.unknown_values``), which then
    puts None in its place; a clean file never makes one.
    """

    __slots__ = ()


def _yes_no_parser(reader: Reader, unknown: set[str]):
    def parse(value):
        if value is True or value is False:
            return value
        known = reader(value)
        if known == "":
            return None
        if known is not None:
            return known == "是"
        text = cell_text(value)
        unknown.add(text)
        return UnreadYesNo(text)

    return parse


def vocabulary_key(target: str) -> str:
    """The key of the code table a column's values are read with ("yes_no" for every 是否 column)."""
    column = national.BY_TARGET_COLUMN.get(target)
    if column is not None and column.kind == "bool":
        return YES_NO.key
    vocab = column_vocabulary(column) if column is not None else None
    return vocab.key if vocab is not None else target.partition(".")[2]


def column_vocabulary(column: national.Column):
    """The code table of a column, or None (a measure column's table only when the assistance app registers it)."""
    key = BY_TARGET.get(column.target) or (column.key if column.key.startswith("measure_") else "")
    try:
        return vocabulary(key) if key else None
    except KeyError:
        return None


def _money_text(value) -> str | None:
    """The amount as canonical text ("1234.50"): parsed values stay plain Python for the preview's snapshot."""
    amount = parse_money(value)
    return None if amount is None else str(amount)


def _yearmonth_text(value) -> str | None:
    day = parse_yearmonth(value)
    return None if day is None else day.isoformat()


def _model_field(column: national.Column) -> models.Field | None:
    model = {"household": Household, "member": Member}.get(column.section)
    if model is None:
        return None
    try:
        return model._meta.get_field(column.key)
    except Exception:
        return None


INT_RANGES = {"household.size": (1, 99), "household.lifted_year": (1980, 2100), "member.work_months": (0, 12)}
UNCACHED = {"member.name", "member.phone", "household.household_no", "household.phone", "household.address"}


def converter(column: national.Column, unknown: set[str], tables: Tables | None = None) -> Callable:
    """The function turning one raw cell of ``column`` into its value (raising ``CellError``).

    A code-table column adds the texts its table does not know to ``unknown``; ``tables`` are the code tables with
    the synonyms of the importing county (default: every synonym).
    """
    kind, target = column.kind, column.target
    model_field = _model_field(column)
    max_length = getattr(model_field, "max_length", None)
    if target == "household.household_no":
        return _household_no
    vocab = column_vocabulary(column)
    if vocab is not None:
        reader = (tables or Tables()).reader(vocab)
        make = _multivalue_parser if vocab.multiple else _vocabulary_parser
        return make(reader, unknown, max_length or (100 if column.section == "national" else None))
    if kind == "bool":
        return _yes_no_parser((tables or Tables()).reader(YES_NO), unknown)
    if kind == "int":
        return _int_parser(*INT_RANGES.get(target, (0, 32767)))
    if kind == "money":
        return _money_text
    if kind == "yearmonth":
        return _yearmonth_text
    if kind == "phone":
        return _text_parser(max_length, folded=True)
    if kind == "id_number":
        return parse_id_number
    squeeze = column.section == "place" or target == "member.name"
    return _text_parser(max_length, squeeze=squeeze)


class _PerDistinctValue(dict):
    """raw cell → converted value, computed once per distinct raw value (most columns have few distinct values)."""

    __slots__ = ("convert", "messages")

    def __init__(self, convert: Callable, messages: dict):
        super().__init__()
        self.convert = convert
        self.messages = messages

    def __missing__(self, raw):
        try:
            value = self.convert(raw)
        except CellError as exc:
            self.messages[raw] = str(exc)
            value = INVALID
        self[raw] = value
        return value


def _guarded(convert: Callable, messages: dict) -> Callable:
    def run(raw):
        try:
            return convert(raw)
        except CellError as exc:
            messages[raw] = str(exc)
            return INVALID

    return run


@dataclass
class KnownColumn:
    """A column of the file that Shoudi knows: where it is, and the converter of its cells."""

    index: int
    column: national.Column
    header: str
    convert: Callable
    messages: dict
    unknown: set[str]  # texts of a code-table column that its table does not know (kept as written)

    @classmethod
    def make(cls, index: int, column: national.Column, header: str, tables: Tables | None = None) -> KnownColumn:
        messages: dict = {}
        unknown: set[str] = set()
        convert = converter(column, unknown, tables)
        if column.target in UNCACHED or column.kind in ("money", "id_number"):
            run = _guarded(convert, messages)
        else:
            run = _PerDistinctValue(convert, messages).__getitem__
        return cls(index, column, header, run, messages, unknown)


def cells_getter(indices: list[int]) -> Callable[[list], tuple]:
    if not indices:
        return lambda row: ()
    if len(indices) == 1:
        index = indices[0]
        return lambda row: (row[index],)
    return itemgetter(*indices)
