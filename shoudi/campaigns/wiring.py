"""What the campaigns app contributes: the permission rows of campaigns, their work items and progress notes, the
百日攻坚 menu entry under 工作管理, and the 攻坚行动 filter of work's problem list. Its ledger (百日攻坚进度) is one of
the standard ledgers (shoudi/ledgers/standard/campaigns.py); its problems are work's, counted by work's reminders."""

from __future__ import annotations

from shoudi.accounts.permissions import ModelPermissions
from shoudi.accounts.roles import COUNTY_ADMIN, DEPARTMENT, INSPECTOR, TOWNSHIP_REVIEWER, VILLAGE_OFFICER
from shoudi.core.menu import MenuItem
from shoudi.core.registry import FilterExtension, registry

__all__ = ["connect"]

READERS = {TOWNSHIP_REVIEWER: ("view", "export"), VILLAGE_OFFICER: ("view",), DEPARTMENT: ("view",)}


def connect() -> None:
    from .filters import campaign_problem_filter

    registry.add(
        "permissions",
        ModelPermissions(
            "campaigns.campaign",
            "攻坚行动",
            {COUNTY_ADMIN: ("view", "add", "change", "export"), INSPECTOR: ("view", "export"), **READERS},
        ),
        key="campaigns.campaign",
    )
    registry.add(
        "permissions",
        ModelPermissions(
            "campaigns.workitem",
            "攻坚工作任务（专班）",
            {
                COUNTY_ADMIN: ("view", "add", "change", "unmask"),
                **dict.fromkeys((TOWNSHIP_REVIEWER, VILLAGE_OFFICER, DEPARTMENT, INSPECTOR), ("view",)),
            },
        ),
        key="campaigns.workitem",
    )
    # a township reports its own progress on the county's items; the county its lead units' (and a township's)
    registry.add(
        "permissions",
        ModelPermissions(
            "campaigns.progressnote",
            "攻坚工作进展",
            {
                COUNTY_ADMIN: ("view", "add"),
                TOWNSHIP_REVIEWER: ("view", "add"),
                VILLAGE_OFFICER: ("view",),
                DEPARTMENT: ("view",),
                INSPECTOR: ("view",),
            },
        ),
        key="campaigns.progressnote",
    )
    registry.add(
        "menu_items",
        MenuItem("工作管理", "百日攻坚", "campaigns:campaign_list", model="campaigns.Campaign", order=510),
    )
    registry.add("filter_extensions", FilterExtension("work.ProblemFilterSet", "campaign", campaign_problem_filter))
