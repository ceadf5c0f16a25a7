"""The 待办 (worklist) badge. Core counts nothing itself: the assistance app registers the real counter later."""

from collections.abc import Callable

__all__ = ["register_todo_counter", "todo_count"]

_counters: list[Callable] = []


def register_todo_counter(counter: Callable) -> None:
    _counters.append(counter)


def todo_count(user) -> int:
    return sum(counter(user) for counter in _counters)
