"""Pages of the work cards (工作卡) and the 收入及政策享受明白卡: print pages (A4, one card a page) and PDFs.

The same template serves the browser's print page and the PDF (``?format=pdf``). Every page takes its households
from ``restrict``/``get_object_for``; every print or PDF is written to the access log (the cards carry names, birth
months, health and phone numbers). A batch PDF of more than ``INLINE_PDF_CARDS`` cards is made by a background job
(two worker processes) instead of inside the request.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shoudi.core.audit import log_access
from shoudi.core.jobs import start_job
from shoudi.core.models import AccessLog, Job
from shoudi.core.scope import get_object_for, in_scope, user_can
from shoudi.core.views.generic import picked_region_code
from shoudi.monitoring.models import MonitoringCase
from shoudi.monitoring.notices import completed_eliminations
from shoudi.regions.models import Region
from shoudi.registry.models import Household

from .workcards import card_households, mingbai_card, mingbai_years, work_cards, write_cards_pdf

__all__ = ["batch_cards", "card_panel", "cards_index", "household_card", "mingbai", "start_batch_job"]

INLINE_PDF_CARDS = 30  # ~2 s in the request; larger batches go to a job
JOB_KIND = "ledgers.workcards"


def _pdf_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


def _pdf_bytes(cards: list, **context) -> bytes:
    with tempfile.TemporaryDirectory(prefix="shoudi-card-") as tmp:
        target = Path(tmp) / "cards.pdf"
        write_cards_pdf(cards, target, workers=1, **context)
        return target.read_bytes()


def _wants_pdf(request) -> bool:
    return request.GET.get("format") == "pdf"


def household_card(request, pk):
    """The work card of one household (print page, or PDF with ``?format=pdf``)."""
    household = get_object_for(request.user, Household.objects.all(), "view", pk=pk)
    households = card_households(request.user).filter(pk=household.pk)
    cards = work_cards(households, user=request.user, unmask=in_scope(request.user, household, "unmask"))
    if not cards:
        return render(request, "cards/card_none.html", {"household": household}, status=404)
    pdf = _wants_pdf(request)
    log_access(
        user=request.user,
        action=AccessLog.EXPORT,
        obj=household,
        request=request,
        detail="打印工作卡（PDF）" if pdf else "打印工作卡",
    )
    if pdf:
        return _pdf_response(_pdf_bytes(cards), f"工作卡-{household.household_no}.pdf")
    return render(
        request,
        "cards/workcards.html",
        {
            "cards": cards,
            "title": f"工作卡 · {household}",
            "printed_at": timezone.localtime(),
            "pdf_url": request.path + "?format=pdf",
            "back_url": household.get_absolute_url(),
        },
    )


def _batch_region(request) -> Region:
    code = (request.GET.get("region") or request.POST.get("region") or "").strip()
    regions = Region.objects.restrict(request.user, "view").filter(level__in=("township", "village"))
    region = regions.filter(code=code).first() if code else None
    if region is None:  # a county's cards are printed by township (or with shoudi workcards)
        raise Http404("请选择管辖范围内的村或乡镇")
    if not user_can(request.user, Household, "export"):
        raise PermissionDenied("您的角色无权批量打印工作卡")
    return region


def batch_cards(request):
    """All work cards of a village or township (``?region=CODE``), one a page; ``?format=pdf`` for a small batch."""
    region = _batch_region(request)
    households = card_households(request.user, region.code)
    if _wants_pdf(request):
        count = households.count()
        if count > INLINE_PDF_CARDS:
            messages.info(request, f"{region.name}共 {count} 张工作卡，请点击“后台生成 PDF”。")
            return redirect(reverse("cards:cards") + f"?region={region.code}")
    cards = work_cards(households, user=request.user)
    pdf = _wants_pdf(request)
    log_access(
        user=request.user,
        action=AccessLog.EXPORT,
        region_code=region.code,
        record_count=len(cards),
        request=request,
        detail=f"批量打印工作卡：{region.full_name}" + ("（PDF）" if pdf else ""),
    )
    if pdf:
        if not cards:
            raise Http404("没有需要制卡的农户")
        return _pdf_response(_pdf_bytes(cards), f"工作卡-{region.name}.pdf")
    return render(
        request,
        "cards/workcards.html",
        {
            "cards": cards,
            "title": f"工作卡 · {region.full_name}",
            "printed_at": timezone.localtime(),
            "pdf_url": request.get_full_path() + "&format=pdf" if len(cards) <= INLINE_PDF_CARDS else "",
            "back_url": reverse("cards:cards") + f"?region={region.code}",
        },
    )


@require_POST
def start_batch_job(request):
    """后台生成 PDF: a job renders the batch with two worker processes; the user follows it on the job page."""
    region = _batch_region(request)
    job = start_job(
        kind=JOB_KIND, user=request.user, params={"region": region.code}, title=f"工作卡 PDF · {region.full_name}"
    )
    messages.success(request, f"已开始生成{region.name}的工作卡 PDF，完成后可在本页下载。")
    return redirect(job.get_absolute_url())


def cards_index(request):
    """工作卡: pick a village or township; counts of red and green cards; print page, PDF or background job."""
    if not user_can(request.user, Household, "export"):
        raise PermissionDenied("您的角色无权批量打印工作卡")
    regions = list(
        Region.objects.restrict(request.user, "view")
        .filter(level__in=("township", "village"))
        .only("code", "name", "level")
    )
    # The card's case as work_cards picks it (open first, else the latest identified): green when eliminated.
    card_case = (
        MonitoringCase.objects.filter(household=OuterRef("pk"), identified_on__isnull=False)
        .order_by("-is_open", "-identified_on", "-pk")
        .values("eliminated_on")[:1]
    )
    rows = (
        card_households(request.user)
        .annotate(card_eliminated=Subquery(card_case))
        .values("village__code")
        .order_by()
        .annotate(total=Count("pk"), green=Count("pk", filter=Q(card_eliminated__isnull=False)))
    )
    by_village = {r["village__code"]: (r["total"], r["green"]) for r in rows}
    table = []
    for region in regions:
        total = sum(t for code, (t, _) in by_village.items() if code.startswith(region.code))
        green = sum(g for code, (_, g) in by_village.items() if code.startswith(region.code))
        table.append(
            {
                "region": region,
                "total": total,
                "green": green,
                "red": total - green,
                "inline_pdf": 0 < total <= INLINE_PDF_CARDS,
            }
        )
    selected = request.GET.get("region") or picked_region_code(request)
    return render(
        request,
        "cards/card_index.html",
        {
            "title": "工作卡",
            "rows": table,
            "any_cards": any(r["total"] for r in table),
            "selected": selected,
            "inline_limit": INLINE_PDF_CARDS,
            "can_job": user_can(request.user, Job, "add"),
        },
    )


def mingbai(request, pk):
    """收入及政策享受明白卡 of a household for a year (``?year=``, default the latest income year)."""
    household = get_object_for(request.user, Household.objects.select_related("village__parent__parent"), "view", pk=pk)
    year = request.GET.get("year")
    try:
        year = int(year) if year else None
    except ValueError:
        raise Http404("年度不正确") from None
    card = mingbai_card(household, year=year, user=request.user, unmask=in_scope(request.user, household, "unmask"))
    pdf = _wants_pdf(request)
    log_access(
        user=request.user,
        action=AccessLog.EXPORT,
        obj=household,
        request=request,
        detail=f"打印{card.year}年收入及政策享受明白卡" + ("（PDF）" if pdf else ""),
    )
    if pdf:
        return _pdf_response(
            _pdf_bytes([card], template="cards/mingbai.html"), f"明白卡-{household.household_no}-{card.year}.pdf"
        )
    return render(
        request,
        "cards/mingbai.html",
        {
            "cards": [card],
            "title": f"明白卡 · {household}",
            "printed_at": timezone.localtime(),
            "years": mingbai_years(household),
            "pdf_url": f"{request.path}?year={card.year}&format=pdf",
            "back_url": household.get_absolute_url(),
        },
    )


def card_panel(request, household) -> str:
    """The household page's 工作卡 / 明白卡 buttons (the work card only for an identified monitoring case)."""
    from django.template.loader import render_to_string

    case = (
        MonitoringCase.objects.filter(household=household, identified_on__isnull=False)
        .order_by("-is_open", "-identified_on", "-pk")
        .only("eliminated_on", "step")
        .first()
    )
    # the 退出告知书 only where one is written: an elimination confirmed by the county and not reversed (cards.notices)
    exit_notice = bool(case) and completed_eliminations(MonitoringCase.objects.filter(pk=case.pk)).exists()
    return render_to_string(
        "cards/card_panel.html", {"household": household, "case": case, "exit_notice": exit_notice}, request=request
    )
