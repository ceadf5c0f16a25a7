"""One table per page of the forms its steps use and the service each calls, and the POST handler they share: the
page shows the forms ``*_actions(obj, user)`` allows; the POST runs the same entry (checked again by the service)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from .. import forms as f
from .. import services as s
from ..models import Asset, DistributionPlan

__all__ = ["ASSET_ACTIONS", "PLAN_ACTIONS", "PROJECT_ACTIONS", "Action", "forms_for", "run_action"]


@dataclass(frozen=True)
class Action:
    title: str
    form: type
    run: Callable  # (obj, user, cleaned data, request) -> the changed object
    decide: tuple[tuple[str, str], ...] = ()  # buttons (value, label) of a decision; none: one 提交 button


def _decision(request) -> str:
    return request.POST.get("decision", "")


REVIEW = (("approve", "通过"), ("return", "退回修改"), ("reject", "不通过"))

PROJECT_ACTIONS = {
    "township_review": Action(
        "乡镇审核",
        f.ReviewForm,
        lambda p, u, d, r: s.township_review(project=p, user=u, decision=_decision(r), text=d["text"]),
        REVIEW,
    ),
    "county_assess": Action(
        "县级论证",
        f.ReviewForm,
        lambda p, u, d, r: s.county_assess(project=p, user=u, decision=_decision(r), text=d["text"]),
        REVIEW,
    ),
    "resubmit": Action("重新申报", f.ReasonForm, lambda p, u, d, r: s.resubmit(project=p, user=u, text=d["text"])),
    "enter_library": Action("入库", f.ReasonForm, lambda p, u, d, r: s.enter_library(project=p, user=u)),
    "publicize": Action("登记公告公示", f.PublicityForm, lambda p, u, d, r: s.publicize(project=p, user=u, **d)),
    "objection": Action(
        "登记公示异议",
        f.ObjectionForm,
        lambda p, u, d, r: s.add_objection(user=u, **d),
    ),
    "resolve": Action("处理公示异议", f.ResolveForm, lambda p, u, d, r: s.resolve_objection(user=u, **d)),
    "withdraw_plan": Action(
        "调出年度计划",
        f.RequiredReasonForm,
        lambda p, u, d, r: s.withdraw_from_plan(project=p, user=u, reason=d["text"]),
    ),
    "allocate": Action("资金下达", f.AllocationForm, lambda p, u, d, r: s.allocate(project=p, user=u, **d)),
    "execution": Action("登记预算执行", f.ExecutionForm, lambda p, u, d, r: s.start_execution(user=u, **d)),
    "pay": Action("资金拨付", f.PaymentForm, lambda p, u, d, r: s.record_payment(project=p, user=u, **d)),
    "decision": Action("招投标/民主议事", f.DecisionForm, lambda p, u, d, r: s.record_decision(project=p, user=u, **d)),
    "start": Action("开工", f.StartForm, lambda p, u, d, r: s.start_works(project=p, user=u, **d)),
    "progress": Action("登记进度", f.ProgressForm, lambda p, u, d, r: s.record_progress(project=p, user=u, **d)),
    "supervision": Action(
        "监督记录", f.SupervisionForm, lambda p, u, d, r: s.record_supervision(project=p, user=u, **d)
    ),
    "complete": Action("竣工", f.CompleteForm, lambda p, u, d, r: s.complete(project=p, user=u, **d)),
    "accept": Action("竣工验收", f.AcceptForm, lambda p, u, d, r: s.accept(project=p, user=u, **d)),
    "settle": Action("结算/报账", f.SettleForm, lambda p, u, d, r: s.settle(project=p, user=u, **d)),
    "target": Action("申报绩效目标", f.TargetForm, lambda p, u, d, r: s.add_target(project=p, user=u, **d)),
    "evaluate": Action("绩效评价", f.EvaluateForm, lambda p, u, d, r: s.evaluate_target(user=u, **d)),
    "asset": Action("登记资产", f.AssetForm, lambda p, u, d, r: s.register_asset(project=p, user=u, **d)),
}

ASSET_ACTIONS = {
    "transfer": Action("确权移交", f.TransferForm, lambda a, u, d, r: s.transfer_asset(asset=a, user=u, **d)),
    "sanzi": Action("纳入三资平台", f.SanziForm, lambda a, u, d, r: s.enter_sanzi(asset=a, user=u, **d)),
    "custodian": Action("管护主体", f.CustodianForm, lambda a, u, d, r: s.set_custodian(asset=a, user=u, **d)),
    "maintenance": Action("管护记录", f.MaintenanceForm, lambda a, u, d, r: s.record_maintenance(asset=a, user=u, **d)),
    "contract": Action("经营合同", f.ContractForm, lambda a, u, d, r: s.add_contract(asset=a, user=u, **d)),
    "income": Action("登记收益", f.IncomeForm, lambda a, u, d, r: s.record_income(asset=a, user=u, **d)),
    "plan": Action("拟定收益分配方案", f.PlanDraftForm, lambda a, u, d, r: s.draft_plan(user=u, **d)),
    "dispose": Action("资产处置", f.DisposeForm, lambda a, u, d, r: s.dispose_asset(asset=a, user=u, **d)),
}

PLAN_ACTIONS = {
    "redraft": Action("修改方案", f.PlanAmountsForm, lambda p, u, d, r: s.redraft_plan(plan=p, user=u, **d)),
    "decide": Action("四议两公开决议", f.DecideForm, lambda p, u, d, r: s.decide_plan(plan=p, user=u, **d)),
    "approve": Action(
        "乡镇审核",
        f.ReviewForm,
        lambda p, u, d, r: s.approve_plan(plan=p, user=u, approve=_decision(r) == "approve", text=d["text"]),
        (("approve", "审核通过"), ("return", "退回修改")),
    ),
    "file": Action("县级备案", f.FileForm, lambda p, u, d, r: s.file_plan(plan=p, user=u, **d)),
    "pay": Action("确认兑付到户", f.PayForm, lambda p, u, d, r: s.record_payouts(plan=p, user=u, **d)),
    "withdraw": Action(
        "撤回兑付登记", f.RequiredReasonForm, lambda p, u, d, r: s.withdraw_payouts(plan=p, user=u, reason=d["text"])
    ),
    "publicize": Action(
        "收益分配公示",
        f.PlanPublicityForm,
        lambda p, u, d, r: s.publicize(project=p.asset.project, user=u, plan=p, stage="收益分配公示", **d),
    ),
}


def forms_for(table: dict[str, Action], allowed: set[str], obj) -> list[tuple[str, Action, object]]:
    """(key, action, unbound form) of each allowed action, in the table's order."""
    return [(key, action, action.form(prefix=key, obj=obj)) for key, action in table.items() if key in allowed]


def run_action(request, table: dict[str, Action], allowed: set[str], obj, key: str):
    """Run the action's service with its form's data: a redirect to the object (or to what the step made, an asset,
    a plan), with what happened or why not in the messages."""
    if key not in table or key not in allowed:
        raise PermissionDenied("您不能进行此操作")
    action = table[key]
    form = action.form(request.POST, request.FILES, prefix=key, obj=obj)
    if not form.is_valid():
        labels = {name: field.label for name, field in form.fields.items()}
        errors = "；".join(
            f"{labels[name]}：{e}" if name in labels else e
            for name, messages_ in form.errors.items()
            for e in messages_
        )
        messages.error(request, f"未提交：{errors}")
        return redirect(obj)
    try:
        result = action.run(obj, request.user, dict(form.cleaned_data), request)
    except s.TransitionRefused as exc:
        messages.error(request, str(exc))
        return redirect(obj)
    messages.success(request, f"已办理：{action.title}")
    # a registered asset or a drafted plan is shown on its own page; anything else on the page it was done from
    return redirect(result if isinstance(result, Asset | DistributionPlan) else obj)
