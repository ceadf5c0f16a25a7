"""What the lowincome app contributes: the permission rows of its models, the 低收入人口 menu, the 分户台账 section of
the household page, the code table of its categories, and the worklist's line 低收入人口本月未走访 (the 村级工作专班's
work: the village officer and the stationed team)."""

from __future__ import annotations

from shoudi.accounts.permissions import ModelPermissions
from shoudi.accounts.roles import (
    CADRE,
    COUNTY_ADMIN,
    DEPARTMENT,
    INSPECTOR,
    TEAM_MANAGER,
    TEAM_MEMBER,
    TOWNSHIP_REVIEWER,
    VILLAGE_OFFICER,
)
from shoudi.core.menu import MenuItem
from shoudi.core.registry import registry
from shoudi.core.worklist import Item, WorklistSource

__all__ = ["UNVISITED", "connect"]

READ = ("view", "export")
UNVISITED = "lowincome_unvisited"

PERMISSIONS = {
    # ended rather than deleted: no role deletes a designation (撤回 of an import removes the rows it created)
    "lowincome.designation": (
        "低收入人口认定",
        {
            COUNTY_ADMIN: ("view", "add", "change", "export", "import"),
            DEPARTMENT: ("view", "export", "import"),  # 民政 only brings its lists (services.brings_the_list)
            TOWNSHIP_REVIEWER: ("view", "add", "change", "export", "import"),
            VILLAGE_OFFICER: ("view", "add", "change", "export"),
            INSPECTOR: READ,
            **dict.fromkeys((CADRE, TEAM_MEMBER, TEAM_MANAGER), ("view",)),
        },
    ),
    "lowincome.designationimport": (
        "民政名单导入",
        {
            # a 行业部门 user other than 民政 is refused the 撤回 (services.brings_the_list)
            **dict.fromkeys((COUNTY_ADMIN, DEPARTMENT, TOWNSHIP_REVIEWER), ("view", "change")),
            INSPECTOR: ("view",),
        },
    ),
    "lowincome.supportaction": (
        "分类帮扶事项",
        {
            COUNTY_ADMIN: ("view", "add", "change", "export"),
            TOWNSHIP_REVIEWER: ("view", "add", "change", "export"),
            VILLAGE_OFFICER: ("view", "add", "export"),
            **dict.fromkeys((CADRE, TEAM_MEMBER), ("view", "add")),
            INSPECTOR: READ,
            **dict.fromkeys((DEPARTMENT, TEAM_MANAGER), ("view",)),
        },
    ),
    "lowincome.carerecord": (
        "关爱记录",
        {
            **dict.fromkeys((COUNTY_ADMIN, TOWNSHIP_REVIEWER, VILLAGE_OFFICER), ("view", "add", "change", "export")),
            **dict.fromkeys((CADRE, TEAM_MEMBER), ("view", "add")),
            INSPECTOR: READ,
            **dict.fromkeys((DEPARTMENT, TEAM_MANAGER), ("view",)),
        },
    ),
    "lowincome.lowincomesettings": (
        "低收入人口走访参数",
        {
            COUNTY_ADMIN: ("view", "add", "change"),
            **dict.fromkeys((TOWNSHIP_REVIEWER, VILLAGE_OFFICER, INSPECTOR), ("view",)),
        },
    ),
}

MENU = [
    MenuItem("帮扶", "低收入人口", "lowincome:register", model="lowincome.Designation", order=460),
    MenuItem(
        "帮扶",
        "民政名单导入",
        "lowincome:import_list",
        model="lowincome.DesignationImport",
        order=462,
    ),
    MenuItem(
        "帮扶",
        "低收入人口走访参数",
        "lowincome:lowincomesettings_list",
        model="lowincome.LowIncomeSettings",
        order=464,
        roles=(COUNTY_ADMIN, INSPECTOR),
    ),
]


def connect() -> None:
    from .choices import CATEGORY_VOCABULARY
    from .panels import household_panel
    from .selectors import unvisited

    for label, (title, rows) in PERMISSIONS.items():
        registry.add("permissions", ModelPermissions(label, title, rows), key=label)
    for item in MENU:
        registry.add("menu_items", item)
    registry.add("household_panels", household_panel, order=25)
    registry.add("vocabularies", CATEGORY_VOCABULARY, key=CATEGORY_VOCABULARY.key)
    registry.add(
        "worklist_items",
        WorklistSource(
            Item(UNVISITED, "低收入人口本月未走访", "lowincome", False, frozenset({VILLAGE_OFFICER, TEAM_MEMBER})),
            unvisited,
            list_url_name="lowincome:register",
            village_lookup="village",
        ),
        key=UNVISITED,
    )
