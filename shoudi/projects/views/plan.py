"""The annual plan (年度项目计划: library projects chosen into a year, previewed then confirmed), the monthly funds
report (衔接资金使用情况月报) with its Excel, and the county's quarterly 督查 records."""

from __future__ import annotations

import datetime
from decimal import Decimal
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from shoudi.core.excel import rows_xlsx_bytes
from shoudi.core.scope import user_can
from shoudi.core.views import ObjectEditView, ObjectListView
from shoudi.core.views.generic import picked_region_code

from .. import choices as c
from .. import services
from ..filters import InspectionFilterSet
from ..forms import InspectionForm
from ..models import Allocation, Inspection, Project
from ..selectors import funds_report as report_rows
from ..tables import InspectionTable

__all__ = ["InspectionEditView", "InspectionListView", "annual_plan", "funds_report"]


def _year(raw, default: int) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return default
    return year if 2000 <= year <= 2100 else default


def _total(projects) -> Decimal:
    return sum((p.budget_total for p in projects), Decimal("0.00"))


def annual_plan(request):
    """年度项目计划 of a year: the projects in it, and (for the county) the library projects to choose from — chosen
    ones are shown for confirmation first; a project is taken out again from its own page (调出年度计划)."""
    user = request.user
    if not user_can(user, Project, "view"):
        raise PermissionDenied("您的角色不能查看年度项目计划")
    year = _year(request.POST.get("year") or request.GET.get("year"), timezone.localdate().year)
    visible = Project.objects.restrict(user, "view").select_related("region")
    picked = picked_region_code(request)
    if picked:
        visible = visible.filter(region__code__startswith=picked)
    may_plan = services.acts_as(user, "plan") and user_can(user, Project, "change")
    candidates = list(visible.filter(state=c.LIBRARY).order_by("region__code", "id")) if may_plan else []
    context = {"title": f"{year} 年度项目计划", "year": year, "may_plan": may_plan, "candidates": candidates}
    if request.method == "POST":
        if not may_plan:
            messages.error(request, "年度项目计划由县级管理员确定")
            return redirect(f"{reverse('projects:annual_plan')}?year={year}")
        ids = [int(v) for v in request.POST.getlist("projects") if v.isdigit()]
        chosen = [p for p in candidates if p.pk in ids]
        if request.POST.get("confirm"):
            try:
                count = services.select_into_plan(projects=chosen, user=user, year=year)
            except services.TransitionRefused as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, f"已将 {count} 个项目纳入 {year} 年度项目计划（可在项目页调出）")
            return redirect(f"{reverse('projects:annual_plan')}?year={year}")
        if not chosen:
            messages.error(request, "请选择要纳入计划的项目")
        else:
            context |= {"chosen": chosen, "chosen_total": _total(chosen)}
            return render(request, "projects/annual_plan_confirm.html", context)
    planned = list(visible.filter(plan_year=year).order_by("region__code", "id"))
    context |= {
        "planned": planned,
        "planned_total": _total(planned),
        "linkage_total": sum((p.budget_linkage for p in planned), Decimal("0.00")),
    }
    return render(request, "projects/annual_plan.html", context)


def _month(raw: str | None) -> tuple[int, int]:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in (raw or "").split("-"))
        datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return today.year, today.month
    return year, month


REPORT_HEADERS = ["项目", "本月下达（元）", "本年累计下达（元）", "本月拨付（元）", "本年累计拨付（元）", "支付进度"]


def _cells(row) -> list:
    values = [row.allocated_month, row.allocated_year, row.paid_month, row.paid_year]
    return [row.label, *(float(v) for v in values), row.rate]


def funds_report(request):
    """衔接资金使用情况月报 (S001 41) of the user's region (or the one picked in the header), by fund source and by
    township, with its Excel."""
    user = request.user
    if not user_can(user, Allocation, "view"):
        raise PermissionDenied("您的角色不能查看衔接资金月报")
    region = user.region if getattr(user, "region_id", None) else None
    code = picked_region_code(request) or (region.code if region else "")
    year, month = _month(request.GET.get("month"))
    by_source, by_place = report_rows(user, code=code, year=year, month=month)
    title = f"衔接资金使用情况月报（{year}年{month}月）"
    if request.GET.get("export") == "xlsx":
        if not user_can(user, Allocation, "export"):
            raise PermissionDenied("您的角色不能导出衔接资金月报")
        rows = [_cells(r) for r in by_source] + [["按区划", "", "", "", "", ""]] + [_cells(r) for r in by_place]
        content = rows_xlsx_bytes(
            title=title,
            subtitle=f"截至 {year}年{month}月底  导出人：{user}  导出时间：{timezone.localtime():%Y-%m-%d %H:%M}",
            headers=["资金来源/区划", *REPORT_HEADERS[1:]],
            rows=rows,
        )
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(title + '.xlsx')}"
        return response
    context = {
        "title": title,
        "month": f"{year:04d}-{month:02d}",
        "by_source": by_source,
        "by_place": by_place,
        "can_export": user_can(user, Allocation, "export"),
    }
    return render(request, "projects/funds_report.html", context)


class InspectionListView(ObjectListView):
    queryset = Inspection.objects.select_related("region")
    filterset_class = InspectionFilterSet
    table_class = InspectionTable
    title = "衔接资金督查（每季度）"
    add_url_name = "projects:inspection_add"


class InspectionEditView(ObjectEditView):
    queryset = Inspection.objects.all()
    form_class = InspectionForm
