"""What the employment app contributes: the permission rows of its models (the county starts the verification round
and keeps the settings; villages verify persons; townships and the county keep posts, workshops and subsidies), the
就业帮扶 menu, the household page's 就业帮扶 section, and two lines of 我的待办 — the 零就业家庭 of a village
(until one member is employed) and, for the township, the 公益性岗位 subsidies paid under the floor."""

from __future__ import annotations

from shoudi.accounts.permissions import ModelPermissions
from shoudi.accounts.roles import (
    CADRE,
    COUNTY_ADMIN,
    DEPARTMENT,
    INSPECTOR,
    TOWNSHIP_REVIEWER,
    VILLAGE_OFFICER,
)
from shoudi.core.menu import MenuItem
from shoudi.core.registry import registry

__all__ = ["WORKLIST", "connect"]

FULL = ("view", "add", "change", "export")
READ = ("view", "export")


def _permissions(label: str, title: str, rows: dict) -> None:
    registry.add("permissions", ModelPermissions(label, title, rows), key=label)


def _rows() -> None:
    _permissions(
        "employment.verificationround",
        "务工信息核实（发起与撤回）",
        {
            COUNTY_ADMIN: FULL,
            DEPARTMENT: READ,
            **dict.fromkeys((TOWNSHIP_REVIEWER, VILLAGE_OFFICER, INSPECTOR), ("view",)),
        },
    )
    _permissions(
        "employment.verification",
        "务工信息核实记录",
        {
            VILLAGE_OFFICER: ("view", "change", "export"),
            TOWNSHIP_REVIEWER: ("view", "change", "export"),
            **dict.fromkeys((COUNTY_ADMIN, DEPARTMENT), READ),
            INSPECTOR: ("view",),
        },
    )
    for label, title in (
        ("employment.post", "公益性岗位"),
        ("employment.placement", "公益性岗位人员"),
        ("employment.workshop", "就业帮扶车间"),
        ("employment.workshopemployee", "帮扶车间务工人员"),
    ):
        _permissions(
            label,
            title,
            {
                **dict.fromkeys((COUNTY_ADMIN, TOWNSHIP_REVIEWER), FULL),
                DEPARTMENT: READ,
                **dict.fromkeys((VILLAGE_OFFICER, INSPECTOR), ("view",)),
            },
        )
    _permissions(
        "employment.attendance",
        "公益性岗位考勤",
        {
            **dict.fromkeys((COUNTY_ADMIN, TOWNSHIP_REVIEWER), FULL),
            VILLAGE_OFFICER: ("view", "add", "change"),
            DEPARTMENT: READ,
            INSPECTOR: ("view",),
        },
    )
    _permissions(
        "employment.transportsubsidy",
        "一次性交通补贴",
        {
            **dict.fromkeys((COUNTY_ADMIN, TOWNSHIP_REVIEWER), FULL),
            VILLAGE_OFFICER: ("view", "add"),
            DEPARTMENT: READ,
            **dict.fromkeys((INSPECTOR, CADRE), ("view",)),
        },
    )
    _permissions(
        "employment.employmentsettings",
        "就业帮扶参数",
        {
            COUNTY_ADMIN: ("view", "add", "change"),
            **dict.fromkeys((DEPARTMENT, TOWNSHIP_REVIEWER, VILLAGE_OFFICER, INSPECTOR), ("view",)),
        },
    )


MENU = (
    ("务工信息核实", "employment:round_list", "employment.VerificationRound", 800),
    ("零就业家庭", "employment:zero_list", "registry.Household", 805),
    ("公益性岗位", "employment:post_list", "employment.Post", 810),
    ("岗位考勤与补贴", "employment:attendance_list", "employment.Attendance", 815),
    ("就业帮扶车间", "employment:workshop_list", "employment.Workshop", 820),
    ("一次性交通补贴", "employment:transportsubsidy_list", "employment.TransportSubsidy", 825),
    ("就业帮扶参数", "employment:employmentsettings_list", "employment.EmploymentSettings", 890),
)


def _zero_rows(user, today):
    from .selectors import zero_employment_households

    return zero_employment_households(user)


def _low_subsidies(user, today):
    from .models import Attendance
    from .selectors import flagged_attendance

    return flagged_attendance(Attendance.objects.restrict(user, "view"))


# key, label, kind, the roles whose work it is, the rows, the list, the lookup of a row's village
WORKLIST = (
    (
        "zero_employment",
        "零就业家庭（待实现至少一人就业）",
        "zero_households",
        frozenset({VILLAGE_OFFICER}),
        _zero_rows,
        "employment:zero_list",
        "village",
    ),
    (
        "post_subsidy_low",
        "公益性岗位补贴低于最低工资标准比例",
        "post_attendance",
        frozenset({TOWNSHIP_REVIEWER}),
        _low_subsidies,
        "employment:attendance_list",
        "placement__member__household__village",
    ),
)


def connect() -> None:
    from shoudi.core.worklist import Item, WorklistSource

    from .household import household_panel

    _rows()
    for label, url_name, model, order in MENU:
        registry.add("menu_items", MenuItem("就业帮扶", label, url_name, model=model, order=order))
    for key, label, kind, roles, rows, page, village in WORKLIST:
        registry.add(
            "worklist_items", WorklistSource(Item(key, label, kind, roles=roles), rows, page, village), key=key
        )
    registry.add("household_panels", household_panel, order=25)
