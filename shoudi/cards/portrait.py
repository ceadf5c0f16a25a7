"""The printed 一户一画像 sheet (S004 (二)二): the print page and its PDF (``?format=pdf``), one portrait of a household
with what it rests on — members and labour, income by year and its trend, rigid spending, guarantees, measures,
the line and the 五看五防止 checklist. The same template serves the browser and WeasyPrint; fonts come from
fontconfig (Noto Sans CJK first in the print stylesheet, so 䶮 and 𠮷 in names print). Each print is written to the
access log."""

from __future__ import annotations

from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from shoudi.assistance.models import Portrait
from shoudi.assistance.portraits import PortraitData, portrait_data
from shoudi.core.audit import log_access
from shoudi.core.models import AccessLog
from shoudi.core.scope import get_object_for, user_can

from .pdf import print_stylesheet, render_pdf

__all__ = ["portrait_pdf", "portrait_sheet", "sheet_data"]

TEMPLATE = "cards/portrait.html"


def sheet_data(portrait: Portrait, user) -> PortraitData:
    """What the sheet of ``portrait`` shows (that portrait, even when a later one exists)."""
    data = portrait_data(portrait.household, user)
    data.portrait = portrait
    return data


def portrait_pdf(portrait: Portrait, user) -> bytes:
    html = render_to_string(
        TEMPLATE, {"data": sheet_data(portrait, user), "for_pdf": True, "printed_at": timezone.localtime()}
    )
    return render_pdf(html, css=print_stylesheet())


def portrait_sheet(request, pk):
    """The sheet of one portrait: print page, or PDF with ``?format=pdf``."""
    if not user_can(request.user, Portrait, "view"):
        raise PermissionDenied("您的角色不能查看一户一画像")
    portrait = get_object_for(
        request.user,
        Portrait.objects.select_related("household__village__parent__parent", "made_by"),
        "view",
        pk=pk,
    )
    household = portrait.household
    pdf = request.GET.get("format") == "pdf"
    log_access(
        user=request.user,
        action=AccessLog.EXPORT,
        obj=household,
        request=request,
        detail=f"打印一户一画像（{portrait.made_on:%Y-%m-%d}）" + ("（PDF）" if pdf else ""),
    )
    if pdf:
        response = HttpResponse(portrait_pdf(portrait, request.user), content_type="application/pdf")
        filename = f"一户一画像-{household.household_no}-{portrait.made_on:%Y%m%d}.pdf"
        response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
        return response
    return render(
        request,
        TEMPLATE,
        {
            "data": sheet_data(portrait, request.user),
            "for_pdf": False,
            "printed_at": timezone.localtime(),
            "pdf_url": f"{request.path}?format=pdf",
            "back_url": portrait.get_absolute_url(),
        },
    )
