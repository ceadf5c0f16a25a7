"""The 待办 (worklist) badge. Core counts nothing itself: the assistance app registers the real counter
(``registry.add("todo_counters", fn)``)."""

from .registry import registry

__all__ = ["todo_count"]


def todo_count(user) -> int:
    return sum(counter(user) for counter in registry.entries("todo_counters"))
