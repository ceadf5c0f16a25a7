"""The problems of data quality on the common life cycle (``work.Problem``, source and category 数据质量): the one
place this app writes them.

A run raises a problem per new hit, set-based and idempotent on (``source_model``, ``source_pk``) = (``quality.hit``,
the hit's id), and closes the problem of a hit whose data was fixed (已整改, naming the change). A village asks for a
不是问题 waiver with a reason and its township confirms it (closing the problem) or refuses it.

Until work offers machine-raised problems itself, this module writes ``work_problem`` and its steps in bulk with the
states and step texts of ``work.services``: issued like ``issue_problem`` does, closed like ``decide_closure``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from shoudi.core.bulk import insert_values
from shoudi.work import choices as wc
from shoudi.work.models import Problem, ProblemStep

__all__ = [
    "CATEGORY",
    "SOURCE",
    "SOURCE_MODEL",
    "Raise",
    "WaiverRefused",
    "close_problems",
    "decide_waiver",
    "problem_states",
    "raise_problems",
    "request_waiver",
]

SOURCE = CATEGORY = "数据质量"
SOURCE_MODEL = "quality.hit"
SYSTEM = "系统（数据质量检查）"
CHUNK = 500
# a rule's severity as a problem's: errors weigh more; doubts and hints are 一般
SEVERITY = {"错误": "较重", "疑点": "一般", "提示": "一般"}


class WaiverRefused(Exception):
    """A waiver step that may not be taken now or by this user; the message says why, in Chinese."""


@dataclass(frozen=True)
class Raise:
    """A problem to raise for a hit: given to its village, issued by its township."""

    hit: int
    title: str
    description: str
    village: int
    issuer_region: int
    severity: str
    household: int


def raise_problems(
    items: Sequence[Raise], *, issued_on: datetime.date, due_date: datetime.date, due_workdays: int, fallback: bool
) -> dict[int, int]:
    """Raise the problems of these hits (those not raised before); returns hit id → problem id for all of them."""
    keys = [str(item.hit) for item in items]
    existing = _existing(keys)
    fresh = [item for item in items if str(item.hit) not in existing]
    template = Problem(
        source=SOURCE,
        category=CATEGORY,
        issuer=None,
        issued_on=issued_on,
        due_date=due_date,
        due_workdays=due_workdays,
        due_fallback=fallback,
        state=wc.ISSUED,
        source_model=SOURCE_MODEL,
    )
    rows = [
        (item.title[:200], item.description, SEVERITY[item.severity], item.village, item.issuer_region, str(item.hit))
        for item in fresh
    ]
    written = insert_values(
        Problem,
        template,
        ("title", "description", "severity", "region", "issuer_region", "source_pk"),
        rows,
        returning=("id", "source_pk"),
    )
    created = {int(key): pk for pk, key in written}
    note = f"整改期限 {due_date:%Y-%m-%d}（{due_workdays} 个工作日）" + (
        "；下一年节假日尚未录入，期限只扣除了周末" if fallback else ""
    )
    _steps(created.values(), "下发", wc.ISSUED, f"数据质量检查发现。{note}")
    households = {item.hit: item.household for item in fresh}
    through = Problem.households.through
    insert_values(through, through(), ("problem", "household"), [(pk, households[hit]) for hit, pk in created.items()])
    return {**{int(key): pk for key, pk in existing.items()}, **created}


def _existing(keys: list[str]) -> dict[str, int]:
    found = {}
    for start in range(0, len(keys), CHUNK):
        found.update(
            Problem.objects.filter(source_model=SOURCE_MODEL, source_pk__in=keys[start : start + CHUNK]).values_list(
                "source_pk", "pk"
            )
        )
    return found


def _steps(problem_ids: Iterable[int], action: str, state: str, text: str | dict[int, str], user=None) -> None:
    ids = list(problem_ids)
    if not ids:
        return
    name = (user.get_full_name() or user.get_username()) if user is not None else SYSTEM
    template = ProblemStep(action=action, state=state, user=user, user_name=name, at=timezone.now())
    texts = text if isinstance(text, dict) else dict.fromkeys(ids, text)
    insert_values(ProblemStep, template, ("problem", "text"), [(pk, texts[pk]) for pk in ids])


def problem_states(problem_ids: Iterable[int]) -> dict[int, str]:
    ids = list(problem_ids)
    states = {}
    for start in range(0, len(ids), CHUNK):
        states.update(Problem.objects.filter(pk__in=ids[start : start + CHUNK]).values_list("pk", "state"))
    return states


def close_problems(closures: dict[int, str], *, today: datetime.date | None = None) -> int:
    """System close (已整改) of these problems, each with its text (the change that fixed the data); a problem
    already closed is left as it is. Returns how many were closed."""
    today = today or timezone.localdate()
    ids = list(closures)
    closed = []
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        open_ids = list(Problem.objects.filter(pk__in=part).exclude(state=wc.CLOSED).values_list("pk", flat=True))
        Problem.objects.filter(pk__in=open_ids).update(
            state=wc.CLOSED,
            closed_on=today,
            suspended_from="",
            extension_to=None,
            extension_reason="",
            updated_at=timezone.now(),
        )
        closed += open_ids
    _steps(closed, "已整改", wc.CLOSED, {pk: closures[pk] for pk in closed})
    return len(closed)


def _is_township_of(user, problem: Problem) -> bool:
    region = getattr(user, "region", None) if getattr(user, "region_id", None) else None
    return region is not None and region.level == "township" and problem.region.code.startswith(region.code)


def can_request_waiver(problem: Problem, user) -> bool:
    from shoudi.work.services import is_responsible

    return problem.state in wc.RUNNING_STATES and (
        user.is_superuser
        or (is_responsible(problem, user) and Problem.objects.restrict(user, "change").filter(pk=problem.pk).exists())
    )


def can_decide_waiver(problem: Problem, user) -> bool:
    return problem.state in wc.OPEN_STATES and (
        user.is_superuser
        or (_is_township_of(user, problem) and Problem.objects.restrict(user, "change").filter(pk=problem.pk).exists())
    )


@transaction.atomic
def request_waiver(*, problem: Problem, user, reason: str) -> Problem:
    """不是问题: the responsible village says the data is right, with its reason (the township confirms)."""
    problem = Problem.objects.select_for_update().select_related("region").get(pk=problem.pk)
    if not can_request_waiver(problem, user):
        raise WaiverRefused("只有责任村可以在整改期间申请认定“不是问题”")
    if not reason.strip():
        raise WaiverRefused("请填写不是问题的理由")
    _steps([problem.pk], "申请认定不是问题", problem.state, reason.strip(), user=user)
    return problem


@transaction.atomic
def decide_waiver(*, problem: Problem, user, approve: bool, text: str = "") -> Problem:
    """The township confirms (the problem is closed as 不是问题) or refuses (the village rectifies)."""
    problem = Problem.objects.select_for_update().select_related("region").get(pk=problem.pk)
    if not can_decide_waiver(problem, user):
        raise WaiverRefused("“不是问题”由该村所在乡镇确认")
    if not approve and not text.strip():
        raise WaiverRefused("不同意时请填写理由")
    if approve:
        problem.state, problem.closed_on = wc.CLOSED, timezone.localdate()
        problem.extension_to, problem.extension_reason = None, ""
        problem.save()  # change-logged, as a 销号 is
        _steps([problem.pk], "确认不是问题", wc.CLOSED, text.strip() or "经核实，数据无误", user=user)
    else:
        _steps([problem.pk], "不同意不是问题", problem.state, text.strip(), user=user)
    return problem
