"""Calendar arithmetic every app shares: full years of age (周岁), whole months between two days, a day N months on,
a day N years back, and the school year's age rule (who is of compulsory-education age on a day)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

__all__ = ["SchoolAgeRule", "add_months", "age_on", "months_between", "school_year_start", "years_before"]

SCHOOL_YEAR_START = (9, 1)  # a school year (学年) runs from 1 September to 31 August


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


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later (earlier when negative); a day the month lacks becomes its last day (31 May + 3
    months is 31 August, 30 November + 3 months is 28 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    last = (following - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day ``years`` earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def school_year_start(day: datetime.date) -> datetime.date:
    """1 September of the school year ``day`` falls in: of the same year from September on, else of the year before."""
    month, first = SCHOOL_YEAR_START
    year = day.year if (day.month, day.day) >= (month, first) else day.year - 1
    return datetime.date(year, month, first)


@dataclass(frozen=True)
class SchoolAgeRule:
    """Compulsory-education age (义务教育适龄) by the school year: a child starts school in the September after
    turning ``min_age`` by the cut-off day, and stays of school age through the school year in which it is
    ``max_age`` on the cut-off day.

    The age that counts is the age on the cut-off day (default 31 August) of the year the school year began, so it
    stays the same from 1 September to 31 August. A cut-off of 29 February is 28 February in a common year.
    """

    cutoff_month: int = 8
    cutoff_day: int = 31
    min_age: int = 6
    max_age: int = 16

    def cutoff(self, day: datetime.date) -> datetime.date:
        """The cut-off day of the school year ``day`` falls in."""
        year = school_year_start(day).year
        try:
            return datetime.date(year, self.cutoff_month, self.cutoff_day)
        except ValueError:  # 29 February in a common year
            return datetime.date(year, self.cutoff_month, 28)

    def age(self, born: datetime.date | None, day: datetime.date) -> int | None:
        """The school-year age (学年年龄): full years on the cut-off day of ``day``'s school year."""
        return age_on(born, self.cutoff(day))

    def applies(self, born: datetime.date | None, day: datetime.date) -> bool:
        """Whether a child born on ``born`` is of compulsory-education age on ``day``."""
        age = self.age(born, day)
        return age is not None and self.min_age <= age <= self.max_age

    def birth_bounds(self, day: datetime.date) -> tuple[datetime.date, datetime.date]:
        """(born after, born on or before): the birth dates of school age on ``day``, for a query.

        age ≥ min on the cut-off ⟺ born on or before the cut-off ``min`` years back; age ≤ max ⟺ born after the
        cut-off ``max + 1`` years back (``years_before`` takes 29 February to 28 February, which keeps both exact).
        """
        cutoff = self.cutoff(day)
        return years_before(cutoff, self.max_age + 1), years_before(cutoff, self.min_age)

    def describe(self) -> str:
        """The rule in the words of a ledger's 口径."""
        return (
            f"按学年计算，当学年{self.cutoff_month}月{self.cutoff_day}日前（含）满{self.min_age}周岁"
            f"至{self.max_age}周岁"
        )
