"""走访覆盖: every household of a team's village visited at least once a year (S001 47), 监测户 every month and 脱贫户
every quarter (S004, the rhythm settings); coverage per village with and without 一般农户, and the households not yet
visited. Any visit counts (入户, or by phone or WeChat for a household away); ``by_team`` counts those made by the
team's members through their cadre records (one visit, never recorded twice).

The counts of a village are aggregates over the teams the user may see; the list of households not visited goes
through the user's own scope of households.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import render
from django.utils import timezone

from shoudi.assistance.models import RhythmSettings, Visit
from shoudi.assistance.rhythm import period_bounds
from shoudi.core.scope import get_object_for, user_can
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.models import Household
from shoudi.registry.pickers import HEAD_NAME

from .models import Team

__all__ = [
    "KINDS",
    "KindCount",
    "VillageCoverage",
    "coverage_for",
    "coverage_of",
    "coverage_page",
    "not_visited",
    "village_page",
]

MONITORED, LIFTED, ORDINARY = "监测户", "脱贫户", "一般农户"
KINDS = (MONITORED, LIFTED, ORDINARY)
RHYTHM = {MONITORED: "每月", LIFTED: "每季度", ORDINARY: "每年"}


@dataclass
class KindCount:
    total: int = 0
    visited_year: int = 0
    visited_period: int = 0  # in the current period of the kind's rhythm
    by_team: int = 0  # visited this year by a member of the team


@dataclass
class VillageCoverage:
    team: Team
    kinds: dict[str, KindCount] = field(default_factory=lambda: {kind: KindCount() for kind in KINDS})

    def coverage(self, *, ordinary: bool = True) -> tuple[int, int]:
        """(households visited this year, households) with or without the 一般农户."""
        kinds = KINDS if ordinary else (MONITORED, LIFTED)
        return sum(self.kinds[k].visited_year for k in kinds), sum(self.kinds[k].total for k in kinds)

    @staticmethod
    def share(visited: int, total: int) -> str:
        return f"{visited * 100 / total:.1f}%" if total else "—"

    @property
    def by_team(self) -> int:
        return sum(count.by_team for count in self.kinds.values())

    @property
    def with_ordinary(self) -> str:
        return self.share(*self.coverage(ordinary=True))

    @property
    def without_ordinary(self) -> str:
        return self.share(*self.coverage(ordinary=False))


def _monitored() -> Exists:
    return Exists(MonitoringCase.objects.filter(household=OuterRef("pk"), is_open=True, identified_on__isnull=False))


def _visited(start: datetime.date, end: datetime.date, extra: Q | None = None) -> Exists:
    visits = Visit.objects.filter(household=OuterRef("pk"), visited_on__range=(start, end))
    return Exists(visits.filter(extra) if extra is not None else visits)


def _annotated(households: QuerySet, today: datetime.date, rhythm: RhythmSettings) -> QuerySet:
    year_start = today.replace(month=1, day=1)
    month = period_bounds(today, rhythm.monitored_visit_months)
    quarter = period_bounds(today, rhythm.lifted_visit_months)
    team_cadres = Q(cadre__team_assignments__team__village=OuterRef("village"))
    return households.annotate(
        monitored=_monitored(),
        v_year=_visited(year_start, today),
        v_month=_visited(month[0], today),
        v_quarter=_visited(quarter[0], today),
        v_team=_visited(year_start, today, team_cadres),
    )


def kind_of(household_type: str, monitored: bool) -> str:
    if monitored:
        return MONITORED
    return LIFTED if household_type == LIFTED else ORDINARY


def coverage_for(user, *, region_code: str = "", today: datetime.date | None = None) -> list[VillageCoverage]:
    """The coverage of every team's village the user may see (in ``region_code``), this year up to today."""
    teams = Team.objects.restrict(user, "view")
    if region_code:
        teams = teams.filter(village__code__startswith=region_code)
    return coverage_of(teams, today=today)


