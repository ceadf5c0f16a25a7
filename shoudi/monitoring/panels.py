"""Sections that higher apps add to the case page (the paired cadre, measures, assessments …)."""

from collections.abc import Callable

__all__ = ["case_panels", "register_case_panel"]

_panels: list[tuple[int, Callable]] = []


def register_case_panel(fn: Callable, *, order: int = 100) -> None:
    _panels.append((order, fn))


def case_panels(request, case) -> list[str]:
    rendered = [fn(request, case) for _, fn in sorted(_panels, key=lambda p: p[0])]
    return [html for html in rendered if html]
