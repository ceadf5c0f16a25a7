"""What the work app contributes: the permission rows of problems, the 问题整改 menu entry, the evidence files it
serves, its lines of 我的待办 (整改问题已逾期, 整改期限将至, 待审核销号, 待审批延期, 逾期升级: counted in the 待办
badge with the other lines, once) and the home-page panel of overdue, due-soon and awaiting-review problems."""

from __future__ import annotations

from shoudi.accounts.permissions import ModelPermissions
from shoudi.accounts.roles import COUNTY_ADMIN, INSPECTOR, TOWNSHIP_REVIEWER, VILLAGE_OFFICER
from shoudi.core.menu import MenuItem
from shoudi.core.registry import registry
from shoudi.core.worklist import Item, WorklistSource

__all__ = ["connect"]


def connect() -> None:
    from .raising import CHECK_PROBLEMS
    from .selectors import WORKLIST
    from .views import home_panel

    registry.set("problem_raising", CHECK_PROBLEMS)

    registry.add(
        "permissions",
        ModelPermissions(
            "work.problem",
            "整改问题",
            {
                COUNTY_ADMIN: ("view", "add", "change", "delete", "export", "import"),
                TOWNSHIP_REVIEWER: ("view", "add", "change", "export", "import"),
                VILLAGE_OFFICER: ("view", "change"),
                INSPECTOR: ("view", "export"),
            },
        ),
        key="work.problem",
    )
    registry.add("menu_items", MenuItem("工作管理", "问题整改", "work:problem_list", model="work.Problem", order=500))
    registry.add("served_files", _evidence_files(), key="problem_evidence")
    # each line selects the rows waiting for this user (roles=None: his own work whatever his role); the badge is
    # assistance's count of every line, so no todo_counter of work's own is added to it
    for key, label, overdue, rows in WORKLIST:
        registry.add(
            "worklist_items",
            WorklistSource(Item(key, label, "problems", overdue, roles=None), rows, "work:problem_list", "region"),
            key=key,
        )
    registry.add("home_panels", home_panel, order=20)


def _evidence_files():
    from shoudi.core.files import ServedFile

    from .models import Problem, ProblemStep

    def rows(user):  # a step's 佐证材料: for whoever may see the problem
        problems = Problem.objects.restrict(user, "view")
        return ProblemStep.objects.filter(problem__in=problems.values("pk")).select_related("problem__region")

    return ServedFile("problem_evidence", rows, "file", lambda step: step.problem.region.code)
