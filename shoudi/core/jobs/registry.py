"""Job kinds: ``@job("regions.import", title="导入区划")`` registers a function ``fn(ctx, **params)``.

Apps put their job functions in a ``jobs.py`` module (or package); the registry imports those modules the first time
a kind is looked up, so the web process and the worker both know every kind without import-order games.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.module_loading import autodiscover_modules

__all__ = ["JobType", "get_job_type", "job", "job_types"]


@dataclass(frozen=True)
class JobType:
    """A registered kind of job: its code name, the title users see and the function that does the work."""

    kind: str
    title: str
    func: Callable


_registry: dict[str, JobType] = {}
_discovered = False


def job(kind: str, *, title: str) -> Callable[[Callable], Callable]:
    """Register ``fn(ctx, **params)`` as the job kind ``kind``; ``title`` is the default name shown to users."""

    def register(func: Callable) -> Callable:
        existing = _registry.get(kind)
        # Re-registering the same function (a module imported again) is harmless; two functions for one kind are not.
        if existing is not None and _path(existing.func) != _path(func):
            raise ValueError(f"job kind {kind!r} is already registered by {_path(existing.func)}")
        _registry[kind] = JobType(kind=kind, title=title, func=func)
        return func

    return register


def _path(func: Callable) -> str:
    return f"{func.__module__}.{func.__qualname__}"


def _discover() -> None:
    global _discovered
    if not _discovered:
        autodiscover_modules("jobs")
        _discovered = True


def get_job_type(kind: str) -> JobType:
    """The registered kind; ``LookupError`` when no app registers it."""
    if kind not in _registry:
        _discover()
    try:
        return _registry[kind]
    except KeyError:
        raise LookupError(f"未知的任务类型：{kind}") from None


def job_types() -> list[JobType]:
    """Every registered kind, sorted by title (for filters)."""
    _discover()
    return sorted(_registry.values(), key=lambda t: t.title)
