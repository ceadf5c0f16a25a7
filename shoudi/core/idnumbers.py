"""Resident ID numbers (GB 11643-1999): normalise, validate, derive birth date and gender — the one implementation.

The place code is not checked, because county codes change over time and a valid old number keeps its old code.
``matching.fastload`` checks numbers in SQL built from ``WEIGHTS``, ``CHECK_CHARACTERS`` and ``FIRST_BIRTH_YEAR``.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from .cells import CellError, fold

__all__ = [
    "CHECK_CHARACTERS",
    "FIRST_BIRTH_YEAR",
    "RESIDENT_ID",
    "RESIDENT_ID_TYPES",
    "WEIGHTS",
    "IdNumberError",
    "birth_date_of",
    "check_character",
    "gender_of",
    "normalize_id_number",
    "parse_id_number",
    "validate_id_number",
]

# The weight of each of the first 17 digits is 2^(18 - position) mod 11; the check character is looked up here by
# the weighted sum mod 11.
WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
CHECK_CHARACTERS = "10X98765432"
FIRST_BIRTH_YEAR = 1890  # born earlier: no valid number


class IdNumberError(CellError):
    """An ID number that cannot be accepted; the message says why, in Chinese."""


def check_character(first17: str) -> str:
    """The check character of 17 ASCII digits.

    13 ≡ 2 (mod 11), so the weighted sum is 2 × the digits read in base 13 — one C call instead of seventeen
    multiplications (a test compares it with python-stdnum).
    """
    return CHECK_CHARACTERS[2 * int(first17, 13) % 11]


def normalize_id_number(value) -> str:
    """Trim, full-width → ASCII, no spaces, x → X, and a 15-digit legacy number as 18 digits (19xx births)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number Excel stored as a number (only safe for 15-digit legacy numbers)
    text = fold(value).upper()
    if len(text) == 15 and text.isdigit():
        first17 = text[:6] + "19" + text[6:]
        text = first17 + check_character(first17)
    return text


def validate_id_number(value, *, today: datetime.date | None = None) -> str:
    """Return the normalised number, or raise IdNumberError with the reason."""
    if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) >= 1e15:
        # Excel keeps 15 significant digits: the last digits of an 18-digit number typed as a number are lost, and
        # one time in eleven what is left still passes the check digit
        raise IdNumberError("证件号码存成了数字，Excel 只保留 15 位有效数字，末几位已丢失；请将该列设为文本后重新导出")
    number = normalize_id_number(value)
    if not number:
        raise IdNumberError("证件号码为空")
    if len(number) != 18:
        raise IdNumberError(f"证件号码应为 18 位（或 15 位旧号码），实际为 {len(number)} 位")
    if not (number[:17].isascii() and number[:17].isdigit()) or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError("证件号码只能由数字组成，最后一位可以是 X")
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(f"证件号码中的出生日期 {number[6:14]} 不是有效日期") from None
    today = today or timezone.localdate()  # the county's day, not the server's
    if born > today:
        raise IdNumberError(f"证件号码中的出生日期 {born:%Y-%m-%d} 晚于今天")
    if born.year < FIRST_BIRTH_YEAR:
        raise IdNumberError(f"证件号码中的出生年份 {born.year} 不合理")
    expected = check_character(number[:17])
    if number[17] != expected:
        raise IdNumberError(f"证件号码校验位错误（应为 {expected}）")
    return number


_BIRTH_OK: dict[tuple[str, datetime.date], bool] = {}


def _birth_ok(digits: str, today: datetime.date) -> bool:
    try:
        born = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return False
    return born <= today and born.year >= FIRST_BIRTH_YEAR


def _valid_resident_id(text: str, today: datetime.date) -> bool:
    """The fast path for the usual case: 18 ASCII characters that pass every rule of ``validate_id_number``."""
    if len(text) != 18 or not text.isascii() or not text[:17].isdigit():
        return False
    key = (text[6:14], today)
    ok = _BIRTH_OK.get(key)
    if ok is None:
        ok = _BIRTH_OK[key] = _birth_ok(text[6:14], today)
    return ok and CHECK_CHARACTERS[2 * int(text[:17], 13) % 11] == text[17]


RESIDENT_ID = "居民身份证（户口簿）"  # the national certificate type 01, as the export writes it
RESIDENT_ID_TYPES = frozenset({"", "居民身份证", RESIDENT_ID})  # numbers checked by GB 11643


def parse_id_number(value, id_type: str = RESIDENT_ID, *, today: datetime.date | None = None) -> str:
    """The normalised 证件号码 of a cell, validated by GB 11643 (``IdNumberError`` says why not).

    A 残疾人证 number (the ID number followed by the category and grade digits) is kept as the 18-digit ID number;
    a number of another kind of document is only trimmed and limited to 18 characters.
    """
    today = today or timezone.localdate()  # the county's day, not the server's
    if id_type in RESIDENT_ID_TYPES:
        if type(value) is str:
            text = value.strip().upper()
            if _valid_resident_id(text, today):
                return text
        return validate_id_number(value, today=today)
    number = normalize_id_number(value)
    if id_type == "残疾人证":
        if len(number) == 20 and number[18:].isdigit():
            number = number[:18]
        return validate_id_number(number, today=today)
    if not number:
        raise IdNumberError("证件号码为空")
    if len(number) > 18:
        raise IdNumberError(f"证件号码超过 18 个字符（{len(number)} 个）")
    return number


def birth_date_of(number: str) -> datetime.date | None:
    try:
        return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except (ValueError, IndexError):
        return None


def gender_of(number: str) -> str:
    """男 for an odd sequence digit, 女 for an even one."""
    if len(number) < 17 or not number[16].isdigit():
        return ""
    return "男" if int(number[16]) % 2 else "女"
