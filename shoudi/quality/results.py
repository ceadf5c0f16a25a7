"""The problems of data quality on the common life cycle (``work.Problem``, source and category 数据质量): the one
place this app raises and closes them, through work's API for problems raised by a check (``work.raising``).

Each (rule, subject) is one object of the cycle, ``source_model`` ``quality.hit`` and ``source_pk`` "rule:subject":
raised for its village, issued by the village's township (which reviews it and confirms a 不是问题 waiver), with the
fingerprint of its figures — a 不是问题 holds until they change; closed by the system as 已整改 when a run no longer
finds it, naming the change that fixed it. The waiver itself is the common one, on the problem's page
(``work.services.request_waiver``, then ``decide_closure`` by the township).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from shoudi.work import choices as wc
from shoudi.work.models import Problem
from shoudi.work.raising import Raised, close_by_system, issue_problems_bulk

__all__ = [
    "CATEGORY",
    "SOURCE",
    "SOURCE_MODEL",
    "Raise",
    "close_problems",
    "is_waived",
    "problem_ids",
    "raise_problems",
    "source_pk",
]

SOURCE = CATEGORY = "数据质量"
SOURCE_MODEL = "quality.hit"
CHUNK = 500
# a rule's severity as a problem's: errors weigh more; doubts and hints are 一般
SEVERITY = {"错误": "较重", "疑点": "一般", "提示": "一般"}


def source_pk(rule: str, subject: int) -> str:
    """The object a problem is about: the rule and its subject ("4_11_010:123")."""
    return f"{rule}:{subject}"


@dataclass(frozen=True)
class Raise:
    """A problem to raise: for a rule's subject, given to its village, issued by the village's township."""

    source_pk: str
    title: str
    description: str
    village: int
    township: int | None
    household: int
    fingerprint: str


def raise_problems(
    items: Sequence[Raise], *, severity: str, due_workdays: int, issued_on: datetime.date, note: str
) -> dict[str, int]:
    """Raise these problems (idempotent: an object with an unclosed problem, or a 不是问题 on the same figures, gets
    none); returns source_pk → the object's latest problem id for all of them."""
    issue_problems_bulk(
        source_model=SOURCE_MODEL,
        source=SOURCE,
        category=CATEGORY,
        severity=SEVERITY[severity],
        due_workdays=due_workdays,
        issued_on=issued_on,
        note=note,
        problems=[
            Raised(
                source_pk=item.source_pk,
                region_id=item.village,
                title=item.title[:200],
                description=item.description,
                fingerprint=item.fingerprint,
                household_ids=(item.household,),
                issuer_region_id=item.township,
            )
            for item in items
        ],
    )
    return problem_ids([item.source_pk for item in items])


def problem_ids(keys: Iterable[str]) -> dict[str, int]:
    """source_pk → the latest problem of that object."""
    keys = list(keys)
    found: dict[str, int] = {}
    for start in range(0, len(keys), CHUNK):
        rows = Problem.objects.filter(source_model=SOURCE_MODEL, source_pk__in=keys[start : start + CHUNK])
        for pk, key in rows.order_by("id").values_list("pk", "source_pk"):
            found[key] = pk
    return found


def close_problems(changes: dict[str, str], *, today: datetime.date) -> int:
    """自动销号 as 已整改 of these objects' unclosed problems, each step naming the change (source_pk → text)."""
    if not changes:
        return 0
    return close_by_system(
        source_model=SOURCE_MODEL,
        source_pks=list(changes),
        reason="数据质量复查未再发现该问题，已整改",
        changes=changes,
        today=today,
    )


def is_waived(state: str | None, outcome: str | None) -> bool:
    """A problem closed as 不是问题 (confirmed by the township)."""
    return state == wc.CLOSED and outcome == wc.NOT_A_PROBLEM
