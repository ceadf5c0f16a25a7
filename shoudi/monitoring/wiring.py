"""What monitoring contributes: permissions, the 动态监测 menu, the cases section of the household page, the
household list filters (监测对象, 类别, 低于监测线), the national cases after a household import, and the written
notices (退出告知书 and 明白纸: permissions, menu, the household page's section, 退出告知书待送达 in 我的待办)."""

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
from shoudi.core.registry import FilterExtension, PostImportStep, registry
from shoudi.core.worklist import Item, WorklistSource

from . import choices as c

HOUSEHOLDS = "registry.HouseholdFilterSet"


def _permissions(label: str, title: str, rows: dict) -> None:
    registry.add("permissions", ModelPermissions(label, title, rows), key=label)


def connect() -> None:
    from .household import BelowLineFilter, CategoryFilter, MonitoredFilter, household_panel
    from .national import national_cases

    _permissions(
        "monitoring.monitoringcase",
        "监测对象",
        {
            COUNTY_ADMIN: ("view", "add", "change", "export"),
            TOWNSHIP_REVIEWER: ("view", "add", "change", "export"),
            VILLAGE_OFFICER: ("view", "add", "change", "export"),
            CADRE: ("view", "add", "change"),
            DEPARTMENT: ("view", "add"),
            INSPECTOR: ("view", "export"),
            **dict.fromkeys((TEAM_MEMBER, TEAM_MANAGER), ("view",)),  # the team takes part in the weekly 研判
        },
    )
    _permissions(
        "monitoring.monitoringline",
        "监测线",
        {
            COUNTY_ADMIN: ("view", "add", "change", "delete"),
            **dict.fromkeys(
                (TOWNSHIP_REVIEWER, VILLAGE_OFFICER, CADRE, DEPARTMENT, INSPECTOR, TEAM_MEMBER, TEAM_MANAGER), ("view",)
            ),
        },
    )
    _permissions(
        "monitoring.monitoringsettings",
        "监测参数",
        {
            COUNTY_ADMIN: ("view", "add", "change", "delete"),
            **dict.fromkeys((TOWNSHIP_REVIEWER, VILLAGE_OFFICER, INSPECTOR), ("view",)),
        },
    )
    for item in (
        MenuItem(
            "动态监测",
            "监测对象",
            "monitoring:case_list",
            model="monitoring.MonitoringCase",
            order=300,
            quick=(VILLAGE_OFFICER, TOWNSHIP_REVIEWER, COUNTY_ADMIN, INSPECTOR),
        ),
        MenuItem(
            "动态监测",
            "批量审核",
            "monitoring:batch_review",
            model="monitoring.MonitoringCase",
            action="change",
            order=310,
            roles=(COUNTY_ADMIN, TOWNSHIP_REVIEWER),  # the village officer's steps come before any review
            quick=(COUNTY_ADMIN, TOWNSHIP_REVIEWER),
        ),
        MenuItem(
            "动态监测",
            "预警筛查",
            "monitoring:screen",
            model="monitoring.MonitoringLine",
            action="add",
            order=320,
            quick=(COUNTY_ADMIN,),
        ),
        MenuItem("动态监测", "监测线", "monitoring:monitoringline_list", model="monitoring.MonitoringLine", order=330),
        MenuItem(
            "动态监测",
            "监测参数",
            "monitoring:monitoringsettings_list",
            model="monitoring.MonitoringSettings",
            order=340,
            roles=(COUNTY_ADMIN, INSPECTOR),  # the county's parameters: set by its admin, read by 督查
        ),
    ):
        registry.add("menu_items", item)

    registry.add("household_panels", household_panel, order=10)
    registry.add("served_files", _attachment_files(), key="case_attachment")
    for extension in (
        FilterExtension(HOUSEHOLDS, "monitored", lambda: MonitoredFilter(label="监测对象（帮扶中）")),
        FilterExtension(HOUSEHOLDS, "category", lambda: CategoryFilter(label="监测对象类别", choices=c.CATEGORIES)),
        FilterExtension(HOUSEHOLDS, "below_line_year", lambda: BelowLineFilter(label="低于当年监测线（填年度）")),
    ):
        registry.add("filter_extensions", extension)

    registry.add(
        "post_import_steps",
        PostImportStep("national_cases", "生成国家系统监测对象", national_cases),
        key="national_cases",
        order=10,
    )
    _notices()


