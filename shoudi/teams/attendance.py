"""考勤: each member's days in the village in a month (check-ins, and 公出 reported in advance), his leave days, the
weekly 住四晚干五天, and the flag under the monthly minimum (S004 (一): 每月驻村不少于 20 天); and the year's totals.

The facts (check-in days, nights, leave and 公出 days) are read once for all the members asked about and the whole
span; the rules come from ``TeamSettings`` of each member's village (most specific wins).
"""

from __future__ import annotations

import calendar
import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from . import choices as c
from .models import Absence, CheckIn, TeamMember, TeamSettings

__all__ = [
    "MemberMonth",
    "MemberYear",
    "SettingsResolver",
    "WeekCheck",
    "active_in",
    "month_bounds",
    "month_rows",
    "parse_month",
    "presence_facts",
    "year_rows",
]

ONE_DAY = datetime.timedelta(days=1)


def parse_month(text: str) -> tuple[int, int]:
    """ "2026-05" → (2026, 5); a Chinese error otherwise."""
    try:
        year, month = (int(part) for part in str(text).strip().split("-"))
        datetime.date(year, month, 1)
    except ValueError:
        raise ValueError(f"月份格式不正确（例如 2026-05）：{text}") from None
    return year, month


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, month, 1), datetime.date(year, month, calendar.monthrange(year, month)[1])


def _days(start: datetime.date, end: datetime.date) -> Iterable[datetime.date]:
    day = start
    while day <= end:
        yield day
        day += ONE_DAY


class SettingsResolver:
    """``TeamSettings`` for many villages from one read: the village's row, else its township's, county's, default."""

    def __init__(self):
        self.rows = {
            (row.region.code if row.region_id else ""): row for row in TeamSettings.objects.select_related("region")
        }
        self.memo: dict[str, TeamSettings] = {}

    def __call__(self, code: str) -> TeamSettings:
        if code not in self.memo:
            for prefix in (code, code[:9], code[:6], ""):
                if prefix in self.rows:
                    self.memo[code] = self.rows[prefix]
                    break
            else:
                self.memo[code] = TeamSettings()
        return self.memo[code]


@dataclass
class Facts:
    """What the records say about one member over a span of days."""

    checked: set[datetime.date] = field(default_factory=set)  # days with a check-in
    doubtful: set[datetime.date] = field(default_factory=set)  # days whose check-ins are all flagged
    nights: set[datetime.date] = field(default_factory=set)
    leave: set[datetime.date] = field(default_factory=set)  # approved leave
    official: set[datetime.date] = field(default_factory=set)  # 公出 reported in advance


def load_facts(member_ids: list[int], start: datetime.date, end: datetime.date) -> dict[int, Facts]:
    facts: dict[int, Facts] = defaultdict(Facts)
    trusted: dict[int, set[datetime.date]] = defaultdict(set)
    rows = CheckIn.objects.filter(member_id__in=member_ids, day__range=(start, end)).values_list(
        "member_id", "day", "night_of", "flagged"
    )
    for member_id, day, night_of, flagged in rows.iterator(chunk_size=5000):
        f = facts[member_id]
        f.checked.add(day)
        if not flagged:
            trusted[member_id].add(day)
        if night_of is not None:
            f.nights.add(night_of)
    for member_id, f in facts.items():
        f.doubtful = f.checked - trusted[member_id]
    _away(facts, member_ids, start, end)
    return facts


def _away(facts: dict[int, Facts], member_ids, start: datetime.date, end: datetime.date) -> None:
    """Approved leave and reported 公出 into the members' facts."""
    absences = Absence.objects.filter(
        member_id__in=member_ids, start_date__lte=end, end_date__gte=start, state__in=(*c.LEAVE_GRANTED, c.REPORTED)
    )
    for absence in absences.only("member_id", "category", "state", "start_date", "end_date", "returned_on"):
        target = facts[absence.member_id].leave if absence.is_leave else facts[absence.member_id].official
        target.update(_days(max(absence.start_date, start), min(absence.last_day_away, end)))


def presence_facts(member_ids: list[int], start: datetime.date, end: datetime.date) -> dict[int, Facts]:
    """The days checked in, on leave and on 公出 alone (no nights, no doubts): one row per member and day."""
    facts: dict[int, Facts] = defaultdict(Facts)
    rows = CheckIn.objects.filter(member_id__in=member_ids, day__range=(start, end)).order_by()
    for member_id, day in rows.values_list("member_id", "day").distinct().iterator(chunk_size=5000):
        facts[member_id].checked.add(day)
    _away(facts, member_ids, start, end)
    return facts


def active_in(
    member: TeamMember, start: datetime.date, end: datetime.date
) -> tuple[datetime.date, datetime.date] | None:
    """The part of [start, end] the member was assigned to his team (None: none of it)."""
    first = max(start, member.start_date)
    last = min(end, member.end_date) if member.end_date is not None else end
    return (first, last) if first <= last else None


