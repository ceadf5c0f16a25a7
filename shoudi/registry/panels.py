"""Sections that higher apps add to the household page (一户一档): monitoring cases, measures, visits …

An app registers ``fn(request, household) -> str | None`` (rendered HTML) from its AppConfig.ready(); the registry
imports none of them.
"""

from collections.abc import Callable

__all__ = ["household_panels", "register_household_panel"]

_panels: list[tuple[int, Callable]] = []


def register_household_panel(fn: Callable, *, order: int = 100) -> None:
    _panels.append((order, fn))


def household_panels(request, household) -> list[str]:
    rendered = [fn(request, household) for _, fn in sorted(_panels, key=lambda p: p[0])]
    return [html for html in rendered if html]
