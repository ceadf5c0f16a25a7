"""What the sectors app contributes: the permission rows of 送教上门 (the village and the county record, the
township reviews, the inspector reads), its entry in the 帮扶 menu, and the worklist's line 本月送教上门不足2次.
Its ledgers (送教上门台账, 慢病签约台账) and its dashboard card are the outputs' (ledgers, dashboards)."""

from __future__ import annotations

from shoudi.accounts.permissions import ModelPermissions
from shoudi.accounts.roles import COUNTY_ADMIN, INSPECTOR, TOWNSHIP_REVIEWER, VILLAGE_OFFICER
from shoudi.core.menu import MenuItem
from shoudi.core.registry import registry

__all__ = ["connect"]


def _permissions(label: str, title: str, rows: dict) -> None:
    registry.add("permissions", ModelPermissions(label, title, rows), key=label)


def connect() -> None:
    from shoudi.core.worklist import Item, WorklistSource

    from .filters import TODO_SHORT
    from .selectors import short_this_month

    # nothing of 送教上门 is deleted: an enrolment ends with its reason, a visit is corrected
    _permissions(
        "sectors.hometeaching",
        "送教上门对象",
        {
            COUNTY_ADMIN: ("view", "add", "change", "export"),
            TOWNSHIP_REVIEWER: ("view", "export"),
            VILLAGE_OFFICER: ("view", "add", "change", "export"),
            INSPECTOR: ("view",),
        },
    )
    _permissions(
        "sectors.hometeachingvisit",
        "送教上门记录",
        {
            COUNTY_ADMIN: ("view", "add", "change", "export"),
            TOWNSHIP_REVIEWER: ("view", "export"),
            VILLAGE_OFFICER: ("view", "add", "change", "export"),
            INSPECTOR: ("view",),
        },
    )
    registry.add(
        "menu_items",
        MenuItem("帮扶", "送教上门", "sectors:hometeaching_list", model="sectors.HomeTeaching", order=460),
    )
    registry.add(
        "worklist_items",
        WorklistSource(
            Item(TODO_SHORT, "本月送教上门不足2次", "home_teaching", False, frozenset({VILLAGE_OFFICER})),
            short_this_month,
            list_url_name="sectors:hometeaching_list",
            village_lookup="member__household__village",
        ),
        key=TODO_SHORT,
    )
