"""Masking of personal information in lists, pages, files and history (身份证号、电话、出生日期 …): the one place.

A masked ID number keeps the address code and the last four digits and hides digits 7–14, which are the birth date;
so wherever a masked ID can be read, the birth date beside it is masked too (to its year), or the two together
would be the full number. ``mask_value(kind, value)`` masks by the kind a model names in ``personal_fields``;
``kind_of_label`` guesses the kind from a column header or key (the unknown columns of an imported file, kept as a
member's extra data), and ``mask_mapping`` masks a dict of such values for the change log and exports.
"""

from __future__ import annotations

import datetime
import re

__all__ = [
    "HIDDEN",
    "kind_of_label",
    "mask_birth_date",
    "mask_id_number",
    "mask_mapping",
    "mask_phone",
    "mask_text",
    "mask_value",
]

HIDDEN = "（已隐藏）"  # what an income or a health detail becomes for a reader who may not see it

_ID_IN_TEXT = re.compile(r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}[0-9Xx](?![0-9Xx])")
_MOBILE_IN_TEXT = re.compile(r"(?<![0-9])1[3-9][0-9]{9}(?![0-9])")
_YEAR = re.compile(r"((?:18|19|20)[0-9]{2})")

# (kind, words a header or key holds): the first that matches decides; checked on the header as written and folded
_LABEL_KINDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("id_number", ("身份证", "证件号", "身份号", "公民身份", "id_number", "idcard", "id_card")),
    ("birth_date", ("出生", "生日", "birth")),
    ("phone", ("电话", "手机", "联系方式", "phone", "mobile")),
    (
        "hidden",
        (
            "收入",
            "支出",
            "工资",
            "存款",
            "金额",
            "补助",
            "补贴",
            "养老金",
            "健康",
            "病",
            "残疾",
            "诊断",
            "医疗",
            "income",
            "wage",
            "health",
            "disab",
            "medical",
        ),
    ),
)


def mask_id_number(value: str | None) -> str:
    """110105********002X: the address code and the last four stay, the birth date is hidden."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 8:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678."""
    if not value:
        return ""
    value = str(value)
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_birth_date(value) -> str:
    """1985年: the year alone (the month and day are digits 11–14 of the ID number a masked ID hides)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.date):
        return f"{value.year}年"
    found = _YEAR.search(str(value))
    return f"{found.group(1)}年" if found else "****"


def mask_text(value):
    """Free text with any ID number or mobile number in it masked (a note, an unknown column's value)."""
    if not isinstance(value, str):
        return value
    value = _ID_IN_TEXT.sub(lambda m: mask_id_number(m.group(0)), value)
    return _MOBILE_IN_TEXT.sub(lambda m: mask_phone(m.group(0)), value)


def kind_of_label(label) -> str | None:
    """The mask kind a column header or key names ("身份证号码" → id_number, "出生年月" → birth_date, "年收入" →
    hidden), or None for a value that is not personal by its name."""
    text = str(label or "").lower()
    for kind, words in _LABEL_KINDS:
        if any(word in text for word in words):
            return kind
    return None


def mask_mapping(value):
    """A dict (a member's extra data, a household's national data, a clue's figures) with each personal value
    masked: by what its key names, else any ID or mobile number in its text."""
    if not isinstance(value, dict):
        return mask_text(value)
    return {
        key: mask_value(kind, item) if (kind := kind_of_label(key)) and item not in (None, "") else mask_text(item)
        for key, item in value.items()
    }


def _hidden(value) -> str:
    return HIDDEN if value not in (None, "") else ""


_MASKS = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "birth_date": mask_birth_date,
    "hidden": _hidden,
    "mapping": mask_mapping,
}


def mask_value(kind: str, value):
    """``value`` masked as ``kind`` (one of id_number, phone, birth_date, hidden, mapping; unknown: as a phone)."""
    return _MASKS.get(kind, mask_phone)(value)
