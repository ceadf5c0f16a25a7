"""How the work cards and 明白卡 plug into the lower layers: the menu, the household page and the batch job.

Cards are views of households, not objects of their own, so they use the household's rights (no row of their own in
the permission matrix): a single card or 明白卡 needs ``view`` on the household, a batch (print page, PDF, job) needs
``export`` on households, full phone numbers need ``unmask``.
"""

from __future__ import annotations

__all__ = ["connect_cards"]


def connect_cards() -> None:
    from shoudi.core.menu import MenuItem, register_menu
    from shoudi.registry.panels import register_household_panel

    from . import cards_jobs  # noqa: F401  (registers the job kind ledgers.workcards)
    from .cards_views import card_panel

    register_menu(MenuItem("台账", "工作卡", "ledgers:cards", model="registry.Household", action="export",
                           order=610))
    register_household_panel(card_panel, order=30)
