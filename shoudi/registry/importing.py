"""Import of the national person-level export (DOMAIN.md §8) into households, members and incomes.

How it works
------------
1. **Read** (file only, no database): the first sheet, with python-calamine. A large sheet is cut into pieces of
   about 32 MB of XML, two of which calamine parses at a time on worker threads (it releases the GIL) while the main
   thread converts the rows of the previous one, so memory stays flat however long the file is. The header is the
   first of the first ten rows naming 户编号 and 证件号码; the rows above it are the title and export details, where
   the export date and the income year (“2025年度…”) are looked for.
   Every cell is converted by its column's kind (``national.COLUMNS``): 是/否 variants, full-width characters and
   spaces, year-months in any common spelling, numbers stored as text, money with commas, ID numbers (GB 11643).
   Columns Shoudi does not know are kept per member in ``Member.extra`` and listed.
2. **Check** (database, read only): 乡/村 are matched by name under the county; the user's scope and role are
   checked; existing households (by 户编号), members (by 证件号码 within the household) and the income of the year
   are loaded in bulk and compared with the file. Each household is new, changed, unchanged or in error. An error in
   any of its rows puts the whole household in error — it is never half-imported — while other households go on.
3. **Write** (``commit_household_import`` only, one transaction): new rows inserted and changed rows updated in bulk,
   only the changed fields, each with its change-log row (``ObjectChange``: who, before, after, parent household,
   village code; the rows of creations are built by the database from the rows just inserted). A writer thread
   writes each chunk of 900 households while the main thread compares the next. Nothing is deleted: members missing
   from the file are listed for review. An unchanged file writes nothing at all. After the commit,
   ``registry.signals.households_imported`` names the households created or changed.

``preview_household_import`` stops after step 2 and leaves a parsed snapshot of the file in the data directory, keyed
by the file's content hash; ``commit_household_import`` uses it when the file is byte-for-byte the same (else it reads
the file again) and repeats step 2 inside its transaction, so a commit never trusts a stale preview.

Who acts is set by the caller with ``shoudi.core.context.acting_as`` (the web request, the job runner, or the
``import_households`` command with ``source="cli"``).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import gc
import hashlib
import itertools
import json
import marshal
import os
import queue
import re
import sqlite3
import tempfile
import threading
import time
import unicodedata
import uuid
import weakref
import zipfile
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from operator import call, itemgetter
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.utils import timezone

from shoudi.core.audit import actor_fields
from shoudi.core.context import current_actor
from shoudi.core.masking import mask_id_number
from shoudi.core.models import ObjectChange
from shoudi.core.scope import IMPORT, user_can
from shoudi.core.tabular import FileRejected, cell_text
from shoudi.regions.importing import RowError
from shoudi.regions.models import Region

from . import choices, national
from .idnumbers import IdNumberError, normalize_id_number, validate_id_number
from .models import Household, IncomeRecord, Member
from .pinyin import initials_of
from .signals import households_imported

__all__ = [
    "ALLOWED_EXTENSIONS",
    "FileRejected",
    "HouseholdImportResult",
    "MissingMember",
    "MissingRegion",
    "RowError",
    "VillageCounts",
    "commit_household_import",
    "parse_bool",
    "parse_id_number",
    "parse_money",
    "parse_yearmonth",
    "preview_household_import",
]

ALLOWED_EXTENSIONS = (".xlsx", ".xlsm", ".xls")
HEADER_SEARCH_ROWS = 10
REQUIRED_TARGETS = ("household.household_no", "member.id_number", "member.name", "member.relation",
                    "place.township", "place.village", "household.household_type")
SPLIT_BYTES = 48 * 1024 * 1024  # a sheet whose XML is larger is read in pieces …
CHUNK_BYTES = 32 * 1024 * 1024  # … of about this size
PIECE_WORKERS = 2  # pieces parsed by calamine at the same time
ANALYZE_AFTER = 10_000  # rows inserted by a commit from which PostgreSQL's statistics are refreshed
DB_CHUNK = 900  # households checked and written at a time (SQLite's 999 parameters per IN list)
PROGRESS_EVERY = 5000  # rows between two progress calls
SNAPSHOT_VERSION = 1
SNAPSHOT_MAX_AGE = 24 * 3600
CENT = Decimal("0.01")

NEW, CHANGED, UNCHANGED, ERROR = "new", "changed", "unchanged", "error"
REPORT_COLUMNS = ("原行号", "错误原因")

Progress = Callable[..., None]


# --- Results ------------------------------------------------------------------------------------------------------


@dataclass
class VillageCounts:
    """New / changed / unchanged / error households and members of one village named in the file."""

    township: str
    village: str
    code: str = ""  # "" while the village does not exist
    households: dict[str, int] = field(default_factory=lambda: dict.fromkeys((NEW, CHANGED, UNCHANGED, ERROR), 0))
    members: dict[str, int] = field(default_factory=lambda: dict.fromkeys((NEW, CHANGED, UNCHANGED, ERROR), 0))

    @property
    def name(self) -> str:
        return f"{self.township}{self.village}"

    def add(self, other: VillageCounts) -> None:
        for key in self.households:
            self.households[key] += other.households[key]
            self.members[key] += other.members[key]


@dataclass(frozen=True)
class MissingMember:
    """A member of a household in the file who is absent from it: listed for review, never deleted."""

    household_no: str
    village: str
    name: str  # masked
    id_number: str  # masked
    relation: str
    row: int  # the household's first row in the file


@dataclass(frozen=True)
class MissingRegion:
    """A township or village named in the file that does not exist (yet)."""

    level: str  # 乡镇 / 村
    name: str
    parent: str  # the county's name for a township, the township's for a village
    code: str  # the code it gets (or got) when created
    households: int
    created: bool = False


@dataclass
class HouseholdImportResult:
    """What an import found and did; the same shape for a preview and a commit."""

    file_name: str = ""
    source_path: str = ""
    dry_run: bool = True
    committed: bool = False
    file_error: str = ""  # the file as a whole could not be read
    header_row: int = 0
    rows: int = 0  # data rows
    household_count: int = 0
    income_year: int | None = None
    income_year_source: str = ""  # 参数 / 文件标题 / 默认（上一年）
    export_date: datetime.date | None = None
    villages: dict[tuple[str, str], VillageCounts] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    report_rows: dict[int, str] = field(default_factory=dict)  # Excel row → 错误原因 of every row not imported
    unknown_columns: list[str] = field(default_factory=list)
    missing_members: list[MissingMember] = field(default_factory=list)
    missing_regions: list[MissingRegion] = field(default_factory=list)
    can_create_regions: bool = False
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase: 读取文件, 核对数据库, 核对并写入 …

    @property
    def village_list(self) -> list[VillageCounts]:
        return sorted(self.villages.values(), key=lambda v: (v.code or "999999999999", v.township, v.village))

    @property
    def totals(self) -> VillageCounts:
        total = VillageCounts("", "合计")
        for counts in self.villages.values():
            total.add(counts)
        return total

    @property
    def error_households(self) -> int:
        return self.totals.households[ERROR]

    @property
    def has_errors(self) -> bool:
        return bool(self.file_error or self.errors)

    @property
    def ok(self) -> bool:
        """No error at all: every household of the file is (or would be) imported."""
        return not self.has_errors

    def summary(self) -> str:
        """One line in Chinese, e.g. for the command line and the job log."""
        if self.file_error:
            return f"文件未导入：{self.file_error}"
        t = self.totals
        h, m = t.households, t.members
        parts = [
            f"新增 {h[NEW]} 户 {m[NEW]} 人",
            f"修改 {h[CHANGED]} 户（成员新增或修改 {m[NEW] + m[CHANGED]} 人）" if h[CHANGED] else "修改 0 户",
            f"未变 {h[UNCHANGED]} 户",
            f"错误 {h[ERROR]} 户（{len(self.report_rows)} 行）",
        ]
        line = "，".join(parts)
        if self.missing_members:
            line += f"；{len(self.missing_members)} 名成员不在文件中，请核实（未删除）"
        if self.missing_regions and not all(r.created for r in self.missing_regions):
            line += f"；{sum(1 for r in self.missing_regions if not r.created)} 个乡镇或村在系统中不存在"
        if self.warnings:
            line += f"；提示 {len(self.warnings)} 条"
        if self.unknown_columns:
            line += f"；未识别的列 {len(self.unknown_columns)} 个（已作为附加信息保存）"
        line += f"；收入年度 {self.income_year}" if self.income_year else ""
        if self.committed:
            return line + "（已导入）"
        return line + ("（预览，未写入）" if self.dry_run else "（有错误，未写入任何数据）")

    def as_dict(self, *, limit: int = 200) -> dict:
        """The result as JSON-ready data (for ``Job.result``): counts, the first ``limit`` errors and warnings."""
        def counts(v: VillageCounts) -> dict:
            return {"township": v.township, "village": v.village, "code": v.code, "households": dict(v.households),
                    "members": dict(v.members)}

        def rows(items: list[RowError]) -> list[dict]:
            return [{"row": e.row, "column": e.field, "message": e.message} for e in items[:limit]]

        return {
            "summary": self.summary(), "file_name": self.file_name, "committed": self.committed,
            "dry_run": self.dry_run, "file_error": self.file_error, "header_row": self.header_row, "rows": self.rows,
            "households": self.household_count, "income_year": self.income_year,
            "income_year_source": self.income_year_source,
            "export_date": self.export_date.isoformat() if self.export_date else None,
            "villages": [counts(v) for v in self.village_list], "totals": counts(self.totals),
            "errors": rows(self.errors), "error_count": len(self.errors), "error_rows": len(self.report_rows),
            "warnings": rows(self.warnings), "warning_count": len(self.warnings),
            "unknown_columns": list(self.unknown_columns),
            "missing_members": [vars(m) for m in self.missing_members[:limit]],
            "missing_member_count": len(self.missing_members),
            "missing_regions": [vars(r) for r in self.missing_regions], "can_create_regions": self.can_create_regions,
            "seconds": round(self.seconds, 1), "timings": {k: round(v, 1) for k, v in self.timings.items()},
        }

    def add_error(self, row: int | None, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))
        if row is not None:
            self._reason(row, f"{column}：{message}" if column else message)

    def _reason(self, row: int, reason: str) -> None:
        old = self.report_rows.get(row)
        if old is None or old.startswith("同户"):
            self.report_rows[row] = reason
        elif reason not in old:
            self.report_rows[row] = f"{old}；{reason}"

    def write_error_report(self, path) -> int:
        """Write the rows not imported — each original row with 原行号 and 错误原因 — to an Excel file.

        The report keeps the national layout (title, details, header on row 3), so it can be corrected and imported
        again. The source file must still exist: the original rows are read from it again rather than kept in memory.
        Returns the number of rows written.
        """
        return _write_error_report(self, path)


# --- Cell values --------------------------------------------------------------------------------------------------


class _Bad(ValueError):
    """A cell value that cannot be accepted; the message says why, in Chinese."""


class _Invalid:
    __slots__ = ()

    def __repr__(self) -> str:
        return "INVALID"


INVALID = _Invalid()


def _fold(value) -> str:
    """NFKC (full-width letters, digits and brackets folded) and no whitespace: how coded values are compared."""
    text = cell_text(value)
    if not text:
        return ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.split())


def parse_bool(value) -> bool | None:
    """是/否 and their variants (Y/N, 有/无, √/×, 1/0, true/false); blank → None."""
    if value is True or value is False:
        return value
    key = _fold(value).lower()
    if not key:
        return None
    if key in national.BOOL_TRUE:
        return True
    if key in national.BOOL_FALSE:
        return False
    raise _Bad(f"“{cell_text(value)}”不是有效的是/否值，应填“是”或“否”")


_UNIT_RE = re.compile(r"(个月|月|人|年度|年|个)$")
_INT_RE = re.compile(r"[+-]?\d+(?:\.0*)?")


def _int_parser(low: int, high: int):
    def parse(value) -> int | None:
        if isinstance(value, float):
            if not value.is_integer():
                raise _Bad(f"“{cell_text(value)}”应为整数")
            number = int(value)
        else:
            text = _UNIT_RE.sub("", _fold(value))
            if not text:
                return None
            if not _INT_RE.fullmatch(text):
                raise _Bad(f"“{cell_text(value)}”应为整数")
            number = int(float(text))
        if not low <= number <= high:
            raise _Bad(f"{number} 超出允许范围（{low}–{high}）")
        return number

    return parse


def parse_money(value) -> Decimal | None:
    """An amount in 元 to the cent: numbers, numbers stored as text, thousands separators, a trailing 元."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        amount = Decimal(repr(value))
    else:
        text = _fold(value).replace(",", "").replace("元", "").replace("¥", "")
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise _Bad(f"“{cell_text(value)}”应为金额（数字）") from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e10"):
        raise _Bad(f"“{cell_text(value)}”不是有效的金额")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)  # 四舍五入


