"""Pages of the 一户一画像 (per household: the page and the form) and of the 收入预估 (the form a cadre fills at a
visit, the three lists with their Excel export). The printed sheet is the cards app's (cards/portrait.py)."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from shoudi.core.audit import log_access
from shoudi.core.excel import rows_xlsx_bytes
from shoudi.core.masking import mask_value
from shoudi.core.models import AccessLog
from shoudi.core.scope import get_object_for, user_can
from shoudi.core.views.generic import picked_region_code
from shoudi.regions.models import Region
from shoudi.registry.models import Household

from . import estimates as est
from .estimates import MONEY_FIELDS
from .models import IncomeEstimate, Portrait, Visit
from .portrait_forms import EstimateForm, PortraitForm
from .portraits import create_portrait, group_hint, portrait_data

__all__ = ["estimate_export", "estimate_lists", "estimate_record", "portrait_add", "portrait_page"]

ROWS_PER_PAGE = 50


def _household(request, pk) -> Household:
    return get_object_for(request.user, Household.objects.select_related("village__parent__parent"), "view", pk=pk)


def _message(exc) -> str:
    return "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def portrait_page(request, pk):
    """一户一画像 of one household: what the decision rests on, and the portraits made."""
    if not user_can(request.user, Portrait, "view"):
        raise PermissionDenied("您的角色不能查看一户一画像")
    household = _household(request, pk)
    data = portrait_data(household, request.user)
    return render(
        request,
        "assistance/portrait.html",
        {
            "title": f"一户一画像：{household.label}",
            "household": household,
            "data": data,
            "can_add": user_can(request.user, Portrait, "add"),
            "can_estimate": user_can(request.user, IncomeEstimate, "add"),
        },
    )


def portrait_add(request, pk):
    if not user_can(request.user, Portrait, "add"):
        raise PermissionDenied("您的角色不能制作一户一画像")
    household = _household(request, pk)
    form = PortraitForm(request.POST or None, initial={"group": group_hint(household)})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                create_portrait(household=household, user=request.user, **form.service_kwargs())
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, _message(exc))
            else:
                messages.success(request, f"已完成一户一画像：{household.label}")
                return redirect("assistance:portrait", household.pk)
        status = 422
    return render(
        request,
        "assistance/portrait_form.html",
        {"title": f"一户一画像：{household.label}", "household": household, "form": form},
        status=status,
    )


def estimate_record(request, pk):
    """收入预估 of one household for the year, entered at a visit (``?visit=`` links it to that visit)."""
    if not user_can(request.user, IncomeEstimate, "add"):
        raise PermissionDenied("您的角色不能填报收入预估")
    household = _household(request, pk)
    year = timezone.localdate().year
    current = IncomeEstimate.objects.filter(household=household, year=year).first()
    initial = {"year": year, "household_size": household.members.filter(status="正常").count() or 1}
    if current is not None:
        initial.update({name: getattr(current, name) for name in MONEY_FIELDS})
        initial.update(household_size=current.household_size, note=current.note, visit=current.visit_id)
    visit = request.GET.get("visit", "")
    if visit.isdigit():
        initial["visit"] = int(visit)
    form = EstimateForm(request.POST or None, initial=initial, household=household, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                estimate = est.record_estimate(
                    household=household,
                    user=request.user,
                    year=d["year"],
                    amounts={name: d[name] for name in MONEY_FIELDS},
                    household_size=d["household_size"],
                    note=d["note"],
                    visit=d["visit"],
                )
            except (PermissionDenied, ValidationError) as exc:
                form.add_error(None, _message(exc))
            else:
                messages.success(
                    request, f"已保存{estimate.year}年收入预估：{household.label}，人均纯收入 {estimate.per_capita} 元"
                )
                return redirect(household.get_absolute_url() + "#portrait")
        status = 422
    return render(
        request,
        "assistance/estimate_form.html",
        {
            "title": f"收入预估：{household.label}",
            "household": household,
            "form": form,
            "current": current,
            "visits": Visit.objects.restrict(request.user, "view").filter(household=household)[:1],
        },
        status=status,
    )


def _list_params(request) -> tuple[str, int, str]:
    key = request.GET.get("list") or est.DROPPED
    if key not in est.LIST_KEYS:
        key = est.DROPPED
    today = timezone.localdate()
    year = request.GET.get("year", "")
    year = int(year) if year.isdigit() and 2000 <= int(year) <= today.year else today.year
    area = request.GET.get("area", "") or picked_region_code(request)
    own = request.user.region.code if getattr(request.user, "region_id", None) else ""
    if not area.startswith(own):
        area = own
    return key, year, area


def estimate_lists(request):
    """不增反降, 低于 1 万元 and 低于监测线: the year's estimates, one tab each."""
    if not user_can(request.user, IncomeEstimate, "view"):
        raise PermissionDenied("您的角色不能查看收入预估")
    key, year, area = _list_params(request)
    rows = est.list_rows(request.user, key, year, area)
    page = Paginator(rows, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    region = Region.objects.filter(code=area).first() if area else None
    counts = est.estimate_lists(request.user, year, area)
    return render(
        request,
        "assistance/estimates.html",
        {
            "title": "收入预估",
            "tabs": [(item, counts[item.key]) for item in est.LISTS],
            "current": est.LIST_KEYS[key],
            "page": page,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 3, -1)),
            "area": area,
            "region": region,
            "thresholds": est.thresholds(request.user, year, area),
            "can_export": user_can(request.user, IncomeEstimate, "export"),
            "sees_incomes": est.sees_incomes(request.user),  # else the amounts read （已隐藏）, as in the export
        },
    )


