"""Change notifications: a lower app says, after its commit, that rows of some households changed; the apps above
it that keep figures of their own (the dashboards' summary rows) registered a listener (store ``change_listeners``).

This is an explicit call, made by the services that change the rows, never a signal: reading the service shows it.
A listener's failure is logged and does not undo the change (it is committed already); the nightly rebuild of what
the listener keeps repairs it.
"""

from __future__ import annotations

import logging
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


def changed(kind: str, *, household_ids: Iterable[int]) -> None:
    """Tell the listeners, once the current transaction commits (at once outside one), that ``kind`` rows of these
    households changed. Nothing is told when the transaction rolls back."""
    ids = sorted({int(pk) for pk in household_ids if pk is not None})
    if ids and registry.entries("change_listeners"):
        transaction.on_commit(lambda: _tell(kind, ids))