_YM_TEXT_RE = re.compile(
    r"(\d{4})[-./年](\d{1,2})(?:月(?:\d{1,2}日?)?|[-./]\d{1,2}(?:日)?)?(?:\d{1,2}:\d{2}(?::\d{2})?)?")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse_yearmonth(value) -> datetime.date | None:
    """A year-month as the first day of its month.

    Accepted: 202305, 2023-05, 2023.05, 2023/5, 2023年5月, 20230512, 2023-05-12, Excel dates and date serials.
    """
    if isinstance(value, datetime.date):
        return datetime.date(value.year, value.month, 1)
    year = month = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
        if number.is_integer() and 190001 <= number <= 210012:
            year, month = divmod(int(number), 100)
        elif number.is_integer() and 19000101 <= number <= 21001231:
            year, month = int(number) // 10000, int(number) // 100 % 100
        elif 1900 <= number < 2101 and not number.is_integer():  # 2023.05 typed as a number; 2023.1 is October
            year, month = int(number), round((number - int(number)) * 100)
        elif 1 <= number < 80000:  # an Excel date serial
            day = _EXCEL_EPOCH + datetime.timedelta(days=int(number))
            year, month = day.year, day.month
    else:
        text = _fold(value)
        if not text:
            return None
        if text.isdigit() and len(text) in (6, 8):
            year, month = int(text[:4]), int(text[4:6])
        elif text.isdigit() and len(text) == 5:
            return parse_yearmonth(int(text))
        else:
            match = _YM_TEXT_RE.fullmatch(text)
            if match:
                year, month = int(match.group(1)), int(match.group(2))
    if year is None or not (1 <= month <= 12 and 1900 <= year <= 2100):
        raise _Bad(f"“{cell_text(value)}”不是有效的年月，应为 202305、2023-05 或 2023年5月 这样的写法")
    return datetime.date(year, month, 1)


_CHECK = "10X98765432"
_BIRTH_OK: dict[tuple[str, datetime.date], bool] = {}


def _birth_ok(digits: str, today: datetime.date) -> bool:
    try:
        born = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return born <= today and born.year >= 1890


def _valid_resident_id(text: str, today: datetime.date) -> bool:
    """The fast path for the usual case: 18 ASCII characters that pass every rule of ``validate_id_number``.

    The GB 11643 weights are 2^(18-i) mod 11, and 13 ≡ 2 (mod 11), so the weighted sum is 2 × the first 17 digits
    read in base 13 — one C call instead of seventeen multiplications.
    """
    if len(text) != 18 or not text.isascii() or not text[:17].isdigit():
        return False
    key = (text[6:14], today)
    ok = _BIRTH_OK.get(key)
    if ok is None:
        ok = _BIRTH_OK[key] = _birth_ok(text[6:14], today)
    return ok and _CHECK[2 * int(text[:17], 13) % 11] == text[17]


def parse_id_number(value, id_type: str = "居民身份证", *, today: datetime.date | None = None) -> str:
    """The normalised 证件号码 (trim, full-width → ASCII, x → X, 15 → 18 digits), validated by GB 11643.

    A 残疾人证 number (the ID number followed by the category and grade digits) is kept as the 18-digit ID number;
    a number of another kind of document is only trimmed and limited to 18 characters.
    """
    today = today or datetime.date.today()
    if not id_type or id_type == "居民身份证":
        if type(value) is str:
            text = value.strip().upper()
            if _valid_resident_id(text, today):
                return text
        try:
            return validate_id_number(value, today=today)
        except IdNumberError as exc:
            raise _Bad(str(exc)) from None
    number = normalize_id_number(value)
    if id_type == "残疾人证":
        if len(number) == 20 and number[18:].isdigit():
            number = number[:18]
        try:
            return validate_id_number(number, today=today)
        except IdNumberError as exc:
            raise _Bad(str(exc)) from None
    if not number:
        raise _Bad("证件号码为空")
    if len(number) > 18:
        raise _Bad(f"证件号码超过 18 个字符（{len(number)} 个）")
    return number


def _text_parser(max_length: int | None, *, squeeze: bool = False, fold: bool = False):
    def parse(value) -> str:
        text = _fold(value) if fold else cell_text(value)
        if squeeze and not fold:
            text = "".join(text.split())
        if max_length and len(text) > max_length:
            raise _Bad(f"“{text[:20]}…”超过 {max_length} 个字")
        return text

    return parse


def _household_no(value) -> str:
    text = _fold(value).lstrip("'")
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if len(text) > 30:
        raise _Bad(f"户编号“{text}”超过 30 个字符")
    return text


def _gender(value) -> str:
    text = _fold(value).removesuffix("性")
    if text in ("", "男", "女"):
        return text
    raise _Bad(f"“{cell_text(value)}”应为“男”或“女”")


def _lookup(values: dict[str, str], aliases: dict[str, str]) -> dict[str, str]:
    table = {_fold(k): v for k, v in aliases.items()}
    table.update({_fold(label): code for code, label in values.items()})
    return table


def _choice_parser(allowed: list[tuple[str, str]], aliases: dict[str, str]):
    """Accept a value, its label (残疾类别 视力 → 1) or an alias; blank → ""."""
    table = _lookup({code: code for code, _label in allowed}, aliases)
    table.update({_fold(label): code for code, label in allowed})
    shown = "、".join(code if code == label else f"{code}{label}" for code, label in allowed)

    def parse(value) -> str:
        key = _fold(value)
        if not key:
            return ""
        try:
            return table[key]
        except KeyError:
            raise _Bad(f"“{cell_text(value)}”不在可选值中（可选：{shown}）") from None

    return parse


_SPLIT_RE = re.compile(r"[,、;/|]+")


def _multichoice_parser(allowed: list[tuple[str, str]], aliases: dict[str, str]):
    single = _choice_parser(allowed, aliases)

    def parse(value) -> str:
        parts = [p for p in _SPLIT_RE.split(_fold(value)) if p]
        result: list[str] = []
        for part in parts:
            item = single(part)
            if item and item not in result:
                result.append(item)
        return ",".join(result)

    return parse


_RISKS = frozenset(national.RISK_TYPES)
_RISK_ALIASES = {_fold(k): v for k, v in national.VALUE_ALIASES["national.risk"].items()}
_DISASTER_RE = re.compile(r"因?(?:自然)?灾害?[(\-—:]?(" + "|".join(national.DISASTER_SUBTYPES) + r")(?:灾害?)?\)?")


def _risk(value) -> str:
    """致贫/返贫风险 from the national list, with or without 因 (务工就业不稳 → 因务工就业不稳), or 因自然灾害(洪涝)."""
    key = _fold(value)
    if not key or key in _RISKS:
        return key
    if key in _RISK_ALIASES:
        return _RISK_ALIASES[key]
    if "因" + key in _RISKS:
        return "因" + key
    match = _DISASTER_RE.fullmatch(key)
    if match:
        return f"因自然灾害({match.group(1)})"
    raise _Bad(f"“{cell_text(value)}”不是有效的致贫/返贫风险（可选：{'、'.join(national.RISK_TYPES)}）")


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


def _converter(column: national.Column) -> Callable:
    """The function turning one raw cell of ``column`` into its value (raising ``_Bad``)."""
    kind, target = column.kind, column.target
    model_field = _model_field(column)
    max_length = getattr(model_field, "max_length", None)
    aliases = national.VALUE_ALIASES.get(target, {})
    if target == "household.household_no":
        return _household_no
    if target == "member.gender":
        return _gender
    if kind == "bool":
        return parse_bool
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
        return _text_parser(max_length, fold=True)
    if kind == "id_number":
        return parse_id_number
    squeeze = column.section == "place" or target == "member.name"
    return _text_parser(max_length, squeeze=squeeze)


class _Cache(dict):
    """raw cell → converted value, computed once per distinct raw value (most columns have few distinct values)."""

    __slots__ = ("convert", "messages")

    def __init__(self, convert: Callable, messages: dict):
        super().__init__()
        self.convert = convert
        self.messages = messages

    def __missing__(self, raw):
        try:
            value = self.convert(raw)
        except _Bad as exc:
            self.messages[raw] = str(exc)
            value = INVALID
        self[raw] = value
        return value


def _safe(convert: Callable, messages: dict) -> Callable:
    def run(raw):
        try:
            return convert(raw)
        except _Bad as exc:
            messages[raw] = str(exc)
            return INVALID

    return run


@dataclass
class _Col:
    """A column of the file that Shoudi knows: where it is, and the converter of its cells."""

    index: int
    column: national.Column
    header: str
    convert: Callable
    messages: dict

    @classmethod
    def make(cls, index: int, column: national.Column, header: str) -> _Col:
        messages: dict = {}
        convert = _converter(column)
        if column.target in UNCACHED or column.kind in ("money", "id_number"):
            run = _safe(convert, messages)
        else:
            run = _Cache(convert, messages).__getitem__
        return cls(index, column, header, run, messages)


def _getter(indices: list[int]) -> Callable[[list], tuple]:
    if not indices:
        return lambda row: ()
    if len(indices) == 1:
        index = indices[0]
        return lambda row: (row[index],)
    return itemgetter(*indices)


# --- Reading the workbook -----------------------------------------------------------------------------------------

_SHEETDATA_RE = re.compile(rb"<(\w+:)?sheetData\b[^>]*?(/?)>")
_DIMENSION_RE = re.compile(rb"<(?:\w+:)?dimension\b[^>]*/>")
_DIMENSION_ROWS_RE = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"[A-Z]+\d+:[A-Z]+(\d+)\"")
_RID_RE = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\s\w+:id=\"([^\"]+)\"")
_REL_RE = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")
_ATTR_RE = re.compile(rb"(\w+)=\"([^\"]*)\"")

_CHUNK_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/styles.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    b"</Types>"
)
_REL_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_CHUNK_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="' + _REL_NS + b'/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)


def _chunk_workbook_xml(date1904: bool) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="' + _REL_NS + b'">'
        + (b'<workbookPr date1904="1"/>' if date1904 else b"")
        + b'<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


def _chunk_workbook_rels(styles: bool, shared: bool) -> bytes:
    rels = [b'<Relationship Id="rId1" Type="' + _REL_NS + b'/worksheet" Target="worksheets/sheet1.xml"/>']
    if styles:
        rels.append(b'<Relationship Id="rId2" Type="' + _REL_NS + b'/styles" Target="styles.xml"/>')
    if shared:
        rels.append(b'<Relationship Id="rId3" Type="' + _REL_NS + b'/sharedStrings" Target="sharedStrings.xml"/>')
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + b"".join(rels) + b"</Relationships>")


def _relationships(data: bytes) -> list[dict[bytes, bytes]]:
    return [dict(_ATTR_RE.findall(m.group(1))) for m in _REL_RE.finditer(data)]


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts = [p for p in (os.path.dirname(base) + "/" + target).split("/") if p and p != "."]
    resolved: list[str] = []
    for part in parts:
        if part == "..":
            if resolved:
                resolved.pop()
        else:
            resolved.append(part)
    return "/".join(resolved)


@dataclass
class _XlsxParts:
    """Where the first sheet of an .xlsx lives, and the parts a piece of it needs to be a workbook of its own."""

    sheet: str
    sheet_size: int
    styles: bytes | None
    shared: bytes | None
    date1904: bool


def _xlsx_parts(book: zipfile.ZipFile) -> _XlsxParts | None:
    names = set(book.namelist())
    try:
        root_rels = _relationships(book.read("_rels/.rels"))
        workbook = next(_resolve("", r[b"Target"].decode()) for r in root_rels
                        if r.get(b"Type", b"").endswith(b"/officeDocument"))
        workbook_xml = book.read(workbook)
        rels_path = _resolve(workbook, "_rels/" + os.path.basename(workbook) + ".rels")
        rels = _relationships(book.read(rels_path))
        first = _RID_RE.search(workbook_xml)
        by_id = {r.get(b"Id"): r for r in rels}
        sheet = _resolve(workbook, by_id[first.group(1)][b"Target"].decode())
    except (KeyError, StopIteration, AttributeError):
        return None
    if sheet not in names:
        return None

    def part(kind: bytes) -> bytes | None:
        for r in rels:
            if r.get(b"Type", b"").endswith(kind):
                path = _resolve(workbook, r[b"Target"].decode())
                return book.read(path) if path in names else None
        return None

    date1904 = bool(re.search(rb"date1904=\"(1|true)\"", workbook_xml))
    return _XlsxParts(sheet, book.getinfo(sheet).file_size, part(b"/styles"), part(b"/sharedStrings"), date1904)


class _PieceWriter:
    """One piece of a large sheet, written straight into a small stored (uncompressed) .xlsx that calamine opens."""

    def __init__(self, path: Path, parts: _XlsxParts, prefix: bytes):
        self.path = path
        self.book = zipfile.ZipFile(path, "w", zipfile.ZIP_STORED)
        self.book.writestr("[Content_Types].xml", _CHUNK_CONTENT_TYPES)
        self.book.writestr("_rels/.rels", _CHUNK_ROOT_RELS)
        self.book.writestr("xl/workbook.xml", _chunk_workbook_xml(parts.date1904))
        self.book.writestr("xl/_rels/workbook.xml.rels",
                           _chunk_workbook_rels(parts.styles is not None, parts.shared is not None))
        if parts.styles is not None:
            self.book.writestr("xl/styles.xml", parts.styles)
        if parts.shared is not None:
            self.book.writestr("xl/sharedStrings.xml", parts.shared)
        self.sheet = self.book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.sheet.write(prefix)
        self.size = 0

    def write(self, data) -> None:
        self.sheet.write(data)
        self.size += len(data)

    def close(self, suffix: bytes) -> Path:
        self.sheet.write(suffix)
        self.sheet.close()
        self.book.close()
        return self.path


