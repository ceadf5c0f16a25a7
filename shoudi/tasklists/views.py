"""The task pages: the list of assignments, 一月一清单 (a month by week), a list, a task with the progress of its
recipients, an assignment with its steps and the forms its user may use, creating lists and tasks, each step."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from shoudi.core.scope import get_object_for, user_can
from shoudi.core.views import ObjectListView

from . import choices as c
from . import services
from .filters import AssignmentFilterSet
from .forms import GenerateForm, ProgressForm, ReviewForm, StopForm, SubmitForm, TaskForm, TaskListForm
from .models import Assignment, Task, TaskList
from .periods import next_period
from .selectors import awaiting_review, due_for, issued_by, month_weeks, visible_lists, visible_tasks
from .tables import AssignmentTable

__all__ = [
    "AssignmentListView",
    "assignment_act",
    "assignment_detail",
    "home_panel",
    "list_add",
    "list_detail",
    "month_view",
    "task_act",
    "task_add",
    "task_detail",
]


class AssignmentListView(ObjectListView):
    queryset = Assignment.objects.select_related("task__task_list", "task__issuer_region", "region")
    filterset_class = AssignmentFilterSet
    table_class = AssignmentTable
    template_name = "tasklists/assignment_list.html"
    title = "任务清单"
    add_url_name = "tasklists:task_add"


def _progress(assignments) -> dict:
    """How far a set of assignments is: all, by state, overdue."""
    today = timezone.localdate()
    overdue = Q(state__in=c.RUNNING_STATES, due_date__lt=today)
    counts = assignments.aggregate(
        total=Count("pk"),
        done=Count("pk", filter=Q(state=c.DONE)),
        submitted=Count("pk", filter=Q(state=c.SUBMITTED)),
        overdue=Count("pk", filter=overdue),
    )
    return counts


# --- 一月一清单 -------------------------------------------------------------------------------------------------------


def _month(text: str | None) -> datetime.date:
    today = timezone.localdate()
    try:
        return datetime.date.fromisoformat(f"{text}-01") if text else today.replace(day=1)
    except ValueError:
        return today.replace(day=1)


def month_view(request):
    if not user_can(request.user, Assignment, "view"):
        raise PermissionDenied("您的角色无权查看任务清单")
    month = _month(request.GET.get("month"))
    previous = (month - datetime.timedelta(days=1)).replace(day=1)
    following = (month + datetime.timedelta(days=31)).replace(day=1)
    weeks = month_weeks(request.user, month)
    own = [t for week in weeks for t in week.tasks if t.own is not None]
    context = {
        "title": f"一月一清单：{month.year}年{month.month}月",
        "month": month,
        "previous": f"{previous:%Y-%m}",
        "following": f"{following:%Y-%m}",
        "weeks": weeks,
        "lists": visible_lists(request.user).filter(month=month).select_related("issuer_region"),
        "own_count": len(own),
        "own_overdue": sum(1 for t in own if t.own.is_overdue),
        "today": timezone.localdate(),
        "can_add": user_can(request.user, TaskList, "add"),
    }
    return render(request, "tasklists/month.html", context)


# --- 清单 -------------------------------------------------------------------------------------------------------------


def list_add(request):
    if not user_can(request.user, TaskList, "add"):
        raise PermissionDenied("您的角色不能下发任务清单")
    form = TaskListForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            task_list = services.create_task_list(user=request.user, **form.cleaned_data)
        except services.TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"已新建任务清单：{task_list.title}，请添加任务")
            return redirect(task_list)
    status = 422 if request.method == "POST" else 200
    context = {"title": "新建任务清单", "form": form, "cancel_url": reverse("tasklists:assignment_list")}
    return render(request, "generic/object_edit.html", context, status=status)


def list_detail(request, pk: int):
    if not user_can(request.user, TaskList, "view"):
        raise PermissionDenied("您的角色无权查看任务清单")
    task_list = visible_lists(request.user).select_related("issuer_region").filter(pk=pk).first()
    if task_list is None:
        raise Http404("任务清单不存在或不在您的管辖范围内")
    in_scope = Assignment.objects.restrict(request.user, "view").filter(task__task_list=task_list)
    tasks = visible_tasks(request.user).filter(task_list=task_list).order_by("-focus", "due_date", "id")
    rows = [(task, _progress(in_scope.filter(task=task))) for task in tasks]
    context = {
        "title": f"任务清单：{task_list.title}",
        "task_list": task_list,
        "rows": rows,
        "progress": _progress(in_scope),
        "can_add": user_can(request.user, Task, "add") and request.user.region_id == task_list.issuer_region_id,
    }
    return render(request, "tasklists/list_detail.html", context)


# --- 任务 -------------------------------------------------------------------------------------------------------------


def task_add(request):
    if not user_can(request.user, Task, "add"):
        raise PermissionDenied("您的角色不能下发任务")
    initial = {"task_list": request.GET.get("list")} if request.GET.get("list") else None
    form = TaskForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.issue_task(user=request.user, **form.service_arguments())
        except services.TransitionRefused as exc:
            form.add_error(None, str(exc))
        else:
            made = task.assignments.count()
            messages.success(request, f"已下发：{task.title}（{task.due_rule()}），承办 {made} 项")
            return redirect(task)
    status = 422 if request.method == "POST" else 200
    context = {"title": "下发任务", "form": form, "cancel_url": reverse("tasklists:assignment_list")}
    return render(request, "tasklists/task_add.html", context, status=status)


def _task_for(user, pk: int) -> Task:
    if not user_can(user, Task, "view"):
        raise PermissionDenied("您的角色无权查看任务")
    task = visible_tasks(user).select_related("task_list", "issuer_region").filter(pk=pk).first()
    if task is None:
        raise Http404("任务不存在或不在您的管辖范围内")
    return task


TASK_FORMS = {"generate": GenerateForm, "stop": StopForm}


def task_detail(request, pk: int):
    task = _task_for(request.user, pk)
    assignments = (
        Assignment.objects.restrict(request.user, "view")
        .filter(task=task)
        .select_related("region", "responsible")
        .order_by("-period_start", "region__code", "unit")
    )
    actions = services.task_actions(task, request.user)
    context = {
        "title": f"任务：{task.title}",
        "task": task,
        "assignments": assignments,
        "progress": _progress(assignments),
        "recipients": task.recipients.select_related("region", "responsible").order_by("region__code", "unit"),
        "forms": {a: form(prefix=a) for a, form in TASK_FORMS.items() if a in actions},
    }
    return render(request, "tasklists/task_detail.html", context)


@require_POST
def task_act(request, pk: int, action: str):
    task = _task_for(request.user, pk)
    if not user_can(request.user, Task, "change"):
        raise PermissionDenied("您的角色无权进行此操作")
    if action not in TASK_FORMS or action not in services.task_actions(task, request.user):
        raise PermissionDenied("您不能对该任务进行此操作")
    try:
        if action == "stop":
            task = services.stop_recurrence(task=task, user=request.user)
            messages.success(request, f"已停止重复：最后一期到 {task.ends_on:%Y-%m-%d}")
            return redirect(task)
        today = timezone.localdate()
        day = next_period(task.recurrence, today)[0] if request.POST.get("generate-which") == "next" else today
        made = services.generate_period(task=task, day=day, user=request.user)
    except services.TransitionRefused as exc:
        messages.error(request, str(exc))
        return redirect(task)
    if made:
        messages.success(request, f"已生成 {made[0].period_label}的任务 {len(made)} 项")
    else:
        messages.info(request, "该期任务已全部生成，没有新增")
    return redirect(task)


# --- 承办 -------------------------------------------------------------------------------------------------------------


ASSIGNMENT_SELECT = ("task__task_list", "task__issuer_region", "region", "responsible")
# the form of each action the assignment page may offer, in the order it shows them
ACTION_FORMS = {"progress": ProgressForm, "submit": SubmitForm, "review": ReviewForm}
ACTION_TITLES = {"progress": "报告进展", "submit": "报送完成", "review": "审核"}


def assignment_detail(request, pk: int):
    qs = Assignment.objects.select_related(*ASSIGNMENT_SELECT)
    assignment = get_object_for(request.user, qs, "view", pk=pk)
    actions = services.allowed_actions(assignment, request.user)
    context = {
        "title": f"任务：{assignment.task.title}",
        "assignment": assignment,
        "task": assignment.task,
        "steps": assignment.steps.all(),
        "forms": [(a, ACTION_TITLES[a], form(prefix=a)) for a, form in ACTION_FORMS.items() if a in actions],
    }
    return render(request, "tasklists/assignment_detail.html", context)


def _run(action: str, assignment: Assignment, request):
    """The service an action's form calls, or the form with its errors."""
    form = ACTION_FORMS[action](request.POST, request.FILES, prefix=action)
    if not form.is_valid():
        return form
    data, who = form.cleaned_data, {"assignment": assignment, "user": request.user}
    if action == "progress":
        return services.report_progress(**who, **data)
    if action == "submit":
        return services.submit(**who, **data)
    return services.review(**who, approve=request.POST.get("decision") == "approve", **data)


