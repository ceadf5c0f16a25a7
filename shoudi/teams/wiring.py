"""What the teams app contributes: the permission rows of its models for the three team roles (驻村工作队员, the
township's 驻村管理员, the county's 组织部) and the others, the 驻村帮扶 menu, the photos it serves, the 工作台
panel of a member (签到, this month's days, missing logs), the worklist's line of missing work logs, the leave waiting
for a manager's decision on the 待办 badge, the household list's filter of the coverage, and the team section of a
易地扶贫搬迁安置点's page."""

from __future__ import annotations

from shoudi.accounts.permissions import ModelPermissions
from shoudi.accounts.roles import (
    COUNTY_ADMIN,
    INSPECTOR,
    ORGANIZATION,
    TEAM_MANAGER,
    TEAM_MEMBER,
    TOWNSHIP_REVIEWER,
    VILLAGE_OFFICER,
)
from shoudi.core.menu import MenuItem
from shoudi.core.registry import FilterExtension, registry

__all__ = ["connect"]

FULL = ("view", "add", "change", "export")  # nothing of a team is deleted: an assignment ends, a leave is withdrawn
READ = ("view", "export")


def _permissions(label: str, title: str, rows: dict) -> None:
    registry.add("permissions", ModelPermissions(label, title, rows), key=label)


def _rows() -> None:
    _permissions(
        "teams.supportunit",
        "后盾单位",
        {
            ORGANIZATION: (*FULL, "unmask"),
            COUNTY_ADMIN: ("view", "add", "change", "export", "unmask"),
            TEAM_MANAGER: READ,
            **dict.fromkeys((TEAM_MEMBER, TOWNSHIP_REVIEWER, VILLAGE_OFFICER, INSPECTOR), ("view",)),
        },
    )
    _permissions(
        "teams.team",
        "驻村工作队",
        {
            ORGANIZATION: FULL,
            COUNTY_ADMIN: ("view", "add", "change", "export"),
            TEAM_MANAGER: ("view", "change", "export"),
            **dict.fromkeys((TEAM_MEMBER, TOWNSHIP_REVIEWER, VILLAGE_OFFICER, INSPECTOR), ("view",)),
        },
    )
    _permissions(
        "teams.teammember",
        "驻村工作队员（人员信息）",
        {
            ORGANIZATION: (*FULL, "unmask"),
            COUNTY_ADMIN: ("view", "add", "change", "export", "unmask"),
            TEAM_MANAGER: ("view", "add", "change", "export", "unmask"),
            **dict.fromkeys((TEAM_MEMBER, TOWNSHIP_REVIEWER, VILLAGE_OFFICER, INSPECTOR), ("view",)),
        },
    )
    _permissions(
        "teams.checkin",
        "签到记录",
        {
            TEAM_MEMBER: ("view", "add"),
            TEAM_MANAGER: ("view", "add", "export"),
            **dict.fromkeys((ORGANIZATION, COUNTY_ADMIN), READ),
            INSPECTOR: ("view",),
        },
    )
    _permissions(
        "teams.absence",
        "请假与公出",
        {
            TEAM_MEMBER: ("view", "add"),
            TEAM_MANAGER: ("view", "add", "change", "export"),
            ORGANIZATION: ("view", "change", "export"),
            COUNTY_ADMIN: READ,
            INSPECTOR: ("view",),
        },
    )
    _permissions(
        "teams.worklog",
        "驻村工作日志",
        {
            TEAM_MEMBER: ("view", "add", "change"),
            **dict.fromkeys((TEAM_MANAGER, ORGANIZATION, COUNTY_ADMIN), READ),
            **dict.fromkeys((TOWNSHIP_REVIEWER, VILLAGE_OFFICER, INSPECTOR), ("view",)),
        },
    )
    _permissions(
        "teams.meeting",
        "会议与讲评",
        {
            TEAM_MEMBER: ("view", "add", "change"),
            TEAM_MANAGER: ("view", "add", "change", "export"),
            **dict.fromkeys((ORGANIZATION, COUNTY_ADMIN), READ),
            **dict.fromkeys((TOWNSHIP_REVIEWER, VILLAGE_OFFICER, INSPECTOR), ("view",)),
        },
    )
    for label, title in (("teams.unitvisit", "后盾单位到村指导"), ("teams.unitfund", "后盾单位帮扶资金")):
        _permissions(
            label,
            title,
            {
                ORGANIZATION: FULL,
                TEAM_MANAGER: ("view", "add", "change", "export"),
                COUNTY_ADMIN: READ,
                **dict.fromkeys((TEAM_MEMBER, INSPECTOR), ("view",)),
            },
        )
    for label, title in (("teams.evaluation", "驻村考核"), ("teams.training", "驻村干部培训")):
        _permissions(
            label,
            title,
            {
                ORGANIZATION: FULL,
                TEAM_MANAGER: ("view", "add", "export"),
                COUNTY_ADMIN: READ,
                **dict.fromkeys((TEAM_MEMBER, INSPECTOR), ("view",)),
            },
        )
    _permissions(
        "teams.teamsettings",
        "驻村管理参数",
        {
            **dict.fromkeys((ORGANIZATION, COUNTY_ADMIN), ("view", "add", "change")),
            **dict.fromkeys((TEAM_MANAGER, TEAM_MEMBER, TOWNSHIP_REVIEWER, INSPECTOR), ("view",)),
        },
    )