def _sheet_pieces(book: zipfile.ZipFile, parts: _XlsxParts, folder: Path) -> Iterator[Path]:
    """Cut the sheet into stored workbooks of about ``CHUNK_BYTES`` of XML each, at row boundaries.

    The inflated XML is written once, straight into the pieces (no joining or slicing of large byte strings: on this
    kind of machine every extra copy of a 30 MB block costs ~40 ms). Each piece repeats the sheet's start (columns,
    views) without its ``<dimension>``, and keeps the original ``r`` attributes, so row numbers stay as in Excel.
    """
    with book.open(parts.sheet) as stream:
        head = b""
        while True:
            block = stream.read(1 << 20)
            head += block
            match = _SHEETDATA_RE.search(head)
            if match or not block:
                break
        number = 0

        def piece(prefix: bytes) -> _PieceWriter:
            nonlocal number
            number += 1
            return _PieceWriter(folder / f"piece-{number}.xlsx", parts, prefix)

        if not match or match.group(2):  # no rows at all: the sheet as it is
            only = piece(head)
            yield only.close(b"")
            return
        ns = match.group(1) or b""
        prefix = _DIMENSION_RE.sub(b"", head[:match.end()])
        row_close, data_close = b"</" + ns + b"row>", b"</" + ns + b"sheetData>"
        suffix = data_close + b"</" + ns + b"worksheet>"
        current = piece(prefix)
        carry = b""  # the start of a row not finished in the previous block
        block = head[match.end():]
        while True:
            seam = carry + block[:len(data_close)]
            end = seam.find(data_close)
            if end >= 0:
                current.write(seam[:end])
                yield current.close(suffix)
                return
            end = block.find(data_close)
            if end >= 0:
                current.write(carry)
                current.write(memoryview(block)[:end])
                yield current.close(suffix)
                return
            last = block.rfind(row_close)
            if last < 0:
                carry += block
            else:
                last += len(row_close)
                current.write(carry)
                current.write(memoryview(block)[:last])
                carry = block[last:]
                if current.size >= CHUNK_BYTES:
                    yield current.close(suffix)
                    current = piece(prefix)
            block = stream.read(4 << 20)
            if not block:
                raise FileRejected("Excel 文件不完整（工作表数据没有结尾），可能已损坏")


def _piece_sheets(book: zipfile.ZipFile, parts: _XlsxParts) -> Iterator:
    """The loaded calamine sheet of each piece; the piece files live only until calamine has read them."""
    from python_calamine import CalamineWorkbook

    def load(path: Path):
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)  # without the GIL
        path.unlink()
        return sheet

    scratch = Path(settings.DATA_DIR) / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    # two pieces parsed at a time, handed out in order: calamine runs while the GIL is busy elsewhere
    with tempfile.TemporaryDirectory(prefix="household-import-", dir=scratch) as folder, \
            ThreadPoolExecutor(PIECE_WORKERS, thread_name_prefix="household-import-calamine") as pool:
        loading: deque = deque()
        for path in _sheet_pieces(book, parts, Path(folder)):
            loading.append(pool.submit(load, path))
            if len(loading) >= PIECE_WORKERS:
                yield loading.popleft().result()
        while loading:
            yield loading.popleft().result()


_DONE = object()


def _in_background(produce: Callable[[], Iterator], size: int = 1) -> Iterator:
    """Run ``produce`` on a reader thread, ``size`` items ahead of the consumer (calamine releases the GIL)."""
    items: queue.Queue = queue.Queue(size)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def work() -> None:
        try:
            for item in produce():
                if not put(item):
                    return
            put(_DONE)
        except BaseException as exc:  # handed to the consumer, who raises it
            put(exc)

    thread = threading.Thread(target=work, name="household-import-reader", daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


def _sheet_rows(sheet) -> Iterator[tuple[int, list]]:
    """(Excel row number, values) from the sheet's first non-empty row; column A is always index 0.

    ``to_python(skip_empty_area=True)`` rather than ``iter_rows()``: the latter pads from row 1, which for the pieces
    of a large sheet would mean every row above the piece again. Rows are released as they are handed out.
    """
    start = sheet.start
    if start is None:
        return
    number, first_col = start
    pad = [""] * first_col
    rows = sheet.to_python(skip_empty_area=True)
    del sheet
    for index in range(len(rows)):
        values = rows[index]
        rows[index] = None
        number += 1
        yield number, (pad + values if first_col else values)


def _read_error(exc: Exception) -> FileRejected:
    if type(exc).__name__ == "PasswordError":
        return FileRejected("Excel 文件有密码保护，请去掉密码后再导入")
    return FileRejected("无法读取 Excel 文件，文件可能已损坏或不是 Excel 格式")


def _open_rows(path: Path) -> tuple[Iterator[tuple[int, list]], int | None]:
    """(Excel row number, cell values) of the first sheet, and the number of rows if the file says so."""
    from python_calamine import CalamineWorkbook

    if path.suffix.lower() not in ALLOWED_EXTENSIONS:
        raise FileRejected("只支持 Excel 文件（.xlsx、.xls）")
    try:
        with path.open("rb") as handle:
            magic = handle.read(8)
    except OSError as exc:
        raise FileRejected(f"无法打开文件 {path.name}") from exc
    if not magic:
        raise FileRejected("文件是空的")
    if magic[:4] == b"PK\x03\x04":
        try:
            book = zipfile.ZipFile(path)
            parts = _xlsx_parts(book)
        except (zipfile.BadZipFile, OSError) as exc:
            raise FileRejected("无法读取 Excel 文件，文件可能已损坏") from exc
        if parts is not None and parts.sheet_size > SPLIT_BYTES:
            with book.open(parts.sheet) as stream:
                found = _DIMENSION_ROWS_RE.search(stream.read(1 << 16))
            total = int(found.group(1)) if found else None

            def rows() -> Iterator[tuple[int, list]]:
                try:
                    for sheet in _in_background(lambda: _piece_sheets(book, parts)):
                        yield from _sheet_rows(sheet)
                except FileRejected:
                    raise
                except Exception as exc:
                    raise _read_error(exc) from exc
                finally:
                    book.close()

            return rows(), total
        book.close()
    elif magic != b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRejected("文件内容不是 Excel 格式")
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    except Exception as exc:
        raise _read_error(exc) from exc
    total = sheet.end[0] + 1 if sheet.end is not None else 0
    return _sheet_rows(sheet), total


# --- Parsing the file ---------------------------------------------------------------------------------------------

_DATE_RE = re.compile(r"(20\d{2}|19\d{2})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})\s*日?")
_YEAR_OF_RE = re.compile(r"(20\d{2})\s*年度")
_INCOME_YEAR_RE = re.compile(r"(?:收入年度|年度)\s*[:：]?\s*(20\d{2})")
_YEAR_RE = re.compile(r"(20\d{2})\s*年")


class _ParsedHousehold:
    __slots__ = ("error", "first_row", "members", "no", "raw_hash", "rows", "values")

    def __init__(self, no: str, first_row: int, raw_hash: int, values: tuple):
        self.no = no
        self.first_row = first_row
        self.raw_hash = raw_hash
        self.values = values  # aligned with _ParsedFile.household_cols
        self.rows: list[int] = [first_row]
        self.members: list[tuple] = []  # (row, id_number, name, values aligned with member_cols, extra or None)
        self.error = False


@dataclass
class _ParsedFile:
    """Everything read from the file, before the database is consulted. Pickled between preview and commit."""

    version: int
    digest: str
    file_name: str
    header_row: int
    headers: list[str]
    household_cols: list[tuple[str, str]]  # (target, header)
    member_cols: list[tuple[str, str]]
    unknown_columns: list[str]
    title_text: str
    export_date: datetime.date | None
    income_year: int | None
    rows: int
    households: dict[str, _ParsedHousehold]
    errors: list[RowError]
    warnings: list[RowError]
    report_rows: dict[int, str]


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while building or loading large acyclic structures."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _file_digest(path: Path) -> str:
    digest = hashlib.blake2b(digest_size=20)
    with path.open("rb") as handle:
        while block := handle.read(8 << 20):
            digest.update(block)
    return digest.hexdigest()


def _title_facts(lines: list[list]) -> tuple[str, datetime.date | None, int | None]:
    texts, export_date = [], None
    for row in lines:
        for value in row:
            if isinstance(value, datetime.date) and export_date is None:
                export_date = value if not isinstance(value, datetime.datetime) else value.date()
            text = cell_text(value)
            if text:
                texts.append(text)
    title = " ".join(texts)
    folded = unicodedata.normalize("NFKC", title)
    if export_date is None:
        for match in _DATE_RE.finditer(folded):
            try:
                export_date = datetime.date(*(int(g) for g in match.groups()))
                break
            except ValueError:
                continue
    year = None
    without_dates = _DATE_RE.sub(" ", folded)
    for pattern in (_YEAR_OF_RE, _INCOME_YEAR_RE, _YEAR_RE):
        match = pattern.search(without_dates)
        if match:
            year = int(match.group(1))
            break
    return title, export_date, year


def _find_header(rows: list[tuple[int, list]]) -> tuple[int, list] | None:
    aliases = national.alias_map()
    for index, (_number, values) in enumerate(rows):
        targets = {aliases[h].target for h in (national.normalize_header(cell_text(v)) for v in values) if h in aliases}
        if "household.household_no" in targets and "member.id_number" in targets:
            return index, values
    return None


def _parse_file(path: Path, *, progress: Progress | None) -> _ParsedFile:
    """Read and convert every row; group the rows by 户编号. Raises ``FileRejected``."""
    # Hundreds of thousands of new tuples that all live until the end: the cyclic GC would only walk them again
    # and again (none of them forms a cycle).
    with _gc_paused():
        return _parse(path, progress)


def _parse(path: Path, progress: Progress | None) -> _ParsedFile:
    digest = _file_digest(path)
    rows, total = _open_rows(path)
    head: list[tuple[int, list]] = []
    for item in rows:
        head.append(item)
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    found = _find_header(head)
    if found is None:
        raise FileRejected(f"未找到表头：前 {HEADER_SEARCH_ROWS} 行中应有“户编号”和“证件号码”等列")
    header_index, header_values = found
    header_row = head[header_index][0]
    title, export_date, income_year = _title_facts([values for _n, values in head[:header_index]])

    aliases = national.alias_map()
    cols: dict[str, _Col] = {}
    unknown: list[tuple[int, str]] = []
    warnings: list[RowError] = []
    headers = [cell_text(v) for v in header_values]
    for index, text in enumerate(headers):
        key = national.normalize_header(text)
        if not key or key in national.IGNORED_HEADERS:
            continue
        column = aliases.get(key)
        if column is None:
            unknown.append((index, text))
        elif column.target in cols:
            warnings.append(RowError(header_row, text, f"与“{cols[column.target].header}”列重复，已忽略此列"))
        else:
            cols[column.target] = _Col.make(index, column, text)
    missing = [next(c.header for c in national.COLUMNS if c.target == t) for t in REQUIRED_TARGETS if t not in cols]
    if missing:
        raise FileRejected("缺少必需的列：" + "、".join(f"“{h}”" for h in missing))

    width = len(headers)
    household_cols = [c for c in cols.values() if c.column.section in ("place", "household", "national", "income")
                      and c.column.target != "household.household_no"]
    member_cols = [c for c in cols.values() if c.column.section == "member"
                   and c.column.target not in ("member.id_number", "member.name")]
    no_col, id_col, name_col = cols["household.household_no"], cols["member.id_number"], cols["member.name"]
    get_household = _getter([c.index for c in household_cols])
    get_member = _getter([c.index for c in member_cols])
    household_convs = [c.convert for c in household_cols]
    member_convs = [c.convert for c in member_cols]
    place_positions = [i for i, c in enumerate(household_cols) if c.column.section == "place"]
    id_type_position = next((i for i, c in enumerate(member_cols) if c.column.target == "member.id_type"), None)
    relation_position = next(i for i, c in enumerate(member_cols) if c.column.target == "member.relation")
    type_position = next(i for i, c in enumerate(household_cols) if c.column.target == "household.household_type")
    unknown_getter = _getter([i for i, _h in unknown])
    unknown_headers = [h for _i, h in unknown]

    households: dict[str, _ParsedHousehold] = {}
    seen_ids: dict[str, tuple[str, int]] = {}
    errors: list[RowError] = []
    report: dict[int, str] = {}
    today = datetime.date.today()

    def error(row: int, column: str, message: str) -> None:
        errors.append(RowError(row, column, message))
        reason = f"{column}：{message}" if column else message
        report[row] = f"{report[row]}；{reason}" if row in report else reason

    def bad_cells(row: int, group: list[_Col], raws: tuple, values: tuple) -> None:
        for col, raw, value in zip(group, raws, values, strict=True):
            if value is INVALID:
                error(row, col.header, col.messages.get(raw, "值无效"))

    def row_items() -> Iterator[tuple[int, list]]:
        yield from head[header_index + 1:]
        yield from rows

    count = 0
    for number, values in row_items():
        if len(values) < width:
            values = values + [""] * (width - len(values))
        raw_no = values[no_col.index]
        no = no_col.convert(raw_no)
        if not no:
            if no is INVALID:
                error(number, no_col.header, no_col.messages.get(raw_no, "值无效"))
            elif any(v not in ("", None) for v in values):
                error(number, no_col.header, "户编号为空")
            else:
                continue  # a blank line
            count += 1
            continue
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count, total and max(total - header_row, count), "读取文件")

        raw_household = get_household(values)
        household = households.get(no)
        if household is None:
            parsed = tuple(map(call, household_convs, raw_household))
            household = households[no] = _ParsedHousehold(no, number, hash(raw_household), parsed)
            if INVALID in parsed:
                bad_cells(number, household_cols, raw_household, parsed)
                household.error = True
            if parsed[type_position] == "":
                error(number, cols["household.household_type"].header, "户类型不能为空")
                household.error = True
        else:
            household.rows.append(number)
            if hash(raw_household) != household.raw_hash:
                parsed = tuple(map(call, household_convs, raw_household))
                differing = [i for i, (a, b) in enumerate(zip(parsed, household.values, strict=True)) if a != b]
                for i in differing:
                    col = household_cols[i]
                    if i in place_positions:
                        first = f"第 {household.first_row} 行为“{household.values[i]}”"
                        error(number, col.header, f"同一户编号的各行{col.header}不一致（{first}）")
                        household.error = True
                    elif parsed[i] is not INVALID:
                        warnings.append(RowError(number, col.header,
                                                 f"与本户第 {household.first_row} 行不一致，以第 {household.first_row} "
                                                 "行为准"))
                if INVALID in parsed:
                    bad_cells(number, household_cols, raw_household, parsed)
                    household.error = True

        raw_member = get_member(values)
        member = tuple(map(call, member_convs, raw_member))
        row_ok = True
        if INVALID in member:
            bad_cells(number, member_cols, raw_member, member)
            row_ok = False
        if member[relation_position] == "":
            error(number, member_cols[relation_position].header, "与户主关系不能为空")
            row_ok = False
        name = name_col.convert(values[name_col.index])
        if name is INVALID or not name:
            error(number, name_col.header, name_col.messages.get(values[name_col.index], "姓名不能为空")
                  if name is INVALID else "姓名不能为空")
            row_ok = False
        id_type = member[id_type_position] if id_type_position is not None else ""
        raw_id = values[id_col.index]
        try:
            id_number = parse_id_number(raw_id, id_type if id_type is not INVALID else "", today=today)
        except _Bad as exc:
            error(number, id_col.header, f"{exc}（“{cell_text(raw_id)}”）" if cell_text(raw_id) else str(exc))
            id_number, row_ok = "", False
        if id_number:
            first = seen_ids.get(id_number)
            if first is None:
                seen_ids[id_number] = (no, number)
            else:
                where = "本户" if first[0] == no else f"户编号 {first[0]}"
                error(number, id_col.header, f"证件号码与第 {first[1]} 行（{where}）重复")
                row_ok = False
        extra = None
        if unknown:
            extra = {h: t for h, v in zip(unknown_headers, unknown_getter(values), strict=True)
                     if (t := cell_text(v))} or None
        household.members.append((number, id_number, name, member, extra))
        if not row_ok:
            household.error = True
    if progress is not None:
        progress(count, count, "读取文件")

    # A household with an error anywhere is reported whole: its other rows say why they were not imported either.
    for household in households.values():
        if household.error:
            first_bad = min((r for r in household.rows if r in report), default=household.first_row)
            for row in household.rows:
                report.setdefault(row, f"同户其他行有错误（见第 {first_bad} 行），本户未导入")
            # INVALID markers have served: plain values only, for the snapshot
            household.values = tuple(None if v is INVALID else v for v in household.values)
            household.members = [
                (row, id_number, None if name is INVALID else name, tuple(None if v is INVALID else v for v in values),
                 extra) for row, id_number, name, values, extra in household.members]

    return _ParsedFile(
        version=SNAPSHOT_VERSION, digest=digest, file_name=path.name, header_row=header_row, headers=headers,
        household_cols=[(c.column.target, c.header) for c in household_cols],
        member_cols=[(c.column.target, c.header) for c in member_cols],
        unknown_columns=unknown_headers, title_text=title, export_date=export_date, income_year=income_year,
        rows=count, households=households, errors=errors, warnings=warnings, report_rows=report,
    )


