"""The services of a problem to rectify, one per step of the one life cycle (``lifecycle``): 下发 → 整改 → 申请销号
(or 申请认定不是问题) → 审核（下发单位一级）→ 已销号; 驳回 back to 整改中 with a reason; 延期 asked by the responsible
side and decided by the issuer; 挂起 and 恢复 by the issuer. Problems raised and closed by a check in bulk:
``raising``.

Every service is keyword-only and atomic, locks the problem, has ``lifecycle.check`` allow the step for who the user
is (the responsible side, the reviewer), and writes a ``ProblemStep``; the change log records the problem's fields
(``Problem`` is change-logged).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from shoudi.core.scope import user_can
from shoudi.core.workdays import add_workdays

from . import choices as c
from . import lifecycle as lc
from .lifecycle import TransitionRefused
from .models import Problem, ProblemStep

__all__ = [
    "TransitionRefused",
    "allowed_actions",
    "apply_closure",
    "decide_closure",
    "decide_extension",
    "issue_problem",
    "record_progress",
    "request_extension",
    "request_waiver",
    "resume",
    "suspend",
]


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "系统"


def _code(user) -> str:
    return user.region.code if getattr(user, "region_id", None) else ""


def is_reviewer(problem: Problem, user) -> bool:
    """审核 at the issuer's level: a user of the issuing region who may change problems."""
    if user.is_superuser:
        return True
    return (
        user.region_id == problem.issuer_region_id
        and Problem.objects.restrict(user, "change").filter(pk=problem.pk).exists()
    )


def is_responsible(problem: Problem, user) -> bool:
    """The responsible side: the responsible person, or a user of the responsible region (or below it)."""
    if user.is_superuser or problem.responsible_id == user.pk:
        return True
    code = _code(user)
    return bool(code) and code.startswith(problem.region.code) and user.region_id != problem.issuer_region_id


def _lock(problem: Problem, user) -> Problem:
    locked = Problem.objects.select_for_update().filter(pk=problem.pk).select_related("region").first()
    if locked is None or not Problem.objects.restrict(user, "view").filter(pk=problem.pk).exists():
        raise TransitionRefused("该问题不存在或不在您的管辖范围内")
    return locked


def _step(problem: Problem, user, action: str, *, text: str = "", evidence: str = "", file=None) -> ProblemStep:
    return ProblemStep.objects.create(
        problem=problem,
        action=action,
        state=problem.state,
        text=text,
        evidence=evidence,
        file=file or "",
        user=user,
        user_name=_name(user),
    )


def due_date_for(*, start: datetime.date, region_code: str, days: int | None = None, workdays: int | None = None):
    """(due date, fallback): ``workdays`` counted on the Chinese calendar, ``days`` as calendar days."""
    if workdays is not None:
        result = add_workdays(start, workdays, region_code=region_code)
        return result.date, result.fallback
    return start + datetime.timedelta(days=days or 0), False