def coverage_of(teams: QuerySet, *, today: datetime.date | None = None) -> list[VillageCoverage]:
    """The coverage of the villages of ``teams``: one pass over their households."""
    today = today or timezone.localdate()
    teams = teams.select_related("village__parent", "unit").order_by("village__code")
    rows = {team.village_id: VillageCoverage(team) for team in teams}
    if not rows:
        return []
    by_county: dict[str, list[int]] = defaultdict(list)
    for row in rows.values():
        by_county[row.team.village.code[:6]].append(row.team.village_id)
    for county, village_ids in by_county.items():
        rhythm = RhythmSettings.for_region(county)
        households = _annotated(Household.objects.filter(village_id__in=village_ids), today, rhythm)
        values = households.values_list(
            "village_id", "household_type", "monitored", "v_year", "v_month", "v_quarter", "v_team"
        )
        for village_id, htype, monitored, v_year, v_month, v_quarter, v_team in values.iterator(chunk_size=5000):
            kind = kind_of(htype, monitored)
            count = rows[village_id].kinds[kind]
            count.total += 1
            count.visited_year += v_year
            count.by_team += v_team
            count.visited_period += {MONITORED: v_month, LIFTED: v_quarter, ORDINARY: v_year}[kind]
    return list(rows.values())


def not_visited(user, team: Team, *, kind: str = "", today: datetime.date | None = None) -> QuerySet:
    """The households of the team's village in the user's scope not visited this year (of one ``kind``)."""
    today = today or timezone.localdate()
    households = Household.objects.restrict(user, "view").filter(village=team.village_id)
    households = households.annotate(monitored=_monitored(), v_year=_visited(today.replace(month=1, day=1), today))
    households = households.filter(v_year=False)
    if kind == MONITORED:
        households = households.filter(monitored=True)
    elif kind == LIFTED:
        households = households.filter(monitored=False, household_type=LIFTED)
    elif kind == ORDINARY:
        households = households.filter(monitored=False).exclude(household_type=LIFTED)
    return households.select_related("village").annotate(head_name=HEAD_NAME).order_by("household_no")


class CoverageFilter(django_filters.ChoiceFilter):
    """?team_coverage=visited:监测户 (or not_visited:…): the households of the teams' villages of one kind visited, or
    not, this year — the rows behind each figure of the coverage (the household list's filter)."""

    def __init__(self, *args, **kwargs):
        choices = [
            (f"{state}:{kind}", f"{kind}：{label}")
            for kind in KINDS
            for state, label in (("visited", "今年已走访"), ("not_visited", "今年尚未走访"))
        ]
        super().__init__(*args, choices=choices, label="驻村走访覆盖", **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        state, _, kind = value.partition(":")
        today = timezone.localdate()
        qs = qs.filter(village__stationed_team__isnull=False).annotate(
            team_monitored=_monitored(), team_visited=_visited(today.replace(month=1, day=1), today)
        )
        qs = qs.filter(team_visited=state == "visited")
        if kind == MONITORED:
            return qs.filter(team_monitored=True)
        if kind == LIFTED:
            return qs.filter(team_monitored=False, household_type=LIFTED)
        return qs.filter(team_monitored=False).exclude(household_type=LIFTED)


def coverage_page(request):
    """走访覆盖 per village (``?area=<region code>``): each kind with its rhythm, and the year's coverage with and
    without 一般农户."""
    if not user_can(request.user, Team, "view"):
        raise PermissionDenied("您的角色不能查看驻村工作队")
    today = timezone.localdate()
    area = request.GET.get("area", "").strip()
    rows = coverage_for(request.user, region_code=area if area.isdigit() else "", today=today)
    totals = VillageCoverage(team=None)
    for row in rows:
        for kind in KINDS:
            for name in ("total", "visited_year", "visited_period", "by_team"):
                value = getattr(totals.kinds[kind], name) + getattr(row.kinds[kind], name)
                setattr(totals.kinds[kind], name, value)
    context = {
        "title": "走访覆盖",
        "rows": rows,
        "totals": totals,
        "kinds": KINDS,
        "rhythm": RHYTHM,
        "year": today.year,
        "may_list": user_can(request.user, Household, "view"),
    }
    return render(request, "teams/coverage.html", context)


def village_page(request, pk: int):
    """The households of one team's village not yet visited this year."""
    team = get_object_for(request.user, Team.objects.select_related("village__parent"), "view", pk=pk)
    if not user_can(request.user, Household, "view"):
        raise PermissionDenied("您的角色不能查看农户名单")
    kind = request.GET.get("kind", "")
    kind = kind if kind in KINDS else ""
    households = not_visited(request.user, team, kind=kind)
    context = {
        "title": f"{team.village.name}：今年尚未走访的农户",
        "team": team,
        "households": households[:1000],
        "count": households.count(),
        "kind": kind,
        "kinds": KINDS,
    }
    return render(request, "teams/coverage_village.html", context)