# --- Snapshots between preview and commit -------------------------------------------------------------------------


def _snapshot_dir() -> Path:
    return Path(settings.DATA_DIR) / "cache" / "household-import"


def _snapshot_path(digest: str) -> Path:
    return _snapshot_dir() / f"{digest}.snapshot"


def _plain_snapshot(parsed: _ParsedFile) -> tuple:
    return (
        SNAPSHOT_VERSION, parsed.digest, parsed.file_name, parsed.header_row, parsed.headers, parsed.household_cols,
        parsed.member_cols, parsed.unknown_columns, parsed.title_text,
        parsed.export_date.isoformat() if parsed.export_date else None, parsed.income_year, parsed.rows,
        [(h.no, h.first_row, h.raw_hash, h.values, h.rows, h.members, h.error) for h in parsed.households.values()],
        [(e.row, e.field, e.message) for e in parsed.errors], [(e.row, e.field, e.message) for e in parsed.warnings],
        parsed.report_rows,
    )


def _from_snapshot(plain: tuple) -> _ParsedFile:
    (version, digest, file_name, header_row, headers, household_cols, member_cols, unknown, title, export_date,
     income_year, rows, households, errors, warnings, report) = plain
    parsed = {}
    for no, first_row, raw_hash, values, household_rows, members, error in households:
        household = parsed[no] = _ParsedHousehold(no, first_row, raw_hash, values)
        household.rows, household.members, household.error = household_rows, members, error
    return _ParsedFile(
        version=version, digest=digest, file_name=file_name, header_row=header_row, headers=headers,
        household_cols=[tuple(c) for c in household_cols], member_cols=[tuple(c) for c in member_cols],
        unknown_columns=unknown, title_text=title,
        export_date=datetime.date.fromisoformat(export_date) if export_date else None, income_year=income_year,
        rows=rows, households=parsed, errors=[RowError(*e) for e in errors], warnings=[RowError(*e) for e in warnings],
        report_rows=report,
    )


def _save_snapshot(parsed: _ParsedFile) -> None:
    """Keep the parse for the commit: plain values only, written with marshal (several times faster than pickle)."""
    folder = _snapshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in folder.glob("*.snapshot"):
        with contextlib.suppress(OSError):
            if now - old.stat().st_mtime > SNAPSHOT_MAX_AGE:
                old.unlink()
    target = _snapshot_path(parsed.digest)
    temporary = target.with_suffix(f".{os.getpid()}.tmp")
    with _gc_paused():
        data = marshal.dumps(_plain_snapshot(parsed), 4)
    with temporary.open("wb") as handle:
        handle.write(data)
    temporary.chmod(0o600)
    temporary.replace(target)


def _load_snapshot(path: Path) -> _ParsedFile | None:
    """The preview's parse of this very file (same content hash), or None."""
    try:
        digest = _file_digest(path)
        snapshot = _snapshot_path(digest)
        if not snapshot.exists():
            return None
        with _gc_paused():
            # our own file in the data directory, named by the content hash of the file; marshal holds no code
            parsed = _from_snapshot(marshal.loads(snapshot.read_bytes()))  # noqa: S302
    except Exception:
        return None
    if parsed.version != SNAPSHOT_VERSION or parsed.digest != digest:
        return None
    parsed.file_name = path.name
    return parsed


def _drop_snapshot(digest: str) -> None:
    with contextlib.suppress(OSError):
        _snapshot_path(digest).unlink()


# --- Places and scope ---------------------------------------------------------------------------------------------


def _next_code(parent_code: str, taken: set[str]) -> str:
    length = len(parent_code) + 3
    used = [int(c[len(parent_code):]) for c in taken if len(c) == length and c.startswith(parent_code)]
    number = max(used, default=0) + 1
    if number > 999:
        raise _Bad(f"区划 {parent_code} 下已没有可用的代码")
    code = f"{parent_code}{number:03d}"
    taken.add(code)
    return code


@dataclass
class _Place:
    """How one (县, 乡, 村) of the file resolves."""

    village: Region | None = None
    error: str = ""
    column: str = ""
    township_name: str = ""
    village_name: str = ""
    new_township: str = ""  # the code a missing township gets
    new_village: str = ""


class _Places:
    """Matches the file's place names to regions: the county of the user (or by name), then 乡 and 村 by name."""

    def __init__(self, user, result: HouseholdImportResult, headers: dict[str, str], *, create: bool,
                 requested: bool):
        self.user = user
        self.result = result
        self.headers = headers
        self.create = create
        self.denied = "（您无权新建乡镇或村，请联系县级管理员）" if requested and not create else ""
        self.places: dict[tuple, _Place] = {}
        self.counties = list(Region.objects.filter(level="county").order_by("code"))
        self.user_county = None
        region = getattr(user, "region", None) if user is not None and getattr(user, "region_id", None) else None
        if region is not None:
            self.user_county = next((c for c in self.counties if c.code == region.code[:6]), None)
        self.children: dict[int, dict[str, Region]] = {}
        self.taken = set(Region.objects.values_list("code", flat=True))
        self.new_townships: dict[tuple[int, str], str] = {}
        self.new_villages: dict[tuple[str, str], str] = {}
        self.warned_counties: set[str] = set()

    def _children(self, region: Region) -> dict[str, Region]:
        if region.pk not in self.children:
            self.children[region.pk] = {"".join(r.name.split()): r for r in region.children.order_by("code")}
        return self.children[region.pk]

    def county(self, name: str, row: int) -> tuple[Region | None, str]:
        if self.user_county is not None:
            if name and name != "".join(self.user_county.name.split()):
                return None, f"县“{name}”不是您所在的县（{self.user_county.name}）"
            return self.user_county, ""
        matches = [c for c in self.counties if "".join(c.name.split()) == name] if name else []
        if len(matches) == 1:
            return matches[0], ""
        if len(matches) > 1:
            return None, f"系统中有多个名为“{name}”的县，无法确定"
        if len(self.counties) == 1:
            county = self.counties[0]
            if name and name not in self.warned_counties:
                self.warned_counties.add(name)
                self.result.warnings.append(RowError(row, self.headers.get("place.county", "县"),
                                                     f"文件中的县“{name}”与系统中的县“{county.name}”名称不同，"
                                                     f"按“{county.name}”导入"))
            return county, ""
        if not name:
            return None, "未填写县，系统中有多个县，无法确定"
        return None, f"县“{name}”在系统中不存在"

    def resolve(self, key: tuple[str, str, str], row: int) -> _Place:
        place = self.places.get(key)
        if place is not None:
            return place
        county_name, township_name, village_name = key
        place = self.places[key] = _Place(township_name=township_name, village_name=village_name)
        if not township_name:
            place.error, place.column = "乡镇不能为空", self.headers.get("place.township", "乡")
            return place
        if not village_name:
            place.error, place.column = "村不能为空", self.headers.get("place.village", "村")
            return place
        county, message = self.county(county_name, row)
        if county is None:
            place.error, place.column = message, self.headers.get("place.county", "县")
            return place
        township = self._children(county).get(township_name)
        if township is None:
            place.new_township = self.new_townships.get((county.pk, township_name)) or ""
            if not place.new_township:
                try:
                    place.new_township = _next_code(county.code, self.taken)
                except _Bad as exc:
                    place.error, place.column = str(exc), self.headers.get("place.township", "乡")
                    return place
                self.new_townships[(county.pk, township_name)] = place.new_township
            place.new_village = self.new_villages.get((place.new_township, village_name)) or ""
            if not place.new_village:
                place.new_village = _next_code(place.new_township, self.taken)
                self.new_villages[(place.new_township, village_name)] = place.new_village
            if not self.create:
                place.error = f"乡镇“{township_name}”在系统中不存在{self.denied}"
                place.column = self.headers.get("place.township", "乡")
            return place
        village = self._children(township).get(village_name)
        if village is None:
            place.new_village = self.new_villages.get((township.code, village_name)) or ""
            if not place.new_village:
                try:
                    place.new_village = _next_code(township.code, self.taken)
                except _Bad as exc:
                    place.error, place.column = str(exc), self.headers.get("place.village", "村")
                    return place
                self.new_villages[(township.code, village_name)] = place.new_village
            if not self.create:
                place.error = f"村“{village_name}”在系统中不存在（{township.name}）{self.denied}"
                place.column = self.headers.get("place.village", "村")
            return place
        place.village = village
        return place

    def missing(self, households_per_place: dict[tuple, int], created: bool) -> list[MissingRegion]:
        regions: dict[str, MissingRegion] = {}
        for key, place in self.places.items():
            count = households_per_place.get(key, 0)
            county_name = self.user_county.name if self.user_county is not None else key[0]
            if place.new_township:
                old = regions.get(place.new_township)
                regions[place.new_township] = MissingRegion("乡镇", place.township_name, county_name,
                                                            place.new_township, (old.households if old else 0) + count,
                                                            created)
            if place.new_village:
                old = regions.get(place.new_village)
                regions[place.new_village] = MissingRegion("村", place.village_name, place.township_name,
                                                           place.new_village, (old.households if old else 0) + count,
                                                           created)
        return [regions[code] for code in sorted(regions)]

    def create_regions(self) -> None:
        """Create the missing townships and villages (ordinary saves, so the change log records them)."""
        by_code = {}
        for place in self.places.values():
            if place.error or place.village is not None:
                continue
            if place.new_township and place.new_township not in by_code:
                county = Region.objects.get(code=place.new_township[:6])
                township = Region(code=place.new_township, name=place.township_name, parent=county)
                township.save()
                by_code[place.new_township] = township
            if place.new_village not in by_code:
                parent = by_code.get(place.new_village[:9]) or Region.objects.get(code=place.new_village[:9])
                village = Region(code=place.new_village, name=place.village_name, parent=parent)
                village.save()
                by_code[place.new_village] = village
            place.village = by_code[place.new_village]


