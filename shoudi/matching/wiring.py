"""What matching contributes: permissions and the department scope, the 数据比对 menu, the department sources whose
lists are compared, its lines of 我的待办 and the link from the 问题整改 list to its findings. Nothing below imports
this app."""

from __future__ import annotations

from importlib import import_module

from shoudi.accounts.permissions import ModelPermissions, ScopeHook
from shoudi.accounts.roles import COUNTY_ADMIN, DEPARTMENT, INSPECTOR, TOWNSHIP_REVIEWER, VILLAGE_OFFICER
from shoudi.core.menu import MenuItem
from shoudi.core.registry import registry
from shoudi.work.lifecycle import ProblemList

DEPARTMENT_MODELS = {
    "matching.departmentlist": "department",
    "matching.matchrun": "department",
    "matching.finding": "department",
    "matching.mappingprofile": "department",
}


def _own_department(field: str):
    def hook(queryset, user, action):
        # A 行业部门 user works with his own department's lists, runs and findings only.
        return queryset.filter(**{field: user.department})

    return hook


def _permissions(label: str, title: str, rows: dict) -> None:
    registry.add("permissions", ModelPermissions(label, title, rows), key=label)


def connect() -> None:
    from shoudi.assistance.worklist import Item, WorklistSource

    from . import sources
    from .selectors import WORKLIST

    _permissions(
        "matching.departmentlist",
        "部门名单（含基础名单导出）",
        {
            COUNTY_ADMIN: ("view", "add", "import", "export"),
            DEPARTMENT: ("view", "add", "import", "export"),
            INSPECTOR: ("view",),
        },
    )
    _permissions(
        "matching.matchrun",
        "数据比对批次",
        {
            COUNTY_ADMIN: ("view", "add", "export"),
            DEPARTMENT: ("view", "add", "export"),
            INSPECTOR: ("view",),
        },
    )
    _permissions(
        "matching.finding",
        "比对结果",
        {
            COUNTY_ADMIN: ("view", "change", "export"),
            TOWNSHIP_REVIEWER: ("view", "export"),
            VILLAGE_OFFICER: ("view", "change", "export"),
            DEPARTMENT: ("view", "export"),
            INSPECTOR: ("view", "export"),
        },
    )
    _permissions(
        "matching.mappingprofile",
        "名单列对应方案",
        {
            COUNTY_ADMIN: ("view", "change"),
            DEPARTMENT: ("view", "change"),
        },
    )
    _permissions(
        "matching.matchingsettings",
        "比对参数",
        {
            COUNTY_ADMIN: ("view", "add", "change", "delete"),
            **dict.fromkeys((TOWNSHIP_REVIEWER, VILLAGE_OFFICER, DEPARTMENT, INSPECTOR), ("view",)),
        },
    )
    for label, field in DEPARTMENT_MODELS.items():
        registry.add("scope_hooks", ScopeHook(label, DEPARTMENT, _own_department(field)))

    for item in (
        MenuItem(
            "动态监测",
            "部门数据比对",
            "matching:run_list",
            model="matching.MatchRun",
            order=350,
            quick=(DEPARTMENT, COUNTY_ADMIN),
        ),
        MenuItem(
            "动态监测",
            "比对结果",
            "matching:finding_list",
            model="matching.Finding",
            order=355,
            quick=(VILLAGE_OFFICER,),
        ),
        MenuItem(
            "动态监测",
            "比对参数",
            "matching:matchingsettings_list",
            model="matching.MatchingSettings",
            action="add",
            order=360,
        ),
    ):
        registry.add("menu_items", item)

    from shoudi.core.retention import RetentionRule

    from .retention import purge_department_lists

    registry.add(
        "retention_rules",
        RetentionRule("department_lists", "部门名单文件及其载入行", purge_department_lists),
        key="department_lists",
    )

    registry.add(
        "problem_lists",
        ProblemList(
            "部门比对结果",
            "matching:finding_list",
            "matching.Finding",
            "部门比对发现的问题：村级核实（属实/不属实），属实的处理后销号",
        ),
        key="matching.finding",
        order=10,
    )

    for name in sources.MODULES:  # one module per department under sources/
        source = import_module(f"{sources.__name__}.{name}").SOURCE
        registry.add("matching_sources", source, key=source.department)

    for key, label, overdue, queryset in WORKLIST:
        registry.add(
            "worklist_items",
            WorklistSource(
                Item(key, label, "findings", overdue, due="findings_pending" if overdue else ""),  # overdue ⊂ pending
                queryset,
                list_url_name="matching:finding_list",
                village_lookup="village",
            ),
            key=key,
        )
