"""What the registry contributes: the permission rows of households, members, incomes and imports, and the 基础数据
menu entries. Higher apps add to the household page, the household filters and the import job through the core
registry; this app imports none of them."""

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

from .vocabularies import VOCABULARIES


def connect() -> None:
    from shoudi.core.retention import RetentionRule

    from .retention import purge_import_uploads

    registry.add(
        "retention_rules",
        RetentionRule("household_imports", "农户信息导入文件", purge_import_uploads),
        key="household_imports",
    )
    for vocabulary in VOCABULARIES:
        registry.add("vocabularies", vocabulary, key=vocabulary.key)
    full = ("view", "add", "change", "delete", "export", "unmask", "import")
    for label, title in (
        ("registry.household", "农户"),
        ("registry.member", "家庭成员"),
        ("registry.incomerecord", "收入记录"),
    ):
        registry.add(
            "permissions",
            ModelPermissions(
                label,
                title,
                {
                    COUNTY_ADMIN: full,
                    TOWNSHIP_REVIEWER: ("view", "add", "change", "export", "unmask", "import"),
                    VILLAGE_OFFICER: ("view", "add", "change", "export", "unmask", "import"),
                    DEPARTMENT: ("view", "export"),
                    CADRE: ("view", "unmask"),
                    INSPECTOR: ("view",),
                    # the village's stationed team visits every household (S004 (一)); the township's manager
                    # follows the coverage
                    TEAM_MEMBER: ("view",),
                    TEAM_MANAGER: ("view",),
                },
            ),
            key=label,
        )
    registry.add(
        "permissions",
        ModelPermissions(
            "registry.householdimport",
            "农户信息导入",
            {
                COUNTY_ADMIN: ("view",),
                TOWNSHIP_REVIEWER: ("view",),
                VILLAGE_OFFICER: ("view",),
            },
        ),
        key="registry.householdimport",
    )

    _site_rows()
    registry.add(
        "menu_items",
        MenuItem(
            "基础数据",
            "农户",
            "registry:household_list",
            model="registry.Household",
            order=100,
            quick=(VILLAGE_OFFICER, CADRE, DEPARTMENT),
        ),
    )
    registry.add(
        "menu_items", MenuItem("基础数据", "家庭成员", "registry:member_list", model="registry.Member", order=110)
    )
    registry.add(
        "menu_items",
        MenuItem(
            "基础数据",
            "易地搬迁安置点",
            "registry:resettlementsite_list",
            model="registry.ResettlementSite",
            order=120,
        ),
    )


def _site_rows() -> None:
    """安置点 and their 排查: the county keeps the list (S000 附件1 三.5); townships inspect each quarter (S004 (十一));
    villages, departments and the teams read them; the phones of 挂点领导 and managers unmasked by the county and
    townships."""
    registry.add(
        "permissions",
        ModelPermissions(
            "registry.resettlementsite",
            "易地扶贫搬迁安置点",
            {
                COUNTY_ADMIN: ("view", "add", "change", "delete", "export", "unmask"),
                TOWNSHIP_REVIEWER: ("view", "change", "export", "unmask"),
                VILLAGE_OFFICER: ("view", "export"),
                DEPARTMENT: ("view", "export"),
                INSPECTOR: ("view",),
                TEAM_MEMBER: ("view",),
                TEAM_MANAGER: ("view",),
            },
        ),
        key="registry.resettlementsite",
    )
    registry.add(
        "permissions",
        ModelPermissions(
            "registry.siteinspection",
            "安置点排查",
            {
                COUNTY_ADMIN: ("view", "add", "change", "export"),
                TOWNSHIP_REVIEWER: ("view", "add", "change", "export"),
                **dict.fromkeys((VILLAGE_OFFICER, DEPARTMENT, INSPECTOR, TEAM_MEMBER, TEAM_MANAGER), ("view",)),
            },
        ),
        key="registry.siteinspection",
    )