@transaction.atomic
def issue_problem(
    *,
    user,
    source: str,
    category: str,
    title: str,
    region,
    due_date: datetime.date | None = None,
    due_workdays: int | None = None,
    description: str = "",
    document_no: str = "",
    severity: str = "一般",
    unit: str = "",
    responsible=None,
    households: Iterable = (),
    issued_on: datetime.date | None = None,
    source_model: str = "",
    source_pk: str = "",
) -> Problem:
    """下发: a county or township user gives a problem to a region (and unit) below his own, inside his scope."""
    if not user.is_superuser and (not user_can(user, Problem, "add") or not getattr(user, "region_id", None)):
        raise TransitionRefused("您的角色不能下发整改问题")
    if not user.is_superuser and not region.code.startswith(_code(user)):
        raise TransitionRefused("责任区划不在您的管辖范围内")
    if region.pk == getattr(user, "region_id", None):
        raise TransitionRefused("责任区划应是下级乡镇或村：本级下发的问题由本级审核销号")
    issued_on = issued_on or timezone.localdate()
    fallback = False
    if due_workdays is not None:
        due_date, fallback = due_date_for(start=issued_on, region_code=region.code, workdays=due_workdays)
    if due_date is None:
        raise TransitionRefused("请填写整改期限（日期或工作日数）")
    if due_date < issued_on:
        raise TransitionRefused("整改期限不能早于下发日期")
    problem = Problem.objects.create(
        source=source,
        category=category,
        title=title,
        description=description,
        document_no=document_no,
        severity=severity,
        issuer=user,
        issuer_region=user.region if getattr(user, "region_id", None) else region,
        region=region,
        unit=unit,
        responsible=responsible,
        issued_on=issued_on,
        due_date=due_date,
        due_workdays=due_workdays,
        due_fallback=fallback,
        source_model=source_model,
        source_pk=str(source_pk or ""),
    )
    households = list(households)
    if households:
        problem.households.set(households)
    note = f"整改期限 {due_date:%Y-%m-%d}" + (f"（{due_workdays} 个工作日）" if due_workdays is not None else "")
    if fallback:
        note += "；下一年节假日尚未录入，期限只扣除了周末"
    _step(problem, user, "下发", text=note)
    return problem


def _roles(problem: Problem, user) -> set[str]:
    """Who ``user`` is in the problem's cycle: the responsible side, the reviewer, or both (a superuser)."""
    roles = set()
    if is_responsible(problem, user):
        roles.add(lc.RESPONSIBLE)
    if is_reviewer(problem, user):
        roles.add(lc.REVIEWER)
    return roles


def _advance(problem: Problem, user, action: str, *, text: str = "") -> tuple[Problem, lc.Move]:
    """The locked problem and the move the one cycle allows this user (its refusal otherwise); the caller sets the
    fields its step carries, then ``_write``s the move."""
    problem = _lock(problem, user)
    move = lc.check(
        lc.PROBLEMS,
        action,
        state=problem.state,
        acting=_roles(problem, user),
        text=text,
        outcome=problem.outcome,
        suspended_from=problem.suspended_from,
    )
    return problem, move


def _write(problem: Problem, user, move: lc.Move, *, text: str = "", evidence: str = "", file=None) -> Problem:
    """The state and outcome the move leads to (a 挂起 remembers the state it left), saved, and the step."""
    if move.state == c.SUSPENDED and problem.state != c.SUSPENDED:
        problem.suspended_from = problem.state
    elif problem.state == c.SUSPENDED and move.state != c.SUSPENDED:
        problem.suspended_from = ""
    problem.state, problem.outcome = move.state, move.outcome
    problem.save()
    _step(problem, user, move.step, text=text, evidence=evidence, file=file)
    return problem


@transaction.atomic
def record_progress(*, problem: Problem, user, text: str, evidence: str = "", file=None) -> Problem:
    """整改: the responsible side records the measures taken (a 已下发 problem is 整改中 from then on)."""
    problem, move = _advance(problem, user, lc.PROGRESS, text=text)
    return _write(problem, user, move, text=text, evidence=evidence, file=file)


@transaction.atomic
def apply_closure(*, problem: Problem, user, text: str, evidence: str = "", file=None) -> Problem:
    """申请销号: the responsible side reports the rectification done."""
    problem, move = _advance(problem, user, lc.APPLY, text=text)
    problem.returned_reason = ""
    return _write(problem, user, move, text=text, evidence=evidence, file=file)


@transaction.atomic
def request_waiver(*, problem: Problem, user, reason: str, evidence: str = "", file=None) -> Problem:
    """申请认定不是问题: the responsible side says the problem is none (a data-quality rule hitting a true value, a
    finding of another person), with the reason; the issuer's level confirms it (``decide_closure``: 销号 as 不是问题)
    or rejects it back to 整改中."""
    problem, move = _advance(problem, user, lc.APPLY_WAIVER, text=reason)
    problem.returned_reason = ""
    return _write(problem, user, move, text=reason, evidence=evidence, file=file)


