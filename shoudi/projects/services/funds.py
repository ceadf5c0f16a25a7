"""Implementation and the flow of 衔接资金 (S001 38–40): 招投标 or 民主议事, 开工, progress, supervision, 竣工, the
竣工验收 within 7 working days, 结算 or 报账; 下达 with 预算执行 started within 15 working days, payments by progress;
绩效 targets and their evaluation. Deadlines run on the working-day calendar (core.workdays)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from shoudi.core.workdays import workdays_between

from .. import choices as c
from ..models import Allocation, Decision, Payment, PerformanceTarget, ProgressReport, Project, Supervision
from .base import TransitionRefused, deadline, lock, money, require_role, require_state, step, today_or

__all__ = [
    "accept",
    "add_target",
    "allocate",
    "allocated_total",
    "complete",
    "evaluate_target",
    "paid_total",
    "record_decision",
    "record_payment",
    "record_progress",
    "record_supervision",
    "settle",
    "start_execution",
    "start_works",
]

ZERO = Decimal("0.00")
RUNNING = (c.IMPLEMENTING, c.COMPLETED)


def allocated_total(project: Project, source: str | None = None) -> Decimal:
    rows = project.allocations.all() if source is None else project.allocations.filter(source=source)
    return rows.aggregate(total=Sum("amount"))["total"] or ZERO


def paid_total(project: Project) -> Decimal:
    return project.payments.aggregate(total=Sum("amount"))["total"] or ZERO


def _not_future(day: datetime.date, what: str) -> None:
    if day > today_or(None):
        raise TransitionRefused(f"{what}不能晚于今天")


# --- funds ----------------------------------------------------------------------------------------------------------


@transaction.atomic
def allocate(
    *, project: Project, user, source: str, amount, allocated_on: datetime.date, document_no: str = ""
) -> Allocation:
    """下达: funds of one source allocated to a planned project; 预算执行 is due 15 working days later."""
    project = lock(Project, project, user)
    require_state(project, c.FUNDED_STATES, c.STATE_LABELS)
    require_role(user, "allocate")
    if source not in c.FUND_SOURCE_LABELS:
        raise TransitionRefused("请选择资金来源")
    amount = money(amount)
    if amount <= 0:
        raise TransitionRefused("下达金额应大于 0")
    budget = project.budget_of(source)
    already = allocated_total(project, source)
    if already + amount > budget:
        label = c.FUND_SOURCE_LABELS[source]
        raise TransitionRefused(f"{label}累计下达 {already + amount:,.2f} 元，超过项目{label}预算 {budget:,.2f} 元")
    due, fallback, note = deadline(allocated_on, c.EXECUTION_WORKDAYS, project.region.code)
    allocation = Allocation.objects.create(
        project=project,
        source=source,
        amount=amount,
        allocated_on=allocated_on,
        document_no=document_no,
        execution_due=due,
        execution_due_fallback=fallback,
    )
    label = c.FUND_SOURCE_LABELS[source]
    step(project, user, "资金下达", f"{label} {amount:,.2f} 元（{document_no or '无文号'}），预算执行{note}")
    return allocation


@transaction.atomic
def start_execution(*, allocation: Allocation, user, started_on: datetime.date, note: str = "") -> Allocation:
    """预算执行: the day the allocated funds began to be executed (a contract signed, a first payment)."""
    project = lock(Project, allocation.project, user)
    require_role(user, "execute")
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    if allocation.execution_started_on is not None:
        raise TransitionRefused("该笔资金已登记预算执行")
    if started_on < allocation.allocated_on:
        raise TransitionRefused("预算执行日期不能早于下达日期")
    _not_future(started_on, "预算执行日期")
    allocation.execution_started_on, allocation.execution_note = started_on, note[:300]
    allocation.save()
    text = f"{allocation}：{started_on:%Y-%m-%d} 开始预算执行"
    if allocation.started_late:
        late = workdays_between(allocation.execution_due, started_on, region_code=project.region.code).days
        text += f"，超过期限 {late} 个工作日"
    step(project, user, "预算执行", text)
    return allocation


@transaction.atomic
def record_payment(
    *,
    project: Project,
    user,
    kind: str,
    amount,
    paid_on: datetime.date,
    allocation: Allocation | None = None,
    voucher: str = "",
) -> Payment:
    """拨付 by progress: never beyond what was allocated; a 进度款 never beyond the budget times the progress; the
    结算款 and 质保金 after acceptance; nothing beyond the settled amount."""
    project = lock(Project, project, user)
    require_state(project, c.FUNDED_STATES, c.STATE_LABELS)
    require_role(user, "pay")
    amount = money(amount)
    if amount <= 0:
        raise TransitionRefused("拨付金额应大于 0")
    _not_future(paid_on, "拨付日期")
    if allocation is not None and allocation.project_id != project.pk:
        raise TransitionRefused("所选资金批次不属于本项目")
    if allocation is None:  # funds of one source only: the payment is of that source (the monthly report counts it)
        batches = list(project.allocations.order_by("allocated_on", "id"))
        if len({b.source for b in batches}) > 1:
            raise TransitionRefused("项目有多个来源的资金，请选择本次拨付的资金批次")
        allocation = batches[0] if batches else None
    paid = paid_total(project) + amount
    allocated = allocated_total(project)
    if paid > allocated:
        raise TransitionRefused(f"累计拨付 {paid:,.2f} 元，超过已下达资金 {allocated:,.2f} 元")
    if kind == "进度款":
        allowed = (project.budget_total * project.progress / 100).quantize(Decimal("0.01"))
        if paid > allowed:
            limit = f"当前形象进度 {project.progress}%，累计拨付不得超过 {allowed:,.2f} 元"
            raise TransitionRefused(f"按进度拨付：{limit}（本次后 {paid:,.2f} 元）")
    elif kind in ("结算款", "质保金") and project.state not in c.BUILT_STATES:
        raise TransitionRefused(f"{kind}在竣工验收后拨付")
    elif kind not in c.PAYMENT_KINDS:
        raise TransitionRefused("请选择拨付类型")
    if project.settled_amount is not None and paid > project.settled_amount:
        raise TransitionRefused(f"累计拨付 {paid:,.2f} 元，超过结算金额 {project.settled_amount:,.2f} 元")
    payment = Payment.objects.create(
        project=project,
        allocation=allocation,
        kind=kind,
        amount=amount,
        paid_on=paid_on,
        progress=project.progress,
        voucher=voucher,
    )
    step(project, user, "资金拨付", f"{kind} {amount:,.2f} 元，累计拨付 {paid:,.2f} 元")
    return payment


# --- implementation -------------------------------------------------------------------------------------------------


@transaction.atomic
def record_decision(
    *,
    project: Project,
    user,
    kind: str,
    decided_on: datetime.date,
    content: str,
    steps: list[str] | None = None,
    contractor: str = "",
    amount=None,
    file=None,
) -> Decision:
    """招投标 or 民主议事: a 四议两公开 record names the steps it went through."""
    project = lock(Project, project, user)
    require_state(project, (c.LIBRARY, c.PLANNED, c.IMPLEMENTING), c.STATE_LABELS)
    steps = [s for s in (steps or []) if s in c.FOUR_TWO_STEPS]
    if kind == "民主议事（四议两公开）" and not steps:
        raise TransitionRefused("四议两公开请勾选已完成的环节")
    decision = Decision.objects.create(
        project=project,
        kind=kind,
        decided_on=decided_on,
        steps=steps,
        content=content,
        contractor=contractor,
        amount=money(amount) if amount not in (None, "") else None,
        file=file or "",
    )
    step(project, user, kind, content[:200])
    return decision


@transaction.atomic
def start_works(*, project: Project, user, started_on: datetime.date, text: str = "") -> Project:
    """开工."""
    project = lock(Project, project, user)
    require_state(project, (c.PLANNED,), c.STATE_LABELS)
    _not_future(started_on, "开工日期")
    project.state, project.started_on = c.IMPLEMENTING, started_on
    project.save()
    step(project, user, "开工", f"开工日期 {started_on:%Y-%m-%d}。{text}".rstrip("。"))
    return project


@transaction.atomic
def record_progress(
    *, project: Project, user, percent: int, text: str, reported_on: datetime.date | None = None, photo=None
) -> ProgressReport:
    """进度: the 形象进度 never goes back."""
    project = lock(Project, project, user)
    require_state(project, (c.IMPLEMENTING,), c.STATE_LABELS)
    if not 0 <= percent <= 100:
        raise TransitionRefused("形象进度应在 0 到 100 之间")
    if percent < project.progress:
        raise TransitionRefused(f"形象进度不能低于上次的 {project.progress}%")
    report = ProgressReport.objects.create(
        project=project, reported_on=today_or(reported_on), percent=percent, text=text, photo=photo or ""
    )
    project.progress = percent
    project.save()
    step(project, user, "进度", f"形象进度 {percent}%：{text}")
    return report


@transaction.atomic
def record_supervision(
    *,
    project: Project,
    user,
    content: str,
    supervisor: str = "村监委会",
    supervisor_name: str = "",
    issues: str = "",
    supervised_on: datetime.date | None = None,
    photo=None,
) -> Supervision:
    """监督: a 村监委会 (or 监理) note on progress and quality."""
    project = lock(Project, project, user)
    require_state(project, (c.PLANNED, c.IMPLEMENTING, c.COMPLETED), c.STATE_LABELS)
    note = Supervision.objects.create(
        project=project,
        supervised_on=today_or(supervised_on),
        supervisor=supervisor,
        supervisor_name=supervisor_name,
        content=content,
        issues=issues,
        photo=photo or "",
    )
    step(project, user, f"{supervisor}监督", content[:200] + (f"；发现问题：{issues}" if issues else ""))
    return note


@transaction.atomic
def complete(*, project: Project, user, completed_on: datetime.date, text: str = "") -> Project:
    """竣工: the 竣工验收 is due 7 working days later (S001 39)."""
    project = lock(Project, project, user)
    require_state(project, (c.IMPLEMENTING,), c.STATE_LABELS)
    if project.started_on and completed_on < project.started_on:
        raise TransitionRefused("竣工日期不能早于开工日期")
    _not_future(completed_on, "竣工日期")
    due, fallback, note = deadline(completed_on, c.ACCEPTANCE_WORKDAYS, project.region.code)
    project.state, project.completed_on, project.progress = c.COMPLETED, completed_on, 100
    project.acceptance_due, project.acceptance_due_fallback = due, fallback
    project.save()
    step(project, user, "竣工", f"竣工日期 {completed_on:%Y-%m-%d}，竣工验收{note}。{text}".rstrip("。"))
    return project


@transaction.atomic
def accept(*, project: Project, user, accepted_on: datetime.date, text: str) -> Project:
    """竣工验收: its assets may then be registered, and must be transferred within three months."""
    project = lock(Project, project, user)
    require_state(project, (c.COMPLETED,), c.STATE_LABELS)
    require_role(user, "accept")
    if accepted_on < project.completed_on:
        raise TransitionRefused("验收日期不能早于竣工日期")
    _not_future(accepted_on, "验收日期")
    if not text.strip():
        raise TransitionRefused("请填写验收意见")
    project.state, project.accepted_on, project.acceptance_note = c.ACCEPTED, accepted_on, text.strip()
    project.save()
    note = f"验收日期 {accepted_on:%Y-%m-%d}"
    if project.accepted_late:
        late = workdays_between(project.acceptance_due, accepted_on, region_code=project.region.code).days
        note += f"，超过验收期限（{project.acceptance_due:%Y-%m-%d}）{late} 个工作日"
    step(project, user, "竣工验收", f"{note}：{text.strip()}")
    return project


@transaction.atomic
def settle(*, project: Project, user, settled_on: datetime.date, kind: str, amount) -> Project:
    """结算 or 报账: the settled amount may not exceed the funds allocated, nor fall below what was paid."""
    project = lock(Project, project, user)
    require_state(project, (c.ACCEPTED,), c.STATE_LABELS)
    require_role(user, "settle")
    if kind not in dict(c.SETTLEMENT_KINDS):
        raise TransitionRefused("请选择结算或报账")
    amount = money(amount)
    allocated, paid = allocated_total(project), paid_total(project)
    if amount > allocated:
        raise TransitionRefused(f"结算金额 {amount:,.2f} 元超过已下达资金 {allocated:,.2f} 元")
    if amount < paid:
        raise TransitionRefused(f"结算金额 {amount:,.2f} 元少于已拨付 {paid:,.2f} 元")
    if settled_on < project.accepted_on:
        raise TransitionRefused("结算日期不能早于验收日期")
    project.state, project.settled_on, project.settlement_kind, project.settled_amount = (
        c.SETTLED,
        settled_on,
        kind,
        amount,
    )
    project.save()
    step(project, user, kind, f"{kind}金额 {amount:,.2f} 元，已拨付 {paid:,.2f} 元")
    return project


# --- 绩效 ------------------------------------------------------------------------------------------------------------


@transaction.atomic
def add_target(*, project: Project, user, level: str, name: str, target: str) -> PerformanceTarget:
    """绩效目标申报."""
    project = lock(Project, project, user)
    if project.state in (c.REJECTED, c.SETTLED):
        raise TransitionRefused("该项目不能再申报绩效目标")
    row = PerformanceTarget.objects.create(project=project, level=level, name=name, target=target)
    step(project, user, "绩效目标", f"{level}：{name} {target}")
    return row


@transaction.atomic
def evaluate_target(
    *, target: PerformanceTarget, user, actual: str, achieved: bool, note: str = "", on: datetime.date | None = None
) -> PerformanceTarget:
    """绩效评价 of one target: the value reached and whether the target was met."""
    project = lock(Project, target.project, user)
    require_state(project, (c.IMPLEMENTING, c.COMPLETED, c.ACCEPTED, c.SETTLED), c.STATE_LABELS)
    target.actual, target.achieved, target.note, target.evaluated_on = actual, achieved, note, today_or(on)
    target.save()
    step(
        project,
        user,
        "绩效评价",
        f"{target.name}：目标 {target.target}，完成 {actual}，{'达成' if achieved else '未达成'}",
    )
    return target