def _menu() -> None:
    group = "驻村帮扶"
    for item in (
        MenuItem(group, "签到", "teams:checkin", model="teams.CheckIn", action="add", order=700, quick=(TEAM_MEMBER,)),
        MenuItem(group, "工作日志", "teams:worklog_list", model="teams.WorkLog", order=705, quick=(TEAM_MEMBER,)),
        MenuItem(group, "驻村工作队", "teams:team_list", model="teams.Team", order=710),
        MenuItem(group, "人员信息", "teams:teammember_list", model="teams.TeamMember", order=715),
        MenuItem(
            group,
            "月度考勤",
            "teams:attendance",
            model="teams.CheckIn",
            order=720,
            quick=(TEAM_MANAGER, ORGANIZATION),
            roles=(TEAM_MANAGER, ORGANIZATION, COUNTY_ADMIN, INSPECTOR),
        ),
        MenuItem(group, "签到记录", "teams:checkin_list", model="teams.CheckIn", order=725),
        MenuItem(
            group,
            "请假与公出",
            "teams:absence_list",
            model="teams.Absence",
            order=730,
            quick=(TEAM_MANAGER, ORGANIZATION),
        ),
        MenuItem(group, "会议与讲评", "teams:meeting_list", model="teams.Meeting", order=740),
        MenuItem(group, "走访覆盖", "teams:coverage", model="teams.Team", order=745),
        MenuItem(group, "后盾单位", "teams:supportunit_list", model="teams.SupportUnit", order=750),
        MenuItem(group, "到村指导", "teams:unitvisit_list", model="teams.UnitVisit", order=755),
        MenuItem(group, "帮扶资金", "teams:unitfund_list", model="teams.UnitFund", order=760),
        MenuItem(group, "考核与培训", "teams:evaluation_list", model="teams.Evaluation", order=765),
        MenuItem(
            group,
            "驻村管理参数",
            "teams:teamsettings_list",
            model="teams.TeamSettings",
            order=790,
            roles=(ORGANIZATION, COUNTY_ADMIN, INSPECTOR),
        ),
    ):
        registry.add("menu_items", item)


def _served_files():
    from shoudi.core.files import ServedFile

    from .models import CheckIn, WorkLog, WorkLogPhoto

    def checkin_rows(user):
        return CheckIn.objects.restrict(user, "view").exclude(photo="").select_related("member__team__village")

    def log_rows(user):
        logs = WorkLog.objects.restrict(user, "view")
        return WorkLogPhoto.objects.filter(log__in=logs.values("pk")).select_related("log__member__team__village")

    yield ServedFile("checkin_photo", checkin_rows, "photo", lambda row: row.member.team.village.code)
    yield ServedFile("worklog_photo", log_rows, "image", lambda row: row.log.member.team.village.code)


def connect() -> None:
    from shoudi.assistance.worklist import Item, WorklistSource

    from .coverage import CoverageFilter
    from .home import home_panel
    from .logs import missing_logs_queryset
    from .selectors import approvals_todo
    from .sites import site_panel

    _rows()
    _menu()
    for served in _served_files():
        registry.add("served_files", served, key=served.key)
    registry.add("home_panels", home_panel, order=8)
    registry.add("site_panels", site_panel, order=10)
    registry.add("todo_counters", approvals_todo)
    registry.add("filter_extensions", FilterExtension("registry.HouseholdFilterSet", "team_coverage", CoverageFilter))
    registry.add(
        "worklist_items",
        WorklistSource(
            Item("missing_logs", "近30天缺少驻村工作日志", "team_members", True, frozenset({TEAM_MEMBER})),
            missing_logs_queryset,
            list_url_name="teams:teammember_list",
            village_lookup="team__village",
        ),
        key="missing_logs",
    )
