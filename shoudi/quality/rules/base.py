"""What a data-quality rule is: a code, a title and topic, a severity, the level that owns it, the check as a set-based
condition over one pass of the registry (or a query of its own), and the message its figures fill in.

A rule with ``when`` is a condition (a Django ``Q``) over the rows of its subject's pass (``passes.py``: members,
households with their members' counts and the year's incomes, eliminated cases); every rule of a pass is one flag of
one query. A rule whose subjects need another grouping (the same ID in two households, one phone for several
households) brings its own ``check``. Either way the engine gets, per subject, its household, its village and the
figures the message shows.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from shoudi.core.dates import SchoolAgeRule, age_on, years_before

__all__ = [
    "CASE",
    "COUNTY",
    "HOUSEHOLD",
    "LEVEL_LABELS",
    "MEMBER",
    "SEVERITIES",
    "SUBJECT_LABELS",
    "TOWNSHIP",
    "Figure",
    "Found",
    "Params",
    "Rule",
    "json_has",
    "plain",
]

SEVERITIES = ("错误", "疑点", "提示")
# the level answerable for a rule (its overview and report column): the county keeps its own rules (ID numbers,
# incomes, welfare), the townships the others; every problem is given to its village and issued by the township
COUNTY, TOWNSHIP = "county", "township"
LEVEL_LABELS = {COUNTY: "县级", TOWNSHIP: "乡镇"}
MEMBER, HOUSEHOLD, CASE = "member", "household", "case"
SUBJECT_LABELS = {MEMBER: "家庭成员", HOUSEHOLD: "农户", CASE: "监测记录"}


def plain(value) -> str:
    """A figure as the message and the fingerprint read it: text, money to the fen, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Figure:
    """A figure of a rule's message: a column of the pass, shown through ``show(value, params)`` (an age from the
    birth date, a sum of money)."""

    field: str
    show: Callable[[Any, Params], Any] = lambda value, params: value


@dataclass
class Params:
    """What one county's run needs to know: the day, the income year and its line, the school-age rule and the
    county's settings (monitoring's and quality's)."""

    county: str
    today: datetime.date
    year: int | None
    line: Decimal | None
    lines: dict[int, Decimal]
    school: SchoolAgeRule
    min_months: int
    settings: Any  # QualitySettings

    def born_by(self, age: int, on: datetime.date | None = None) -> datetime.date:
        """People born on or before this day are at least ``age`` full years old on ``on`` (today)."""
        return years_before(on or self.today, age)

    def born_after(self, age: int, on: datetime.date | None = None) -> datetime.date:
        """People born after this day are at most ``age`` full years old on ``on`` (today)."""
        return years_before(on or self.today, age + 1)

    @property
    def cutoff(self) -> datetime.date:
        """The school-age cut-off day of the current school year (ages by the school year are taken on it)."""
        return self.school.cutoff(self.today)

    def age(self, born) -> int | None:
        return age_on(born, self.today)

    def school_age(self, born) -> int | None:
        return age_on(born, self.cutoff)


@dataclass(frozen=True)
class Found:
    """One subject a rule found: its id (a member's, a household's or a case's), household, village and figures."""

    subject: int
    household: int
    village: int
    figures: dict[str, str]

    @property
    def fingerprint(self) -> str:
        import hashlib

        text = json.dumps(self.figures, ensure_ascii=False, sort_keys=True)
        return hashlib.sha1(text.encode("utf-8")).hexdigest()[:20]  # noqa: S324 - a change marker, not a secret


@dataclass(frozen=True)
class Rule:
    """One data-quality rule (数据清洗规则), as county rule sets number them (topic_group_sequence: 4_11_010)."""

    code: str
    title: str
    topic: str
    severity: str
    level: str
    subject: str
    message: str  # filled with the figures: "{姓名}的证件号码校验位应为 {应为}"
    figures: dict[str, str | Figure] = field(default_factory=dict)
    when: Callable[[Params], Q] | None = None  # the condition over the subject's pass
    check: Callable[[Params, str], Iterable[Found]] | None = None  # (params, region code) → subjects, its own query
    needs_line: bool = False  # the check compares with the year's monitoring line (skipped, and said, without one)
    needs_year: bool = False  # the check reads the year's incomes
    note: str = ""  # how it is counted, for the rule list

    def __post_init__(self):
        if self.severity not in SEVERITIES:
            raise ValueError(f"{self.code}: severity {self.severity!r}")
        if self.level not in LEVEL_LABELS or self.subject not in SUBJECT_LABELS:
            raise ValueError(f"{self.code}: level {self.level!r} or subject {self.subject!r}")
        if (self.when is None) == (self.check is None):
            raise ValueError(f"{self.code}: a rule has either a condition (when) or a check of its own")

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS[self.level]

    @property
    def subject_label(self) -> str:
        return SUBJECT_LABELS[self.subject]

    def fields(self) -> list[str]:
        """The columns of the pass its figures read."""
        return [f.field if isinstance(f, Figure) else f for f in self.figures.values()]

    def figures_of(self, values: dict[str, Any], params: Params) -> dict[str, str]:
        """The figures (label → text) of one row of its pass."""
        out = {}
        for label, spec in self.figures.items():
            if isinstance(spec, Figure):
                out[label] = plain(spec.show(values.get(spec.field), params))
            else:
                out[label] = plain(values.get(spec))
        return out

    def render(self, figures: dict[str, str]) -> str:
        """The message with its figures (a figure the message names but the row lacks shows as —)."""
        return self.message.format_map(_Blank(figures))


class _Blank(dict):
    def __missing__(self, key):
        return "—"


def json_has(path: str, value: str) -> Q:
    """A JSON list holding ``value``, searched as text in both forms it is stored in: as written (PostgreSQL's
    jsonb, the bulk writers) and with non-ASCII characters escaped (Django's JSON text on SQLite)."""
    return Q(**{f"{path}__icontains": f'"{value}"'}) | Q(**{f"{path}__icontains": json.dumps(value)})
