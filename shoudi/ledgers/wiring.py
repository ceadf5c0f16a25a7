"""What the ledger centre contributes: the standard ledgers (the core registry's "ledgers" store), its permission row
and its menu entry. Called from ``LedgersConfig.ready()``; the engine reads the ledgers from the registry and imports
no definition."""

from __future__ import annotations

from shoudi.accounts.permissions import ModelPermissions
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
from shoudi.core.registry import registry

__all__ = ["connect"]


def connect() -> None:
    """``ledgers.savedledger`` stands for the ledger centre: view = open it, export = download a ledger, add / change /
    delete = keep the county's own ledgers. Which rows a ledger holds still follows the user's view scope of the
    ledger's model; IDs and phones stay masked unless the role may unmask them."""
    from .standard import DEFINITIONS

    for definition in DEFINITIONS:
        registry.add("ledgers", definition, key=definition.code)
    read = ("view", "export")
    registry.add(
        "permissions",
        ModelPermissions(
            "ledgers.savedledger",
            "台账",
            {
                COUNTY_ADMIN: ("view", "add", "change", "delete", "export"),
                **dict.fromkeys(
                    (TOWNSHIP_REVIEWER, VILLAGE_OFFICER, DEPARTMENT, CADRE, INSPECTOR, TEAM_MANAGER, ORGANIZATION), read
                ),
                TEAM_MEMBER: ("view",),
            },
        ),
        key="ledgers.savedledger",
    )
    registry.add(
        "menu_items",
        MenuItem(
            "台账",
            "台账中心",
            "ledgers:ledger_center",
            model="ledgers.SavedLedger",
            order=600,
            quick=(COUNTY_ADMIN, TOWNSHIP_REVIEWER, VILLAGE_OFFICER, INSPECTOR, TEAM_MANAGER),
        ),
    )
