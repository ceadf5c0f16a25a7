"""The state changes of projects, funds and assets, one module per topic; every service is keyword-only and atomic,
checks the transition and who acts, writes a ``ProjectStep`` (the models are change-logged besides).

``project_actions`` / ``asset_actions`` / ``plan_actions`` name the forms a page offers a user now; the services
check again when they run.
"""

from __future__ import annotations

from shoudi.core.scope import user_can

from .. import choices as c
from ..models import Asset, DistributionPlan, Objection, Project
from .assets import (
    add_contract,
    dispose_asset,
    enter_sanzi,
    record_income,
    record_maintenance,
    register_asset,
    set_custodian,
    transfer_asset,
)
from .base import TransitionRefused, acts_as
from .distribution import (
    approve_plan,
    decide_plan,
    draft_plan,
    file_plan,
    may_approve_plan,
    record_payouts,
    redraft_plan,
    split_amount,
    withdraw_payouts,
)
from .funds import (
    accept,
    add_target,
    allocate,
    allocated_total,
    complete,
    evaluate_target,
    paid_total,
    record_decision,
    record_payment,
    record_progress,
    record_supervision,
    settle,
    start_execution,
    start_works,
)
from .library import (
    add_objection,
    county_assess,
    enter_library,
    library_publicity_problem,
    propose_project,
    publicize,
    resolve_objection,
    resubmit,
    revise_project,
    select_into_plan,
    township_review,
    withdraw_from_plan,
)

__all__ = [
    "TransitionRefused",
    "accept",
    "add_contract",
    "add_objection",
    "add_target",
    "allocate",
    "allocated_total",
    "approve_plan",
    "asset_actions",
    "complete",
    "county_assess",
    "decide_plan",
    "dispose_asset",
    "draft_plan",
    "enter_library",
    "enter_sanzi",
    "evaluate_target",
    "file_plan",
    "library_publicity_problem",
    "may_approve_plan",
    "paid_total",
    "plan_actions",
    "project_actions",
    "propose_project",
    "publicize",
    "record_decision",
    "record_income",
    "record_maintenance",
    "record_payment",
    "record_payouts",
    "record_progress",
    "record_supervision",
    "redraft_plan",
    "register_asset",
    "resolve_objection",
    "resubmit",
    "revise_project",
    "select_into_plan",
    "set_custodian",
    "settle",
    "split_amount",
    "start_execution",
    "start_works",
    "township_review",
    "transfer_asset",
    "withdraw_from_plan",
    "withdraw_payouts",
]


def _may_change(model, obj, user) -> bool:
    return model.objects.restrict(user, "change").filter(pk=obj.pk).exists()


def _chain_actions(project: Project, user) -> set[str]:
    """The library's steps: reviews, 公示 and objections, 入库, the plan."""
    state, actions = project.state, set()
    township = user.is_superuser or (user.region_id and project.region.code[:9] == user.region.code)
    if state == c.PROPOSED and acts_as(user, "township_review") and township:
        actions.add("township_review")
    if state == c.REVIEWED and acts_as(user, "county_assess"):
        actions.add("county_assess")
    if state == c.RETURNED:
        actions.add("resubmit")
    if state != c.REJECTED:
        actions |= {"publicize", "target"} if state != c.SETTLED else {"publicize"}
        if project.publicities.exists():
            actions.add("objection")
        if Objection.objects.filter(publicity__project=project, upheld__isnull=True).exists():
            actions.add("resolve")
    if state == c.ASSESSED and acts_as(user, "enter_library"):
        actions.add("enter_library")
    if state == c.PLANNED and acts_as(user, "plan") and not project.allocations.exists():
        actions.add("withdraw_plan")
    return actions


def _funds_actions(project: Project, user) -> set[str]:
    """下达, 预算执行 and payments, for the roles that handle the funds."""
    if project.state not in c.FUNDED_STATES:
        return set()
    actions = {"allocate"} if acts_as(user, "allocate") else set()
    if acts_as(user, "execute") and project.allocations.filter(execution_started_on__isnull=True).exists():
        actions.add("execution")
    if acts_as(user, "pay") and project.allocations.exists():
        actions.add("pay")
    return actions


# state → the implementation steps whoever may change the project takes in it
WORKS = {
    c.LIBRARY: {"decision"},
    c.PLANNED: {"decision", "start", "supervision"},
    c.IMPLEMENTING: {"decision", "progress", "complete", "supervision"},
    c.COMPLETED: {"supervision"},
}


def project_actions(project: Project, user) -> set[str]:
    """The forms the project page offers this user now."""
    if not _may_change(Project, project, user):
        return set()
    state = project.state
    actions = _chain_actions(project, user) | _funds_actions(project, user) | WORKS.get(state, set())
    if state == c.COMPLETED and acts_as(user, "accept"):
        actions.add("accept")
    if state == c.ACCEPTED and acts_as(user, "settle"):
        actions.add("settle")
    if state in (c.IMPLEMENTING, c.COMPLETED, c.ACCEPTED, c.SETTLED) and project.targets.exists():
        actions.add("evaluate")
    if state in c.BUILT_STATES and user_can(user, Asset, "add"):
        actions.add("asset")
    return actions


def asset_actions(asset: Asset, user) -> set[str]:
    """The forms the asset page offers this user now."""
    if not _may_change(Asset, asset, user) or asset.state == c.DISPOSED:
        return set()
    actions = {"custodian", "maintenance", "dispose"}
    if asset.state == c.PENDING:
        actions.add("transfer")
    elif not asset.sanzi_no:
        actions.add("sanzi")
    if asset.kind == c.OPERATING:
        actions |= {"contract", "income"}
        unplanned = asset.incomes.filter(plan__isnull=True).exists()
        if unplanned and acts_as(user, "plan_draft") and user_can(user, DistributionPlan, "add"):
            actions.add("plan")
    return actions


def plan_actions(plan: DistributionPlan, user) -> set[str]:
    """The forms the distribution plan's page offers this user now."""
    if not _may_change(DistributionPlan, plan, user):
        return set()
    state, actions = plan.state, set()
    drafter = acts_as(user, "plan_draft")
    if state == c.DRAFT and drafter:
        actions |= {"redraft", "decide"}
    if state == c.DECIDED and may_approve_plan(plan, user):
        actions.add("approve")
    if state == c.APPROVED and acts_as(user, "plan_file"):
        actions.add("file")
    if state == c.FILED and drafter:
        actions.add("pay")
    if state == c.PAID and drafter:
        actions.add("withdraw")
    if _may_change(Project, plan.asset.project, user):
        actions.add("publicize")
    return actions
