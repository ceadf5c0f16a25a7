"""What assistance contributes: permissions and the cadre's scope, the 帮扶 menu (收入预估 among it), the household
page sections (一户一画像 and 收入预估 among them) and the case page's, the monitoring guards (measures, guarantee
problems), the 待办 filters and badge, the national measures after a household import and the link from the 问题整改
list to the guarantee problems. The lower layers import nothing from here."""

from __future__ import annotations

from shoudi.accounts.permissions import ModelPermissions, ScopeHook
from shoudi.accounts.roles import (
    CADRE,
    COUNTY_ADMIN,
    DEPARTMENT,
    INSPECTOR,
    ORGANIZATION,
    TEAM_MANAGER,
    TEAM_MEMBER,
    TOWNSHIP_REVIEWER,
    VILLAGE_OFFICER,
)
from shoudi.core.menu import MenuItem
from shoudi.core.registry import FilterExtension, PostImportStep, registry
from shoudi.work.lifecycle import ProblemList

# model → lookup from the model to the household ("" for the household itself)
HOUSEHOLD_PATHS = {
    "registry.household": "",
    "registry.member": "household__",
    "registry.incomerecord": "household__",
    "monitoring.monitoringcase": "household__",
    "assistance.pairing": "household__",
    "assistance.measure": "household__",
    "assistance.visit": "household__",
    "assistance.guaranteeproblem": "household__",
    "assistance.assessment": "household__",
    "assistance.portrait": "household__",
    "assistance.incomeestimate": "household__",
    "monitoring.noticedelivery": "household__",
    "employment.transportsubsidy": "member__household__",
    "lowincome.designation": "household__",
    "lowincome.supportaction": "household__",
    "lowincome.carerecord": "household__",
}


def _cadre_scope(prefix: str):
    def hook(queryset, user, action):
        # A cadre works on exactly the households currently paired with him.
        return queryset.filter(**{f"{prefix}pairings__cadre__user": user, f"{prefix}pairings__end_date__isnull": True})

    return hook


def _permissions(label: str, title: str, rows: dict) -> None:
    registry.add("permissions", ModelPermissions(label, title, rows), key=label)


