"""The campaign pages: the list, a campaign (phases, work items, progress per township, its problems), a campaign
and a work item edited with their rows, a work item with its progress, 报送进展, 登记问题 and a person's phone."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_tables2 import RequestConfig

from shoudi.core.audit import log_access
from shoudi.core.masking import mask_phone
from shoudi.core.models import AccessLog
from shoudi.core.scope import get_object_for, in_scope, user_can
from shoudi.core.views import ObjectListView
from shoudi.regions.models import Region
from shoudi.work.models import Problem
from shoudi.work.services import TransitionRefused
from shoudi.work.tables import ProblemTable

from . import services
from .filters import CampaignFilterSet
from .forms import CampaignForm, CampaignIssueForm, ItemForm, PersonFormSet, ProgressForm, phase_formset
from .models import Campaign, WorkItem, WorkItemPerson
from .selectors import campaign_problems, item_township_counts, latest_notes, township_progress
from .tables import CampaignTable

__all__ = [
    "CampaignListView",
    "campaign_detail",
    "campaign_edit",
    "item_add",
    "item_detail",
    "item_edit",
    "item_report",
    "person_phone",
    "problem_add",
]


class CampaignListView(ObjectListView):
    queryset = Campaign.objects.select_related("issuer_region")
    filterset_class = CampaignFilterSet
    table_class = CampaignTable
    title = "百日攻坚"
    add_url_name = "campaigns:campaign_add"

    def get_queryset(self, request, action: str = "view"):
        # a campaign is the county's: a township picked in the header still sees its county's campaigns
        return self.queryset.all().restrict(request.user, action)


def _masked(persons) -> list[dict]:
    """The 专班 persons with their phones masked on every page; a role with unmask asks for one (logged)."""
    return [{"pk": p.pk, "name": p.name, "post": p.post, "phone": mask_phone(p.phone)} for p in persons]


def campaign_detail(request, pk: int):
    user = request.user
    campaign = get_object_for(user, Campaign.objects.select_related("issuer_region"), "view", pk=pk)
    today = timezone.localdate()
    phases = list(campaign.phases.all())
    items = (
        WorkItem.objects.restrict(user, "view")
        .filter(campaign=campaign)
        .select_related("phase", "campaign")
        .prefetch_related("persons")
    )
    by_item = item_township_counts(items, user)
    progress = township_progress(campaign, user, today=today)
    rows = [{"item": item, "persons": _masked(item.persons.all()), **by_item.get(item.pk, {})} for item in items]
    problems = ProblemTable(campaign_problems(campaign, user).select_related("region"), request=request)
    RequestConfig(request, paginate={"per_page": 20}).configure(problems)
    context = {
        "title": f"攻坚行动：{campaign}",
        "campaign": campaign,
        "state": campaign.state_on(today, phases),
        "phases": phases,
        "current": campaign.phase_on(today, phases),
        "items": rows,
        "townships": len(progress),
        "progress": progress,
        "total": _total(progress),
        "problems": problems,
        "problem_list": reverse("work:problem_list") + f"?campaign={campaign.pk}",
        "can_change": in_scope(user, campaign, "change"),
        "can_add_item": user_can(user, WorkItem, "add") and in_scope(user, campaign, "change"),
        "can_register": user_can(user, Problem, "add") and today >= campaign.start_date,
        "can_unmask": bool(rows) and in_scope(user, rows[0]["item"], "unmask"),
    }
    return render(request, "campaigns/campaign_detail.html", context)


def _total(progress) -> dict | None:
    """The 合计 row, when there is more than one township."""
    if len(progress) < 2:
        return None
    keys = ("found", "open", "overdue", "closed", "suspended")
    total = {key: sum(getattr(row, key) for row in progress) for key in keys}
    total["closed_rate"] = round(100 * total["closed"] / total["found"], 1) if total["found"] else None
    return total


def campaign_edit(request, pk: int | None = None):
    user = request.user
    if pk is None:
        if not user_can(user, Campaign, "add"):
            raise PermissionDenied("您的角色不能发起攻坚行动")
        if getattr(user, "region_id", None) is None or user.region.level != "county":
            raise PermissionDenied("攻坚行动由县级发起")
        campaign = Campaign(issuer_region=user.region)
    else:
        campaign = get_object_for(user, Campaign.objects.select_related("issuer_region"), "change", pk=pk)
    data = request.POST if request.method == "POST" else None
    form = CampaignForm(data, instance=campaign, user=user)
    phases = phase_formset(data, instance=campaign, year=timezone.localdate().year)
    if data is not None:
        valid = form.is_valid()  # first: the phases are checked against the campaign's dates
        if phases.is_valid() and valid:
            with transaction.atomic():
                campaign = form.save()
                phases.instance = campaign
                phases.save()
                if not in_scope(user, campaign, "change"):
                    transaction.set_rollback(True)
                    raise PermissionDenied("保存后该行动将超出您的管辖范围，操作已撤销")
            messages.success(request, f"已保存攻坚行动：{campaign}")
            return redirect(campaign)
    context = {
        "title": f"修改攻坚行动：{campaign}" if campaign.pk else "发起攻坚行动",
        "form": form,
        "formset": phases,
        "rows_title": "行动阶段",
        "rows_help": "按时间先后填写各阶段；不需要的阶段请勾选“删除”。",
        "cancel_url": campaign.get_absolute_url() if campaign.pk else reverse("campaigns:campaign_list"),
    }
    return render(request, "campaigns/rows_form.html", context, status=422 if data is not None else 200)


def _item_form(request, campaign: Campaign, item: WorkItem):
    data = request.POST if request.method == "POST" else None
    form = ItemForm(data, instance=item, user=request.user, campaign=campaign)
    persons = PersonFormSet(data, instance=item, prefix="persons")
    if data is not None:
        valid = form.is_valid()
        if persons.is_valid() and valid:
            with transaction.atomic():
                item = form.save()
                persons.instance = item
                persons.save()
            messages.success(request, f"已保存工作任务：{item}")
            return redirect(item)
    context = {
        "title": f"修改工作任务：{item}" if item.pk else f"新增工作任务：{campaign}",
        "form": form,
        "formset": persons,
        "rows_title": "专班人员",
        "rows_help": "姓名、职务、联系电话；人员较多时保存后再次修改可继续添加。",
        "cancel_url": item.get_absolute_url() if item.pk else campaign.get_absolute_url(),
    }
    return render(request, "campaigns/rows_form.html", context, status=422 if data is not None else 200)


def item_add(request, pk: int):
    campaign = get_object_for(request.user, Campaign.objects.all(), "view", pk=pk)
    if not user_can(request.user, WorkItem, "add") or not in_scope(request.user, campaign, "change"):
        raise PermissionDenied("您的角色不能新增攻坚工作任务")
    number = (campaign.items.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return _item_form(request, campaign, WorkItem(campaign=campaign, number=number))


def item_edit(request, pk: int):
    item = get_object_for(request.user, WorkItem.objects.select_related("campaign"), "change", pk=pk)
    return _item_form(request, item.campaign, item)


def item_detail(request, pk: int):
    user = request.user
    item = get_object_for(user, WorkItem.objects.select_related("campaign__issuer_region", "phase"), "view", pk=pk)
    campaign = item.campaign
    notes = latest_notes(WorkItem.objects.filter(pk=item.pk), user).select_related("region")
    latest = {note.region_id: note for note in notes}
    townships = []
    if item.townships_report:
        visible = Region.objects.restrict(user, "view").filter(parent=campaign.issuer_region, level="township")
        townships = [{"township": t, "note": latest.get(t.pk)} for t in visible.order_by("code")]
    regions = services.report_regions(item, user)
    context = {
        "title": f"攻坚工作任务：{item}",
        "item": item,
        "campaign": campaign,
        "persons": _masked(item.persons.all()),
        "lead_note": latest.get(campaign.issuer_region_id),
        "townships": townships,
        "history": item.notes.restrict(user, "view").select_related("region")[:200],
        "form": ProgressForm(regions=regions, item=item) if regions else None,
        "can_change": in_scope(user, item, "change"),
        "can_unmask": in_scope(user, item, "unmask"),
    }
    return render(request, "campaigns/item_detail.html", context)


@require_POST
def item_report(request, pk: int):
    user = request.user
    item = get_object_for(user, WorkItem.objects.select_related("campaign__issuer_region"), "view", pk=pk)
    regions = services.report_regions(item, user)
    if not regions:
        raise PermissionDenied("您不能报送此项任务的进展")
    form = ProgressForm(request.POST, regions=regions, item=item)
    if not form.is_valid():
        errors = "；".join(f"{form.fields[name].label}：{e}" for name, es in form.errors.items() for e in es)
        messages.error(request, f"未报送：{errors}")
        return redirect(item)
    try:
        note = services.report_progress(item=item, user=user, **form.cleaned_data)
    except services.CampaignRefused as exc:
        messages.error(request, str(exc))
        return redirect(item)
    unit = item.lead_unit if note.region_id == item.campaign.issuer_region_id else note.region.name
    messages.success(request, f"已报送{unit}的进展：{note.get_state_display()}")
    return redirect(item)


def person_phone(request, pk: int):
    """One 专班 person's full phone number (htmx); the act is written to the access log."""
    person = (
        WorkItemPerson.objects.select_related("item__campaign")
        .filter(pk=pk, item__in=WorkItem.objects.restrict(request.user, "view"))
        .first()
    )
    if person is None:
        raise Http404("记录不存在或不在您的管辖范围内")
    if not in_scope(request.user, person.item, "unmask"):
        raise PermissionDenied("您的角色无权查看完整电话")
    log_access(user=request.user, action=AccessLog.UNMASK, obj=person, field="phone", request=request)
    return render(request, "accounts/_phone.html", {"phone": person.phone})


def problem_add(request, pk: int):
    """登记问题: a problem found during the campaign, on work's life cycle."""
    user = request.user
    campaign = get_object_for(user, Campaign.objects.select_related("issuer_region"), "view", pk=pk)
    if not user_can(user, Problem, "add"):
        raise PermissionDenied("您的角色不能登记整改问题")
    form = CampaignIssueForm(request.POST or None, user=user, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            problem = services.register_problem(campaign=campaign, user=user, **form.cleaned_data)
        except (services.CampaignRefused, TransitionRefused) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已登记并下发：{problem.title}，整改期限 {problem.due_date:%Y-%m-%d}")
            return redirect(problem)
    context = {"title": f"登记问题：{campaign}", "form": form, "cancel_url": campaign.get_absolute_url()}
    return render(request, "generic/object_edit.html", context, status=422 if request.method == "POST" else 200)
