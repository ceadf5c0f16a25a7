"""Who is acting right now: set by the request middleware, by commands and by the job runner.

Audit rows read it, so a save anywhere (view, service, command, job) is attributed without passing the user down.
"""

import contextlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field

__all__ = ["Actor", "acting_as", "current_actor"]


@dataclass(frozen=True)
class Actor:
    user: object | None = None
    source: str = "web"  # web / cli / job / system
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    ip: str | None = None


_actor: ContextVar[Actor | None] = ContextVar("shoudi_actor", default=None)


def current_actor() -> Actor:
    return _actor.get() or Actor(source="system")


@contextlib.contextmanager
def acting_as(user=None, *, source: str = "web", ip: str | None = None):
    token = _actor.set(Actor(user=user, source=source, ip=ip))
    try:
        yield _actor.get()
    finally:
        _actor.reset(token)