class _Scope:
    """Which villages the user may import into (None = everything: the command line)."""

    def __init__(self, user):
        self.user = user
        self.allowed: dict[int, bool] = {}

    def check(self, village_ids) -> None:
        if self.user is None:
            return
        unknown = [pk for pk in set(village_ids) if pk not in self.allowed]
        for start in range(0, len(unknown), DB_CHUNK):
            part = unknown[start:start + DB_CHUNK]
            ok = set(Region.objects.restrict(self.user, "view").filter(pk__in=part).values_list("pk", flat=True))
            self.allowed.update({pk: pk in ok for pk in part})

    def allows(self, village_id: int) -> bool:
        if self.user is None:
            return True
        if village_id not in self.allowed:
            self.check([village_id])
        return self.allowed[village_id]


# --- Writing in bulk ----------------------------------------------------------------------------------------------


def _json_default(value):
    # what ChangeLoggedModel.audit_data() writes for these types (shoudi.core.models._plain)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"不能写入 JSON 的值：{value!r}")


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default).encode


class _JsonText(str):
    """A value already serialised to JSON text."""

    __slots__ = ()


def _loaded(value):
    """A JSON value prepared for the database (text, or psycopg's Jsonb around text) back as Python."""
    value = getattr(value, "obj", value)
    return json.loads(value) if isinstance(value, str) else value


def _audit(model_fields: list[tuple[str, str]], values: dict) -> _JsonText:
    """The ``ChangeLoggedModel.audit_data()`` of a row given as attname → value, serialised once (C encoder)."""
    return _JsonText(_dumps({name: values[attname] for name, attname in model_fields}))


