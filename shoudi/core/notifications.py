"""Change notifications: a lower app says, after its commit, that rows of some households changed; the apps above
it that keep figures of their own (the dashboards' summary rows) registered a listener (store ``change_listeners``).

This is an explicit call, made by the services that change the rows, never a signal: reading the service shows it.
A listener's failure is logged and does not undo the change (it is committed already); the nightly rebuild of what
the listener keeps repairs it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction

from .registry import registry

__all__ = ["changed"]

logger = logging.getLogger("shoudi.notifications")


def _tell(kind: str, household_ids: list[int]) -> None:
    for listener in registry.entries("change_listeners"):
        try:
            listener(kind, household_ids)
        except Exception:
            logger.exception("change listener %r failed for %s %s", listener, kind, household_ids[:10])


class _Pending:
    """What one transaction changed, told once after its commit (a bulk pairing of 500 households of one village
    refreshes that village once, not 500 times)."""

    def __init__(self):
        self.kinds: dict[str, set[int]] = defaultdict(set)
        self.done = False

    def __call__(self) -> None:
        self.done = True
        for kind, ids in self.kinds.items():
            _tell(kind, sorted(ids))


def _pending_of(connection) -> _Pending | None:
    """The transaction's pending notice, if it has one not yet told (a rolled-back savepoint takes its own)."""
    for entry in connection.run_on_commit:
        if isinstance(entry[1], _Pending) and not entry[1].done:
            return entry[1]
    return None


def changed(kind: str, *, household_ids: Iterable[int]) -> None:
    """Tell the listeners, once the current transaction commits (at once outside one), that ``kind`` rows of these
    households changed. Nothing is told when the transaction rolls back."""
    ids = {int(pk) for pk in household_ids if pk is not None}
    if not ids or not registry.entries("change_listeners"):
        return
    connection = transaction.get_connection()
    pending = _pending_of(connection) if connection.in_atomic_block else None
    if pending is None:
        pending = _Pending()
        pending.kinds[kind] |= ids
        transaction.on_commit(pending)
    else:
        pending.kinds[kind] |= ids