def _notices() -> None:
    """退出告知书 (S003 三(一)3) and 明白纸 (S004 (二)一)."""
    from .household import NoticeCoverageFilter
    from .notice_views import household_panel
    from .notices import exit_notices_due

    _permissions(
        "monitoring.noticedocument",
        "明白纸",
        {
            COUNTY_ADMIN: ("view", "add", "change", "delete"),
            **dict.fromkeys(
                (TOWNSHIP_REVIEWER, VILLAGE_OFFICER, CADRE, INSPECTOR, TEAM_MEMBER, TEAM_MANAGER), ("view",)
            ),
        },
    )
    deliveries = {
        VILLAGE_OFFICER: ("view", "add", "export"),  # the 村委会 delivers the 告知书 and hands out the 明白纸
        CADRE: ("view", "add"),
        TEAM_MEMBER: ("view", "add"),
        **dict.fromkeys((COUNTY_ADMIN, TOWNSHIP_REVIEWER, INSPECTOR), ("view", "export")),
        TEAM_MANAGER: ("view",),
    }
    _permissions("monitoring.noticedelivery", "告知书与明白纸送达", deliveries)
    # a village's 整村发放: recorded (and withdrawn whole) by the 村委会; a cadre records single deliveries only
    batches = {
        VILLAGE_OFFICER: ("view", "add", "change", "export"),
        TEAM_MEMBER: ("view", "add"),
        **dict.fromkeys((COUNTY_ADMIN, TOWNSHIP_REVIEWER, INSPECTOR), ("view", "export")),
        TEAM_MANAGER: ("view",),
    }
    _permissions("monitoring.noticebatch", "明白纸整村发放", batches)
    for item in (
        MenuItem(
            "动态监测",
            "告知书与明白纸",
            "monitoring:notice_coverage",
            model="monitoring.NoticeDelivery",
            order=350,
            quick=(VILLAGE_OFFICER,),
        ),
        MenuItem(
            "动态监测", "送达记录", "monitoring:noticedelivery_list", model="monitoring.NoticeDelivery", order=351
        ),
        MenuItem(
            "动态监测",
            "明白纸",
            "monitoring:noticedocument_list",
            model="monitoring.NoticeDocument",
            order=352,
            roles=(COUNTY_ADMIN, TOWNSHIP_REVIEWER, VILLAGE_OFFICER, INSPECTOR),
        ),
    ):
        registry.add("menu_items", item)
    registry.add("household_panels", household_panel, order=15)
    registry.add("served_files", _notice_files(), key="notice_document")
    registry.add(
        "filter_extensions", FilterExtension(HOUSEHOLDS, "notices", lambda: NoticeCoverageFilter(label="明白纸发放"))
    )

    def due(user, today):
        from .models import MonitoringCase

        return exit_notices_due(MonitoringCase.objects.restrict(user, "view"))

    registry.add(
        "worklist_items",
        WorklistSource(
            Item("exit_notice_due", "退出告知书待送达", "cases", roles=frozenset({VILLAGE_OFFICER})),
            due,
            list_url_name="monitoring:case_list",
            village_lookup="household__village",
        ),
        key="exit_notice_due",
    )


def _notice_files():
    from shoudi.core.files import ServedFile

    from .models import NoticeDocument

    return ServedFile("notice_document", lambda user: NoticeDocument.objects.restrict(user, "view"), "file")


def _attachment_files():
    from shoudi.core.files import ServedFile

    from .models import CaseAttachment, MonitoringCase

    def rows(user):  # a case's 佐证材料: for whoever may see the case
        cases = MonitoringCase.objects.restrict(user, "view")
        return CaseAttachment.objects.filter(case__in=cases.values("pk")).select_related("case__household__village")

    return ServedFile("case_attachment", rows, "file", lambda a: a.case.household.village.code)
