"""What the dashboards contribute: the built-in cards, the 数据看板 menu entry, the home-page sections (the
dashboard leads the home of county, township, 督查 and department users; a village's figures follow the worklist of
village officers and cadres), the list filters its figures link with, and the refreshes of the summary rows (after
a change marks its villages stale, the worker computes them within seconds; an import's villages in its job; every
village nightly), the problem-rectification cards with the step that notices changed problems, and the cards of
projects, funds and assets (projects.py, counted live), the 收入预估 card (estimates.py) and those of employment
(employment.py), counted live."""

from __future__ import annotations

from shoudi.accounts.roles import CADRE, COUNTY_ADMIN, DEPARTMENT, INSPECTOR, TOWNSHIP_REVIEWER, VILLAGE_OFFICER
from shoudi.core.menu import MenuItem
from shoudi.core.registry import FilterExtension, PostImportStep, WorkerStep, registry

BOARD_ROLES = {COUNTY_ADMIN, TOWNSHIP_REVIEWER, INSPECTOR, DEPARTMENT}
VILLAGE_ROLES = {VILLAGE_OFFICER, CADRE}

HOUSEHOLDS, MEMBERS = "registry.HouseholdFilterSet", "registry.MemberFilterSet"
CASES, FINDINGS = "monitoring.CaseFilterSet", "matching.FindingFilterSet"
PROBLEMS = "work.ProblemFilterSet"


def board_home(request) -> str | None:
    from .views import dashboard_panel

    user = request.user
    if not user.is_authenticated or (user.role not in BOARD_ROLES and not user.is_superuser):
        return None
    return dashboard_panel(request)


def village_home(request) -> str | None:
    from .views import dashboard_panel

    user = request.user
    if not user.is_authenticated or user.role not in VILLAGE_ROLES:
        return None
    return dashboard_panel(request, compact=True)


def _filters():
    import django_filters

    from .queries import (
        AreaFilter,
        CoverageFilter,
        IdentifiedFilter,
        MonthFilter,
        WorkCardFilter,
        YearFilter,
    )

    area = lambda: AreaFilter()  # noqa: E731
    yield from (FilterExtension(name, "area", area) for name in (HOUSEHOLDS, MEMBERS, CASES, FINDINGS, PROBLEMS))
    for name, lookup in ((HOUSEHOLDS, "household_type"), (MEMBERS, "household__household_type")):
        yield FilterExtension(
            name, "htype", lambda lookup=lookup: django_filters.CharFilter(field_name=lookup, label="户类型")
        )
    yield FilterExtension(HOUSEHOLDS, "work_card", lambda: WorkCardFilter(label="工作卡"))
    for name, kind, label in (
        ("income_year", "any", "有该年度收入记录（填年度）"),
        ("below_floor_year", "floor", "低于低收入预警线（填年度）"),
        ("income_drop_year", "drop", "收入不增反降（填年度）"),
    ):
        yield FilterExtension(HOUSEHOLDS, name, lambda kind=kind, label=label: YearFilter(kind=kind, label=label))
    yield FilterExtension(
        PROBLEMS, "at", lambda: django_filters.CharFilter(field_name="region__code", label="责任区划代码（仅本级）")
    )
    yield FilterExtension(CASES, "identified", lambda: IdentifiedFilter(field_name="identified_on", label="已识别纳入"))
    yield FilterExtension(CASES, "eliminated", lambda: IdentifiedFilter(field_name="eliminated_on", label="风险已消除"))
    for name, field, label in (
        ("clue_month", "clue_date", "线索月份（如 2026-05）"),
        ("identified_month", "identified_on", "识别月份（如 2026-05）"),
        ("eliminated_month", "eliminated_on", "消除月份（如 2026-05）"),
    ):
        yield FilterExtension(CASES, name, lambda field=field, label=label: MonthFilter(field_name=field, label=label))
    for name, label in (
        ("paired", "按期落实帮扶干部"),
        ("measured", "按期落实帮扶措施"),
        ("visited_month", "本月已走访"),
        ("visited_quarter", "本季度已走访"),
    ):
        yield FilterExtension(CASES, name, lambda name=name, label=label: CoverageFilter(field_name=name, label=label))


def connect() -> None:
    from .builtin import BUILTIN_CARDS
    from .employment import EMPLOYMENT_CARDS
    from .estimates import ESTIMATE_CARDS
    from .lowincome import LOWINCOME_CARDS
    from .notices import NOTICE_CARDS
    from .problems import PROBLEM_CARDS, mark_changed_problems
    from .projects import PROJECT_CARDS
    from .quality import QUALITY_CARDS
    from .refresh import frequent, nightly, on_change, post_import
    from .resettlement import RESETTLEMENT_CARDS
    from .sectors import SECTOR_CARDS
    from .teams import TEAM_CARDS

    cards = [
        *BUILTIN_CARDS,
        *PROBLEM_CARDS,
        *TEAM_CARDS,
        *QUALITY_CARDS,
        *PROJECT_CARDS,
        *NOTICE_CARDS,
        *ESTIMATE_CARDS,
        *LOWINCOME_CARDS,
        *RESETTLEMENT_CARDS,
        *SECTOR_CARDS,
        *EMPLOYMENT_CARDS,
    ]
    for order, card in enumerate(cards):
        registry.add("dashboard_cards", card, key=card.key, order=order * 10)
    registry.add(
        "menu_items",
        MenuItem("工作台", "数据看板", "dashboards:home", model="regions.Region", order=50),
    )
    registry.add("home_panels", board_home, order=5)
    registry.add("home_panels", village_home, order=50)
    for extension in _filters():
        registry.add("filter_extensions", extension)
    registry.add("change_listeners", on_change)
    registry.add(
        "post_import_steps",
        PostImportStep("dashboard_figures", "更新数据看板", post_import),
        key="dashboard_figures",
        order=900,
    )
    registry.add("nightly_steps", WorkerStep("dashboard_rebuild", "重算数据看板", nightly), key="dashboard_rebuild")
    registry.add(
        "frequent_steps",
        WorkerStep("dashboard_problems", "整改问题变动", mark_changed_problems),
        key="dashboard_problems",
        order=90,  # before the stale villages are computed
    )
    registry.add("frequent_steps", WorkerStep("dashboard_stale", "更新数据看板", frequent), key="dashboard_stale")
