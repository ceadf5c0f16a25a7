"""Cell values of uploaded lists, read the same way by every importer: text, fold, yes/no, money, dates.

ID numbers (GB 11643) are in ``core.idnumbers``. A value that cannot be read raises ``CellError`` (a ``ValueError``)
whose message says why, in Chinese.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = [
    "NO_WORDS",
    "YES_WORDS",
    "CellError",
    "cell_text",
    "fold",
    "header_key",
    "parse_date",
    "parse_money",
    "parse_yearmonth",
    "parse_yes_no",
]

YES_WORDS = frozenset({"是", "y", "yes", "有", "√", "✓", "✔", "1", "true", "t", "已", "已消除", "已务工", "是的", "对"})
NO_WORDS = frozenset(
    {"否", "n", "no", "无", "×", "✗", "✘", "0", "false", "f", "未", "未消除", "未务工", "没有", "不是"}
)
CENT = Decimal("0.01")
EXCEL_EPOCH = datetime.date(1899, 12, 30)


class CellError(ValueError):
    """A cell value that cannot be accepted; the message says why, in Chinese."""


def cell_text(value) -> str:
    """A cell as text: whole numbers without ``.0`` (codes typed as numbers), everything else as written."""
    if value is None or isinstance(value, bool):
        return "" if value is None else ("是" if value else "否")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, int):
        return str(value)
    return str(value).strip()


def fold(value) -> str:
    """NFKC (full-width letters, digits and brackets folded) and no whitespace: how coded values are compared."""
    text = cell_text(value)
    if not text:
        return ""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return "".join(text.split())


def header_key(value) -> str:
    """A header cell folded for matching: full-width → ASCII, no spaces, no required-marks, lower case."""
    text = unicodedata.normalize("NFKC", cell_text(value))
    return "".join(text.split()).strip("*").lower()


def parse_yes_no(value) -> bool | None:
    """是/否 and their variants (Y/N, 有/无, √/×, 1/0, true/false); blank → None."""
    if value is True or value is False:
        return value
    key = fold(value).lower()
    if not key:
        return None
    if key in YES_WORDS:
        return True
    if key in NO_WORDS:
        return False
    raise CellError(f"“{cell_text(value)}”不是有效的是/否值，应填“是”或“否”")


def parse_money(value) -> Decimal | None:
    """An amount in 元 to the cent: numbers, numbers stored as text, thousands separators, a trailing 元."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        amount = Decimal(repr(value))
    else:
        text = fold(value).replace(",", "").replace("元", "").replace("¥", "")
        if not text:
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise CellError(f"“{cell_text(value)}”应为金额（数字）") from None
    if not amount.is_finite() or abs(amount) >= Decimal("1e10"):
        raise CellError(f"“{cell_text(value)}”不是有效的金额")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)  # 四舍五入


_YM_TEXT_RE = re.compile(
    r"(\d{4})[-./年](\d{1,2})(?:月(?:\d{1,2}日?)?|[-./]\d{1,2}(?:日)?)?(?:\d{1,2}:\d{2}(?::\d{2})?)?"
)


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
            day = EXCEL_EPOCH + datetime.timedelta(days=int(number))
            year, month = day.year, day.month
    else:
        text = fold(value)
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
        raise CellError(f"“{cell_text(value)}”不是有效的年月，应为 202305、2023-05 或 2023年5月 这样的写法")
    return datetime.date(year, month, 1)


_DATE_TEXT_RE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s.*)?")


def parse_date(value) -> str | None:
    """A date as ISO text (the form staging rows and snapshots keep): Excel dates and serials, 2025-05-01,
    2025/5/1, 2025年5月1日, 20250501, a time after the date ignored; blank → None."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = int(value)
        if 19000101 <= number <= 21001231:
            value = str(number)
        elif 1 <= number < 80000:
            return (EXCEL_EPOCH + datetime.timedelta(days=number)).isoformat()
    text = fold(value)
    if not text:
        return None
    try:
        if text.isdigit() and len(text) == 8:
            return datetime.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
        match = _DATE_TEXT_RE.fullmatch(unicodedata.normalize("NFKC", cell_text(value)))
        if match:
            return datetime.date(*(int(g) for g in match.groups())).isoformat()
    except ValueError:
        pass
    raise CellError(f"“{cell_text(value)}”不是有效的日期")
