"""The one plug-in registry (after NetBox's ``netbox/registry.py``).

Every app fills it from its ``wiring.py``, called by ``AppConfig.ready()``; the lower layers read it and import no
higher app. Each store is named once below; registering into an unknown store is an error, so a typo fails at
start-up instead of silently contributing nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Registration", "registry"]

# store name → what an entry is
STORES: dict[str, str] = {
    "menu_items": "core.menu.MenuItem: an entry of the left navigation",
    "permissions": "accounts.permissions.ModelPermissions: the role × action matrix of one model",
    "scope_policy": "the one core.scope.ScopePolicy (accounts registers it)",
    "scope_hooks": "accounts.permissions.ScopeHook: a narrower scope for a model and a role",
    "shell_context": "fn(request) -> dict: added to the base layout's context",
    "household_panels": "fn(request, household) -> str | None: a section of the household page (一户一档)",
    "case_panels": "fn(request, case) -> str | None: a section of the monitoring case page",
    "filter_extensions": "core.registry.FilterExtension: an extra filter on another app's filterset",
    "todo_counters": "fn(user) -> int: adds to the 待办 badge",
    "worklist_items": "assistance.worklist.WorklistSource: a kind of due item on 我的待办",
    "measure_counters": "fn(household) -> int: implemented measures (monitoring's elimination check)",
    "guarantee_problems": "fn(household) -> list[str]: open 三保障 problems (monitoring's elimination check)",
    "ledgers": "ledgers.engine.LedgerDefinition: a ledger (台账)",
    "matching_sources": "matching.sources.Source: a department whose lists are compared with the registry",
    "post_import_steps": "core.registry.PostImportStep: work run by the household import job after its commit",
    "dashboard_cards": "a dashboard card",
    "quality_rules": "a data-quality rule",
}


@dataclass(frozen=True)
class Registration:
    """One entry of a store: the thing registered, its sort order and, for keyed stores, its key."""

    value: Any
    order: int = 100
    key: str = ""


@dataclass(frozen=True)
class FilterExtension:
    """A filter a higher app adds to a lower app's filterset (``filterset`` as "app_label.ClassName")."""

    filterset: str
    name: str
    build: Callable[[], Any]  # returns a django-filter Filter; called once per filterset class


@dataclass(frozen=True)
class PostImportStep:
    """Work that must follow a committed household import, run and logged by the import job.

    ``run(household_ids, user, log)`` is idempotent: a retry after a failure runs it again for the same households.
    ``name`` is the step's key (stored on the import to know which steps are done), ``title`` what the job log says.
    """

    name: str
    title: str
    run: Callable[..., Any]


@dataclass
class _Registry:
    stores: dict[str, list[Registration]] = field(default_factory=lambda: {name: [] for name in STORES})

    def _store(self, store: str) -> list[Registration]:
        try:
            return self.stores[store]
        except KeyError:
            raise KeyError(f"unknown registry store {store!r}; known: {', '.join(STORES)}") from None

    def add(self, store: str, value: Any, *, order: int = 100, key: str = "") -> Any:
        """Register ``value`` in ``store``; with ``key``, a second entry under the same key is an error."""
        entries = self._store(store)
        if key and any(entry.key == key for entry in entries):
            raise ValueError(f"{store}: {key!r} is registered twice")
        entries.append(Registration(value, order, key))
        return value

    def set(self, store: str, value: Any) -> None:
        """A store that holds exactly one entry (the scope policy): the last registration wins."""
        self._store(store)[:] = [Registration(value)]

    def entries(self, store: str) -> list[Any]:
        """The values of ``store`` in their registration order (stable by ``order``)."""
        return [entry.value for entry in sorted(self._store(store), key=lambda entry: entry.order)]

    def keyed(self, store: str) -> dict[str, Any]:
        return {entry.key: entry.value for entry in sorted(self._store(store), key=lambda entry: entry.order)}

    def one(self, store: str) -> Any:
        entries = self._store(store)
        if not entries:
            raise LookupError(f"nothing is registered in {store!r}")
        return entries[-1].value

    def __iter__(self) -> Iterator[str]:
        return iter(self.stores)


registry = _Registry()
