"""Excel output with XlsxWriter (constant_memory): title row, header, text cells for ID-like values."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence

import xlsxwriter

__all__ = ["write_rows_xlsx"]


def write_rows_xlsx(
    target, *, title: str, headers: Sequence[str], rows: Iterable[Sequence], subtitle: str = "",
    sheet_name: str = "Sheet1",
) -> None:
    """Write one sheet: title (row 1), subtitle (row 2), header (row 3), then the rows.

    Strings stay strings (户编号, 证件号码 and phones are never turned into numbers); numbers and dates keep their
    type so that Excel can sum and sort them.
    """
    book = xlsxwriter.Workbook(target, {"constant_memory": True, "strings_to_numbers": False,
                                        "strings_to_formulas": False, "strings_to_urls": False})
    sheet = book.add_worksheet(sheet_name[:31])
    bold = book.add_format({"bold": True, "font_size": 14})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    time_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_string(0, 0, title, bold)
    sheet.write_string(1, 0, subtitle)
    for col, label in enumerate(headers):
        sheet.write_string(2, col, str(label), head)
        sheet.set_column(col, col, max(10, min(40, len(str(label)) * 2 + 4)))
    sheet.freeze_panes(3, 0)
    r = 3
    for row in rows:
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_string(r, c, "是" if value else "否")
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            elif isinstance(value, datetime.datetime):
                sheet.write_datetime(r, c, value.replace(tzinfo=None), time_fmt)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), date_fmt)
            else:
                sheet.write_string(r, c, str(value))
        r += 1
    book.close()


def rows_xlsx_bytes(**kwargs) -> bytes:
    buffer = io.BytesIO()
    # constant_memory needs a file name; in memory is fine for the small, paginated exports of list pages.
    book_kwargs = dict(kwargs)
    write_rows_xlsx(buffer, **book_kwargs)
    return buffer.getvalue()
