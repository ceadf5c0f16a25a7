"""Pages of the written notices: the county's 明白纸 (list, upload), the deliveries, one household's 登记送达, a
village's 整村发放 (preview with the households ticked, confirm, the batch and its withdrawal) and the coverage of
each village. The services in ``notices`` check scope and transitions again."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from shoudi.core.scope import get_object_for, in_scope, user_can
from shoudi.core.views import ObjectEditView, ObjectListView
from shoudi.core.views.generic import picked_region_code
from shoudi.regions.models import Region
from shoudi.registry.models import Household, Member

from . import forms as f
from . import notices
from .filters import NoticeDeliveryFilterSet
from .models import NoticeBatch, NoticeDelivery, NoticeDocument
from .tables import NoticeDeliveryTable, NoticeDocumentTable

__all__ = [
    "NoticeDeliveryListView",
    "NoticeDocumentEditView",
    "NoticeDocumentListView",
    "batch_detail",
    "batch_withdraw",
    "coverage",
    "deliver",
    "household_panel",
    "village_batch",
]

HEAD_NAME = Subquery(Member.objects.filter(household=OuterRef("household"), relation="户主").values("name")[:1])
PREVIEW_LIMIT = 2000  # a village has a few hundred households


class NoticeDocumentListView(ObjectListView):
    queryset = NoticeDocument.objects.select_related("region")
    table_class = NoticeDocumentTable
    title = "明白纸"
    add_url_name = "monitoring:noticedocument_add"


class NoticeDocumentEditView(ObjectEditView):
    queryset = NoticeDocument.objects.all()
    form_class = f.NoticeDocumentForm


class NoticeDeliveryListView(ObjectListView):
    queryset = NoticeDelivery.objects.select_related("household__village", "document", "batch").annotate(
        head_name=HEAD_NAME
    )
    filterset_class = NoticeDeliveryFilterSet
    table_class = NoticeDeliveryTable
    title = "告知书与明白纸送达"


def _notice_choices(pending: dict) -> list[tuple[str, str]]:
    exits = [
        (f"exit:{case.pk}", f"退出告知书（{case.eliminated_on:%Y-%m-%d} 风险消除）") for case in pending["due_cases"]
    ]
    return exits + [(f"leaflet:{d.pk}", d.title) for d in pending["leaflets"]]


def deliver(request, pk):
    """登记送达 of one notice to one household (?notice=exit:<case> or leaflet:<document> preselects it)."""
    household = get_object_for(request.user, Household.objects.select_related("village"), "view", pk=pk)
    if not user_can(request.user, NoticeDelivery, "add"):
        raise PermissionDenied("您的角色不能登记送达")
    pending = notices.pending_for(household, request.user)
    choices = _notice_choices(pending)
    head = household.head
    initial = {"notice": request.GET.get("notice", ""), "recipient": head.name if head else ""}
    form = f.DeliveryForm(request.POST or None, notices=choices, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            kind, _, ref = data["notice"].partition(":")
            target = {}
            if kind == NoticeDelivery.EXIT:
                target["case"] = next(case for case in pending["due_cases"] if str(case.pk) == ref)
            else:
                target["document"] = next(d for d in pending["leaflets"] if str(d.pk) == ref)
            try:
                delivery = notices.record_delivery(
                    user=request.user,
                    household=household,
                    kind=kind,
                    delivered_on=data["delivered_on"],
                    delivered_by=data["delivered_by"],
                    recipient=data["recipient"],
                    way=data["way"],
                    note=data["note"],
                    **target,
                )
            except notices.NoticeRefused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"已登记送达：{delivery.title}")
                return redirect(household.get_absolute_url())
        status = 422
    return render(
        request,
        "monitoring/notice_deliver.html",
        {"title": f"登记送达 · {household}", "household": household, "form": form, "nothing": not choices},
        status=status,
    )


def _village(request, pk) -> Region:
    return get_object_for(request.user, Region.objects.filter(level="village"), "view", pk=pk)


def village_batch(request, pk):
    """整村发放: the form; 预览 lists the households it would record, each ticked; 确认登记 records the ticked ones."""
    village = _village(request, pk)
    if not _can_record_batches(request.user):
        raise PermissionDenied("您的角色不能登记整村发放")
    documents = notices.county_documents(village.code)
    form = f.BatchForm(request.POST or None, documents=documents)
    candidates, status = None, 200
    if request.method == "POST":
        if not form.is_valid():
            status = 422
        elif request.POST.get("confirm"):
            data = form.cleaned_data
            try:
                batch = notices.record_batch(
                    user=request.user,
                    document=data["document"],
                    village=village,
                    household_ids=[int(v) for v in request.POST.getlist("household") if v.isdigit()],
                    delivered_on=data["delivered_on"],
                    delivered_by=data["delivered_by"],
                    way=data["way"],
                )
            except notices.NoticeRefused as exc:
                form.add_error(None, str(exc))
                status = 422
            else:
                messages.success(request, f"已登记 {batch.household_count} 户发放「{batch.document.title}」")
                return redirect(batch.get_absolute_url())
        if form.is_valid():
            candidates = list(
                notices.batch_candidates(user=request.user, document=form.cleaned_data["document"], village=village)[
                    :PREVIEW_LIMIT
                ]
            )
    batches = NoticeBatch.objects.restrict(request.user, "view").filter(village=village).select_related("document")
    return render(
        request,
        "monitoring/notice_batch_form.html",
        {
            "title": f"整村发放明白纸 · {village.name}",
            "village": village,
            "form": form,
            "candidates": candidates,
            "batches": batches[:20],
        },
        status=status,
    )


def batch_detail(request, pk):
    batch = get_object_for(
        request.user, NoticeBatch.objects.select_related("document", "village", "created_by"), "view", pk=pk
    )
    deliveries = (
        NoticeDelivery.objects.restrict(request.user, "view")
        .filter(batch=batch)
        .select_related("household")
        .annotate(head_name=HEAD_NAME)
        .order_by("household__household_no")
    )
    return render(
        request,
        "monitoring/notice_batch.html",
        {
            "title": str(batch),
            "batch": batch,
            "deliveries": deliveries,
            "can_add": _can_record_batches(request.user),
            "can_withdraw": batch.status == NoticeBatch.CONFIRMED and _can_withdraw(request.user, batch),
        },
    )


def _can_record_batches(user) -> bool:
    return user_can(user, NoticeDelivery, "add") and user_can(user, NoticeBatch, "add")


def _can_withdraw(user, batch: NoticeBatch) -> bool:
    """整批撤回 removes a whole village's deliveries: for whoever may change the batch, in his scope."""
    return user_can(user, NoticeBatch, "change") and in_scope(user, batch, "change")


