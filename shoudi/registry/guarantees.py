"""The household's 三保障 and water, as the household page shows them: the registry's own flags, overruled by any
open problem a higher app knows of (a visit that found the house unsafe), so the page never says 安全 beside one."""

from __future__ import annotations

from dataclasses import dataclass, field

from shoudi.core.registry import registry

__all__ = ["GuaranteeRow", "guarantee_rows"]

# label, flag, checked-on field, the word an open problem's kind carries ("住房安全有保障")
ITEMS = (
    ("住房安全", "housing_secure", "housing_checked_on", "住房"),
    ("饮水安全", "water_secure", "water_checked_on", "饮水"),
    ("义务教育无失学辍学", "education_secure", "education_checked_on", "义务教育"),
    ("全员参加基本医疗保险", "insurance_secure", "insurance_checked_on", "医疗"),
)


@dataclass
class GuaranteeRow:
    label: str
    secure: bool | None  # None: not checked
    checked_on: object
    problems: list[str] = field(default_factory=list)  # open problems of this item (they make it insecure)


def open_problems(household) -> list[str]:
    """The kinds of the household's open guarantee problems, from every app that registered a reader."""
    return [kind for fn in registry.entries("guarantee_problems") for kind in fn(household)]


def guarantee_rows(household) -> tuple[list[GuaranteeRow], list[str]]:
    """One row per item, and the open problems that belong to none of them (不愁吃、不愁穿)."""
    problems = open_problems(household)
    rows, placed = [], set()
    for label, flag, checked, word in ITEMS:
        mine = [kind for kind in problems if word in kind]
        placed.update(mine)
        secure = False if mine else getattr(household, flag)
        rows.append(GuaranteeRow(label, secure, getattr(household, checked), mine))
    return rows, [kind for kind in problems if kind not in placed]
