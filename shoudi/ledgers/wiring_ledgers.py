"""How the ledger centre plugs into the lower layers: its permission row and its menu entry."""

from __future__ import annotations

from shoudi.accounts.permissions import register
from shoudi.accounts.roles import CADRE, COUNTY_ADMIN, DEPARTMENT, INSPECTOR, TOWNSHIP_REVIEWER, VILLAGE_OFFICER
from shoudi.core.menu import MenuItem, register_menu

__all__ = ["connect_ledgers"]


def connect_ledgers() -> None:
    """``ledgers.savedledger`` stands for the ledger centre: view = open it, export = download a ledger, add / change /
    delete = keep the county's own ledgers. Which rows a ledger holds still follows the user's view scope of the
    ledger's model; IDs and phones stay masked unless the role may unmask them."""
    read = ("view", "export")
    register("ledgers.savedledger", "台账", {
        COUNTY_ADMIN: ("view", "add", "change", "delete", "export"),
        **dict.fromkeys((TOWNSHIP_REVIEWER, VILLAGE_OFFICER, DEPARTMENT, CADRE, INSPECTOR), read),
    })
    register_menu(
        MenuItem("台账", "台账中心", "ledgers:ledger_center", model="ledgers.SavedLedger", order=600),
    )
