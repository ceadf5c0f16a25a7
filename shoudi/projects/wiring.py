"""What the projects app contributes: the permission rows of projects, 公告公示, 衔接资金, assets, distribution plans,
payouts and 督查; the 工作管理 menu entries; the photos and files it serves; its lines of 我的待办 (deadlines running
out — 预算执行, 竣工验收, 确权移交 — and what waits for the user's step; counted in the 待办 badge with the other
lines) and the home-page panel of the same lines."""

from __future__ import annotations

from shoudi.accounts.permissions import ModelPermissions
from shoudi.accounts.roles import CADRE, COUNTY_ADMIN, DEPARTMENT, INSPECTOR, TOWNSHIP_REVIEWER, VILLAGE_OFFICER
from shoudi.core.menu import MenuItem
from shoudi.core.registry import registry
from shoudi.core.worklist import Item, WorklistSource

__all__ = ["connect"]

ALL = ("view", "add", "change", "delete", "export", "import")
READ = ("view", "export")

PERMISSIONS = {
    "projects.project": (
        "项目库",
        {
            COUNTY_ADMIN: ALL,
            DEPARTMENT: ("view", "add", "change", "export", "import"),
            TOWNSHIP_REVIEWER: ("view", "add", "change", "export", "import"),
            VILLAGE_OFFICER: ("view", "add", "change", "export"),
            CADRE: ("view",),
            INSPECTOR: READ,
        },
    ),
    "projects.publicity": (
        "项目公告公示",
        {
            **dict.fromkeys((COUNTY_ADMIN, DEPARTMENT, TOWNSHIP_REVIEWER, VILLAGE_OFFICER, INSPECTOR), READ),
            CADRE: ("view",),
        },
    ),
    "projects.allocation": (
        "衔接资金",
        {
            COUNTY_ADMIN: ("view", "add", "change", "delete", "export"),
            DEPARTMENT: ("view", "add", "change", "export"),
            TOWNSHIP_REVIEWER: READ,
            VILLAGE_OFFICER: ("view",),
            INSPECTOR: READ,
        },
    ),
    "projects.inspection": (
        "衔接资金督查",
        {
            COUNTY_ADMIN: ("view", "add", "change", "delete", "export"),
            DEPARTMENT: READ,
            TOWNSHIP_REVIEWER: READ,
            INSPECTOR: READ,
        },
    ),
    "projects.asset": (
        "扶贫项目资产",
        {
            COUNTY_ADMIN: ("view", "add", "change", "delete", "export"),
            DEPARTMENT: ("view", "add", "change", "export"),
            TOWNSHIP_REVIEWER: ("view", "add", "change", "export"),
            VILLAGE_OFFICER: ("view", "add", "change", "export"),
            CADRE: ("view",),
            INSPECTOR: READ,
        },
    ),
    "projects.distributionplan": (
        "资产收益分配方案",
        {
            COUNTY_ADMIN: ("view", "add", "change", "delete", "export"),
            DEPARTMENT: ("view", "change", "export"),
            TOWNSHIP_REVIEWER: ("view", "add", "change", "export"),
            VILLAGE_OFFICER: ("view", "add", "change", "export"),
            INSPECTOR: READ,
        },
    ),
    "projects.payout": (
        "收益分配到户",
        dict.fromkeys((COUNTY_ADMIN, DEPARTMENT, TOWNSHIP_REVIEWER, VILLAGE_OFFICER, INSPECTOR), READ),
    ),
}

MENU = [
    ("项目库", "projects:project_list", "projects.Project", 510),
    ("年度项目计划", "projects:annual_plan", "projects.Project", 515),
    ("衔接资金月报", "projects:funds_report", "projects.Allocation", 520),
    ("衔接资金督查", "projects:inspection_list", "projects.Inspection", 525),
    ("扶贫项目资产", "projects:asset_list", "projects.Asset", 530),
]

# served file kind → (model, file field)
FILES = {
    "project_publicity": ("Publicity", "photo"),
    "project_decision": ("Decision", "file"),
    "project_progress": ("ProgressReport", "photo"),
    "project_supervision": ("Supervision", "photo"),
}


def connect() -> None:
    from .selectors import WORKLIST
    from .views import home_panel

    for label, (title, rows) in PERMISSIONS.items():
        registry.add("permissions", ModelPermissions(label, title, rows), key=label)
    for label, url_name, model, order in MENU:
        registry.add("menu_items", MenuItem("工作管理", label, url_name, model=model, order=order))
    for key, (model, field) in FILES.items():
        registry.add("served_files", _files(key, model, field), key=key)
    # each line selects the rows waiting for this user (roles=None: his own work whatever his role); the 待办 badge is
    # assistance's count of every line, so projects adds no counter of its own
    for key, label, kind, overdue, rows in WORKLIST:
        page = "projects:project_list" if kind == "projects" else "projects:asset_list"
        registry.add(
            "worklist_items", WorklistSource(Item(key, label, kind, overdue, roles=None), rows, page, "region"), key=key
        )
    registry.add("home_panels", home_panel, order=25)


def _files(key: str, model_name: str, field: str):
    from shoudi.core.files import ServedFile

    from . import models

    model = getattr(models, model_name)

    def rows(user):  # a project's photos and records: for whoever may see the project
        projects = models.Project.objects.restrict(user, "view")
        return model.objects.filter(project__in=projects.values("pk")).select_related("project__region")

    return ServedFile(key, rows, field, lambda row: row.project.region.code)