@require_POST
def assignment_act(request, pk: int, action: str):
    qs = Assignment.objects.select_related(*ASSIGNMENT_SELECT)
    assignment = get_object_for(request.user, qs, "change", pk=pk)
    if action not in ACTION_FORMS or action not in services.allowed_actions(assignment, request.user):
        raise PermissionDenied("您不能对该任务进行此操作")
    try:
        result = _run(action, assignment, request)
    except services.TransitionRefused as exc:
        messages.error(request, str(exc))
        return redirect(assignment)
    if not isinstance(result, Assignment):
        errors = "；".join(e for errors in result.errors.values() for e in errors)
        messages.error(request, f"未提交：{errors}")
        return redirect(assignment)
    messages.success(request, f"已办理，当前状态：{result.get_state_display()}")
    return redirect(result)


def home_panel(request) -> str | None:
    """工作台: the user's tasks overdue or due soon, those waiting for his review, and what he issued still open."""
    user = request.user
    if not user.is_authenticated or not user_can(user, Assignment, "view"):
        return None
    today = timezone.localdate()
    overdue = due_for(user, soon=False).count()
    due = due_for(user).count()
    review = awaiting_review(user).count()
    issued = _progress(issued_by(user).filter(state__in=c.OPEN_STATES)) if user_can(user, Task, "add") else None
    if not due and not review and not (issued and issued["total"]):
        return None
    context = {"due": due, "overdue": overdue, "review": review, "issued": issued, "month": f"{today:%Y-%m}"}
    return render_to_string("tasklists/_home_panel.html", context, request=request)
