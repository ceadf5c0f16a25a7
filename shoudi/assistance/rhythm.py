"""The rhythm of S004, month by month, as pure functions of dates (no clock inside): who must be visited,
contacted or assessed in which period, and whether the period before was missed.

Periods are calendar-aligned: every month, every quarter (Jan–Mar …) or every N months counted from January.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from shoudi.core.dates import months_between

from .models import RhythmSettings

__all__ = ["LIFTED", "MONITORED", "Obligation", "month_index", "obligations", "period_bounds", "regime"]

MONITORED, LIFTED = "monitored", "lifted"
IN_HOME = "入户"


def month_index(day: datetime.date) -> int:
    return day.year * 12 + day.month - 1


def _first_of(index: int) -> datetime.date:
    return datetime.date(index // 12, index % 12 + 1, 1)


def period_bounds(day: datetime.date, months: int, offset: int = 0) -> tuple[datetime.date, datetime.date]:
    """First and last day of the ``months``-long period holding ``day`` (``offset`` -1: the one before)."""
    start = (month_index(day) // months + offset) * months
    return _first_of(start), _first_of(start + months) - datetime.timedelta(days=1)


def regime(
    *,
    lifted: bool,
    identified_on: datetime.date | None,
    eliminated_on: datetime.date | None,
    today: datetime.date,
    settings: RhythmSettings,
) -> str | None:
    """MONITORED: identified and not eliminated, or eliminated less than N (6) months ago.
    LIFTED: a 脱贫户, or eliminated N months ago or more. None: no rhythm (an ordinary household)."""
    if identified_on is not None and identified_on <= today:
        if (
            eliminated_on is None
            or eliminated_on > today
            or months_between(eliminated_on, today) < settings.stable_after_elimination_months
        ):
            return MONITORED
        return LIFTED
    return LIFTED if lifted else None


@dataclass(frozen=True)
class Obligation:
    kind: str  # visit / contact / assessment
    label: str
    period_start: datetime.date
    period_end: datetime.date
    done: bool  # done in the current period
    overdue: bool  # the period before ended without it


def _obligation(kind, label, months, dates: list[datetime.date], today, since: datetime.date | None):
    start, end = period_bounds(today, months)
    prev_start, prev_end = period_bounds(today, months, -1)
    done = any(start <= d <= today for d in dates)
    # the period before counts only if the duty already applied during it
    applied_before = since is None or since <= prev_end
    overdue = applied_before and not any(prev_start <= d <= prev_end for d in dates) and not done
    return Obligation(kind, label, start, end, done, overdue)


def obligations(
    *,
    lifted: bool,
    identified_on: datetime.date | None,
    eliminated_on: datetime.date | None,
    visits: Iterable[tuple[datetime.date, str]],
    assessments: Iterable[datetime.date],
    today: datetime.date,
    settings: RhythmSettings,
) -> list[Obligation]:
    """What the household needs now. ``visits``: (date, kind) pairs; ``assessments``: their dates."""
    which = regime(
        lifted=lifted, identified_on=identified_on, eliminated_on=eliminated_on, today=today, settings=settings
    )
    visits = list(visits)
    in_home = [d for d, kind in visits if kind == IN_HOME]
    anyhow = [d for d, _ in visits]
    if which == MONITORED:
        return [
            _obligation("visit", "入户走访", settings.monitored_visit_months, in_home, today, identified_on),
            _obligation(
                "assessment",
                "帮扶成效评估",
                settings.monitored_assessment_months,
                list(assessments),
                today,
                identified_on,
            ),
        ]
    if which == LIFTED:
        since = None
        if eliminated_on is not None:
            stable = month_index(eliminated_on) + settings.stable_after_elimination_months
            since = _first_of(stable)
        return [
            _obligation("contact", "联系（入户/电话/微信）", settings.lifted_contact_months, anyhow, today, since),
            _obligation("visit", "入户走访", settings.lifted_visit_months, in_home, today, since),
        ]
    return []
