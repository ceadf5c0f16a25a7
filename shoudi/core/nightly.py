"""The nightly steps (store ``nightly_steps``): work whose figures depend on the date or on changes no service
reports, run by the worker once a night after ``NIGHT_HOUR`` local time (and by hand with the apps' commands)."""

from __future__ import annotations

import datetime
import logging

from django.utils import timezone

from .registry import registry

__all__ = ["NIGHT_HOUR", "run_nightly_steps", "seconds_until_night"]

logger = logging.getLogger("shoudi.nightly")
NIGHT_HOUR = 2  # local time: after the day's imports, before anyone works


def seconds_until_night(now: datetime.datetime | None = None) -> float:
    """Seconds from ``now`` to the next NIGHT_HOUR:00 local time (at least one minute)."""
    now = timezone.localtime(now)
    night = now.replace(hour=NIGHT_HOUR, minute=0, second=0, microsecond=0)
    if night <= now:
        night += datetime.timedelta(days=1)
    return max(60.0, (night - now).total_seconds())


def run_nightly_steps() -> list[tuple[str, str]]:
    """Run every nightly step; (title, its log text or the error) each. A failing step does not stop the others."""
    done = []
    for step in registry.entries("nightly_steps"):
        try:
            done.append((step.title, str(step.run() or "完成")))
        except Exception as error:
            logger.exception("nightly step %s failed", step.name)
            done.append((step.title, f"失败：{error}"))
    logger.info("nightly: %s", "; ".join(f"{t} {r}" for t, r in done))
    return done
