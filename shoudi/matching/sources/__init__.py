"""Department sources: one small module per department, each declaring its columns and its rules.

Columns say which header (and aliases) fill which staging column of ``ListRow`` and how a cell is read. Rules are
SQL conditions over one row of the *frame*: the department list full-outer-joined with the registry persons of the
run's region by ID number. The engine evaluates every rule of a source in one pass over that join and writes the
findings set-based, so a rule never runs per row in Python.

Frame columns a rule may use (NULL on the side that has no row):

- list side: ``s_id``, ``s_row``, ``s_id_number``, ``s_name``, ``s_name_key`` (the name without spaces),
  ``s_category``, ``s_grade``, ``s_status``, ``s_amount``, ``s_event_date``, ``s_code``, ``s_detail``;
- registry side: ``m_id``, ``m_id_number``, ``m_name``, ``m_name_key``, ``m_birth_date``, ``m_status`` (正常/死亡/迁出),
  ``m_dibao``, ``m_tekun``, ``m_dis_cat``, ``m_dis_grade``, ``m_student``, ``m_employed`` (1/0/NULL),
  ``m_employee_pension`` and ``m_employee_medical`` (1/0/NULL), ``h_id``, ``h_no``, ``h_type`` (脱贫户/一般农户),
  ``h_housing`` (1 safe/0 unsafe/NULL), ``v_id`` (village);
- ``base`` (1 for 脱贫人口 and 监测对象: a 脱贫户 or a household ever identified) and ``open_case`` (1 when the
  household has an open monitoring record, clue included).

Named parameters (``%(name)s``) come from ``Source.params(settings, period)``; a literal per cent sign is ``%%``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from shoudi.core.registry import registry
from shoudi.matching import choices as c

__all__ = [
    "COMMON_RULES",
    "NOT_IN_REGISTRY",
    "Column",
    "Figure",
    "Rule",
    "Source",
    "department_choices",
    "get_source",
    "sources",
]

# The staging columns a source may fill, besides id_number and name (every source has those).
STAGING_COLUMNS = ("category", "grade", "status", "amount", "event_date", "code", "detail")
KINDS = ("id", "name", "money", "date", "choice", "text")


@dataclass(frozen=True)
class Column:
    """A list column: which staging column it fills, the headers it goes by, how its cells are read.

    ``values`` maps written variants (compared without spaces, NFKC, lower case) to the value stored; ``contains``
    maps a part of the text to it when no variant matches (“城镇职工基本养老保险” contains “职工”). A choice cell that
    matches neither is loaded as written and reported once per distinct value (it refuses no row).
    """

    key: str  # id_number / name / one of STAGING_COLUMNS
    label: str
    aliases: tuple[str, ...] = ()
    kind: str = "text"
    required: bool = False
    values: dict[str, str] = field(default_factory=dict)
    contains: tuple[tuple[str, str], ...] = ()
    report_unknown: bool = True  # a choice value matching nothing is kept and reported (else silently left blank)
    help: str = ""

    def __post_init__(self):
        if self.key not in ("id_number", "name", *STAGING_COLUMNS):
            raise ValueError(f"unknown staging column {self.key}")
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind}")

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.label, *self.aliases)


@dataclass(frozen=True)
class Figure:
    """One value shown with a finding: a label and a SQL expression over the frame (``kind`` money or text)."""

    label: str
    sql: str
    kind: str = "text"


@dataclass(frozen=True)
class Rule:
    """One anomaly a department's list reveals: a SQL condition over the frame, the figures that show why.

    ``level`` "household" gives one finding per household (the first list row of it) instead of one per person;
    ``action`` is the action suggested on the finding's page when it is confirmed; ``clue_risk`` names the figure
    whose value is the risk type of the clue 提出监测线索 opens (应急: 因自然灾害 or 因意外事故).

    ``population`` makes it an *absence rule*: a person may be hit for missing from the list (``s_id IS NULL``).
    It is the SQL of the registry persons the rule compares the list against; when too few of them are on the
    list, or too few of their villages (``MatchingSettings``), the engine keeps the rule to listed persons only
    and the run says why.
    """

    code: str
    label: str
    condition: str
    figures: tuple[Figure, ...]
    level: str = "person"
    action: str = c.REGISTRY
    help: str = ""
    population: str = ""
    population_label: str = ""  # who the population is, for the run page: 脱贫/监测人口
    clue_risk: str = ""  # the label of the figure naming the 致贫/返贫风险 a clue raised from the finding opens with

    @property
    def is_absence(self) -> bool:
        return bool(self.population)


@dataclass(frozen=True)
class Source:
    """A department: its list's columns, its rules and the parameters its rules read."""

    department: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...]
    params: Callable[[object, datetime.date], dict] = field(default=lambda settings, period: {})
    derive: Callable[[dict], None] | None = None  # fills staging values from others after a row is read

    @property
    def label(self) -> str:
        return c.DEPARTMENT_LABELS.get(self.department, self.department)

    @property
    def all_rules(self) -> tuple[Rule, ...]:
        """The department's rules, then the rules every source has."""
        return (*self.rules, *COMMON_RULES)

    def rule(self, code: str) -> Rule | None:
        return next((r for r in self.all_rules if r.code == code), None)

    def column(self, key: str) -> Column | None:
        return next((col for col in self.columns if col.key == key), None)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(col.key for col in self.columns if col.required)