class _Table:
    """Raw bulk INSERT/UPDATE of one model's rows with one prepared statement (``executemany``).

    ``bulk_create`` is held back by SQLite's 999 parameters per statement (≈ 20 member rows per INSERT) and by
    building a model instance per row; this is several times faster on SQLite and PostgreSQL alike. Values are
    passed as Django would: JSON as text (``jsonb`` on PostgreSQL), datetimes and UUIDs through the field.
    """

    def __init__(self, model: type[models.Model]):
        self.db = connections[DEFAULT_DB_ALIAS]
        self.model = model
        self.table = model._meta.db_table
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.attnames = [f.attname for f in self.fields]
        self.position = {name: i for i, name in enumerate(self.attnames)}
        self.by_attname = {f.attname: f for f in model._meta.concrete_fields}
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.json = {f.attname for f in model._meta.concrete_fields if isinstance(f, models.JSONField)}
        self.once = {f.attname: f for f in model._meta.concrete_fields
                     if isinstance(f, models.DateTimeField | models.UUIDField)}
        self.prepared: dict[tuple[str, int], object] = {}
        if self.db.vendor == "postgresql":
            from psycopg.types.json import Jsonb

            self.json_param = lambda text: Jsonb(text, dumps=str)
        else:
            self.json_param = str

    def _patchers(self, attnames: list[str]) -> list[tuple[int, Callable]]:
        patch = []
        for position, name in enumerate(attnames):
            if name in self.json:
                patch.append((position, self._json))
            elif name in self.once:
                patch.append((position, lambda value, f=self.once[name]: self._once(f, value)))
        return patch

    def _json(self, value):
        if value is None:
            return None
        return self.json_param(value if type(value) is _JsonText else _dumps(value))

    def json_value(self, value):
        """A JSON value ready for the database (for rows inserted with ``prepared=True``)."""
        return self._json(value)

    def prepared_value(self, attname: str, value):
        """A datetime or UUID ready for the database (for rows inserted with ``prepared=True``)."""
        return self._once(self.once[attname], value)

    def _once(self, f: models.Field, value):
        # the same datetime (or UUID) object on every row of an import: converted once
        key = (f.attname, id(value))
        if key not in self.prepared:
            self.prepared[key] = (value, f.get_db_prep_save(value, self.db))
        return self.prepared[key][1]

    def _params(self, attnames: list[str], rows: list[dict], prepared: bool = False) -> list:
        getter = itemgetter(*attnames)
        if prepared:  # JSON, datetimes and UUIDs are in their database form already
            return list(map(getter, rows))
        patchers = self._patchers(attnames)
        params = []
        for row in rows:
            values = list(getter(row))
            for position, patch in patchers:
                values[position] = patch(values[position])
            params.append(values)
        return params

    def _reserve(self, cursor, count: int) -> list[int] | None:
        if self.db.vendor != "postgresql":
            return None
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [self.db.ops.quote_name(self.table), count])
        return [r[0] for r in cursor.fetchall()]

    def insert(self, rows: list, *, want_ids: bool = True, prepared: bool = False) -> list[int]:
        """Insert ``rows`` and return their ids, in order (dict rows also get their ``"id"``).

        A row is a dict (attname → value; missing fields get their defaults) or, with ``prepared``, a list of the
        values of ``self.attnames`` in that order. ``prepared``: the JSON, datetime and UUID values went through
        ``json_value`` / ``prepared_value`` already.
        """
        if not rows:
            return []
        qn = self.db.ops.quote_name
        attnames = list(self.attnames)
        positional = not isinstance(rows[0], dict)
        if not positional:
            missing = [a for a in attnames if a not in rows[0]]
            for row in rows if missing else ():
                for name in missing:
                    row.setdefault(name, self.defaults[name])
        with self.db.cursor() as cursor:
            ids = self._reserve(cursor, len(rows)) if want_ids else None
            if positional:
                params = rows if ids is None else [[pk, *row] for pk, row in zip(ids, rows, strict=True)]
            else:
                if ids is not None:
                    for row, pk in zip(rows, ids, strict=True):
                        row["id"] = pk
                params = self._params(["id", *attnames] if ids is not None else attnames, rows, prepared)
            if ids is not None:
                attnames = ["id", *attnames]
            columns = ", ".join(qn(self.by_attname[a].column) for a in attnames)
            if self.db.vendor == "postgresql":
                # COPY: Django's psycopg cursors bind on the client, so executemany would send (and PostgreSQL
                # parse) one INSERT per row
                with cursor.cursor.copy(f"COPY {qn(self.table)} ({columns}) FROM STDIN") as copy:
                    for values in params:
                        copy.write_row(values)
            else:
                self._insert_sqlite(cursor, columns, len(attnames), params)
            if ids is None and want_ids:
                # SQLite: the rows inserted here got consecutive ids; the write lock is held until the commit.
                cursor.execute("SELECT last_insert_rowid()")
                last = cursor.fetchone()[0]
                ids = list(range(last - len(rows) + 1, last + 1))
                if not positional:
                    for row, pk in zip(rows, ids, strict=True):
                        row["id"] = pk
        return ids or []

    def _insert_sqlite(self, cursor, columns: str, width: int, params: list) -> None:
        """Multi-row INSERTs straight to sqlite3 (qmark style, up to 500 rows a statement).

        executemany would step — and release and take back the GIL — once per row; with the main thread busy
        comparing the next chunk, every taking back waits for Python's switch interval (5 ms).
        """
        raw = cursor.cursor
        limit = self.db.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        per = max(1, min(500, limit // width))
        row = "(" + ", ".join(["?"] * width) + ")"
        head = f"INSERT INTO {self.db.ops.quote_name(self.table)} ({columns}) VALUES "  # noqa: S608 - model names
        with self.db.wrap_database_errors:
            for start in range(0, len(params), per):
                part = params[start:start + per]
                sqlite3.Cursor.execute(raw, head + ", ".join([row] * len(part)),
                                       list(itertools.chain.from_iterable(part)))

    def update(self, changes: list[tuple[int, dict]]) -> None:
        """``changes``: (id, {attname: new value}); rows changing the same fields share one statement."""
        groups: dict[tuple[str, ...], list[dict]] = defaultdict(list)
        for pk, values in changes:
            groups[tuple(sorted(values))].append({**values, "id": pk})
        qn = self.db.ops.quote_name
        with self.db.cursor() as cursor:
            for names, rows in groups.items():
                if self.db.vendor == "postgresql":  # one UPDATE … FROM (VALUES …) per 1000 rows, see insert()
                    fields = [self.by_attname[n] for n in (*names, "id")]
                    row_sql = "(" + ", ".join(f"%s::{f.db_type(self.db)}" for f in fields) + ")"
                    assignments = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in fields[:-1])
                    alias = ", ".join(qn(f.column) for f in fields)
                    params = self._params([*names, "id"], rows)
                    for start in range(0, len(params), 1000):
                        part = params[start:start + 1000]
                        sql = (f"UPDATE {qn(self.table)} AS t SET {assignments} "  # noqa: S608 - model names
                               f"FROM (VALUES {', '.join([row_sql] * len(part))}) AS v({alias}) "
                               f"WHERE t.{qn('id')} = v.{qn('id')}")
                        cursor.execute(sql, [value for values in part for value in values])
                    continue
                assignments = ", ".join(f"{qn(self.by_attname[n].column)} = %s" for n in names)
                sql = f"UPDATE {qn(self.table)} SET {assignments} WHERE {qn('id')} = %s"  # noqa: S608 - model names
                cursor.executemany(sql, self._params([*names, "id"], rows))


def _audit_fields(model: type[models.Model]) -> list[tuple[str, str]]:
    return [(f.name, f.attname) for f in model._meta.concrete_fields if f.name not in model.audit_exclude]


class _Writer:
    """Writes each chunk on a second thread while the main thread reads and compares the next one.

    The database does its work without the GIL (SQLite's and libpq's calls release it), so reading the file's next
    households against the database overlaps with inserting the previous ones. Both threads use the one connection —
    the same transaction — one at a time, under ``lock``. Without a connection (a preview) jobs run at once.
    """

    def __init__(self, db):
        self.db = db
        self.lock = threading.Lock()
        self.error: BaseException | None = None
        self.thread = None
        if db is not None:
            db.inc_thread_sharing()
            self.jobs: queue.Queue = queue.Queue(1)
            self.thread = threading.Thread(target=self._work, name="household-import-writer", daemon=True)
            self.thread.start()

    def _work(self) -> None:
        while (job := self.jobs.get()) is not None:
            if self.error is not None:
                continue
            try:
                with self.lock:
                    job()
            except BaseException as exc:  # handed to the main thread
                self.error = exc

    def submit(self, job: Callable[[], None]) -> None:
        if self.thread is None:
            job()
            return
        if self.error is not None:
            raise self.error
        self.jobs.put(job)

    def finish(self) -> None:
        """Wait for the last chunk; raise what the writer raised."""
        if self.thread is None:
            return
        self.jobs.put(None)
        self.thread.join()
        self.thread = None
        self.db.dec_thread_sharing()
        if self.error is not None:
            raise self.error


def _audit_value_sql(f: models.Field, ref: str, vendor: str) -> str | None:
    """SQL for one field's value as ``ChangeLoggedModel.audit_data()`` writes it (None: not expressible here)."""
    postgres = vendor == "postgresql"
    if isinstance(f, models.BooleanField):
        if postgres:
            return ref
        return f"CASE WHEN {ref} IS NULL THEN NULL WHEN {ref} THEN json('true') ELSE json('false') END"
    if isinstance(f, models.DecimalField):  # str(Decimal) with the field's places, e.g. "1234.50"
        if postgres:
            return f"{ref}::text"
        return f"CASE WHEN {ref} IS NULL THEN NULL ELSE printf('%%.{f.decimal_places}f', {ref}) END"
    if isinstance(f, models.DateTimeField):
        return None
    if isinstance(f, models.DateField):  # isoformat()
        return f"to_char({ref}, 'YYYY-MM-DD')" if postgres else ref
    if isinstance(f, models.JSONField):
        return ref if postgres else f"json({ref})"
    if isinstance(f, models.CharField | models.TextField | models.IntegerField | models.ForeignKey):
        return ref
    return None


class _CreateLog:
    """The change-log rows of freshly inserted rows, built by the database itself with ``INSERT … SELECT``.

    The ``after`` values are produced in SQL (``json_object`` on SQLite, ``jsonb_build_object`` on PostgreSQL) in
    exactly the shape of ``audit_data()`` — a test compares them — so hundreds of thousands of creations cost no
    Python at all. A model with a field type not covered falls back to building the rows in Python.
    """

    def __init__(self, run: _Run):
        self.run = run
        self.db = connections[DEFAULT_DB_ALIAS]
        self.vendor = self.db.vendor
        self.sql: dict[type[models.Model], str | None] = {m: self._sql(m) for m in (Household, Member, IncomeRecord)}

    def _json(self, model: type[models.Model], alias: str) -> str | None:
        qn = self.db.ops.quote_name
        pairs = []
        for f in model._meta.concrete_fields:
            if f.name in model.audit_exclude:
                continue
            value = _audit_value_sql(f, f"{alias}.{qn(f.column)}", self.vendor)
            if value is None:
                return None
            pairs.append(f"'{f.name}', {value}")
        if self.vendor == "postgresql":  # at most 100 arguments a function: objects of 40 pairs, concatenated
            return " || ".join(f"jsonb_build_object({', '.join(pairs[i:i + 40])})" for i in range(0, len(pairs), 40))
        if len(pairs) > 60:  # SQLite allows 127 arguments a function; json_patch would drop nulls
            return None
        return f"json_object({', '.join(pairs)})"

    def _sql(self, model: type[models.Model]) -> str | None:
        qn = self.db.ops.quote_name
        after = self._json(model, "o")
        if after is None:
            return None
        text = "text" if self.vendor == "postgresql" else "TEXT"
        change = {f.name: qn(f.column) for f in ObjectChange._meta.concrete_fields}
        household, member, region = (qn(m._meta.db_table) for m in (Household, Member, Region))
        if model is Household:
            head = (f"(SELECT hm.{qn('name')} || '户（' || o.{qn('household_no')} || '）' FROM {member} hm "  # noqa: S608
                    f"WHERE hm.{qn('household_id')} = o.{qn('id')} AND hm.{qn('relation')} = '户主' "
                    f"ORDER BY hm.{qn('id')} LIMIT 1)")
            represent = f"substr(COALESCE({head}, '户 ' || o.{qn('household_no')}), 1, 200)"
            house, parent_type, parent_id = "o", "NULL", "''"
        else:
            represent = (f"substr(o.{qn('name')}, 1, 200)" if model is Member
                         else f"CAST(o.{qn('year')} AS {text}) || ' 年收入'")
            house, parent_type, parent_id = "h", "%s", f"CAST(o.{qn('household_id')} AS {text})"
        join = "" if model is Household else f"JOIN {household} h ON h.{qn('id')} = o.{qn('household_id')} "
        columns = ("time", "user", "user_name", "source", "request_id", "action", "content_type", "object_id",
                   "object_repr", "parent_content_type", "parent_object_id", "region_code", "before", "after")
        return (
            f"INSERT INTO {qn(ObjectChange._meta.db_table)} ({', '.join(change[c] for c in columns)}) "  # noqa: S608
            f"SELECT %s, %s, %s, %s, %s, %s, %s, CAST(o.{qn('id')} AS {text}), {represent}, {parent_type}, "
            f"{parent_id}, v.{qn('code')}, NULL, {after} "
            f"FROM {qn(model._meta.db_table)} o {join}JOIN {region} v ON v.{qn('id')} = {house}.{qn('village_id')} "
            f"WHERE {{where}} ORDER BY o.{qn('id')}"
        )

    def log(self, model: type[models.Model], ids: list[int], *, fallback: Callable[[], list[tuple]]) -> None:
        """Log the creation of the ``model`` rows ``ids`` (just inserted, in this transaction)."""
        if not ids:
            return
        run = self.run
        sql = self.sql[model]
        if sql is None:
            for values, represent, code, parent in fallback():
                run._log(model, ObjectChange.CREATE, values["id"], represent, None,
                         _audit(run.audit_fields[model], values), code, parent)
            return
        change = {f.attname: f for f in ObjectChange._meta.concrete_fields}
        head = [
            run.tables[ObjectChange]._once(change["time"], run.now), run.actor_ids["user_id"],
            run.actor_ids["user_name"], run.actor.source,
            run.tables[ObjectChange]._once(change["request_id"], run.actor.request_id), ObjectChange.CREATE,
            run.types[model],
        ]
        if model is not Household:
            head.append(run.types[Household])
        qn = self.db.ops.quote_name
        with self.db.cursor() as cursor:
            if ids == list(range(ids[0], ids[0] + len(ids))):
                cursor.execute(sql.format(where=f"o.{qn('id')} BETWEEN %s AND %s"), [*head, ids[0], ids[-1]])
            elif self.vendor == "postgresql":
                cursor.execute(sql.format(where=f"o.{qn('id')} = ANY(%s)"), [*head, ids])
            else:
                for start in range(0, len(ids), 500):
                    part = ids[start:start + 500]
                    where = f"o.{qn('id')} IN ({', '.join(['%s'] * len(part))})"
                    cursor.execute(sql.format(where=where), [*head, *part])


def _initials(name: str, letters: dict[str, str]) -> str:
    """``initials_of(name)``, character by character when pypinyin would read it that way anyway.

    pypinyin reads a name phrase by phrase; when no two or more of its characters form a phrase of its dictionary,
    every character gets its own default reading — the same as ``initials_of`` of that one character. That holds
    for most names and is ~25 times faster; any other name (a phrase inside, a character without a reading) goes
    through ``initials_of`` itself. A test compares both on thousands of names.
    """
    from pypinyin.constants import PHRASES_DICT, PINYIN_DICT

    size = len(name)
    if not size or any(ord(ch) not in PINYIN_DICT for ch in name):
        return initials_of(name)
    for length in range(2, size + 1):
        for start in range(size - length + 1):
            if name[start:start + length] in PHRASES_DICT:
                return initials_of(name)
    out = []
    for ch in name:
        letter = letters.get(ch)
        if letter is None:
            letter = letters[ch] = initials_of(ch)
        out.append(letter)
    return "".join(out)[:20]


class _Derived:
    """The attributes ``Member.derive_from_id`` reads and writes, without building a model instance per row."""

    __slots__ = ("birth_date", "gender", "id_number", "id_type", "name", "name_initials")

    def __init__(self, name: str, id_type: str, id_number: str, gender: str, birth_date: datetime.date | None):
        self.name, self.id_type, self.id_number, self.gender = name, id_type, id_number, gender
        self.birth_date = birth_date
        self.name_initials = ""


class _Income:
    """The attributes ``IncomeRecord.compute`` reads and writes."""

    __slots__ = ("business", "business_cost", "household_size", "net_income", "per_capita", "property_income",
                 "transfer", "wage")

    def __init__(self, values: dict):
        for name in ("wage", "business", "property_income", "transfer", "business_cost", "household_size"):
            setattr(self, name, values[name])
        self.net_income = self.per_capita = Decimal("0")


# --- Checking against the database and writing -------------------------------------------------------------------

# the fields compared and logged (the time stamps are neither: reading them back costs a timezone conversion each)
HOUSEHOLD_ATTNAMES = [f.attname for f in Household._meta.concrete_fields if f.name not in Household.audit_exclude]
MEMBER_ATTNAMES = [f.attname for f in Member._meta.concrete_fields if f.name not in Member.audit_exclude]
INCOME_ATTNAMES = [f.attname for f in IncomeRecord._meta.concrete_fields if f.name not in IncomeRecord.audit_exclude]
INCOME_INPUTS = ("wage", "business", "property_income", "transfer", "business_cost", "compliant_medical")
GUARANTEES = {  # file column target → (model field, inverted: the national column asks about a problem)
    "household.housing_problem": ("housing_secure", True),
    "household.water_secure": ("water_secure", False),
    "household.education_problem": ("education_secure", True),
    "household.insurance_problem": ("insurance_secure", True),
}
QUICK = "__quick__"  # marks a member row read only as far as needed to see it is unchanged
NOT_NULL_BOOLS = {f.attname for f in Household._meta.concrete_fields
                  if isinstance(f, models.BooleanField) and not f.null}


def _mask_name(name: str) -> str:
    return name[:1] + "*" * (len(name) - 1) if len(name) > 1 else name


def _household_repr(no: str, head_name: str | None) -> str:
    # Household.__str__, without its query for the head.
    return f"{head_name}户（{no}）" if head_name else f"户 {no}"


class _Run:
    """One check (and, when writing, one write) of a parsed file against the database."""

    def __init__(self, parsed: _ParsedFile, result: HouseholdImportResult, *, user, income_year: int,
                 create_regions: bool, write: bool, all_or_nothing: bool, progress: Progress | None):
        self.parsed = parsed
        self.result = result
        self.user = user
        self.year = income_year
        self.write = write
        self.all_or_nothing = all_or_nothing
        self.progress = progress
        self.today = timezone.localdate()
        self.checked_on = parsed.export_date or self.today
        self.now = timezone.now()
        headers = dict(parsed.household_cols)
        self.places = _Places(user, result, headers, create=create_regions and result.can_create_regions,
                              requested=create_regions)
        self.scope = _Scope(user)
        self.actor = current_actor()
        actor_user = actor_fields(self.actor)
        self.actor_ids = {"user_id": actor_user["user"].pk if actor_user["user"] is not None else None,
                          "user_name": actor_user["user_name"]}
        self.types = {m: ContentType.objects.get_for_model(m).pk for m in (Household, Member, IncomeRecord)}
        self.audit_fields = {m: _audit_fields(m) for m in (Household, Member, IncomeRecord)}
        self.tables = {m: _Table(m) for m in (Household, Member, IncomeRecord, ObjectChange)}

        hcols = [t for t, _h in parsed.household_cols]
        self.place_positions = tuple(hcols.index(t) if t in hcols else None
                                     for t in ("place.county", "place.township", "place.village"))
        self.household_setters: list[tuple[int, str, str]] = []  # (position, how, name)
        for position, target in enumerate(hcols):
            section, _dot, key = target.partition(".")
            if target in GUARANTEES:
                self.household_setters.append((position, "guarantee", target))
            elif section == "household":
                self.household_setters.append((position, "field", key))
            elif section == "national":
                self.household_setters.append((position, "national", key))
        self.income_positions = {t.partition(".")[2]: i for i, t in enumerate(hcols) if t.startswith("income.")}
        self.income_inputs = [k for k in INCOME_INPUTS if k in self.income_positions]
        self.size_position = hcols.index("household.size") if "household.size" in hcols else None
        mcols = [t for t, _h in parsed.member_cols]
        self.member_setters = [(i, t.partition(".")[2]) for i, t in enumerate(mcols)
                               if t not in ("member.gender",)]
        self.gender_position = mcols.index("member.gender") if "member.gender" in mcols else None
        self.id_type_position = mcols.index("member.id_type") if "member.id_type" in mcols else None
        self.relation_position = mcols.index("member.relation")
        self.unknown_columns = frozenset(parsed.unknown_columns)
        self.initials: dict[str, str] = {}
        self.letters: dict[str, str] = {}
        self.written: list[int] = []  # households created or changed: announced after the commit
        self.inserted = 0
        # a weak reference: no cycle, so the run's millions of objects are freed as soon as the run is dropped,
        # not by a collection that would first traverse them all
        self.create_log = _CreateLog(weakref.proxy(self))
        members = self.tables[Member]
        now = members.prepared_value("created_at", self.now)
        template = {**members.defaults, "created_at": now, "updated_at": now, "extra": members.json_value({})}
        self.member_template = [template[name] for name in members.attnames]
        self.member_at = members.position
        self.member_slots = [(i, members.position[f]) for i, f in self.member_setters]
        # the member columns the file sets, compared as tuples: file values at these positions, database columns
        compared = [(i, f) for i, f in self.member_setters if f != "id_type"]
        self.quick_fields = ["id", "household_id", "id_number", "status", "name", "id_type", "gender", "relation",
                             *(f for _i, f in compared), *(["extra"] if self.unknown_columns else [])]
        self.file_values = _getter([i for i, _f in compared])
        self.db_values = _getter(list(range(8, 8 + len(compared))))
        self.db = connections[DEFAULT_DB_ALIAS]
        self.writer = _Writer(None)
        self.counts: dict[tuple[str, str], VillageCounts] = result.villages
        self.changes: list[dict] = []
        self.aborted = False

    # --- helpers ---

    def derive(self, name: str, id_type: str, id_number: str, gender: str, birth_date) -> tuple:
        """(name_initials, gender, birth_date) as ``Member.derive_from_id`` sets them (bulk inserts skip save()).

        Gender and birth date come from the model's own method, applied to a stand-in; the pinyin initials from the
        same ``initials_of``, memoised for the whole import — pypinyin needs ~20 µs a name and its LRU cache holds
        65,536 names, fewer than the ~120,000 distinct names of a county. A test keeps both equal to a real save().
        """
        derived = _Derived("", id_type, id_number, gender, birth_date)
        Member.derive_from_id(derived)
        initials = self.initials.get(name)
        if initials is None:
            initials = self.initials[name] = _initials(name, self.letters)
        return initials, derived.gender, derived.birth_date

    def _counts(self, household: _ParsedHousehold, place: _Place | None) -> VillageCounts:
        values = household.values
        township = values[self.place_positions[1]] if self.place_positions[1] is not None else ""
        village = values[self.place_positions[2]] if self.place_positions[2] is not None else ""
        key = (township, village)
        counts = self.counts.get(key)
        if counts is None:
            counts = self.counts[key] = VillageCounts(str(township), str(village))
        if place is not None and place.village is not None and not counts.code:
            counts.code = place.village.code
        return counts

    def _fail(self, household: _ParsedHousehold, column: str, message: str) -> None:
        """A household-level problem found against the database: the whole household is an error."""
        household.error = True
        self.result.add_error(household.first_row, column, message)
        for row in household.rows[1:]:
            self.result._reason(row, f"同户其他行有错误（见第 {household.first_row} 行），本户未导入")

    def _log(self, model, action: str, pk: int, repr_: str, before, after, region_code: str,
             parent_pk: int | None) -> None:
        self.changes.append({
            **self.actor_ids,
            "time": self.now, "source": self.actor.source, "request_id": self.actor.request_id, "action": action,
            "content_type_id": self.types[model], "object_id": str(pk), "object_repr": repr_[:200],
            "parent_content_type_id": self.types[Household] if parent_pk is not None else None,
            "parent_object_id": str(parent_pk) if parent_pk is not None else "",
            "region_code": region_code, "before": before, "after": after,
        })

    def differs(self, household: _ParsedHousehold, rows: dict[str, tuple]) -> bool:
        """Whether any member of the file might differ from its row (new members aside): compared as tuples."""
        for _row, id_number, name, values, extra in household.members:
            previous = rows.get(id_number)
            if previous is None:
                continue
            if name != previous[4] or self.file_values(values) != self.db_values(previous):
                return True
            id_type = values[self.id_type_position] if self.id_type_position is not None else ""
            if id_type and id_type != previous[5]:
                return True
            gender = values[self.gender_position] if self.gender_position is not None else ""
            if gender and not previous[6]:
                return True
            if self.unknown_columns:
                old = previous[-1] or {}
                kept = {k: v for k, v in old.items() if k not in self.unknown_columns}
                if {**kept, **(extra or {})} != old:
                    return True
        return False

    def quick_dict(self, row: tuple) -> dict:
        return {"id": row[0], "household_id": row[1], "id_number": row[2], "status": row[3], "name": row[4],
                "relation": row[7], QUICK: True}

    def new_member(self, id_number: str, name: str, values: tuple, extra: dict | None, gender: str) -> list:
        """The row of a member new to the database: a list in ``_Table.attnames`` order, for ``prepared`` inserts."""
        member = list(self.member_template)
        for position, index in self.member_slots:
            member[index] = values[position]
        at = self.member_at
        id_type = member[at["id_type"]] or "居民身份证"
        member[at["id_type"]] = id_type
        member[at["name"]] = name
        member[at["id_number"]] = id_number
        if extra:
            member[at["extra"]] = self.tables[Member].json_value(extra)
        initials, member[at["gender"]], birth_date = self.derive(name, id_type, id_number, gender, None)
        member[at["name_initials"]] = initials
        member[at["birth_date"]] = birth_date.isoformat() if birth_date is not None else None
        return member

    # --- the household's values from the file ---

    def _household_updates(self, household: _ParsedHousehold) -> tuple[dict, dict]:
        """(attname → value, national key → value or None) as the file says."""
        fields: dict = {}
        national_values: dict = {}
        values = household.values
        for position, how, name in self.household_setters:
            value = values[position]
            if how == "field":
                if name in NOT_NULL_BOOLS and value is None:
                    value = False
                fields[name] = value
            elif how == "guarantee":
                field_name, inverted = GUARANTEES[name]
                fields[field_name] = (not value if inverted else value) if value is not None else None
            else:
                national_values[name] = value.isoformat() if isinstance(value, datetime.date) else value
        return fields, national_values

    def _income_values(self, household: _ParsedHousehold, existing: dict | None, members_in_force: int) -> dict | None:
        if not self.income_inputs:
            return None
        values = household.values
        given = {k: values[self.income_positions[k]] for k in self.income_inputs}
        if all(v is None for v in given.values()):
            return None
        given = {k: Decimal(v) if v is not None else None for k, v in given.items()}
        record = {k: (existing[k] if existing else Decimal("0")) for k in INCOME_INPUTS}
        record.update({k: (v if v is not None else Decimal("0")) for k, v in given.items()})
        size = values[self.size_position] if self.size_position is not None else None
        record["household_size"] = size or members_in_force
        computed = _Income(record)
        IncomeRecord.compute(computed)
        record["net_income"], record["per_capita"] = computed.net_income, computed.per_capita
        for key, label in (("net_income", "家庭纯收入"), ("per_capita", "人均纯收入")):
            position = self.income_positions.get(key)
            stated = Decimal(values[position]) if position is not None and values[position] is not None else None
            if stated is not None and abs(stated - record[key]) > 1:
                header = self.parsed.household_cols[position][1]
                self.result.warnings.append(RowError(
                    household.first_row, header,
                    f"{label} {stated} 与按各项收入计算的 {record[key]} 相差超过 1 元（以计算值为准）"))
        return record

    # --- one chunk of households ---

    def chunk(self, households: list[_ParsedHousehold]) -> None:
        result = self.result
        todo: list[tuple[_ParsedHousehold, _Place]] = []
        for household in households:
            place = None
            if not household.error:
                key = tuple(household.values[p] if p is not None else "" for p in self.place_positions)
                place = self.places.resolve(key, household.first_row)
                if place.error:
                    self._fail(household, place.column, place.error)
                elif place.village is not None and not self.scope.allows(place.village.pk):
                    self._fail(household, self.places.headers.get("place.village", "村"),
                               f"村“{place.village.name}”不在您的管辖范围内")
            if household.error:
                counts = self._counts(household, place)
                counts.households[ERROR] += 1
                counts.members[ERROR] += len(household.rows)
                continue
            todo.append((household, place))
        if not todo:
            return

        nos = [h.no for h, _p in todo]
        members_of: dict[int, dict[str, dict]] = defaultdict(dict)
        incomes: dict[int, dict] = {}
        with self.writer.lock:  # the writer thread may be writing the previous chunk on the same connection
            existing = {r["household_no"]: r for r in
                        Household.objects.filter(household_no__in=nos).values(*HOUSEHOLD_ATTNAMES)}
            self.scope.check(r["village_id"] for r in existing.values())
            ids = [r["id"] for r in existing.values()]
            if ids:
                # members as short tuples of the columns the file sets; the full rows (for the change log) only
                # of households where some member differs — an unchanged file reads as little as possible
                quick: dict[int, dict[str, tuple]] = defaultdict(dict)
                for row in Member.objects.filter(household_id__in=ids).values_list(*self.quick_fields):
                    quick[row[1]][row[2]] = row
                by_no = {h.no: h for h, _p in todo}
                full = [old["id"] for no, old in existing.items() if self.differs(by_no[no], quick.get(old["id"], {}))]
                for household_id, rows in quick.items():
                    members_of[household_id] = {no: self.quick_dict(row) for no, row in rows.items()}
                if full:
                    for row in Member.objects.filter(household_id__in=full).values(*MEMBER_ATTNAMES):
                        members_of[row["household_id"]][row["id_number"]] = row
                for row in IncomeRecord.objects.filter(household_id__in=ids, year=self.year).values(
                        *INCOME_ATTNAMES):
                    incomes[row["household_id"]] = row

        new_households, new_members, new_incomes = [], [], []
        household_updates, member_updates, income_updates = [], [], []
        changed_ids: list[int] = []
        for household, place in todo:
            old = existing.get(household.no)
            if old is not None and not self.scope.allows(old["village_id"]):
                self._fail(household, self.places.headers.get("household.household_no", "户编号"),
                           f"户编号 {household.no} 已登记在其他村，不在您的管辖范围内")
                counts = self._counts(household, place)
                counts.households[ERROR] += 1
                counts.members[ERROR] += len(household.rows)
                continue
            counts = self._counts(household, place)
            village_code = place.village.code if place.village is not None else place.new_village
            heads = [m[2] for m in household.members if m[3][self.relation_position] == "户主"]
            head = heads[0] if heads else None
            if len(heads) != 1:
                result.warnings.append(RowError(household.first_row, "与户主关系",
                                                f"本户有 {len(heads)} 个户主" if heads else "本户没有户主"))

            # the household
            if old is None and not self.write:
                plan = {}
                household_status = NEW  # a preview only counts
            elif old is None:
                fields, national_values = self._household_updates(household)
                new = dict(self.tables[Household].defaults)
                new["national_data"] = {}
                new.update(fields)
                new["household_no"] = household.no
                new["national_data"] = {k: v for k, v in national_values.items() if v not in (None, "")}
                for field_name, _inverted in GUARANTEES.values():
                    if new.get(field_name) is not None:
                        new[field_name.replace("_secure", "_checked_on")] = self.checked_on
                plan = {"new": new, "place": place, "head": head, "code": village_code}
                new_households.append(plan)
                household_status = NEW
            else:
                fields, national_values = self._household_updates(household)
                new = dict(old)
                new.update(fields)
                if place.village is not None:
                    new["village_id"] = place.village.pk
                data = dict(old["national_data"] or {})
                for key, value in national_values.items():
                    if value in (None, ""):
                        data.pop(key, None)
                    else:
                        data[key] = value
                new["national_data"] = data
                for field_name, _inverted in GUARANTEES.values():
                    if new[field_name] != old[field_name] and new[field_name] is not None:
                        new[field_name.replace("_secure", "_checked_on")] = self.checked_on
                changed = {a: new[a] for a in HOUSEHOLD_ATTNAMES if new[a] != old[a]}
                if changed:
                    household_updates.append({"old": old, "new": new, "changed": changed, "place": place,
                                              "head": head, "code": village_code})
                plan = {"id": old["id"], "place": place}
                # moving to a village still to be created is a change too
                household_status = CHANGED if changed or place.village is None else UNCHANGED

            # the members
            olds = members_of.get(old["id"], {}) if old is not None else {}
            in_force = 0
            any_member_changed = False
            for _row, id_number, name, values, extra in household.members:
                previous = olds.get(id_number)
                gender = values[self.gender_position] if self.gender_position is not None else ""
                if previous is None:
                    in_force += 1
                    counts.members[NEW] += 1
                    any_member_changed = True
                    if self.write:  # a preview only counts
                        new_members.append((plan, self.new_member(id_number, name, values, extra, gender),
                                            village_code))
                    continue
                in_force += previous["status"] == "正常"
                if previous.get(QUICK):
                    counts.members[UNCHANGED] += 1  # the whole household compared equal (see differs())
                    continue
                member_fields = {name_: values[i] for i, name_ in self.member_setters}
                if not member_fields.get("id_type"):
                    member_fields["id_type"] = previous["id_type"]
                member_fields["name"] = name
                member = dict(previous)
                member.update(member_fields)
                if self.unknown_columns:
                    kept = {k: v for k, v in (previous["extra"] or {}).items() if k not in self.unknown_columns}
                    member["extra"] = {**kept, **(extra or {})}
                if (member["name"] != previous["name"] or member["id_type"] != previous["id_type"]
                        or (gender and not previous["gender"])):
                    member["name_initials"], member["gender"], member["birth_date"] = self.derive(
                        name, member["id_type"], id_number, gender or previous["gender"], previous["birth_date"])
                changed = {a: member[a] for a in member if member[a] != previous[a]}
                if changed:
                    member_updates.append((previous, member, changed, village_code, old["id"]))
                    counts.members[CHANGED] += 1
                    any_member_changed = True
                else:
                    counts.members[UNCHANGED] += 1
            if olds:
                in_file = {m[1] for m in household.members}
                village_name = place.village.name if place.village is not None else place.village_name
                for id_number, previous in olds.items():
                    if id_number not in in_file and previous["status"] == "正常":
                        result.missing_members.append(MissingMember(
                            household.no, village_name, _mask_name(previous["name"]), mask_id_number(id_number),
                            previous["relation"], household.first_row))

            # the income of the year
            old_income = incomes.get(old["id"]) if old is not None else None
            income = self._income_values(household, old_income, in_force)
            if income is not None:
                if old_income is None:
                    new_incomes.append((plan, income, village_code))
                    any_member_changed = True
                else:
                    changed = {k: v for k, v in income.items() if v != old_income[k]}
                    if changed:
                        income_updates.append((old_income, changed, village_code, old["id"]))
                        any_member_changed = True

            if household_status == UNCHANGED and any_member_changed:
                household_status = CHANGED
            if household_status == CHANGED:
                changed_ids.append(old["id"])
            counts.households[household_status] += 1

        if self.write and not self.aborted:
            if self.all_or_nothing and result.errors:
                self.aborted = True
                return
            self.writer.submit(functools.partial(self._write, new_households, household_updates, new_members,
                                                 member_updates, new_incomes, income_updates, changed_ids))

    def _write(self, new_households, household_updates, new_members, member_updates, new_incomes, income_updates,
               changed_ids):
        """Write one chunk (on the writer thread, holding the connection's lock)."""
        self.written.extend(changed_ids)
        self.inserted += len(new_households) + len(new_members) + len(new_incomes)
        audit = self.audit_fields
        tables = self.tables
        # households
        rows = [plan["new"] for plan in new_households]
        for plan in new_households:
            plan["new"]["village_id"] = plan["place"].village.pk
            plan["new"]["created_at"] = plan["new"]["updated_at"] = self.now
        tables[Household].insert(rows)
        for plan in new_households:
            plan["id"] = plan["new"]["id"]
            self.written.append(plan["id"])
        updates = []
        for update in household_updates:
            changed = dict(update["changed"])
            if update["place"].village is not None and update["new"]["village_id"] != update["old"]["village_id"]:
                changed["village_id"] = update["new"]["village_id"]
            if not changed:
                continue
            changed["updated_at"] = self.now
            updates.append((update["old"]["id"], changed))
            self._log(Household, ObjectChange.UPDATE, update["old"]["id"],
                      _household_repr(update["old"]["household_no"], update["head"]),
                      _audit(audit[Household], update["old"]), _audit(audit[Household], update["new"]),
                      update["code"], None)
        tables[Household].update(updates)
        # members
        at = self.member_at["household_id"]
        rows = []
        for plan, member, _code in new_members:
            member[at] = plan["id"]
            rows.append(member)
        member_ids = tables[Member].insert(rows, prepared=True)
        updates = []
        for previous, member, changed, code, household_id in member_updates:
            changed = dict(changed, updated_at=self.now)
            updates.append((previous["id"], changed))
            self._log(Member, ObjectChange.UPDATE, previous["id"], member["name"], _audit(audit[Member], previous),
                      _audit(audit[Member], member), code, household_id)
        tables[Member].update(updates)
        # incomes
        rows = []
        for plan, income, _code in new_incomes:
            income.update(household_id=plan["id"], year=self.year, created_at=self.now, updated_at=self.now)
            rows.append(income)
        tables[IncomeRecord].insert(rows)
        updates = []
        for old, changed, code, household_id in income_updates:
            updates.append((old["id"], dict(changed, updated_at=self.now)))
            self._log(IncomeRecord, ObjectChange.UPDATE, old["id"], f"{self.year} 年收入",
                      _audit(audit[IncomeRecord], old), _audit(audit[IncomeRecord], {**old, **changed}), code,
                      household_id)
        tables[IncomeRecord].update(updates)
        # the creations' change-log rows, written by the database from the rows just inserted
        self.create_log.log(Household, [plan["id"] for plan in new_households],
                            fallback=lambda: [(p["new"], _household_repr(p["new"]["household_no"], p["head"]),
                                               p["code"], None) for p in new_households])
        def member_dicts():
            names = tables[Member].attnames
            for pk, (plan, row, code) in zip(member_ids, new_members, strict=True):
                member = dict(zip(names, row, strict=True), id=pk)
                member["extra"] = _loaded(member["extra"])
                yield member, member["name"], code, plan["id"]

        self.create_log.log(Member, member_ids, fallback=lambda: list(member_dicts()))
        self.create_log.log(IncomeRecord, [i["id"] for _p, i, _c in new_incomes],
                            fallback=lambda: [(i, f"{self.year} 年收入", c, p["id"]) for p, i, c in new_incomes])
        tables[ObjectChange].insert(self.changes, want_ids=False)
        self.changes = []

    # --- the whole file ---

    def run(self) -> None:
        parsed, result = self.parsed, self.result
        households = list(parsed.households.values())
        # Places first, so that a commit creates the missing regions before any household refers to them.
        per_place: dict[tuple, int] = defaultdict(int)
        for household in households:
            if household.error:
                continue
            key = tuple(household.values[p] if p is not None else "" for p in self.place_positions)
            self.places.resolve(key, household.first_row)
            per_place[key] += 1
        self.scope.check(p.village.pk for p in self.places.places.values() if p.village is not None)
        if self.write and self.all_or_nothing and (
                result.errors or any(p.error for p in self.places.places.values())):
            self.aborted = True  # nothing will be written: check on, to report every error
        if self.write and not self.aborted and self.places.create:
            self.places.create_regions()
        total = len(households)
        self.writer = _Writer(self.db if self.write else None)
        try:
            for start in range(0, total, DB_CHUNK):
                self.chunk(households[start:start + DB_CHUNK])
                if self.progress is not None:
                    self.progress(min(start + DB_CHUNK, total), total, "写入数据库" if self.write else "核对数据库")
        finally:
            self.writer.finish()
        created = self.write and not self.aborted and self.places.create
        result.missing_regions = self.places.missing(per_place, created)


def _announce(household_ids: list[int], user) -> None:
    """Send ``households_imported`` for the households created or changed, a few hundred at a time (receivers
    filter by ``pk__in``, and SQLite takes at most 32,766 parameters a statement)."""
    for start in range(0, len(household_ids), DB_CHUNK):
        households_imported.send(sender=None, household_ids=household_ids[start:start + DB_CHUNK], user=user)


def _default_income_year() -> int:
    return timezone.localdate().year - 1


def _start(path, user, income_year: int | None, *, dry_run: bool) -> tuple[Path, HouseholdImportResult]:
    if user is not None and not user_can(user, Household, IMPORT):
        raise PermissionDenied("您的角色无权导入农户信息")
    if income_year is not None and not 2000 <= int(income_year) <= 2100:
        raise ValueError("收入年度应在 2000–2100 之间")
    path = Path(path)
    result = HouseholdImportResult(file_name=path.name, source_path=str(path), dry_run=dry_run)
    if user is None:
        result.can_create_regions = True
    else:
        county_code = user.region.code[:6] if getattr(user, "region_id", None) else ""
        result.can_create_regions = user_can(user, Region, "add") and (
            user.is_superuser or Region.objects.restrict(user, "add").filter(code=county_code).exists())
    return path, result


def _fill(result: HouseholdImportResult, parsed: _ParsedFile, income_year: int | None) -> int:
    result.file_name = parsed.file_name
    result.header_row = parsed.header_row
    result.rows = parsed.rows
    result.household_count = len(parsed.households)
    result.unknown_columns = list(parsed.unknown_columns)
    result.export_date = parsed.export_date
    result.errors = list(parsed.errors)
    result.warnings = list(parsed.warnings)
    result.report_rows = dict(parsed.report_rows)
    if income_year is not None:
        result.income_year, result.income_year_source = int(income_year), "参数"
    elif parsed.income_year is not None:
        result.income_year, result.income_year_source = parsed.income_year, "文件标题"
    else:
        result.income_year, result.income_year_source = _default_income_year(), "默认（上一年）"
    return result.income_year


def preview_household_import(
    path, *, user=None, income_year: int | None = None, create_missing_regions: bool = False,
    progress: Progress | None = None,
) -> HouseholdImportResult:
    """Dry run: read and check the file and say what an import would do, per village. Writes nothing to the database.

    ``user`` None is the command line (every village, regions may be created); otherwise the user needs the role's
    import permission on households (``PermissionDenied`` if not) and every village must be in his scope.
    ``income_year`` overrides the year found in the title rows (default: the previous calendar year).
    ``create_missing_regions`` previews the import as if missing townships and villages were created (only when the
    user may create regions; ``result.can_create_regions`` says so). ``progress(done, total, message)`` is called
    every few thousand rows. A file that cannot be read comes back with ``file_error`` set.
    """
    clock = _Clock()
    path, result = _start(path, user, income_year, dry_run=True)
    with _gc_paused():
        try:
            parsed = _parse_file(path, progress=progress)
        except FileRejected as exc:
            result.file_error = str(exc)
            return result
        clock.lap(result, "读取文件")
        year = _fill(result, parsed, income_year)
        _Run(parsed, result, user=user, income_year=year, create_regions=create_missing_regions, write=False,
             all_or_nothing=False, progress=progress).run()
        clock.lap(result, "核对数据库")
        with contextlib.suppress(OSError):  # without a snapshot the commit reads the file again
            _save_snapshot(parsed)
        clock.lap(result, "保存预览")
    result.seconds = clock.total
    return result


def commit_household_import(
    path, *, user=None, income_year: int | None = None, create_missing_regions: bool = False,
    progress: Progress | None = None, all_or_nothing: bool = False,
) -> HouseholdImportResult:
    """Import the file: every household without an error is written, in one transaction; the others are reported.

    The file is checked again inside the transaction (the preview's parse is reused only when the file's content
    hash is the same). Households with an error in any row are left untouched; so are members missing from the file
    (they are listed). With ``all_or_nothing`` any error writes nothing at all (``committed`` stays False) — the
    command line's default. ``create_missing_regions`` creates the townships and villages named in the file that do
    not exist, with the next free codes, when the user may (county admin, or the command line).
    Returns the result with ``committed=True`` when written. After the commit ``registry.signals.households_imported``
    is sent with the households created or changed.
    """
    clock = _Clock()
    path, result = _start(path, user, income_year, dry_run=False)
    with _gc_paused():
        parsed = _load_snapshot(path) if path.exists() else None
        if parsed is None:
            try:
                parsed = _parse_file(path, progress=progress)
            except FileRejected as exc:
                result.file_error = str(exc)
                return result
            clock.lap(result, "读取文件")
        else:
            clock.lap(result, "读取预览")
        year = _fill(result, parsed, income_year)
        if all_or_nothing and result.errors:
            _Run(parsed, result, user=user, income_year=year, create_regions=create_missing_regions, write=False,
                 all_or_nothing=True, progress=progress).run()
            clock.lap(result, "核对数据库")
            result.seconds = clock.total
            return result
        with transaction.atomic():
            run = _Run(parsed, result, user=user, income_year=year, create_regions=create_missing_regions, write=True,
                       all_or_nothing=all_or_nothing, progress=progress)
            run.run()
            clock.lap(result, "核对并写入")
            if run.aborted:
                transaction.set_rollback(True)
            else:
                result.committed = True
        clock.lap(result, "提交事务")
        # Free the parse and the run (millions of objects) while the collector is still paused: alive, they would
        # be traversed by the next collection, which the receivers below would trigger.
        digest, written, inserted = parsed.digest, run.written, run.inserted
        del parsed, run
    if result.committed:
        _drop_snapshot(digest)
        if inserted >= ANALYZE_AFTER and connections[DEFAULT_DB_ALIAS].vendor == "postgresql":
            # fresh statistics, or the next import plans its lookups for the tables as they were before
            with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
                cursor.execute("ANALYZE " + ", ".join(connections[DEFAULT_DB_ALIAS].ops.quote_name(m._meta.db_table)
                                                      for m in (Household, Member, IncomeRecord)))
            clock.lap(result, "更新统计信息")
        # after the commit (of an outer transaction too): monitoring and assistance pick up the national columns
        transaction.on_commit(functools.partial(_announce, written, user))
        clock.lap(result, "通知监测与帮扶")  # the receivers run here unless an outer transaction is still open
    result.seconds = clock.total
    return result


class _Clock:
    """Seconds per phase, kept on the result (``timings``) for the job log and the benchmark."""

    def __init__(self):
        self.started = self.last = time.monotonic()

    def lap(self, result: HouseholdImportResult, label: str) -> None:
        now = time.monotonic()
        result.timings[label] = result.timings.get(label, 0.0) + now - self.last
        self.last = now

    @property
    def total(self) -> float:
        return time.monotonic() - self.started


# --- The error report ---------------------------------------------------------------------------------------------


def _write_error_report(result: HouseholdImportResult, path) -> int:
    source = Path(result.source_path)
    wanted = result.report_rows
    headers: list[str] = []
    rows_out: list[list] = []
    if wanted and not result.file_error:
        rows, _total = _open_rows(source)
        last = max(wanted)
        for number, values in rows:
            if number == result.header_row:
                headers = [cell_text(v) for v in values]
            elif number in wanted:
                rows_out.append([*values, number, wanted[number]])
            if number >= last:
                break
        if hasattr(rows, "close"):
            rows.close()
    width = len(headers)
    padded = []
    for row in rows_out:
        values = row[:-2]
        values = values[:width] + [""] * (width - len(values)) if width else values
        padded.append([v if v != "" else None for v in values] + row[-2:])
    details = (f"源文件：{result.file_name}；{timezone.localtime():%Y-%m-%d %H:%M} 生成；"
               f"未导入 {len(padded)} 行（{result.error_households} 户）。改正后可直接导入本文件。")
    if result.unknown_columns:
        details += f"未识别的列（已作为成员附加信息保存）：{'、'.join(result.unknown_columns)}。"
    if result.file_error:
        details = f"源文件：{result.file_name}；{result.file_error}"
    national.write_national_xlsx(path, padded, title="农户信息导入错误报告", details=details,
                                 headers=[*headers, *REPORT_COLUMNS])
    return len(padded)