@transaction.atomic
def decide_closure(*, problem: Problem, user, approve: bool, text: str = "") -> Problem:
    """审核: the issuer's level closes the problem (销号, as 已整改 or 不是问题, whichever was asked) or rejects it
    (驳回, with a reason) back to 整改中."""
    problem, move = _advance(problem, user, lc.APPROVE if approve else lc.REJECT, text=text)
    if approve:
        problem.closed_on = timezone.localdate()
    else:
        problem.returned_reason = text.strip()[:300]
    return _write(problem, user, move, text=text)


@transaction.atomic
def request_extension(*, problem: Problem, user, until: datetime.date, reason: str) -> Problem:
    """延期申请: the responsible side asks for a later due date, with a reason."""
    problem, move = _advance(problem, user, lc.EXTEND, text=reason)
    if problem.extension_to is not None:
        raise TransitionRefused("已有一项延期申请待审核")
    if until <= problem.due_date:
        raise TransitionRefused(f"申请延期的日期应晚于当前期限 {problem.due_date:%Y-%m-%d}")
    problem.extension_to, problem.extension_reason = until, reason.strip()[:300]
    return _write(problem, user, move, text=f"申请延期至 {until:%Y-%m-%d}：{reason.strip()}")


@transaction.atomic
def decide_extension(*, problem: Problem, user, approve: bool, text: str = "") -> Problem:
    """延期审核: the issuer grants the new due date or refuses it."""
    problem, move = _advance(problem, user, lc.GRANT_EXTENSION if approve else lc.REFUSE_EXTENSION, text=text)
    if problem.extension_to is None:
        raise TransitionRefused("没有待审核的延期申请")
    until = problem.extension_to
    if approve:
        problem.due_date = until
        problem.due_workdays, problem.due_fallback = None, False
    problem.extension_to, problem.extension_reason = None, ""
    verdict = f"同意延期至 {until:%Y-%m-%d}" if approve else f"不同意延期至 {until:%Y-%m-%d}"
    return _write(problem, user, move, text=f"{verdict}。{text}".rstrip("。") + "。")


@transaction.atomic
def suspend(*, problem: Problem, user, reason: str) -> Problem:
    """挂起: the issuer stops the clock (a problem that waits on a court, a policy, a season)."""
    problem, move = _advance(problem, user, lc.SUSPEND, text=reason)
    return _write(problem, user, move, text=reason)


@transaction.atomic
def resume(*, problem: Problem, user, text: str = "") -> Problem:
    """恢复: back to the state it was suspended in."""
    problem, move = _advance(problem, user, lc.RESUME, text=text)
    return _write(problem, user, move, text=text)


# the detail page's forms → the steps each one takes (a review takes one of two)
PAGE_ACTIONS = {
    "progress": (lc.PROGRESS,),
    "apply": (lc.APPLY,),
    "waive": (lc.APPLY_WAIVER,),
    "extend": (lc.EXTEND,),
    "review": (lc.APPROVE, lc.REJECT),
    "extension_review": (lc.GRANT_EXTENSION, lc.REFUSE_EXTENSION),
    "suspend": (lc.SUSPEND,),
    "resume": (lc.RESUME,),
}


def allowed_actions(problem: Problem, user) -> set[str]:
    """The forms the problem page offers this user now: the steps the one cycle allows from the problem's state to
    who he is (the services check again when they run)."""
    if not Problem.objects.restrict(user, "change").filter(pk=problem.pk).exists():
        return set()
    roles = _roles(problem, user)
    actions = set()
    for page, steps in PAGE_ACTIONS.items():
        transition = lc.TRANSITIONS[steps[0]]
        if problem.state in transition.sources and transition.actor in roles:
            actions.add(page)
    actions.discard("extend" if problem.extension_to is not None else "extension_review")
    return actions