EXPORT_HEADERS = [
    "乡镇",
    "村",
    "户编号",
    "户主",
    "预估年度",
    "工资性收入",
    "生产经营性收入",
    "财产性收入",
    "转移性收入",
    "生产经营性支出",
    "计算人口数",
    "预估家庭纯收入",
    "预估人均纯收入",
    "上年人均纯收入",
    "预估日期",
]


def _money(value):
    return float(value) if value is not None else ""  # a number Excel can sum


def _hidden(value):
    """An income for a role without unmask (personal information): hidden by the one masking function."""
    return mask_value("hidden", value)


def estimate_export(request):
    """The tab's rows as Excel (the export is written to the access log)."""
    if not user_can(request.user, IncomeEstimate, "export"):
        raise PermissionDenied("您的角色不能导出收入预估")
    key, year, area = _list_params(request)
    rows = list(est.list_rows(request.user, key, year, area))
    title = f"{year}年收入预估·{est.LIST_KEYS[key].title}"
    money = _money if est.sees_incomes(request.user) else _hidden
    hidden = "" if est.sees_incomes(request.user) else "（收入已隐藏）"
    data = rows_xlsx_bytes(
        title=title,
        subtitle=f"共 {len(rows)} 户{hidden} · 导出时间 {timezone.localtime():%Y-%m-%d %H:%M}",
        headers=EXPORT_HEADERS,
        rows=[
            [
                r.household.village.parent.name if r.household.village.parent_id else "",
                r.household.village.name,
                r.household.household_no,
                r.head_name or "",
                r.year,
                *(money(getattr(r, name)) for name in MONEY_FIELDS),
                r.household_size,
                money(r.net_income),
                money(r.per_capita),
                money(r.prev_per_capita),
                r.entered_on,
            ]
            for r in rows
        ],
    )
    log_access(
        user=request.user,
        action=AccessLog.EXPORT,
        detail=f"导出{title}{hidden}",
        record_count=len(rows),
        region_code=area,
        request=request,
    )
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title)}.xlsx"
    return response


def household_panel(request, household: Household) -> str | None:
    """On the 一户一档 page: the latest portrait and the year's estimate, with their links."""
    from django.template.loader import render_to_string

    user = request.user
    if not user_can(user, Portrait, "view") and not user_can(user, IncomeEstimate, "view"):
        return None
    year = timezone.localdate().year
    context = {
        "household": household,
        "portrait": Portrait.objects.restrict(user, "view").filter(household=household).first()
        if user_can(user, Portrait, "view")
        else None,
        "can_portrait": user_can(user, Portrait, "view"),
        "estimate": IncomeEstimate.objects.restrict(user, "view").filter(household=household, year=year).first()
        if user_can(user, IncomeEstimate, "view")
        else None,
        "can_estimate": user_can(user, IncomeEstimate, "add"),
        "year": year,
    }
    return render_to_string("assistance/_portrait_panel.html", context, request=request)