@dataclass(frozen=True)
class WeekCheck:
    """One week (Monday to Sunday) of 住四晚干五天: days at work and nights in the village against what was due."""

    monday: datetime.date
    days: int
    nights: int
    need_days: int
    need_nights: int

    @property
    def ok(self) -> bool:
        return self.days >= self.need_days and self.nights >= self.need_nights

    def describe(self) -> str:
        done = f"在村 {self.days} 天、住 {self.nights} 晚"
        return f"{self.monday:%m-%d}起一周：{done}（应 {self.need_days} 天、{self.need_nights} 晚）"


@dataclass
class MemberMonth:
    """One member's month: the figures the 考勤台账 shows."""

    member: TeamMember
    year: int
    month: int
    active_days: int  # days of the month he was assigned (up to today in the current month)
    required: int  # the minimum for the month (prorated when assigned part of it)
    village_days: int  # checked in or on 公出
    checked_days: int
    official_days: int
    leave_days: int
    nights: int
    doubtful_days: int
    weeks: list[WeekCheck]
    complete: bool  # the month is over (else the figures are so far)

    @property
    def under(self) -> bool:
        return self.village_days < self.required

    @property
    def short_weeks(self) -> list[WeekCheck]:
        return [week for week in self.weeks if not week.ok]

    @property
    def flag(self) -> str:
        if not self.under:
            return ""
        return f"不足{self.required}天" if self.complete else f"截至今日不足{self.required}天"


def _weeks(f: Facts, first: datetime.date, last: datetime.date, today: datetime.date, rules: TeamSettings):
    """The weeks whose Thursday falls in [first, last] (a week belongs to one month), wholly inside the member's
    assignment and over before today."""
    monday = first - datetime.timedelta(days=first.weekday())
    checks = []
    while monday <= last:
        sunday = monday + datetime.timedelta(days=6)
        thursday = monday + datetime.timedelta(days=3)
        if first <= thursday <= last and sunday < today:
            week = set(_days(monday, sunday))
            present = (f.checked | f.official) & week
            nights = (f.nights | f.official) & week
            leave = len((f.leave & week) - present)
            checks.append(
                WeekCheck(
                    monday,
                    len(present),
                    len(nights),
                    max(0, rules.week_days - leave),
                    max(0, rules.week_nights - leave),
                )
            )
        monday += datetime.timedelta(days=7)
    return checks


def month_rows(
    members: Iterable[TeamMember], year: int, month: int, *, today: datetime.date | None = None
) -> list[MemberMonth]:
    """The month of every member assigned during it (``members`` with ``team__village`` selected)."""
    today = today or timezone.localdate()
    start, end = month_bounds(year, month)
    members = [m for m in members if active_in(m, start, end) is not None]
    span = (start - datetime.timedelta(days=6), end + datetime.timedelta(days=6))  # the edge weeks
    facts = load_facts([m.pk for m in members], *span)
    rules_for = SettingsResolver()
    rows = []
    for member in members:
        first, last = active_in(member, start, end)
        rules = rules_for(member.team.village.code)
        f = facts.get(member.pk, Facts())
        span_days = set(_days(first, min(last, today)))
        present = (f.checked | f.official) & span_days
        assigned = (last - first).days + 1
        month_days = (end - start).days + 1
        required = rules.min_days if assigned == month_days else math.ceil(rules.min_days * assigned / month_days)
        rows.append(
            MemberMonth(
                member=member,
                year=year,
                month=month,
                active_days=len(span_days),
                required=required,
                village_days=len(present),
                checked_days=len(f.checked & span_days),
                official_days=len((f.official - f.checked) & span_days),
                leave_days=len((f.leave & span_days) - present),
                nights=len(f.nights & span_days),
                doubtful_days=len(f.doubtful & span_days - f.official),
                weeks=_weeks(f, first, last, today, rules),
                complete=end < today,
            )
        )
    return rows


@dataclass
class MemberYear:
    """One member's year so far: the months' figures added up."""

    member: TeamMember
    year: int
    months: list[MemberMonth]

    @property
    def village_days(self) -> int:
        return sum(m.village_days for m in self.months)

    @property
    def leave_days(self) -> int:
        return sum(m.leave_days for m in self.months)

    @property
    def official_days(self) -> int:
        return sum(m.official_days for m in self.months)

    @property
    def months_under(self) -> int:
        return sum(1 for m in self.months if m.complete and m.under)

    @property
    def short_weeks(self) -> int:
        return sum(len(m.short_weeks) for m in self.months)


def year_rows(members: Iterable[TeamMember], year: int, *, today: datetime.date | None = None) -> list[MemberYear]:
    today = today or timezone.localdate()
    members = list(members)
    by_member: dict[int, list[MemberMonth]] = defaultdict(list)
    last_month = 12 if year < today.year else today.month
    for month in range(1, last_month + 1):
        for row in month_rows(members, year, month, today=today):
            by_member[row.member.pk].append(row)
    return [MemberYear(m, year, by_member[m.pk]) for m in members if by_member.get(m.pk)]
