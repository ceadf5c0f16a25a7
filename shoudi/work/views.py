"""The problem pages: the list, a problem with its steps and the forms its user may use, issuing, and each step."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_POST

from shoudi.core.scope import get_object_for, user_can
from shoudi.core.views import ObjectListView

from . import services
from .filters import ProblemFilterSet
from .forms import ExtensionForm, IssueForm, ReasonForm, RectifyForm, ReviewForm, WaiverForm
from .models import Problem
from .selectors import awaiting_review, due_for, escalation_workdays, is_escalated, with_escalation
from .tables import ProblemTable

__all__ = ["ProblemListView", "home_panel", "problem_act", "problem_add", "problem_detail"]


class ProblemListView(ObjectListView):
    queryset = Problem.objects.select_related("region")
    filterset_class = ProblemFilterSet
    table_class = ProblemTable
    title = "问题整改"
    template_name = "work/problem_list.html"  # with links to the findings' and guarantee problems' own lists
    add_url_name = "work:problem_add"
    import_url_name = "work:problem_import"

    def get_queryset(self, request, action: str = "view"):
        return with_escalation(super().get_queryset(request, action), request.user)


# the form of each action the detail page may offer, in the order it shows them
ACTION_FORMS = {
    "progress": RectifyForm,
    "apply": RectifyForm,
    "waive": WaiverForm,
    "extend": ExtensionForm,
    "review": ReviewForm,
    "extension_review": ReviewForm,
    "suspend": ReasonForm,
    "resume": ReasonForm,
}


def _forms(actions: set[str]) -> dict:
    return {action: form(prefix=action) for action, form in ACTION_FORMS.items() if action in actions}


def problem_detail(request, pk: int):
    problems = Problem.objects.select_related("region__parent", "issuer_region", "responsible")
    problem = get_object_for(request.user, problems, "view", pk=pk)
    actions = services.allowed_actions(problem, request.user)
    context = {
        "title": f"整改问题：{problem.title}",
        "problem": problem,
        "escalated": is_escalated(problem),
        "escalation_workdays": escalation_workdays(),
        "steps": problem.steps.select_related("user"),
        "households": problem.households.restrict(request.user, "view").select_related("village"),
        "forms": _forms(actions),
    }
    return render(request, "work/problem_detail.html", context)


def problem_add(request):
    if not user_can(request.user, Problem, "add"):
        raise PermissionDenied("您的角色不能下发整改问题")
    form = IssueForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            problem = services.issue_problem(user=request.user, **data)
        except services.TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已下发：{problem.title}，整改期限 {problem.due_date:%Y-%m-%d}")
            return redirect(problem)
    status = 422 if request.method == "POST" else 200
    context = {"title": "下发整改问题", "form": form, "cancel_url": reverse("work:problem_list")}
    return render(request, "work/problem_add.html", context, status=status)


def _run(action: str, problem: Problem, request):
    """The service an action's form calls, or the form with its errors."""
    form = ACTION_FORMS[action](request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        return form
    data, who = form.cleaned_data, {"problem": problem, "user": request.user}
    if action == "progress":
        return services.record_progress(**who, **data)
    if action == "apply":
        return services.apply_closure(**who, **data)
    if action == "waive":
        return services.request_waiver(**who, **data)
    if action == "extend":
        return services.request_extension(**who, **data)
    if action in ("review", "extension_review"):
        decide = services.decide_closure if action == "review" else services.decide_extension
        return decide(**who, approve=request.POST.get("decision") == "approve", **data)
    if action == "suspend":
        return services.suspend(**who, reason=data["text"])
    return services.resume(**who, text=data["text"])


ACTIONS = set(ACTION_FORMS)


@require_POST
def problem_act(request, pk: int, action: str):
    problem = get_object_for(request.user, Problem.objects.select_related("region"), "change", pk=pk)
    if action not in ACTIONS or action not in services.allowed_actions(problem, request.user):
        raise PermissionDenied("您不能对该问题进行此操作")
    try:
        result = _run(action, problem, request)
    except services.TransitionRefused as exc:
        messages.error(request, str(exc))
        return redirect(problem)
    if not isinstance(result, Problem):
        errors = "；".join(e for errors in result.errors.values() for e in errors)
        messages.error(request, f"未提交：{errors}")
        return redirect(problem)
    messages.success(request, f"已办理，当前状态：{result.state_label}")
    return redirect(result)


def home_panel(request) -> str | None:
    """工作台: the user's problems overdue or due soon, and those waiting for his review."""
    user = request.user
    if not user.is_authenticated or not user_can(user, Problem, "change"):
        return None
    due, review = due_for(user).count(), awaiting_review(user).count()
    if not due and not review:
        return None
    return render_to_string("work/_home_panel.html", {"due": due, "review": review}, request=request)