def connect() -> None:
    from .filters import TodoFilter
    from .home import home_panel
    from .household import case_panel, household_panel
    from .national import MEASURE_VOCABULARIES, national_measures
    from .portrait_views import household_panel as portrait_panel
    from .selectors import guarantee_problems_of, implemented_measures_of
    from .worklist import badge_count

    work = ("view", "add", "change", "export")
    _permissions(
        "assistance.cadre",
        "帮扶干部",
        {
            COUNTY_ADMIN: ("view", "add", "change", "delete", "export", "unmask", "import"),
            TOWNSHIP_REVIEWER: ("view", "add", "change", "export", "unmask"),
            VILLAGE_OFFICER: ("view", "export"),
            INSPECTOR: ("view",),
            **dict.fromkeys((TEAM_MEMBER, TEAM_MANAGER, ORGANIZATION), ("view",)),
        },
    )
    _permissions(
        "assistance.pairing",
        "结对帮扶",
        {
            COUNTY_ADMIN: (*work, "delete"),
            TOWNSHIP_REVIEWER: work,
            VILLAGE_OFFICER: work,
            CADRE: ("view",),
            INSPECTOR: ("view", "export"),
            **dict.fromkeys((TEAM_MEMBER, TEAM_MANAGER), ("view",)),
        },
    )
    for label, title in (
        ("assistance.measure", "帮扶措施"),
        ("assistance.visit", "走访记录"),
        ("assistance.guaranteeproblem", "保障问题"),
        ("assistance.assessment", "帮扶成效评估"),
        ("assistance.portrait", "一户一画像"),
        ("assistance.incomeestimate", "收入预估"),
    ):
        _permissions(
            label,
            title,
            {
                COUNTY_ADMIN: (*work, "delete"),
                TOWNSHIP_REVIEWER: work,
                VILLAGE_OFFICER: work,
                CADRE: ("view", "add", "change"),
                DEPARTMENT: ("view",),
                INSPECTOR: ("view", "export"),
                TEAM_MEMBER: ("view", "add", "change"),  # a stationed member visits every household of his village
                TEAM_MANAGER: ("view",),
            },
        )
    _permissions(
        "assistance.rhythmsettings",
        "帮扶节奏参数",
        {
            COUNTY_ADMIN: ("view", "add", "change", "delete"),
            **dict.fromkeys(
                (TOWNSHIP_REVIEWER, VILLAGE_OFFICER, CADRE, INSPECTOR, TEAM_MEMBER, TEAM_MANAGER), ("view",)
            ),
        },
    )
    for label, prefix in HOUSEHOLD_PATHS.items():
        registry.add("scope_hooks", ScopeHook(label, CADRE, _cadre_scope(prefix)))

    for item in (
        MenuItem("工作台", "我的待办", "assistance:worklist", order=10),
        MenuItem(
            "帮扶",
            "走访登记",
            "assistance:visit_quick",
            model="assistance.Visit",
            action="add",
            order=400,
            quick=(CADRE, VILLAGE_OFFICER),
        ),
        MenuItem("帮扶", "帮扶干部", "assistance:cadre_list", model="assistance.Cadre", order=410),
        MenuItem(
            "帮扶",
            "结对帮扶",
            "assistance:pairing_list",
            model="assistance.Pairing",
            order=420,
            quick=(VILLAGE_OFFICER, TOWNSHIP_REVIEWER),
        ),
        MenuItem("帮扶", "帮扶措施", "assistance:measure_list", model="assistance.Measure", order=430),
        MenuItem("帮扶", "走访记录", "assistance:visit_list", model="assistance.Visit", order=440),
        MenuItem(
            "帮扶", "保障问题", "assistance:guaranteeproblem_list", model="assistance.GuaranteeProblem", order=450
        ),
        MenuItem("帮扶", "收入预估", "assistance:estimate_lists", model="assistance.IncomeEstimate", order=460),
        MenuItem(
            "帮扶",
            "帮扶节奏参数",
            "assistance:rhythmsettings_list",
            model="assistance.RhythmSettings",
            order=490,
            roles=(COUNTY_ADMIN, INSPECTOR),
        ),
    ):
        registry.add("menu_items", item)

    registry.add("household_panels", household_panel, order=20)
    registry.add("household_panels", portrait_panel, order=25)
    registry.add("served_files", _photo_files(), key="visit_photo")
    registry.add("case_panels", case_panel, order=10)
    registry.add("measure_counters", implemented_measures_of)
    registry.add("guarantee_problems", guarantee_problems_of)
    registry.add(
        "problem_lists",
        ProblemList(
            "保障问题",
            "assistance:guaranteeproblem_list",
            "assistance.GuaranteeProblem",
            "走访发现的两不愁三保障和饮水问题：整改中，登记解决情况即销号",
        ),
        key="assistance.guaranteeproblem",
        order=20,
    )
    registry.add(
        "filter_extensions",
        FilterExtension("registry.HouseholdFilterSet", "todo", lambda: TodoFilter(kind="households", label="待办事项")),
    )
    registry.add(
        "filter_extensions",
        FilterExtension("monitoring.CaseFilterSet", "todo", lambda: TodoFilter(kind="cases", label="待办事项")),
    )
    registry.add("todo_counters", badge_count)
    registry.add("home_panels", home_panel, order=10)
    for vocabulary in MEASURE_VOCABULARIES:
        registry.add("vocabularies", vocabulary, key=vocabulary.key)
    registry.add(
        "post_import_steps",
        PostImportStep("national_measures", "导入国家系统帮扶措施", national_measures),
        key="national_measures",
        order=20,
    )


def _photo_files():
    from shoudi.core.files import ServedFile

    from .models import Visit, VisitPhoto

    def rows(user):  # a visit's photos: for whoever may see the visit
        visits = Visit.objects.restrict(user, "view")
        return VisitPhoto.objects.filter(visit__in=visits.values("pk")).select_related("visit__household__village")

    return ServedFile("visit_photo", rows, "image", lambda p: p.visit.household.village.code)
