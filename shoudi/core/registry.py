"""The one plug-in registry (after NetBox's ``netbox/registry.py``).

Every app fills it from its ``wiring.py``, called by ``AppConfig.ready()``; the lower layers read it and import no
higher app. Each store is named once below; registering into an unknown store is an error, so a typo fails at
start-up instead of silently contributing nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

__all__ = ["STORES", "FilterExtension", "PostImportStep", "Registration", "WorkerStep", "registry"]

# store name → what an entry is
STORES: dict[str, str] = {
    "menu_items": "core.menu.MenuItem: an entry of the left navigation",
    "permissions": "accounts.permissions.ModelPermissions: the role × action rows of one model (key: its label)",
    "scope_policy": "the one core.scope.ScopePolicy (accounts registers it)",
    "scope_hooks": "accounts.permissions.ScopeHook: a narrower scope for a model and a role",
    "shell_context": "fn(request) -> dict: added to the base layout's context",
    "home_panels": "fn(request) -> str | None: a section of the user's home page (工作台), fitted to his role",
    "household_panels": "fn(request, household) -> str | None: a section of the household page (一户一档)",
    "case_panels": "fn(request, case) -> str | None: a section of the monitoring case page",
    "site_panels": "fn(request, site) -> str | None: a section of a 易地扶贫搬迁安置点's page (the stationed teams)",
    "problem_raising": "the one work.raising.CheckProblems (work sets it): a lower app's check (a site's 排查) "
    "raises problems on work's one life cycle and reads their states back",
    "filter_extensions": "core.registry.FilterExtension: an extra filter on a lower app's filterset",
    "todo_counters": "fn(user) -> int: adds to the 待办 badge",
    "worklist_items": "core.worklist.WorklistSource: a line of 我的待办 another app adds (key: its item's key)",
    "measure_counters": "fn(household) -> int: implemented measures (monitoring's elimination check)",
    "guarantee_problems": "fn(household) -> list[str]: open 三保障 problems (monitoring's elimination check)",
    "problem_lists": "work.lifecycle.ProblemList: a kind of problem on the one life cycle kept in its own table, "
    "linked from the 问题整改 list (key: its model label)",
    "ledgers": "ledgers.definitions.LedgerDefinition: a ledger (台账), keyed by its code",
    "matching_sources": "matching.sources.Source: a department whose lists are compared (key: the department)",
    "post_import_steps": "core.registry.PostImportStep: run by the household import job after its commit (key: name)",
    "dashboard_cards": "dashboards.cards.Card: a card of the region dashboards (key: the card's key)",
    "change_listeners": "fn(kind: str, household_ids: list[int]) -> None: told after a commit that rows of these "
    'households changed (core.notifications.changed; kind e.g. "cases")',
    "nightly_steps": "core.registry.WorkerStep: work the worker runs once a night (key: its name)",
    "frequent_steps": "core.registry.WorkerStep: short work the worker runs every few seconds (key: its name)",
    "quality_rules": "a data-quality rule",
    "vocabularies": "core.vocabulary.Vocabulary: the code table of an enumerated column (key: its key)",
    "served_files": "core.files.ServedFile: a kind of stored file users download through core:served_file (key)",
    "retention_rules": "core.retention.RetentionRule: files or rows deleted after the retention days (key: its key)",
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

    ``run(household_ids=[...], user=...)`` is called a few hundred households at a time and returns counts for the
    job log ({"新增": 12}, labels in Chinese) or None; it raises on failure, with a message for the user. It must be
    idempotent: a retry after a failure runs the step again for the same households, and what a step wrote before
    it failed must not be written twice. ``name`` is the step's key (kept on the import among the steps done),
    ``title`` what the job log and the import page say; steps run by their ``order``
    (``registry.add("post_import_steps", step, key=step.name, order=…)``).
    """

    name: str
    title: str
    run: Callable[..., Any]


@dataclass(frozen=True)
class WorkerStep:
    """Work ``shoudi worker`` runs by itself: once a night after 02:00 local time (store ``nightly_steps``), or every
    few seconds (``frequent_steps``: keep it short). ``run()`` returns a short text for the log ("" : nothing done);
    a failure is logged and the step tried again next time."""

    name: str
    title: str
    run: Callable[[], Any]


class _Registry:
    """The stores, each a list of registrations; what the readers get is sorted once and kept until the next add."""

    def __init__(self):
        self.stores: dict[str, list[Registration]] = {name: [] for name in STORES}
        self._sorted: dict[str, list[Registration]] = {}
        self._keyed: dict[str, dict[str, Any]] = {}

    def _changed(self, store: str) -> None:
        self._sorted.pop(store, None)
        self._keyed.pop(store, None)

    def _store(self, store: str) -> list[Registration]:
        try:
            return self.stores[store]
        except KeyError:
            raise KeyError(f"unknown registry store {store!r}; known: {', '.join(STORES)}") from None

    def _in_order(self, store: str) -> list[Registration]:
        entries = self._sorted.get(store)
        if entries is None:
            # read on every request (menu, permissions, scope): sorted once, not per call
            entries = self._sorted[store] = sorted(self._store(store), key=lambda entry: entry.order)
        return entries

    def add(self, store: str, value: Any, *, order: int = 100, key: str = "") -> Any:
        """Register ``value`` in ``store``; with ``key``, a second entry under the same key is an error."""
        entries = self._store(store)
        if key and any(entry.key == key for entry in entries):
            raise ValueError(f"{store}: {key!r} is registered twice")
        entries.append(Registration(value, order, key))
        self._changed(store)
        return value

    def set(self, store: str, value: Any) -> None:
        """A store that holds exactly one entry (the scope policy): the last registration wins."""
        self._store(store)[:] = [Registration(value)]
        self._changed(store)

    def entries(self, store: str) -> list[Any]:
        """The values of ``store`` in their registration order (stable by ``order``)."""
        return [entry.value for entry in self._in_order(store)]

    def keyed(self, store: str) -> dict[str, Any]:
        """The values of a keyed store by key, in order (entries registered without a key are left out)."""
        keyed = self._keyed.get(store)
        if keyed is None:
            keyed = self._keyed[store] = {entry.key: entry.value for entry in self._in_order(store) if entry.key}
        return keyed

    def one(self, store: str) -> Any:
        entries = self._store(store)
        if not entries:
            raise LookupError(f"nothing is registered in {store!r}")
        return entries[-1].value

    @contextmanager
    def added(self, store: str, value: Any, *, order: int = 100, key: str = "") -> Iterator[Any]:
        """Register ``value`` for the duration of a ``with`` block (tests), then remove exactly that entry."""
        self.add(store, value, order=order, key=key)
        try:
            yield value
        finally:
            entries = self.stores[store]
            for i in range(len(entries) - 1, -1, -1):
                if entries[i].value is value and entries[i].key == key:
                    del entries[i]
                    break
            self._changed(store)

    def __iter__(self) -> Iterator[str]:
        return iter(self.stores)


registry = _Registry()
