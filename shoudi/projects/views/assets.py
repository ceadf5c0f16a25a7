"""The asset pages: the list, an asset with its transfer, contracts, income, plans and 管护, each step; a distribution
plan with its households' shares (shown before the payout is confirmed) and its steps."""

from __future__ import annotations

from decimal import Decimal

from django.shortcuts import render
from django.views.decorators.http import require_POST

from shoudi.core.scope import get_object_for
from shoudi.core.views import ObjectListView
from shoudi.core.views.generic import object_history

from .. import services
from ..filters import AssetFilterSet
from ..models import Asset, DistributionPlan
from ..tables import AssetTable
from .actions import ASSET_ACTIONS, PLAN_ACTIONS, forms_for, run_action

__all__ = ["AssetListView", "asset_act", "asset_detail", "distribution_act", "distribution_detail"]


class AssetListView(ObjectListView):
    queryset = Asset.objects.select_related("region", "project")
    filterset_class = AssetFilterSet
    table_class = AssetTable
    title = "扶贫项目资产"


def asset_detail(request, pk: int):
    asset = get_object_for(
        request.user, Asset.objects.select_related("region", "project", "owner_region"), "view", pk=pk
    )
    allowed = services.asset_actions(asset, request.user)
    context = {
        "title": f"资产：{asset.name}",
        "asset": asset,
        "contracts": asset.contracts.all(),
        "incomes": asset.incomes.select_related("plan"),
        "plans": asset.plans.restrict(request.user, "view").select_related("income"),
        "maintenance": asset.maintenance.all(),
        "beneficiaries": asset.beneficiaries.restrict(request.user, "view").select_related("village"),
        "actions": forms_for(ASSET_ACTIONS, allowed, asset),
        "changes": object_history(request.user, asset),
    }
    return render(request, "projects/asset_detail.html", context)


@require_POST
def asset_act(request, pk: int, action: str):
    asset = get_object_for(request.user, Asset.objects.select_related("region", "project"), "change", pk=pk)
    return run_action(request, ASSET_ACTIONS, services.asset_actions(asset, request.user), asset, action)


def distribution_detail(request, pk: int):
    plan = get_object_for(
        request.user,
        DistributionPlan.objects.select_related("asset__region", "asset__project", "income"),
        "view",
        pk=pk,
    )
    allowed = services.plan_actions(plan, request.user)
    payouts = list(plan.payouts.restrict(request.user, "view").select_related("household__village"))
    context = {
        "title": f"收益分配方案：{plan}",
        "plan": plan,
        "payouts": payouts,
        "payout_total": sum((p.amount for p in payouts), Decimal("0.00")),
        "publicities": plan.publicities.prefetch_related("objections"),
        "actions": forms_for(PLAN_ACTIONS, allowed, plan),
        "changes": object_history(request.user, plan),
    }
    return render(request, "projects/distribution_detail.html", context)


@require_POST
def distribution_act(request, pk: int, action: str):
    plan = get_object_for(request.user, DistributionPlan.objects.select_related("asset__project"), "change", pk=pk)
    return run_action(request, PLAN_ACTIONS, services.plan_actions(plan, request.user), plan, action)
