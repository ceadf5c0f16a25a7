"""收益分配 (S001 43, S004 (十二)): a plan for one income of a 经营性 asset, drafted by its village, decided by
四议两公开, approved by the township, filed with the county, then paid out to the beneficiary households — and
withdrawable when the payout was recorded in error.

The households' shares are cut to the fen by the largest remainder: they always add up to the amount distributed.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable, Sequence
from decimal import Decimal
from fractions import Fraction

from django.db import transaction

from .. import choices as c
from ..models import AssetIncome, DistributionPlan, Payout
from .base import TransitionRefused, lock, money, require_role, require_state, step, today_or

__all__ = [
    "approve_plan",
    "decide_plan",
    "draft_plan",
    "file_plan",
    "may_approve_plan",
    "record_payouts",
    "redraft_plan",
    "split_amount",
    "withdraw_payouts",
]

PLAN_LABELS = dict(c.PLAN_STATE_CHOICES)


def split_amount(total: Decimal, weights: Sequence[tuple[Hashable, int]]) -> dict[Hashable, Decimal]:
    """``total`` split in proportion to the weights, to the fen, by the largest remainder: each share is its quota
    rounded down, and the fen left over go one each to the largest remainders (ties: in the order given). The
    shares add up to ``total`` exactly."""
    if not weights:
        return {}
    if any(w <= 0 for _, w in weights):
        raise ValueError("weights must be positive")
    fen = int((total * 100).to_integral_value())
    if Decimal(fen) != total * 100:
        raise ValueError("total must be in whole fen")
    whole = sum(w for _, w in weights)
    quotas = [Fraction(fen * w, whole) for _, w in weights]
    floors = [q.numerator // q.denominator for q in quotas]
    left = fen - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(quotas[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return {key: Decimal(share) / 100 for (key, _), share in zip(weights, floors, strict=True)}


def _weights(plan: DistributionPlan) -> list[tuple]:
    households = list(plan.asset.beneficiaries.order_by("household_no"))
    if plan.method == "people":
        return [(h, max(h.size or h.members.filter(status="正常").count(), 1)) for h in households]
    return [(h, 1) for h in households]


def _payouts(plan: DistributionPlan) -> None:
    """The plan's payouts again, from its asset's beneficiaries."""
    plan.payouts.all().delete()
    weights = _weights(plan)
    if plan.household_amount > 0 and not weights:
        raise TransitionRefused("该资产没有受益农户，不能分配到户（可全部留存集体）")
    shares = split_amount(plan.household_amount, weights) if plan.household_amount > 0 else {}
    for household, weight in weights:  # one by one: each row goes to the change log (a village has dozens)
        if household in shares:
            Payout.objects.create(plan=plan, household=household, people=weight, amount=shares[household])
    total = sum((p.amount for p in plan.payouts.all()), Decimal("0.00"))
    if total != plan.household_amount:  # the invariant the rounding guarantees
        raise TransitionRefused(f"到户金额合计 {total} 元与分配到户金额 {plan.household_amount} 元不符")


def _amounts(income: AssetIncome, household_amount, retained_amount) -> tuple[Decimal, Decimal]:
    household_amount, retained_amount = money(household_amount), money(retained_amount)
    if household_amount + retained_amount != income.amount:
        parts = f"分配到户 {household_amount:,.2f} 元与集体留存 {retained_amount:,.2f} 元之和"
        raise TransitionRefused(f"{parts}应等于收益 {income.amount:,.2f} 元")
    return household_amount, retained_amount


@transaction.atomic
def draft_plan(
    *,
    income: AssetIncome,
    user,
    household_amount,
    retained_amount=0,
    retained_use: str = "",
    method: str = "household",
) -> DistributionPlan:
    """拟定方案: the income split between the households and the collective; each household's share computed."""
    asset = lock(type(income.asset), income.asset, user)
    require_role(user, "plan_draft")
    if asset.state == c.DISPOSED:
        raise TransitionRefused("资产已处置")
    if DistributionPlan.objects.filter(income=income).exists():
        raise TransitionRefused("该笔收益已有分配方案")
    if method not in dict(c.SPLIT_METHODS):
        raise TransitionRefused("请选择分配方式")
    household_amount, retained_amount = _amounts(income, household_amount, retained_amount)
    if retained_amount > 0 and not retained_use.strip():
        raise TransitionRefused("请填写集体留存的用途")
    plan = DistributionPlan.objects.create(
        asset=asset,
        income=income,
        household_amount=household_amount,
        retained_amount=retained_amount,
        retained_use=retained_use.strip(),
        method=method,
        drafted_by=user,
    )
    _payouts(plan)
    step(
        asset.project,
        user,
        "拟定收益分配方案",
        f"{income}：到户 {household_amount:,.2f} 元，留存 {retained_amount:,.2f} 元",
    )
    return plan


