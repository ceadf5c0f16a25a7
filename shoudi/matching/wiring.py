"""How matching plugs into the lower layers: permissions and the department scope, menus, the worklist lines.
Nothing below imports this app."""

from __future__ import annotations

from shoudi.accounts.permissions import register, register_scope_hook
from shoudi.accounts.roles import COUNTY_ADMIN, DEPARTMENT, INSPECTOR, TOWNSHIP_REVIEWER, VILLAGE_OFFICER
from shoudi.core.menu import MenuItem, register_menu

DEPARTMENT_MODELS = {"matching.departmentlist": "department", "matching.matchrun": "department",
                     "matching.finding": "department", "matching.mappingprofile": "department"}


def _own_department(field: str):
    def hook(queryset, user, action):
        # A 行业部门 user works with his own department's lists, runs and findings only.
        return queryset.filter(**{field: user.department})

    return hook


def connect() -> None:
    register("matching.departmentlist", "部门名单（含基础名单导出）", {
        COUNTY_ADMIN: ("view", "add", "import", "export"),
        DEPARTMENT: ("view", "add", "import", "export"),
        INSPECTOR: ("view",),
    })
    register("matching.matchrun", "数据比对批次", {
        COUNTY_ADMIN: ("view", "add", "export"),
        DEPARTMENT: ("view", "add", "export"),
        INSPECTOR: ("view",),
    })
    register("matching.finding", "比对结果", {
        COUNTY_ADMIN: ("view", "change", "export"),
        TOWNSHIP_REVIEWER: ("view", "export"),
        VILLAGE_OFFICER: ("view", "change", "export"),
        DEPARTMENT: ("view", "export"),
        INSPECTOR: ("view", "export"),
    })
    register("matching.mappingprofile", "名单列对应方案", {
        COUNTY_ADMIN: ("view", "change"),
        DEPARTMENT: ("view", "change"),
    })
    register("matching.matchingsettings", "比对参数", {
        COUNTY_ADMIN: ("view", "add", "change", "delete"),
        **dict.fromkeys((TOWNSHIP_REVIEWER, VILLAGE_OFFICER, DEPARTMENT, INSPECTOR), ("view",)),
    })
    for label, field in DEPARTMENT_MODELS.items():
        register_scope_hook(label, DEPARTMENT, _own_department(field))

    register_menu(
        MenuItem("动态监测", "部门数据比对", "matching:run_list", model="matching.MatchRun", order=350),
        MenuItem("动态监测", "比对结果", "matching:finding_list", model="matching.Finding", order=355),
        MenuItem("动态监测", "比对参数", "matching:matchingsettings_list", model="matching.MatchingSettings",
                 action="add", order=360),
    )

    from shoudi.assistance.worklist import Item, register_item

    from .selectors import WORKLIST

    for key, label, overdue, queryset in WORKLIST:
        register_item(Item(key, label, "findings", overdue), queryset, list_url_name="matching:finding_list",
                      village_lookup="village")
