"""What the task lists contribute: the permission rows of lists, tasks and assignments, the 任务清单 and 一月一清单
menu entries, the files recipients report with, the 待办 badge count, the home-page panel (due, to review, issued),
and the nightly step that makes the recurring tasks' new periods."""

from __future__ import annotations

from shoudi.accounts.permissions import ModelPermissions
from shoudi.accounts.roles import COUNTY_ADMIN, DEPARTMENT, INSPECTOR, TOWNSHIP_REVIEWER, VILLAGE_OFFICER
from shoudi.core.menu import MenuItem
from shoudi.core.registry import WorkerStep, registry
from shoudi.core.worklist import Item, WorklistSource

__all__ = ["connect"]

# issued by a county or a township; seen by whoever has a task of it (a village, a department)
ISSUING = {
    COUNTY_ADMIN: ("view", "add", "change", "delete", "export"),
    TOWNSHIP_REVIEWER: ("view", "add", "change", "export"),
    VILLAGE_OFFICER: ("view",),
    DEPARTMENT: ("view",),
    INSPECTOR: ("view", "export"),
}
# an assignment is done by its recipient (change: report, submit) and reviewed by the issuer's level (change: review)
DOING = {
    COUNTY_ADMIN: ("view", "change", "export"),
    TOWNSHIP_REVIEWER: ("view", "change", "export"),
    VILLAGE_OFFICER: ("view", "change"),
    DEPARTMENT: ("view", "change"),
    INSPECTOR: ("view", "export"),
}


def connect() -> None:
    from .selectors import WORKLIST
    from .views import home_panel

    for label, title, rows in (
        ("tasklists.tasklist", "任务清单", ISSUING),
        ("tasklists.task", "清单任务", ISSUING),
        ("tasklists.assignment", "任务办理", DOING),
    ):
        registry.add("permissions", ModelPermissions(label, title, rows), key=label)
    registry.add(
        "menu_items",
        MenuItem(
            "工作管理",
            "任务清单",
            "tasklists:assignment_list",
            model="tasklists.Assignment",
            order=510,
            quick=(TOWNSHIP_REVIEWER, VILLAGE_OFFICER),
        ),
    )
    registry.add(
        "menu_items", MenuItem("工作管理", "一月一清单", "tasklists:month", model="tasklists.Assignment", order=520)
    )
    registry.add("served_files", _report_files(), key="task_report")
    # each line selects the rows waiting for this user, as work's; the badge counts every line once
    for key, label, overdue, rows in WORKLIST:
        registry.add(
            "worklist_items",
            WorklistSource(
                Item(key, label, "assignments", overdue, roles=None), rows, "tasklists:assignment_list", "region"
            ),
            key=key,
        )
    registry.add("home_panels", home_panel, order=25)
    registry.add("nightly_steps", WorkerStep("task_periods", "生成重复任务的新一期", _nightly), key="task_periods")


def _nightly() -> str:
    from shoudi.core.context import acting_as

    from .services import generate_due

    with acting_as(None, source="system"):
        made = generate_due()
    return f"重复任务新生成 {made} 项" if made else ""


def _report_files():
    from shoudi.core.files import ServedFile

    from .models import Assignment, AssignmentStep

    def rows(user):  # a step's 附件: for whoever may see the assignment
        assignments = Assignment.objects.restrict(user, "view")
        return AssignmentStep.objects.filter(assignment__in=assignments.values("pk")).select_related(
            "assignment__region"
        )

    return ServedFile("task_report", rows, "file", lambda step: step.assignment.region.code)
