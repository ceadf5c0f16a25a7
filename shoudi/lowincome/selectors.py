"""Reads of the 低收入人口 register: who is in it today (a current designation, or a 风险消除户 from monitoring),
the categories of each household, the visit period and the households not visited in it — all set-based."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from shoudi.assistance.models import Visit
from shoudi.assistance.rhythm import IN_HOME, period_bounds
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.models import Household

from . import choices as c
from .models import Designation, LowIncomeSettings

__all__ = [
    "categories_of",
    "category_figures",
    "current",
    "eliminated_households",
    "in_register",
    "register",
    "settings_for",
    "unvisited",
    "visit_period",
]


def current(today: datetime.date) -> Q:
    """The designations in force on ``today``."""
    return Q(since__lte=today) & (Q(until__isnull=True) | Q(until__gt=today))


def eliminated_households(today: datetime.date) -> Q:
    """风险消除户: a household whose risk was eliminated (by ``today``) and which has no open case again."""
    eliminated = MonitoringCase.objects.filter(
        step=mc.ELIMINATED, eliminated_on__isnull=False, eliminated_on__lte=today
    ).values("household_id")
    open_case = MonitoringCase.objects.filter(is_open=True).values("household_id")
    # IN (subquery), not a correlated EXISTS: inside an OR, PostgreSQL hashes each subquery once instead of probing
    # per household (bench/bench_lowincome.py)
    return Q(pk__in=eliminated) & ~Q(pk__in=open_case)


def in_register(today: datetime.date, category: str = "") -> Q:
    """The households of the register on ``today`` (of one category: ``category``, 风险消除户 included)."""
    if category == c.ELIMINATED:
        return eliminated_households(today)
    designations = Designation.objects.filter(current(today))
    if category:
        designations = designations.filter(category=category)
        return Q(pk__in=designations.values("household_id"))
    return Q(pk__in=designations.values("household_id")) | eliminated_households(today)


def register(user, today: datetime.date | None = None) -> QuerySet:
    """The user's households in the register."""
    today = today or timezone.localdate()
    return Household.objects.restrict(user, "view").filter(in_register(today))


def categories_of(household_ids, today: datetime.date) -> dict[int, list[str]]:
    """Household id → its categories in force (a person's category once per household), 风险消除户 first."""
    out: dict[int, list[str]] = defaultdict(list)
    ids = list(household_ids)
    for hid in Household.objects.filter(pk__in=ids).filter(eliminated_households(today)).values_list("pk", flat=True):
        out[hid].append(c.ELIMINATED)
    rows = Designation.objects.filter(current(today), household_id__in=ids).order_by("household_id", "since", "id")
    for hid, category in rows.values_list("household_id", "category"):
        if category not in out[hid]:
            out[hid].append(category)
    return dict(out)


def settings_for(user) -> LowIncomeSettings:
    return LowIncomeSettings.for_region(user.region if getattr(user, "region_id", None) else None)


def visit_period(today: datetime.date, settings: LowIncomeSettings) -> tuple[datetime.date, datetime.date]:
    """The current visit period (calendar-aligned: this month, by default)."""
    return period_bounds(today, max(1, settings.visit_months))


def visits_in(period_start: datetime.date, today: datetime.date, settings: LowIncomeSettings) -> QuerySet:
    visits = Visit.objects.filter(visited_on__gte=period_start, visited_on__lte=today)
    return visits if settings.remote_counts else visits.filter(kind=IN_HOME)


def unvisited(user, today: datetime.date | None = None) -> QuerySet:
    """低收入人口本月未走访: the user's households in the register with no visit in the current period (one
    statement over designations, cases and this period's visits)."""
    today = today or timezone.localdate()
    settings = settings_for(user)
    start, _ = visit_period(today, settings)
    return register(user, today).exclude(pk__in=visits_in(start, today, settings).values("household_id"))


def category_figures(code: str, today: datetime.date) -> dict[str, tuple[int, int]]:
    """Category → (households in the register of the region ``code``, those not visited this period), 风险消除户
    first; categories with no household are left out. A household of two categories counts in both."""
    settings = LowIncomeSettings.for_region(code)
    start, _ = visit_period(today, settings)
    visited = Exists(visits_in(start, today, settings).filter(household=OuterRef("household")))
    rows = (
        Designation.objects.filter(current(today), household__village__code__startswith=code)
        .annotate(visited=visited)
        .order_by()
        .values("category")
        .annotate(
            n=Count("household", distinct=True),
            unvisited=Count("household", distinct=True, filter=Q(visited=False)),
        )
    )
    figures = {row["category"]: (row["n"], row["unvisited"]) for row in rows}
    eliminated = Household.objects.filter(eliminated_households(today), village__code__startswith=code)
    household_visited = Exists(visits_in(start, today, settings).filter(household=OuterRef("pk")))
    counts = eliminated.aggregate(n=Count("pk"), unvisited=Count("pk", filter=~Q(household_visited)))
    order = [c.ELIMINATED, *c.CATEGORY_VOCABULARY.values]
    if counts["n"]:
        figures[c.ELIMINATED] = (counts["n"], counts["unvisited"])
    return dict(sorted(figures.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else len(order)))