# --- shared pieces ----------------------------------------------------------------------------------------------

# The national export's spellings of 证件号码 and 姓名 (registry.national), so that a department that copies the
# base list's headers, or the national system's, is recognised.
ID_ALIASES = (
    "证件号码",
    "身份证号",
    "身份证号码",
    "公民身份号码",
    "证件号",
    "身份证",
    "身份证件号码",
    "居民身份证号码",
    "社会保障号码",
    "社会保障号",
    "个人编号（身份证）",
)
NAME_ALIASES = (
    "姓名",
    "成员姓名",
    "人员姓名",
    "参保人姓名",
    "救助对象姓名",
    "学生姓名",
    "户主姓名",
    "残疾人姓名",
    "名字",
)


def id_column(*extra: str, label: str = "证件号码") -> Column:
    return Column("id_number", label, tuple(a for a in (*ID_ALIASES, *extra) if a != label), kind="id", required=True)


def name_column(*extra: str) -> Column:
    return Column("name", "姓名", tuple(a for a in (*NAME_ALIASES, *extra) if a != "姓名"), kind="name")


def in_registry(condition: str) -> str:
    return f"m_id IS NOT NULL AND ({condition})"


def case_label(expr: str, labels: dict[str, str], default: str = "''") -> str:
    """``CASE expr WHEN 'k' THEN 'label' … END``: a code shown with its label."""
    whens = " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in labels.items())
    return f"CASE {expr} {whens} ELSE {default} END"


def yes_no(expr: str) -> str:
    return f"CASE {expr} WHEN 1 THEN '是' WHEN 0 THEN '否' ELSE '未填写' END"


NAME_MISMATCH = Rule(
    "name_mismatch",
    "证件号码相同但姓名不一致",
    # the names as they are first: the keys (spaces removed) are computed only for the few that differ
    "s_id IS NOT NULL AND m_id IS NOT NULL AND s_name <> m_name AND s_name_key <> '' AND s_name_key <> m_name_key",
    (Figure("名单姓名", "s_name"), Figure("系统姓名", "m_name")),
    help="部门名单与系统中同一证件号码的姓名不同，请核对证件后更正。",
)
COMMON_RULES: tuple[Rule, ...] = (NAME_MISMATCH,)

# Rows whose ID is not in the registry of the run's region: counted and kept, never a finding (no village).
NOT_IN_REGISTRY = ("not_in_registry", "名单人员不在系统中")

# --- the registered sources -------------------------------------------------------------------------------------

# The department modules, each with its ``SOURCE``; wiring.py registers them in the core registry (matching_sources).
MODULES = (
    "medical_insurance",
    "civil_affairs",
    "disabled_federation",
    "education",
    "housing",
    "human_resources",
    "health",
    "emergency",
)


def sources() -> list[Source]:
    return registry.entries("matching_sources")


def get_source(department: str) -> Source:
    """The source of ``department`` (a key of accounts.roles.DEPARTMENT_CHOICES); LookupError if it has none."""
    try:
        return registry.keyed("matching_sources")[department]
    except KeyError:
        raise LookupError(f"{c.DEPARTMENT_LABELS.get(department, department)}尚无比对规则") from None


def department_choices() -> list[tuple[str, str]]:
    """The departments that have a source, in the order of DEPARTMENT_CHOICES."""
    known = registry.keyed("matching_sources")
    return [(key, label) for key, label in c.DEPARTMENT_LABELS.items() if key in known]
