"""How assistance plugs into the lower layers: permissions, the cadre's scope, menus, the household page, the
monitoring guards, the worklist badge and the national import. The lower layers import nothing from here."""

from __future__ import annotations

from shoudi.accounts.permissions import register, register_scope_hook
from shoudi.accounts.roles import CADRE, COUNTY_ADMIN, DEPARTMENT, INSPECTOR, TOWNSHIP_REVIEWER, VILLAGE_OFFICER
from shoudi.core.menu import MenuItem, register_menu

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
}


def _cadre_scope(prefix: str):
    def hook(queryset, user, action):
        # A cadre works on exactly the households currently paired with him.
        return queryset.filter(**{f"{prefix}pairings__cadre__user": user, f"{prefix}pairings__end_date__isnull": True})

    return hook


def connect() -> None:
    work = ("view", "add", "change", "export")
    register("assistance.cadre", "帮扶干部", {
        COUNTY_ADMIN: ("view", "add", "change", "delete", "export", "unmask", "import"),
        TOWNSHIP_REVIEWER: ("view", "add", "change", "export", "unmask"),
        VILLAGE_OFFICER: ("view", "export"),
        INSPECTOR: ("view",),
    })
    register("assistance.pairing", "结对帮扶", {
        COUNTY_ADMIN: (*work, "delete"), TOWNSHIP_REVIEWER: work, VILLAGE_OFFICER: work, CADRE: ("view",),
        INSPECTOR: ("view", "export"),
    })
    for label, title in (("assistance.measure", "帮扶措施"), ("assistance.visit", "走访记录"),
                         ("assistance.guaranteeproblem", "保障问题"), ("assistance.assessment", "帮扶成效评估")):
        register(label, title, {
            COUNTY_ADMIN: (*work, "delete"), TOWNSHIP_REVIEWER: work, VILLAGE_OFFICER: work, CADRE: ("view", "add",
                                                                                                     "change"),
            DEPARTMENT: ("view",), INSPECTOR: ("view", "export"),
        })
    register("assistance.rhythmsettings", "帮扶节奏参数", {
        COUNTY_ADMIN: ("view", "add", "change", "delete"),
        **dict.fromkeys((TOWNSHIP_REVIEWER, VILLAGE_OFFICER, CADRE, INSPECTOR), ("view",)),
    })
    for label, prefix in HOUSEHOLD_PATHS.items():
        register_scope_hook(label, CADRE, _cadre_scope(prefix))

    register_menu(
        MenuItem("工作台", "我的待办", "assistance:worklist", order=10),
        MenuItem("帮扶", "走访登记", "assistance:visit_quick", model="assistance.Visit", action="add", order=400),
        MenuItem("帮扶", "帮扶干部", "assistance:cadre_list", model="assistance.Cadre", order=410),
        MenuItem("帮扶", "结对帮扶", "assistance:pairing_list", model="assistance.Pairing", order=420),
        MenuItem("帮扶", "帮扶措施", "assistance:measure_list", model="assistance.Measure", order=430),
        MenuItem("帮扶", "走访记录", "assistance:visit_list", model="assistance.Visit", order=440),
        MenuItem("帮扶", "保障问题", "assistance:guaranteeproblem_list", model="assistance.GuaranteeProblem",
                 order=450),
        MenuItem("帮扶", "帮扶节奏参数", "assistance:rhythmsettings_list", model="assistance.RhythmSettings",
                 order=490),
    )

    from shoudi.core.worklist import register_todo_counter
    from shoudi.monitoring.filters import CaseFilterSet
    from shoudi.monitoring.panels import register_case_panel
    from shoudi.monitoring.services import register_guarantee_problems, register_measure_counter
    from shoudi.registry.filters import HouseholdFilterSet
    from shoudi.registry.panels import register_household_panel
    from shoudi.registry.signals import households_imported

    from .filters import TodoFilter
    from .household import case_panel, household_panel
    from .national import measures_from_national
    from .selectors import guarantee_problems_of, implemented_measures_of
    from .worklist import badge_count

    register_measure_counter(implemented_measures_of)
    register_guarantee_problems(guarantee_problems_of)
    register_household_panel(household_panel, order=20)
    register_case_panel(case_panel, order=10)
    HouseholdFilterSet.base_filters["todo"] = TodoFilter(kind="households", label="待办事项")
    CaseFilterSet.base_filters["todo"] = TodoFilter(kind="cases", label="待办事项")
    register_todo_counter(badge_count)
    households_imported.connect(measures_from_national, dispatch_uid="assistance.measures_from_national")
