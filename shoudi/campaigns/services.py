"""What a campaign changes: registering a problem found during it (issued through work's ``issue_problem``, source
专项排查, and linked), linking a problem already on the cycle, and reporting progress on a work item.

Keyword-only and atomic; each checks who acts and what is allowed. A problem's own steps stay work's services'; the
progress note is the record of a report, and the work item's state is change-logged.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from shoudi.core.scope import user_can
from shoudi.regions.models import Region
from shoudi.work import services as work
from shoudi.work.models import Problem

from . import choices as c
from .models import Campaign, CampaignProblem, ProgressNote, WorkItem

__all__ = ["CampaignRefused", "link_problem", "register_problem", "report_progress", "report_regions"]


class CampaignRefused(Exception):
    """A step on a campaign that may not be taken, or not by this user (the message says why, in Chinese)."""


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _visible(campaign: Campaign, user) -> None:
    if not Campaign.objects.restrict(user, "view").filter(pk=campaign.pk).exists():
        raise CampaignRefused("该攻坚行动不存在或不在您的管辖范围内")


def _check_date(campaign: Campaign, day: datetime.date) -> None:
    if day < campaign.start_date:
        raise CampaignRefused(f"「{campaign}」{campaign.start_date:%Y-%m-%d} 开始，此前发现的问题不能计入本行动")


@transaction.atomic
def register_problem(*, campaign: Campaign, user, **fields) -> Problem:
    """登记问题: a problem found during the campaign, issued on work's life cycle with source 专项排查 (the campaign's
    document number unless another is given), and linked to the campaign. ``fields`` are ``issue_problem``'s."""
    _visible(campaign, user)
    _check_date(campaign, fields.get("issued_on") or timezone.localdate())
    region = fields.get("region")
    if region is not None and not region.code.startswith(campaign.issuer_region.code):
        raise CampaignRefused("责任区划不在本行动的范围内")
    fields["document_no"] = fields.get("document_no") or campaign.document_no
    problem = work.issue_problem(user=user, source=c.PROBLEM_SOURCE, **fields)
    CampaignProblem.objects.create(campaign=campaign, problem=problem, linked_by=user)
    return problem


@transaction.atomic
def link_problem(*, campaign: Campaign, problem: Problem, user) -> CampaignProblem:
    """A 专项排查 problem already on the cycle joins the campaign's 问题排查台账: by the county, or by the level that
    issued it."""
    _visible(campaign, user)
    if not Problem.objects.restrict(user, "view").filter(pk=problem.pk).exists():
        raise CampaignRefused("该问题不存在或不在您的管辖范围内")
    may_change = Campaign.objects.restrict(user, "change").filter(pk=campaign.pk).exists()
    if not (user.is_superuser or may_change or problem.issuer_region_id == getattr(user, "region_id", None)):
        raise CampaignRefused("只有县级或下发该问题的单位可以把问题计入攻坚行动")
    if problem.source != c.PROBLEM_SOURCE:
        raise CampaignRefused(f"只有来源为「{c.PROBLEM_SOURCE}」的问题可以计入攻坚行动")
    if not problem.region.code.startswith(campaign.issuer_region.code):
        raise CampaignRefused("该问题的责任区划不在本行动的范围内")
    _check_date(campaign, problem.issued_on)
    link = CampaignProblem.objects.filter(problem=problem).select_related("campaign").first()
    if link is not None:
        if link.campaign_id == campaign.pk:
            return link
        raise CampaignRefused(f"该问题已计入「{link.campaign}」")
    return CampaignProblem.objects.create(campaign=campaign, problem=problem, linked_by=user)


def report_regions(item: WorkItem, user) -> list[Region]:
    """The units ``user`` may report progress for on ``item``: the county reports the lead unit's own progress and
    records a township's (代报, as the 调度 collects them); a township reports its own."""
    if not user_can(user, ProgressNote, "add") or not getattr(user, "region_id", None):
        return []
    county = item.campaign.issuer_region
    townships = Region.objects.filter(parent=county, level="township").order_by("code") if item.townships_report else []
    if user.is_superuser or user.region_id == county.pk:
        return [county, *townships]
    return [t for t in townships if t.pk == user.region_id]


@transaction.atomic
def report_progress(*, item: WorkItem, user, state: str, text: str, region: Region | None = None) -> ProgressNote:
    """报送进展 on a work item for a unit (default: the user's own region). The lead unit's report (the county's)
    is the item's state; a township's is that township's state on the item."""
    item = WorkItem.objects.select_for_update().select_related("campaign__issuer_region").get(pk=item.pk)
    if not WorkItem.objects.restrict(user, "view").filter(pk=item.pk).exists():
        raise CampaignRefused("该工作任务不存在或不在您的管辖范围内")
    region = region or getattr(user, "region", None)
    allowed = report_regions(item, user)
    if region is None or region not in allowed:
        if not allowed:
            raise CampaignRefused("您的角色不能报送攻坚工作进展")
        raise CampaignRefused(f"您不能报送{region.name if region else '该单位'}在此项任务上的进展")
    if state not in c.PROGRESS_LABELS:
        raise CampaignRefused("请选择进展状态")
    if not text.strip():
        raise CampaignRefused("请填写进展情况")
    text = text.strip()
    if region.pk != getattr(user, "region_id", None):
        text += f"（{user.region.name if getattr(user, 'region_id', None) else '系统'}代报）"
    note = ProgressNote.objects.create(
        item=item, region=region, state=state, text=text, user=user, user_name=_name(user)
    )
    if region.pk == item.campaign.issuer_region_id and item.state != state:
        item.state = state
        item.save()
    return note
