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

from shoudi.core.cells import CellError, cell_text, fold, parse_money, parse_yearmonth, parse_yes_no
from shoudi.core.idnumbers import parse_id_number

from .. import choices, national
from ..models import Household, Member

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


def _gender(value) -> str:
    text = fold(value).removesuffix("性")
    if text in ("", "男", "女"):
        return text
    raise CellError(f"“{cell_text(value)}”应为“男”或“女”")


def _lookup(values: dict[str, str], aliases: dict[str, str]) -> dict[str, str]:
    table = {fold(k): v for k, v in aliases.items()}
    table.update({fold(label): code for code, label in values.items()})
    return table


def _choice_parser(allowed: list[tuple[str, str]], aliases: dict[str, str]):
    """Accept a value, its label (残疾类别 视力 → 1) or an alias; blank → ""."""
    table = _lookup({code: code for code, _label in allowed}, aliases)
    table.update({fold(label): code for code, label in allowed})
    shown = "、".join(code if code == label else f"{code}{label}" for code, label in allowed)

    def parse(value) -> str:
        key = fold(value)
        if not key:
            return ""
        try:
            return table[key]
        except KeyError:
            raise CellError(f"“{cell_text(value)}”不在可选值中（可选：{shown}）") from None

    return parse


_SPLIT_RE = re.compile(r"[,、;/|]+")


def _multichoice_parser(allowed: list[tuple[str, str]], aliases: dict[str, str]):
    single = _choice_parser(allowed, aliases)

    def parse(value) -> str:
        parts = [p for p in _SPLIT_RE.split(fold(value)) if p]
        result: list[str] = []
        for part in parts:
            item = single(part)
            if item and item not in result:
                result.append(item)
        return ",".join(result)

    return parse


_RISKS = frozenset(national.RISK_TYPES)
_RISK_ALIASES = {fold(k): v for k, v in national.VALUE_ALIASES["national.risk"].items()}
_DISASTER_RE = re.compile(r"因?(?:自然)?灾害?[(\-—:]?(" + "|".join(national.DISASTER_SUBTYPES) + r")(?:灾害?)?\)?")


def _risk(value) -> str:
    """致贫/返贫风险 from the national list, with or without 因 (务工就业不稳 → 因务工就业不稳), or 因自然灾害(洪涝)."""
    key = fold(value)
    if not key or key in _RISKS:
        return key
    if key in _RISK_ALIASES:
        return _RISK_ALIASES[key]
    if "因" + key in _RISKS:
        return "因" + key
    match = _DISASTER_RE.fullmatch(key)
    if match:
        return f"因自然灾害({match.group(1)})"
    raise CellError(f"“{cell_text(value)}”不是有效的致贫/返贫风险（可选：{'、'.join(national.RISK_TYPES)}）")


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


def converter(column: national.Column) -> Callable:
    """The function turning one raw cell of ``column`` into its value (raising ``CellError``)."""
    kind, target = column.kind, column.target
    model_field = _model_field(column)
    max_length = getattr(model_field, "max_length", None)
    aliases = national.VALUE_ALIASES.get(target, {})
    if target == "household.household_no":
        return _household_no
    if target == "member.gender":
        return _gender
    if kind == "bool":
        return parse_yes_no
    if kind == "int":
        return _int_parser(*INT_RANGES.get(target, (0, 32767)))
    if kind == "money":
        return _money_text
    if kind == "yearmonth":
        return _yearmonth_text
    if kind == "risk":
        return _risk
    if kind == "choice":
        if model_field is not None and model_field.choices:
            return _choice_parser(list(model_field.choices), aliases)
        allowed = national.NATIONAL_CHOICES[column.key]
        return _choice_parser([(v, v) for v in allowed], aliases)
    if kind == "multichoice":
        return _multichoice_parser(list(choices.HEALTH), national.VALUE_ALIASES.get(target, {}))
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

    @classmethod
    def make(cls, index: int, column: national.Column, header: str) -> KnownColumn:
        messages: dict = {}
        convert = converter(column)
        if column.target in UNCACHED or column.kind in ("money", "id_number"):
            run = _guarded(convert, messages)
        else:
            run = _PerDistinctValue(convert, messages).__getitem__
        return cls(index, column, header, run, messages)


def cells_getter(indices: list[int]) -> Callable[[list], tuple]:
    if not indices:
        return lambda row: ()
    if len(indices) == 1:
        index = indices[0]
        return lambda row: (row[index],)
    return itemgetter(*indices)
