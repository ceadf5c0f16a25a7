"""The one problem life cycle (ADR 0010, 0011): its states, its steps, who takes each step, and the check of a step.

Every kind of problem runs on it: a rectification problem (``work.Problem``: 下发 → 整改 → 申请销号 → 销号 at the
issuer's level), a department-matching finding (verified by its village: 属实 / 不属实, then closed with what was
done), a 三保障 guarantee problem found on a visit (resolved by whoever may change it) and a data-quality problem
(raised and closed by the system, 不是问题 confirmed by the township). A kind takes the steps of its ``Cycle``; the
states, the steps, the refusals and who may take each step are defined here once, and ``check`` is the only place a
step is allowed or refused. The owners of each kind's rows write the new state (``work.services`` for problems,
``matching.services`` for findings, ``assistance.services`` for guarantee problems, ``work.raising`` in bulk).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

__all__ = [
    "CLOSED",
    "FINDINGS",
    "GUARANTEES",
    "ISSUED",
    "NOT_A_PROBLEM",
    "OPEN_STATES",
    "PROBLEMS",
    "RECTIFIED",
    "RECTIFYING",
    "RUNNING_STATES",
    "SUSPENDED",
    "TRANSITIONS",
    "UNCLOSED_STATES",
    "Cycle",
    "Move",
    "ProblemList",
    "Transition",
    "TransitionRefused",
    "check",
    "raised_again",
]

# --- states -----------------------------------------------------------------------------------------------------

ISSUED, RECTIFYING, APPLIED, CLOSED, SUSPENDED = "issued", "rectifying", "applied", "closed", "suspended"
STATE_CHOICES = [
    (ISSUED, "已下发"),
    (RECTIFYING, "整改中"),
    (APPLIED, "申请销号"),
    (CLOSED, "已销号"),
    (SUSPENDED, "挂起"),
]
STATE_LABELS = dict(STATE_CHOICES)
OPEN_STATES = (ISSUED, RECTIFYING, APPLIED)  # still the responsible side's or the issuer's work
RUNNING_STATES = (ISSUED, RECTIFYING)  # the due date runs (applied: the issuer's turn; suspended: stopped)
UNCLOSED_STATES = (*OPEN_STATES, SUSPENDED)  # a source found again while its problem is in one of these is not raised

# What a closed problem was closed as; while 申请销号, what the responsible side asks it to be closed as.
RECTIFIED, NOT_A_PROBLEM = "已整改", "不是问题"
OUTCOME_CHOICES = [(RECTIFIED, RECTIFIED), (NOT_A_PROBLEM, NOT_A_PROBLEM)]

# --- who takes a step -------------------------------------------------------------------------------------------

# The responsible side (责任单位/责任人: a user of the responsible region or below it, or the responsible person); the
# reviewer (a user of the issuing level, 下发单位); the system (a run that raised the problem finds it gone).
RESPONSIBLE, REVIEWER, SYSTEM = "responsible", "reviewer", "system"
ACTOR_LABELS = {RESPONSIBLE: "责任单位或责任人", REVIEWER: "下发单位", SYSTEM: "系统"}

# --- steps ------------------------------------------------------------------------------------------------------

RESUMED = "resumed"  # a target: the state the problem was suspended in
CLEAR = ""  # an outcome: forget what was asked


class TransitionRefused(Exception):
    """A step that may not be taken now, or not by this user (the message says why, in Chinese)."""


@dataclass(frozen=True)
class Transition:
    """One step of the cycle: from which states, to which, who takes it, and the text it cannot go without."""

    action: str
    step: str  # the step's name in a problem's history
    sources: tuple[str, ...]
    target: str | None  # None: the state stays (a 延期 and its decision); RESUMED: back to where it was suspended
    actor: str
    outcome: str | None = None  # the outcome it sets (CLEAR empties it); None leaves it
    required: str = ""  # the refusal when the step's text is empty


CONFIRM = "confirm"  # 核实属实: the responsible side finds the problem real; the rectification starts
PROGRESS = "progress"
APPLY = "apply"
APPLY_WAIVER = "apply_waiver"
WAIVE = "waive"  # 不是问题 decided by the responsible side itself (kinds without the issuer's confirmation)
CLOSE = "close"  # 整改完成 closed by the responsible side itself (kinds without 销号审核)
APPROVE = "approve"
REJECT = "reject"
EXTEND = "extend"
GRANT_EXTENSION = "grant_extension"
REFUSE_EXTENSION = "refuse_extension"
SUSPEND = "suspend"
RESUME = "resume"
SYSTEM_CLOSE = "system_close"

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        Transition(CONFIRM, "核实属实", (ISSUED,), RECTIFYING, RESPONSIBLE),
        Transition(PROGRESS, "整改", RUNNING_STATES, RECTIFYING, RESPONSIBLE, required="请填写整改措施"),
        Transition(
            APPLY, "申请销号", RUNNING_STATES, APPLIED, RESPONSIBLE, outcome=RECTIFIED, required="请填写整改完成情况"
        ),
        Transition(
            APPLY_WAIVER,
            "申请认定不是问题",
            RUNNING_STATES,
            APPLIED,
            RESPONSIBLE,
            outcome=NOT_A_PROBLEM,
            required="请说明不是问题的理由",
        ),
        # 不是问题 is decided before a rectification starts: once confirmed (属实) a problem is rectified
        Transition(
            WAIVE, "核实不是问题", (ISSUED,), CLOSED, RESPONSIBLE, outcome=NOT_A_PROBLEM, required="请填写核实情况说明"
        ),
        Transition(CLOSE, "整改完成", (RECTIFYING,), CLOSED, RESPONSIBLE, outcome=RECTIFIED),
        Transition(APPROVE, "销号", (APPLIED,), CLOSED, REVIEWER),
        Transition(REJECT, "驳回", (APPLIED,), RECTIFYING, REVIEWER, outcome=CLEAR, required="驳回时请填写理由"),
        Transition(EXTEND, "延期申请", RUNNING_STATES, None, RESPONSIBLE, required="请填写延期理由"),
        Transition(GRANT_EXTENSION, "同意延期", RUNNING_STATES, None, REVIEWER),
        Transition(REFUSE_EXTENSION, "不同意延期", RUNNING_STATES, None, REVIEWER),
        Transition(SUSPEND, "挂起", OPEN_STATES, SUSPENDED, REVIEWER, required="挂起时请填写理由"),
        Transition(RESUME, "恢复", (SUSPENDED,), RESUMED, REVIEWER),
        Transition(
            SYSTEM_CLOSE, "自动销号", UNCLOSED_STATES, CLOSED, SYSTEM, outcome=RECTIFIED, required="请说明销号理由"
        ),
    )
}


@dataclass(frozen=True)
class Cycle:
    """The steps one kind of problem takes (``noun`` names it in a refusal)."""

    noun: str
    actions: frozenset[str]

    def transition(self, action: str) -> Transition:
        if action not in self.actions:
            raise TransitionRefused(f"{self.noun}没有“{TRANSITIONS[action].step}”这一步")
        return TRANSITIONS[action]


# 整改问题 (and data-quality problems): 销号 and 不是问题 at the issuer's level; 延期, 挂起; the system closes what it
# raised
PROBLEMS = Cycle(
    "整改问题",
    frozenset(
        {
            PROGRESS,
            APPLY,
            APPLY_WAIVER,
            APPROVE,
            REJECT,
            EXTEND,
            GRANT_EXTENSION,
            REFUSE_EXTENSION,
            SUSPEND,
            RESUME,
            SYSTEM_CLOSE,
        }
    ),
)
# 部门比对结果: the village verifies (属实 starts the rectification, 不属实 closes it as 不是问题 with the reason) and
# closes a confirmed one with what was done; nobody above reviews it
FINDINGS = Cycle("比对结果", frozenset({CONFIRM, WAIVE, CLOSE}))
# 保障问题 found on a visit (or from a finding): known to be real, rectified from the start, resolved by whoever may
# change it
GUARANTEES = Cycle("保障问题", frozenset({CLOSE}))


@dataclass(frozen=True)
class Move:
    """What a step does: the state after it, the outcome after it, and its name in the history."""

    state: str
    outcome: str
    step: str


def check(
    cycle: Cycle,
    action: str,
    *,
    state: str,
    acting: Collection[str],
    text: str = "",
    outcome: str = "",
    suspended_from: str = "",
    label: str = "",
    refused: type[Exception] = TransitionRefused,
) -> Move:
    """Allow the step ``action`` of a ``cycle`` problem in ``state`` (and ``outcome``) taken by someone who is each of
    ``acting`` (RESPONSIBLE, REVIEWER, SYSTEM) with ``text``, or raise ``refused`` saying why.

    ``label`` is the state as the kind's pages name it (a finding's 属实), for the refusal; ``suspended_from`` the
    state a suspended problem returns to."""
    try:
        transition = cycle.transition(action)
    except TransitionRefused as exc:
        raise refused(str(exc)) from None
    if state not in transition.sources:
        shown = label or STATE_LABELS.get(state, state)
        raise refused(f"该{cycle.noun}当前状态为「{shown}」，不能进行此操作（可能已被他人处理，请刷新页面）")
    if transition.actor not in acting:
        raise refused(f"此操作由{ACTOR_LABELS[transition.actor]}办理")
    if transition.required and not (text or "").strip():
        raise refused(transition.required)
    target = transition.target
    if target is None:
        target = state
    elif target == RESUMED:
        target = suspended_from or RECTIFYING
    return Move(
        state=target,
        outcome=outcome if transition.outcome is None else transition.outcome,
        step=transition.step,
    )


def raised_again(*, state: str, outcome: str, same_data: bool) -> bool:
    """Whether a source found again (by the next run of a check or a match) gets a new problem, given the state of
    its latest one: not while that one is unclosed (it carries on), nor after 不是问题 on the same data (a waiver
    holds until the data change); after 已整改, yes."""
    if state in UNCLOSED_STATES:
        return False
    return not (outcome == NOT_A_PROBLEM and same_data)


@dataclass(frozen=True)
class ProblemList:
    """A kind of problem on this cycle kept in a table of its own (findings, guarantee problems), registered in the
    ``problem_lists`` store so that the 问题整改 list links to its list: ``label``, the list's URL name, the model
    (a user who may not view it sees no link) and what its cycle is, in a few words."""

    label: str
    url_name: str
    model: str
    note: str = ""
