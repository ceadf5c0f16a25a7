"""The pages of 易地扶贫搬迁安置点: the list with its figures, a site (households, 挂点领导, manager, the stationed
teams other apps show, the quarterly 排查 and the problems they raised), its form, a phone shown on request
(logged), and the form of a 排查."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from shoudi.core.registry import registry
from shoudi.core.scope import get_object_for, in_scope, user_can
from shoudi.core.views import ObjectDetailView, ObjectEditView, ObjectListView

from . import sites
from .filters import ResettlementSiteFilterSet
from .forms import ResettlementSiteForm, SiteInspectionForm
from .models import Household, ResettlementSite, SiteInspection
from .pickers import HEAD_NAME
from .tables import ResettlementSiteTable

__all__ = [
    "ResettlementSiteDetailView",
    "ResettlementSiteEditView",
    "ResettlementSiteListView",
    "inspection_add",
    "site_unmask",
]

HOUSEHOLDS_SHOWN = 200


class ResettlementSiteListView(ObjectListView):
    queryset = sites.with_figures(ResettlementSite.objects.select_related("community"))
    filterset_class = ResettlementSiteFilterSet
    title = "易地扶贫搬迁安置点"
    table_class = ResettlementSiteTable
    add_url_name = "registry:resettlementsite_add"


def site_panels(request, site) -> list[str]:
    rendered = [fn(request, site) for fn in registry.entries("site_panels")]
    return [html for html in rendered if html]


class ResettlementSiteDetailView(ObjectDetailView):
    queryset = ResettlementSite.objects.select_related("county", "community__parent")
    template_name = "registry/resettlementsite_detail.html"
    fields = (
        "county",
        "community",
        "address",
        "planned_households",
        "planned_persons",
        "leader_name",
        "leader_phone",
        "manager_name",
        "manager_phone",
        "note",
    )

    def get_context(self, request, obj):
        context = super().get_context(request, obj)
        user = request.user
        households = (
            Household.objects.restrict(user, "view")
            .filter(resettlement_site=obj)
            .select_related("village")
            .annotate(head_name=HEAD_NAME)
            .order_by("village__code", "household_no")
        )
        inspections = list(SiteInspection.objects.restrict(user, "view").filter(site=obj))
        problems = sites.site_problems(user, inspections)
        for inspection in inspections:
            inspection.problems = problems.get(inspection.pk, [])
        context.update(
            {
                "figures": sites.site_figures(obj),
                "households": households[:HOUSEHOLDS_SHOWN],
                "households_shown": HOUSEHOLDS_SHOWN,
                "visible_households": households.count(),
                "inspections": inspections,
                "panels": site_panels(request, obj),
                "can_unmask": in_scope(user, obj, "unmask"),
                "can_inspect": user_can(user, SiteInspection, "add"),
            }
        )
        return context


class ResettlementSiteEditView(ObjectEditView):
    queryset = ResettlementSite.objects.all()
    form_class = ResettlementSiteForm


UNMASKED = {"leader_phone", "manager_phone"}


def site_unmask(request, pk: int, field: str):
    """A site's full 挂点领导 or manager phone (htmx); the act is written to the access log."""
    if field not in UNMASKED:
        raise Http404("没有这项信息")
    site = get_object_for(request.user, ResettlementSite.objects.all(), "unmask", pk=pk)
    sites.log_unmask(request, site, field)
    return render(request, "registry/_unmasked.html", {"value": getattr(site, field)})


def inspection_add(request, pk: int):
    """登记一次季度排查 of the site; each line of 需整改的问题 is raised on the one problem life cycle."""
    site = get_object_for(request.user, ResettlementSite.objects.select_related("community"), "view", pk=pk)
    if not user_can(request.user, SiteInspection, "add"):
        raise PermissionDenied("您的角色不能登记安置点排查")
    today = timezone.localdate()
    initial = {"year": today.year, "quarter": (today.month - 1) // 3 + 1, "inspected_on": today}
    form = SiteInspectionForm(request.POST or None, initial=initial, categories=sites.problem_categories())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            inspection, raised = sites.record_inspection(
                user=request.user,
                site=site,
                year=data["year"],
                quarter=data["quarter"],
                inspected_on=data["inspected_on"],
                inspector=data["inspector"],
                findings=data["findings"],
                problems=form.problem_lines(),
                category=data["category"],
                due_workdays=data["due_workdays"],
            )
        except sites.Refused as exc:
            form.add_error(None, str(exc))
        else:
            text = f"，下发整改问题 {raised} 个" if raised else ""
            messages.success(request, f"已登记{site.name}{inspection}{text}")
            return redirect(inspection)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "title": f"登记安置点排查：{site.name}", "cancel_url": site.get_absolute_url()}
    return render(request, "generic/object_edit.html", context, status=status)
