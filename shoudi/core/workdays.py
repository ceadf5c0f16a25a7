"""The one working-day calendar: deadlines given in 工作日 (S001 39: 15 and 7 working days), counted on the Chinese
calendar with its 调休 working weekends (``core.Holiday``).

A year without any entered day (2027 until a county admin enters it) falls back to weekends only; every result says
which years that fallback affected, so the caller can flag the deadline (``WorkdayResult.fallback``).
Deadlines given in calendar days are not this module's: they are plain ``date + timedelta``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

__all__ = [
    "WorkdayCount",
    "WorkdayResult",
    "add_workdays",
    "entered_years",
    "is_workday",
    "workdays_before",
    "workdays_between",
]

ONE_DAY = datetime.timedelta(days=1)
MAX_WORKDAYS = 3660  # ten years of working days: a larger figure is a typing error, not a deadline


@dataclass(frozen=True)
class WorkdayResult:
    """A deadline: ``date``, and the years counted on weekends only because no holidays were entered for them."""

    date: datetime.date
    fallback_years: tuple[int, ...] = ()

    @property
    def fallback(self) -> bool:
        return bool(self.fallback_years)


@dataclass(frozen=True)
class WorkdayCount:
    """The number of working days between two dates, with the years counted on weekends only."""

    days: int
    fallback_years: tuple[int, ...] = ()

    @property
    def fallback(self) -> bool:
        return bool(self.fallback_years)


class _Calendar:
    """The entered days of some years: national rows, overridden by the rows of the county in ``region_code``."""

    def __init__(self, years: range, region_code: str = ""):
        from .models import Holiday  # the models import the scope helpers this module's callers use: read at call time

        codes = [""] + ([region_code[:6]] if region_code else [])
        rows = Holiday.objects.filter(
            date__year__gte=years.start, date__year__lt=years.stop, region_code__in=codes
        ).order_by("region_code")  # "" first: the county's row for a date overrides the national one
        self.kinds: dict[datetime.date, str] = {}
        for row in rows.values_list("date", "kind"):
            self.kinds[row[0]] = row[1]
        self.entered = {d.year for d in self.kinds}
        self.fallback_years: set[int] = set()

    def is_workday(self, day: datetime.date) -> bool:
        kind = self.kinds.get(day)
        if kind is not None:
            return kind == "work"
        if day.year not in self.entered:
            self.fallback_years.add(day.year)
        return day.weekday() < 5


def add_workdays(start: datetime.date, n: int, *, region_code: str = "") -> WorkdayResult:
    """The deadline ``n`` working days after ``start`` (``start`` itself not counted; n = 0: ``start``)."""
    if not 0 <= n <= MAX_WORKDAYS:
        raise ValueError(f"工作日数应在 0 到 {MAX_WORKDAYS} 之间")
    calendar = _Calendar(range(start.year, start.year + n // 200 + 2), region_code)
    day = start
    while n:
        day += ONE_DAY
        if calendar.is_workday(day):
            n -= 1
    return WorkdayResult(day, tuple(sorted(calendar.fallback_years)))


def workdays_between(a: datetime.date, b: datetime.date, *, region_code: str = "") -> WorkdayCount:
    """The working days after ``a`` up to and including ``b`` (so ``add_workdays(a, n)`` is ``n`` days from ``a``);
    negative when ``b`` is before ``a``."""
    sign = 1
    if b < a:
        a, b, sign = b, a, -1
    calendar = _Calendar(range(a.year, b.year + 1), region_code)
    days, day = 0, a
    while day < b:
        day += ONE_DAY
        days += calendar.is_workday(day)
    return WorkdayCount(sign * days, tuple(sorted(calendar.fallback_years)))


def workdays_before(end: datetime.date, n: int, *, region_code: str = "") -> WorkdayResult:
    """The latest day ``d`` with ``n`` working days after it up to and including ``end``
    (``workdays_between(d, end) == n``): a date on or before it is at least ``n`` working days before ``end``, so a
    query can compare dates with it instead of counting each row's working days."""
    if not 0 <= n <= MAX_WORKDAYS:
        raise ValueError(f"工作日数应在 0 到 {MAX_WORKDAYS} 之间")
    calendar = _Calendar(range(end.year - n // 200 - 1, end.year + 1), region_code)
    day, counted = end, 0
    while counted < n:
        counted += calendar.is_workday(day)
        day -= ONE_DAY
    return WorkdayResult(day, tuple(sorted(calendar.fallback_years)))


def is_workday(day: datetime.date, *, region_code: str = "") -> bool:
    return _Calendar(range(day.year, day.year + 1), region_code).is_workday(day)


def entered_years(years: range) -> set[int]:
    """Which of ``years`` have any entered day (national or a county's)."""
    from .models import Holiday

    rows = Holiday.objects.filter(date__year__gte=years.start, date__year__lt=years.stop)
    return {day.year for day in rows.dates("date", "year")}