@transaction.atomic
def redraft_plan(
    *, plan: DistributionPlan, user, household_amount, retained_amount=0, retained_use: str = "", method: str = ""
) -> DistributionPlan:
    """修改方案 while it is a draft (or was sent back by the township)."""
    plan = lock(DistributionPlan, plan, user)
    require_state(plan, (c.DRAFT,), PLAN_LABELS, what="方案")
    require_role(user, "plan_draft")
    plan.household_amount, plan.retained_amount = _amounts(plan.income, household_amount, retained_amount)
    plan.retained_use, plan.method = retained_use.strip(), method or plan.method
    if plan.retained_amount > 0 and not plan.retained_use:
        raise TransitionRefused("请填写集体留存的用途")
    plan.save()
    _payouts(plan)
    return plan


@transaction.atomic
def decide_plan(*, plan: DistributionPlan, user, decided_on: datetime.date, record: str) -> DistributionPlan:
    """四议两公开: the 村民代表会议's decision on the plan, with the record of the procedure."""
    plan = lock(DistributionPlan, plan, user)
    require_state(plan, (c.DRAFT,), PLAN_LABELS, what="方案")
    require_role(user, "plan_draft")
    if not record.strip():
        raise TransitionRefused("请填写四议两公开记录（提议、商议、审议、决议及公开情况）")
    if decided_on > today_or(None):
        raise TransitionRefused("决议日期不能晚于今天")
    plan.state, plan.decided_on, plan.decision_record, plan.returned_reason = c.DECIDED, decided_on, record.strip(), ""
    plan.save()
    step(plan.asset.project, user, "收益分配方案决议", f"{plan}：{decided_on:%Y-%m-%d} 村民代表会议决议")
    return plan


def may_approve_plan(plan: DistributionPlan, user) -> bool:
    """乡镇审核 by the asset's township; an asset of the county itself is approved at the county."""
    if user.is_superuser:
        return True
    region = plan.asset.region
    if region.level == "county":
        return getattr(user, "role", "") in {"county_admin"} and user.region.code == region.code
    return getattr(user, "role", "") == "township_reviewer" and user.region.code == region.code[:9]


@transaction.atomic
def approve_plan(*, plan: DistributionPlan, user, approve: bool, text: str = "") -> DistributionPlan:
    """乡镇审核: approved, or back to the village to redraft (with the reason)."""
    plan = lock(DistributionPlan, plan, user)
    require_state(plan, (c.DECIDED,), PLAN_LABELS, what="方案")
    if not may_approve_plan(plan, user):
        raise TransitionRefused("此方案由资产所在乡镇审核")
    if approve:
        plan.state, plan.approved_on = c.APPROVED, today_or(None)
    else:
        if not text.strip():
            raise TransitionRefused("退回时请填写理由")
        plan.state, plan.returned_reason = c.DRAFT, text.strip()[:300]
    plan.save()
    step(plan.asset.project, user, "乡镇审核收益分配方案" if approve else "乡镇退回收益分配方案", text)
    return plan


@transaction.atomic
def file_plan(*, plan: DistributionPlan, user, filed_on: datetime.date | None = None) -> DistributionPlan:
    """县级备案 of an approved plan."""
    plan = lock(DistributionPlan, plan, user)
    require_state(plan, (c.APPROVED,), PLAN_LABELS, what="方案")
    require_role(user, "plan_file")
    plan.state, plan.filed_on = c.FILED, today_or(filed_on)
    plan.save()
    step(plan.asset.project, user, "收益分配方案备案", str(plan))
    return plan


def _mark_paid(plan: DistributionPlan, paid_on: datetime.date | None) -> int:
    payouts = list(plan.payouts.all())
    for payout in payouts:  # saved one by one, for the change log
        payout.paid_on = paid_on
        payout.save(update_fields=["paid_on", "updated_at"])
    return len(payouts)


@transaction.atomic
def record_payouts(*, plan: DistributionPlan, user, paid_on: datetime.date) -> int:
    """兑付到户: every household of the filed plan paid on ``paid_on`` (confirmed after the list was shown)."""
    plan = lock(DistributionPlan, plan, user)
    require_state(plan, (c.FILED,), PLAN_LABELS, what="方案")
    require_role(user, "plan_draft")
    if paid_on < plan.filed_on or paid_on > today_or(None):
        raise TransitionRefused("兑付日期应在备案之后、今天之前")
    count = _mark_paid(plan, paid_on)
    plan.state, plan.paid_on = c.PAID, paid_on
    plan.save()
    step(plan.asset.project, user, "收益兑付到户", f"{plan}：{count} 户，合计 {plan.household_amount:,.2f} 元")
    return count


@transaction.atomic
def withdraw_payouts(*, plan: DistributionPlan, user, reason: str) -> DistributionPlan:
    """撤回兑付登记: a payout recorded in error goes back to 备案 (the households unpaid)."""
    plan = lock(DistributionPlan, plan, user)
    require_state(plan, (c.PAID,), PLAN_LABELS, what="方案")
    require_role(user, "plan_draft")
    if not reason.strip():
        raise TransitionRefused("请填写撤回理由")
    _mark_paid(plan, None)
    plan.state, plan.paid_on = c.FILED, None
    plan.save()
    step(plan.asset.project, user, "撤回兑付登记", f"{plan}：{reason.strip()}")
    return plan
