"""我的待办 (the worklist) as core knows it: the plain types of its lines, and the 待办 badge.

Core counts nothing itself. The assistance app computes the worklist and registers the badge's counter
(``registry.add("todo_counters", fn)``); apps above or beside it add lines of their own (``worklist_items``) with
the types below, which live here so that an app assistance does not sit under (work) can register lines too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .registry import registry

__all__ = ["Item", "WorkItem", "WorklistSource", "todo_count"]


@dataclass(frozen=True)
class Item:
    """One line of 我的待办: its key (also the ``?todo=`` value of the list behind it), its label and the kind of
    rows it holds."""

    key: str
    label: str
    kind: str  # households / cases / findings / problems ...
    overdue: bool = False
    # the roles whose own work the item is (the badge and "我的待办" count it for them); None: every role's (the
    # item already selects the rows waiting for the user); others see it as their region's, for oversight
    roles: frozenset[str] | None = frozenset()
    due: str = ""  # an overdue item that is part of this due item (its rows are among the due ones)


@dataclass(frozen=True)
class WorklistSource:
    """A line an app adds to 我的待办 (e.g. matching's overdue findings): ``queryset(user, today)`` gives its
    rows, shown by ``list_url_name?todo=<key>``; ``village_lookup`` leads from a row to its village (or the region
    it belongs to). Registered as ``registry.add("worklist_items", source, key=source.item.key)``."""

    item: Item
    queryset: Callable
    list_url_name: str
    village_lookup: str


@dataclass(frozen=True)
class WorkItem:
    """A line as one user's worklist shows it: with its count and the link to its rows."""

    key: str
    label: str
    count: int
    url: str
    overdue: bool
    own: bool = True  # the user's own work (else his region's, shown for oversight)
    due: str = ""  # the due item this overdue one is part of


def todo_count(user) -> int:
    return sum(counter(user) for counter in registry.entries("todo_counters"))
