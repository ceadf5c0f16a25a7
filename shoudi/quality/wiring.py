"""What data quality contributes: its rules (store ``quality_rules``), the permission rows of its problems and
settings, the 工作管理 menu entries, a run queued after each household import and every night, and the village
officer's home-page line of problems to fix."""

from __future__ import annotations

from shoudi.accounts.permissions import ModelPermissions
from shoudi.accounts.roles import COUNTY_ADMIN, INSPECTOR, TOWNSHIP_REVIEWER, VILLAGE_OFFICER
from shoudi.core.menu import MenuItem
from shoudi.core.registry import PostImportStep, WorkerStep, registry

__all__ = ["connect"]


def connect() -> None:
    from .rules import BUILTIN_RULES
    from .services import after_import, nightly
    from .views import home_panel

    for rule in BUILTIN_RULES:
        registry.add("quality_rules", rule, key=rule.code)
    registry.add(
        "permissions",
        ModelPermissions(
            "quality.hit",
            "数据质量问题",
            {
                COUNTY_ADMIN: ("view", "add", "change", "export"),
                TOWNSHIP_REVIEWER: ("view", "add", "change", "export"),
                VILLAGE_OFFICER: ("view", "change"),
                INSPECTOR: ("view", "export"),
            },
        ),
        key="quality.hit",
    )
    registry.add(
        "permissions",
        ModelPermissions(
            "quality.qualitysettings",
            "数据质量参数",
            {
                COUNTY_ADMIN: ("view", "add", "change", "delete"),
                **dict.fromkeys((TOWNSHIP_REVIEWER, VILLAGE_OFFICER, INSPECTOR), ("view",)),
            },
        ),
        key="quality.qualitysettings",
    )
    for item in (
        MenuItem(
            "工作管理",
            "数据质量",
            "quality:overview",
            model="quality.Hit",
            order=510,
            roles=(COUNTY_ADMIN, TOWNSHIP_REVIEWER, INSPECTOR),
            quick=(COUNTY_ADMIN,),
        ),
        MenuItem("工作管理", "数据质量问题", "quality:hit_list", model="quality.Hit", order=520),
        MenuItem(
            "工作管理",
            "本村数据待整改",
            "quality:todo",
            model="quality.Hit",
            order=530,
            roles=(VILLAGE_OFFICER,),
            quick=(VILLAGE_OFFICER,),
        ),
        MenuItem("工作管理", "数据质量规则", "quality:rule_list", model="quality.Hit", order=540),
        MenuItem(
            "工作管理",
            "数据质量参数",
            "quality:qualitysettings_list",
            model="quality.QualitySettings",
            order=550,
            roles=(COUNTY_ADMIN, INSPECTOR),
        ),
    ):
        registry.add("menu_items", item)
    registry.add(
        "post_import_steps",
        PostImportStep("quality_run", "排队数据质量检查", after_import),
        key="quality_run",
        order=950,
    )
    registry.add("nightly_steps", WorkerStep("quality_run", "数据质量检查", nightly), key="quality_run")
    registry.add("home_panels", home_panel, order=25)
