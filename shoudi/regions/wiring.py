"""What regions contributes: the 行政区划 menu entry and the region picker in the base layout. (Its permission rows
are declared by accounts, which knows the roles.)"""

from __future__ import annotations

from shoudi.core.menu import MenuItem
from shoudi.core.registry import registry


def connect() -> None:
    from .views import picker_context

    registry.add(
        "menu_items", MenuItem("基础数据", "行政区划", "regions:region_list", model="regions.Region", order=200)
    )
    registry.add("shell_context", picker_context)
