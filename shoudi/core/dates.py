"""Calendar arithmetic every app shares: full years of age (周岁), whole months between two days, a day N years back."""

from __future__ import annotations

import datetime

__all__ = ["age_on", "months_between", "years_before"]


def age_on(born: datetime.date | None, day: datetime.date) -> int | None:
    """Full years of age on ``day`` (周岁): the birthday itself counts; someone born on 29 February turns a year
    older on 1 March in a common year."""
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def months_between(start: datetime.date, end: datetime.date) -> int:
    """Whole months from ``start`` to ``end``: a month is complete on the same day of the month (negative when
    ``end`` comes first)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    return months - (1 if end.day < start.day else 0)


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)
