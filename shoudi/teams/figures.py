"""The teams' figures per village, in the shape a dashboard card's ``compute(codes, today)`` yields them —
``(village code, bucket, value)`` for the villages of ``codes`` (None: every village) — so that the dashboards can show
them without the domain importing the dashboards: members under the monthly minimum last month, members owing work
logs (the worklist's window), and the year's household coverage by kind.

Each figure counts exactly the rows its list shows: ``teams:attendance?month=…``, ``teams:teammember_list?todo=
missing_logs``, ``teams:coverage``.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator

from django.db.models import Q

from .attendance import month_bounds, month_rows
from .coverage import KINDS, coverage_of
from .logs import assignments, log_window, missing_log_days
from .models import Team, TeamMember
from .selectors import previous_month

__all__ = ["coverage_figures", "missing_log_figures", "under_minimum_figures"]


def _members(codes: list[str] | None, start: datetime.date, end: datetime.date):
    members = TeamMember.objects.filter(start_date__lte=end).filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
    if codes is not None:
        members = members.filter(team__village__code__in=codes)
    return members.select_related("team__village")


def under_minimum_figures(codes: list[str] | None, today: datetime.date) -> Iterator[tuple[str, str, int]]:
    """Last month: ``members`` assigned, ``under`` of them under the minimum (default 20 days)."""
    year, month = previous_month(today)
    counts: Counter = Counter()
    for row in month_rows(_members(codes, *month_bounds(year, month)), year, month, today=today):
        code = row.member.team.village.code
        counts[(code, "members")] += 1
        counts[(code, "under")] += row.under
    for (code, bucket), value in counts.items():
        yield code, bucket, value


def missing_log_figures(codes: list[str] | None, today: datetime.date) -> Iterator[tuple[str, str, int]]:
    """Current members owing logs of the last 30 days (``members``) and the days owed (``days``)."""
    start, end = log_window(today)
    members = assignments(_members(codes, start, end).filter(end_date__isnull=True))
    by_pk = {m.pk: m for m in members}
    counts: Counter = Counter()
    for pk, days in missing_log_days(members, start, end).items():
        code = by_pk[pk].code
        counts[(code, "members")] += 1
        counts[(code, "days")] += len(days)
    for (code, bucket), value in counts.items():
        yield code, bucket, value


def coverage_figures(codes: list[str] | None, today: datetime.date) -> Iterator[tuple[str, str, int]]:
    """This year: households of each kind (``total:<kind>``) and those visited (``visited:<kind>``)."""
    teams = Team.objects.all() if codes is None else Team.objects.filter(village__code__in=codes)
    for row in coverage_of(teams, today=today):
        code = row.team.village.code
        for kind in KINDS:
            yield code, f"total:{kind}", row.kinds[kind].total
            yield code, f"visited:{kind}", row.kinds[kind].visited_year
