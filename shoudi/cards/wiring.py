"""What the work cards and 明白卡 contribute: a menu entry and a section of the household page (the batch job is found
by the job registry in ``jobs``).

Cards are views of households, not objects of their own, so they use the household's rights (no row of their own in
the permission matrix): a single card or 明白卡 needs ``view`` on the household, a batch (print page, PDF, job) needs
``export`` on households, full phone numbers need ``unmask``.
"""

from __future__ import annotations

from shoudi.accounts.roles import VILLAGE_OFFICER
from shoudi.core.menu import MenuItem
from shoudi.core.registry import registry

__all__ = ["connect"]


def connect() -> None:
    from .views import card_panel

    registry.add(
        "menu_items",
        MenuItem(
            "台账",
            "工作卡",
            "cards:cards",
            model="registry.Household",
            action="export",
            order=610,
            quick=(VILLAGE_OFFICER,),
        ),
    )
    registry.add("household_panels", card_panel, order=30)
