"""The one XlsxWriter helper: a workbook with Shoudi's options and shared formats, the title and header rows, column
widths and a typed cell writer (text cells for ID-like values).

Every Excel file Shoudi writes — list exports, ledgers, matching reports, the national-format export — opens its
workbook here, so that strings are never turned into numbers, formulas or links anywhere.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence

import xlsxwriter
from django.utils import timezone
from xlsxwriter.format import Format

__all__ = [
    "WORKBOOK_OPTIONS",
    "Workbook",
    "label_width",
    "open_workbook",
    "rows_xlsx_bytes",
    "write_cell",
    "write_header",
    "write_rows_xlsx",
    "write_title",
]

# 户编号, 证件号码, phones and YYYYMM stay text; nothing typed in a cell becomes a formula or a link.
WORKBOOK_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}

# The shared formats, created on first use (a workbook carries only the formats it uses).
FORMATS: dict[str, dict] = {
    "title": {"bold": True, "font_size": 14},
    "head": {"bold": True, "bg_color": "#DDEBF7", "border": 1},
    "head_wrap": {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True},
    "date": {"num_format": "yyyy-mm-dd"},
    "datetime": {"num_format": "yyyy-mm-dd hh:mm"},
}


class Workbook(xlsxwriter.Workbook):
    """An XlsxWriter workbook with ``format(name)``: the shared format of that name, made once per workbook."""

    def __init__(self, target, options: dict | None = None):
        super().__init__(target, options)
        self._shared_formats: dict[str, Format] = {}

    def format(self, name: str) -> Format:
        if name not in self._shared_formats:
            self._shared_formats[name] = self.add_format(FORMATS[name])
        return self._shared_formats[name]


def open_workbook(target, *, constant_memory: bool = True) -> Workbook:
    """A workbook writing to ``target`` (a path or a binary file object) with the shared options.

    ``constant_memory`` (the default) writes each row out as soon as the next one starts, so that memory stays flat
    however many rows; rows must then be written in order. XlsxWriter ignores it for an in-memory target.
    """
    return Workbook(
        str(target) if hasattr(target, "__fspath__") else target,
        {"constant_memory": constant_memory, **WORKBOOK_OPTIONS},
    )


def label_width(label, *, minimum: int = 10, maximum: int = 40, pad: int = 4) -> int:
    """A column's width from its header: two units a (Chinese) character plus ``pad``, within the bounds."""
    return max(minimum, min(maximum, len(str(label)) * 2 + pad))


def write_title(sheet, book: Workbook, title: str, subtitle: str | None = None) -> None:
    """The title (row 1, bold) and, unless None, the line under it (row 2)."""
    sheet.write_string(0, 0, title, book.format("title"))
    if subtitle is not None:
        sheet.write_string(1, 0, subtitle)


def write_header(
    sheet, row: int, headers: Sequence, cell_format: Format, *, minimum: int = 10, maximum: int = 40, pad: int = 4
) -> None:
    """The header row: each label in ``cell_format``, each column as wide as ``label_width`` makes it."""
    for col, label in enumerate(headers):
        sheet.write_string(row, col, str(label), cell_format)
        sheet.set_column(col, col, label_width(label, minimum=minimum, maximum=maximum, pad=pad))


def write_cell(sheet, book: Workbook, r: int, c: int, value) -> None:
    """One value by its type: nothing for None or "", 是/否 for booleans, numbers as numbers, dates as Excel dates
    (with the time for a datetime), everything else as text."""
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_string(r, c, "是" if value else "否")
    elif isinstance(value, int | float):
        sheet.write_number(r, c, value)
    elif isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value  # Beijing time, as on the pages
        sheet.write_datetime(r, c, local.replace(tzinfo=None), book.format("datetime"))
    elif isinstance(value, datetime.date):
        sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), book.format("date"))
    else:
        sheet.write_string(r, c, str(value))


def write_rows_xlsx(
    target,
    *,
    title: str,
    headers: Sequence[str],
    rows: Iterable[Sequence],
    subtitle: str = "",
    sheet_name: str = "Sheet1",
) -> None:
    """Write one sheet: title (row 1), subtitle (row 2), header (row 3), then the rows.

    Strings stay strings (户编号, 证件号码 and phones are never turned into numbers); numbers and dates keep their
    type so that Excel can sum and sort them.
    """
    book = open_workbook(target)
    sheet = book.add_worksheet(sheet_name[:31])
    write_title(sheet, book, title, subtitle)
    write_header(sheet, 2, headers, book.format("head_wrap"))
    sheet.freeze_panes(3, 0)
    r = 3
    for row in rows:
        for c, value in enumerate(row):
            write_cell(sheet, book, r, c, value)
        r += 1
    book.close()


def rows_xlsx_bytes(**kwargs) -> bytes:
    """``write_rows_xlsx`` into memory (constant_memory does not apply there; list exports are paginated)."""
    buffer = io.BytesIO()
    write_rows_xlsx(buffer, **kwargs)
    return buffer.getvalue()
