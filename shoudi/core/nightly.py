"""The worker's own steps: nightly (store ``nightly_steps``: work whose figures depend on the date or on changes no
service reports, once a night after ``NIGHT_HOUR`` local time) and frequent (``frequent_steps``: every
``FREQUENT_SECONDS``, e.g. the dashboards' stale villages)."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from .registry import registry

__all__ = ["FREQUENT_SECONDS", "NIGHT_HOUR", "run_frequent_steps", "run_nightly_steps", "seconds_until_night"]

logger = logging.getLogger("shoudi.nightly")
NIGHT_HOUR = 2  # local time: after the day's imports, before anyone works
FREQUENT_SECONDS = 5.0


def seconds_until_night(now: datetime.datetime | None = None) -> float:
    """Seconds from ``now`` to the next NIGHT_HOUR:00 local time (at least one minute)."""
    now = timezone.localtime(now)
    night = now.replace(hour=NIGHT_HOUR, minute=0, second=0, microsecond=0)
    if night <= now:
        night += datetime.timedelta(days=1)
    return max(60.0, (night - now).total_seconds())


def run_nightly_steps(store: str = "nightly_steps") -> list[tuple[str, str]]:
    """Run every step of the store; (title, its log text or the error) each. A failing step does not stop the
    others."""
    done = []
    for step in registry.entries(store):
        try:
            done.append((step.title, str(step.run() or "")))
        except Exception as error:
            logger.exception("nightly step %s failed", step.name)
            done.append((step.title, f"失败：{error}"))
    if any(text for _, text in done):
        logger.info("%s: %s", store, "; ".join(f"{t} {r}" for t, r in done if r))
    return done


def run_frequent_steps() -> list[tuple[str, str]]:
    return run_nightly_steps("frequent_steps")
