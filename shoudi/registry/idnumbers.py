"""Resident ID numbers (GB 11643-1999): normalise, validate, derive birth date and gender.

The check character comes from python-stdnum; the place code is not checked, because county codes change over
time and a valid old number keeps its old code.
"""

from __future__ import annotations

import datetime
import unicodedata

from stdnum.cn import ric

__all__ = ["IdNumberError", "birth_date_of", "gender_of", "normalize_id_number", "validate_id_number"]


class IdNumberError(ValueError):
    """An ID number that cannot be accepted; the message says why, in Chinese."""


def _ascii(value: str) -> str:
    # Full-width digits and letters (１２３Ｘ) become ASCII; spaces of any width go.
    return "".join(unicodedata.normalize("NFKC", ch) for ch in value).replace(" ", "").replace("\u3000", "")


def _check_char(first17: str) -> str:
    return ric.calc_check_digit(first17 + "0")


def normalize_id_number(value) -> str:
    """Trim, full-width → ASCII, x → X, and convert a 15-digit legacy number to 18 digits (19xx births)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a number Excel stored as a number (only safe for 15-digit legacy numbers)
    text = _ascii(str(value)).strip().upper()
    if len(text) == 15 and text.isdigit():
        first17 = text[:6] + "19" + text[6:]
        text = first17 + _check_char(first17)
    return text


def validate_id_number(value: str, *, today: datetime.date | None = None) -> str:
    """Return the normalised number, or raise IdNumberError with the reason."""
    number = normalize_id_number(value)
    if not number:
        raise IdNumberError("证件号码为空")
    if len(number) != 18:
        raise IdNumberError(f"证件号码应为 18 位（或 15 位旧号码），实际为 {len(number)} 位")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError("证件号码只能由数字组成，最后一位可以是 X")
    try:
        born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(f"证件号码中的出生日期 {number[6:14]} 不是有效日期") from None
    today = today or datetime.date.today()
    if born > today:
        raise IdNumberError(f"证件号码中的出生日期 {born:%Y-%m-%d} 晚于今天")
    if born.year < 1890:
        raise IdNumberError(f"证件号码中的出生年份 {born.year} 不合理")
    expected = _check_char(number[:17])
    if number[17] != expected:
        raise IdNumberError(f"证件号码校验位错误（应为 {expected}）")
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