@require_POST
def batch_withdraw(request, pk):
    batch = get_object_for(request.user, NoticeBatch.objects.all(), "view", pk=pk)
    if not _can_withdraw(request.user, batch):
        raise PermissionDenied("您的角色不能撤回整村发放")
    try:
        batch = notices.withdraw_batch(user=request.user, batch=batch)
    except notices.NoticeRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已撤回 {batch.withdrawn_count} 户的发放登记")
    return redirect(batch.get_absolute_url())


def _coverage_region(request) -> Region | None:
    """?area=, else the region picked in the header, else the user's own (None: an operator without a region)."""
    code = request.GET.get("area") or picked_region_code(request)
    if not code:
        return request.user.region if request.user.region_id else None
    region = Region.objects.restrict(request.user, "view").filter(code=code).first()
    if region is None:
        raise Http404("区划不存在或不在您的管辖范围内")
    return region


def coverage(request):
    """明白纸覆盖情况: per village, each document's households and 监测户, delivered and missing; 退出告知书待送达."""
    if not user_can(request.user, NoticeDelivery, "view"):
        raise PermissionDenied("您的角色无权查看送达情况")
    region = _coverage_region(request)
    documents = list(notices.county_documents(region.code)) if region is not None and len(region.code) >= 6 else []
    rows = notices.coverage(request.user, region, documents) if region is not None else []
    return render(
        request,
        "monitoring/notice_coverage.html",
        {
            "title": "明白纸发放覆盖" + (f" · {region.name}" if region is not None else ""),
            "region": region,
            "documents": documents,
            "rows": rows,
            "can_add": _can_record_batches(request.user),  # the 整村发放 column
        },
    )


def household_panel(request, household) -> str | None:
    """The household page's 告知书与明白纸: what was delivered, the 退出告知书 due, the 明白纸 still to give."""
    if not user_can(request.user, NoticeDelivery, "view"):
        return None
    pending = notices.pending_for(household, request.user)
    return render_to_string(
        "monitoring/_notice_panel.html",
        {**pending, "household": household, "can_add": user_can(request.user, NoticeDelivery, "add")},
        request=request,
    )
