"""The header of the national export: the title rows above it, the header row, and the columns it names."""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass

from shoudi.core.cells import cell_text
from shoudi.core.tabular import FileRejected
from shoudi.core.vocabulary import Tables
from shoudi.regions.importing import RowError

from .. import national
from .converters import KnownColumn

__all__ = ["HEADER_SEARCH_ROWS", "FileColumns", "find_header", "match_columns", "title_facts"]

HEADER_SEARCH_ROWS = 10
REQUIRED_TARGETS = (
    "household.household_no",
    "member.id_number",
    "member.name",
    "member.relation",
    "place.township",
    "place.village",
    "household.household_type",
)

_DATE_RE = re.compile(r"(20\d{2}|19\d{2})\s*[-年./]\s*(\d{1,2})\s*[-月./]\s*(\d{1,2})\s*日?")
_YEAR_OF_RE = re.compile(r"(20\d{2})\s*年度")
_INCOME_YEAR_RE = re.compile(r"(?:收入年度|年度)\s*[:：]?\s*(20\d{2})")
_YEAR_RE = re.compile(r"(20\d{2})\s*年")


def title_facts(lines: list[list]) -> tuple[str, datetime.date | None, int | None]:
    """(title text, export date, income year) from the rows above the header (“2025年度…”, 导出时间 2026-01-15)."""
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


def find_header(rows: list[tuple[int, list]]) -> tuple[int, list] | None:
    """(index among ``rows``, values) of the first row naming 户编号 and 证件号码."""
    aliases = national.alias_map()
    for index, (_number, values) in enumerate(rows):
        targets = {aliases[h].target for h in (national.normalize_header(cell_text(v)) for v in values) if h in aliases}
        if "household.household_no" in targets and "member.id_number" in targets:
            return index, values
    return None


@dataclass
class FileColumns:
    """The header row's columns: those Shoudi knows (by target), those it does not, and duplicates ignored."""

    headers: list[str]
    known: dict[str, KnownColumn]
    unknown: list[tuple[int, str]]  # (index, header)
    warnings: list[RowError]


def match_columns(header_values: list, header_row: int, tables: Tables | None = None) -> FileColumns:
    """Map each header cell to its column of ``national.COLUMNS``; ``FileRejected`` when a required one is missing."""
    aliases = national.alias_map()
    cols: dict[str, KnownColumn] = {}
    unknown: list[tuple[int, str]] = []
    warnings: list[RowError] = []
    headers = [cell_text(v) for v in header_values]
    tables = tables or Tables()  # each code table read once, with the synonyms of the importing county
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
            cols[column.target] = KnownColumn.make(index, column, text, tables)
    missing = [next(c.header for c in national.COLUMNS if c.target == t) for t in REQUIRED_TARGETS if t not in cols]
    if missing:
        raise FileRejected("缺少必需的列：" + "、".join(f"“{h}”" for h in missing))
    return FileColumns(headers, cols, unknown, warnings)
