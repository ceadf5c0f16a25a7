"""The project pages: the 项目库 list, a project with everything that happened to it and the forms its user may use,
申报 and 修改, each step, and the home-page panel of the user's deadlines and reviews."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from shoudi.core.scope import get_object_for, user_can
from shoudi.core.views import ObjectListView
from shoudi.core.views.generic import object_history

from .. import choices as c
from .. import services
from ..filters import ProjectFilterSet
from ..forms import ProjectForm
from ..models import Project
from ..selectors import WORKLIST, inspection_missing, todo_counts
from ..tables import ProjectTable
from .actions import PROJECT_ACTIONS, forms_for, run_action

__all__ = ["ProjectListView", "home_panel", "project_act", "project_add", "project_detail", "project_edit"]

ZERO = Decimal("0.00")


class ProjectListView(ObjectListView):
    queryset = Project.objects.select_related("region")
    filterset_class = ProjectFilterSet
    table_class = ProjectTable
    title = "项目库"
    add_url_name = "projects:project_add"
    import_url_name = "projects:project_import"


def _funds(project: Project) -> list[dict]:
    """Budget, allocated and paid by fund source (payments without a batch count under 合计 only)."""
    allocated = {s: ZERO for s, _ in c.FUND_SOURCES}
    paid = {s: ZERO for s, _ in c.FUND_SOURCES}
    for row in project.allocations.all():
        allocated[row.source] += row.amount
    unassigned = ZERO
    for row in project.payments.select_related("allocation"):
        if row.allocation_id:
            paid[row.allocation.source] += row.amount
        else:
            unassigned += row.amount
    rows = [
        {"label": label, "budget": project.budget_of(s), "allocated": allocated[s], "paid": paid[s]}
        for s, label in c.FUND_SOURCES
    ]
    rows.append(
        {
            "label": "合计",
            "budget": project.budget_total,
            "allocated": sum(allocated.values(), ZERO),
            "paid": sum(paid.values(), ZERO) + unassigned,
        }
    )
    return rows


def project_detail(request, pk: int):
    project = get_object_for(request.user, Project.objects.select_related("region"), "view", pk=pk)
    allowed = services.project_actions(project, request.user)
    context = {
        "title": f"项目：{project.name}",
        "project": project,
        "steps": project.steps.all(),
        "publicities": project.publicities.prefetch_related("objections").select_related("plan"),
        "decisions": project.decisions.all(),
        "progress_reports": project.progress_reports.all(),
        "supervisions": project.supervisions.all(),
        "allocations": project.allocations.all(),
        "payments": project.payments.select_related("allocation"),
        "targets": project.targets.all(),
        "assets": project.assets.restrict(request.user, "view").select_related("region"),
        "beneficiaries": project.beneficiaries.restrict(request.user, "view").select_related("village"),
        "funds": _funds(project),
        "library_problem": services.library_publicity_problem(project, None) if project.state == c.ASSESSED else "",
        "actions": forms_for(PROJECT_ACTIONS, allowed, project),
        "can_edit": project.state in c.EDITABLE_STATES and bool(allowed),
        "changes": object_history(request.user, project),
    }
    return render(request, "projects/project_detail.html", context)


def _initial(project: Project) -> dict:
    initial = {
        name: getattr(project, name) for name in ProjectForm.base_fields if name not in ("beneficiaries", "region")
    }
    initial["region"] = project.region_id
    initial["beneficiaries"] = ",".join(project.beneficiaries.values_list("household_no", flat=True))
    return initial


def _form_page(request, form, *, title: str, cancel: str, status: int = 200):
    return render(
        request, "generic/object_edit.html", {"title": title, "form": form, "cancel_url": cancel}, status=status
    )


def project_add(request):
    if not user_can(request.user, Project, "add"):
        raise PermissionDenied("您的角色不能申报项目")
    form = ProjectForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.propose_project(user=request.user, **form.cleaned_data)
        except services.TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已申报：{project.name}，当前状态：{project.get_state_display()}")
            return redirect(project)
    status = 422 if request.method == "POST" else 200
    return _form_page(request, form, title="申报项目", cancel=reverse("projects:project_list"), status=status)


def project_edit(request, pk: int):
    project = get_object_for(request.user, Project.objects.select_related("region"), "change", pk=pk)
    if project.state not in c.EDITABLE_STATES:
        raise PermissionDenied("项目已进入审核流程，不能修改申报内容")
    form = ProjectForm(request.POST or None, user=request.user, initial=_initial(project))
    if request.method == "POST" and form.is_valid():
        try:
            services.revise_project(project=project, user=request.user, **form.cleaned_data)
        except services.TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已修改：{project.name}")
            return redirect(project)
    status = 422 if request.method == "POST" else 200
    return _form_page(
        request, form, title=f"修改项目：{project.name}", cancel=project.get_absolute_url(), status=status
    )


@require_POST
def project_act(request, pk: int, action: str):
    project = get_object_for(request.user, Project.objects.select_related("region"), "change", pk=pk)
    return run_action(request, PROJECT_ACTIONS, services.project_actions(project, request.user), project, action)


def home_panel(request) -> str | None:
    """工作台: the user's project deadlines running out and what waits for his step."""
    user = request.user
    if not user.is_authenticated or not user_can(user, Project, "change"):
        return None
    counts = todo_counts(user)
    pages = {"projects": reverse("projects:project_list"), "assets": reverse("projects:asset_list")}
    lines = [
        (label, counts[key], f"{pages[kind]}?todo={key}", overdue)
        for key, label, kind, overdue, _ in WORKLIST
        if counts[key]
    ]
    missing = inspection_missing(user)
    if not lines and not missing:
        return None
    context = {"lines": lines, "inspection_missing": missing}
    return render_to_string("projects/_home_panel.html", context, request=request)
