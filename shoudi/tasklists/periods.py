"""The periods of a recurring task and the due date of each, on the one working-day calendar (core.workdays).

A week runs Monday to Sunday, a month from its first to its last day. A period's due date is either the Nth working
day of the period (counting its first day; 调休 Saturdays count, holidays do not) or a fixed day — a weekday of the
week, a day of the month (the 31st is the month's last day in a shorter month).
"""

from __future__ import annotations

import calendar
import datetime

from shoudi.core.workdays import add_workdays

from . import choices as c

__all__ = ["Period", "due_in_period", "next_period", "on_or_after_workday", "period_of"]

ONE_DAY = datetime.timedelta(days=1)
Period = tuple[datetime.date, datetime.date]  # first and last day


def period_of(recurrence: str, day: datetime.date) -> Period:
    """The week (Monday–Sunday) or month that holds ``day``."""
    if recurrence == c.WEEKLY:
        start = day - datetime.timedelta(days=day.weekday())
        return start, start + datetime.timedelta(days=6)
    if recurrence == c.MONTHLY:
        last = calendar.monthrange(day.year, day.month)[1]
        return day.replace(day=1), day.replace(day=last)
    raise ValueError(f"not a recurrence: {recurrence!r}")


def next_period(recurrence: str, day: datetime.date) -> Period:
    """The period after the one that holds ``day``."""
    return period_of(recurrence, period_of(recurrence, day)[1] + ONE_DAY)


def on_or_after_workday(day: datetime.date, *, region_code: str = "") -> tuple[datetime.date, bool]:
    """``day`` if it is a working day, else the next working day; and whether a year without entered holidays was
    counted on weekends only."""
    result = add_workdays(day - ONE_DAY, 1, region_code=region_code)
    return result.date, result.fallback


def due_in_period(
    recurrence: str,
    period: Period,
    *,
    region_code: str = "",
    workdays: int | None = None,
    weekday: int | None = None,
    monthday: int | None = None,
) -> tuple[datetime.date, bool]:
    """(due date, fallback) of one period of a recurring task.

    ``workdays``: the Nth working day of the period, its first day counted. Otherwise a fixed day: ``weekday``
    (1 = Monday … 7 = Sunday) of a week, ``monthday`` of a month.
    """
    start, end = period
    if workdays:
        result = add_workdays(start - ONE_DAY, workdays, region_code=region_code)
        return result.date, result.fallback
    if recurrence == c.WEEKLY:
        fixed = start + datetime.timedelta(days=(weekday or 5) - 1)
    else:
        fixed = start.replace(day=min(monthday or end.day, end.day))
    # a fixed day on a rest day moves to the next working day, as a statutory time limit does (届满日遇节假日顺延)
    return on_or_after_workday(fixed, region_code=region_code)
