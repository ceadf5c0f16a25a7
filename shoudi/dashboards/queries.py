"""The row sets behind the dashboard figures, each defined once: the cards count them per village and the filters
added to the lists (``filter_extensions``) select them, so a figure and the list it links to agree by construction.
"""

from __future__ import annotations

import datetime

import django_filters
from django.db.models import DateField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery, Value
from django.utils import timezone

from shoudi.assistance.models import Measure, Pairing, RhythmSettings, Visit
from shoudi.assistance.rhythm import period_bounds
from shoudi.monitoring.models import MonitoringCase
from shoudi.monitoring.policy import settings_for
from shoudi.registry.models import IncomeRecord

__all__ = [
    "AreaFilter",
    "below_floor",
    "coverage_conditions",
    "income_dropped",
    "monitored_cases",
    "work_card_condition",
]

COVERAGE = ("paired", "measured", "visited_month", "visited_quarter")


def monitored_cases(qs: QuerySet | None = None) -> QuerySet:
    """监测对象 now: identified and not yet closed (帮扶中, or in the elimination chain)."""
    qs = MonitoringCase.objects.all() if qs is None else qs
    return qs.filter(is_open=True, identified_on__isnull=False)


def _after_identification(days: int):
    return ExpressionWrapper(OuterRef("identified_on") + Value(datetime.timedelta(days=days)), output_field=DateField())


def coverage_conditions(county_code: str, today: datetime.date) -> dict[str, Q]:
    """The case conditions of the 帮扶 coverage card (cases must be identified), by kind:

    paired: a cadre paired within ``cadre_within_days`` of identification; measured: a measure (not 终止) begun or
    planned within ``measure_within_days``; visited_month / visited_quarter: a visit since the month's / quarter's
    first day (to today).
    """
    rhythm = RhythmSettings.for_region(county_code)
    paired = Pairing.objects.filter(
        household=OuterRef("household_id"), start_date__lte=_after_identification(rhythm.cadre_within_days)
    )
    deadline = _after_identification(rhythm.measure_within_days)
    measures = Measure.objects.filter(household=OuterRef("household_id")).exclude(status="终止")
    measured = measures.filter(
        Q(implemented_on__lte=deadline) | Q(implemented_on__isnull=True, planned_on__lte=deadline)
    )
    conditions = {"paired": Q(Exists(paired)), "measured": Q(Exists(measured))}
    for kind, months in (("visited_month", 1), ("visited_quarter", 3)):
        start, _ = period_bounds(today, months)
        visits = Visit.objects.filter(household=OuterRef("household_id"), visited_on__gte=start, visited_on__lte=today)
        conditions[kind] = Q(Exists(visits))
    return conditions


def work_card_condition(colour: str) -> Q:
    """Households with a work card (an identified case): red while a case is open, green once none is."""
    identified = Exists(MonitoringCase.objects.filter(household=OuterRef("pk"), identified_on__isnull=False))
    open_case = Exists(MonitoringCase.objects.filter(household=OuterRef("pk"), is_open=True))
    return Q(identified) & (Q(open_case) if colour == "red" else ~Q(open_case))


def below_floor(year: int, county_code: str) -> Q:
    """Incomes of ``year`` whose 人均纯收入 is below the county's 低收入预警线 (default 1 万元)."""
    return Q(year=year, per_capita__lt=settings_for(county_code, year).low_income_floor)


def income_dropped(year: int) -> Q:
    """Incomes of ``year`` lower per head than the same household's the year before (不增反降)."""
    before = IncomeRecord.objects.filter(household=OuterRef("household_id"), year=year - 1).values("per_capita")[:1]
    return Q(year=year, per_capita__lt=Subquery(before))


# --- the filters the lists get (registered in wiring.py) --------------------------------------------------------


class AreaFilter(django_filters.CharFilter):
    """?area=<region code>: the rows of a township or village (the dashboards link with it); the list's own scope
    still applies, so an area outside it shows nothing."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", "区划代码")
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value or not value.strip():
            return qs
        return qs.filter(**{f"{qs.model.scope_code_field}__startswith": value.strip()})


class MonthFilter(django_filters.CharFilter):
    """?identified_month=2026-05 (and the like): the rows whose date field falls in that month."""

    def filter(self, qs, value):
        if not value:
            return qs
        try:
            year, month = (int(part) for part in value.split("-"))
            datetime.date(year, month, 1)
        except ValueError:
            return qs.none()
        return qs.filter(**{f"{self.field_name}__year": year, f"{self.field_name}__month": month})


def _county_of(request) -> str:
    user = getattr(request, "user", None)
    region = getattr(user, "region", None) if getattr(user, "region_id", None) else None
    return region.code[:6] if region is not None else ""


class CoverageFilter(django_filters.BooleanFilter):
    """?paired=true/false (measured, visited_month, visited_quarter): cases by one 帮扶 coverage condition."""

    def filter(self, qs, value):
        if value is None:
            return qs
        condition = coverage_conditions(_county_of(self.parent.request), timezone.localdate())[self.field_name]
        return qs.filter(condition) if value else qs.exclude(condition)


class IdentifiedFilter(django_filters.BooleanFilter):
    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(**{f"{self.field_name}__isnull": not value})


class WorkCardFilter(django_filters.ChoiceFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, choices=[("red", "红卡（风险未消除）"), ("green", "绿卡（风险已消除）")], **kwargs)

    def filter(self, qs, value):
        return qs.filter(work_card_condition(value)) if value else qs


class YearFilter(django_filters.NumberFilter):
    """A household filter by the incomes of one year: ``kind`` is "any" (has one), "floor" (below the 1 万 line)
    or "drop" (不增反降)."""

    def __init__(self, *args, kind: str, **kwargs):
        self.kind = kind
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        year = int(value)
        incomes = IncomeRecord.objects.filter(year=year)
        if self.kind == "floor":
            counties = sorted({code[:6] for code in qs.values_list("village__code", flat=True).distinct()})
            hits = IncomeRecord.objects.none()
            for county in counties:
                hits = hits | incomes.filter(below_floor(year, county), household__village__code__startswith=county)
            incomes = hits
        elif self.kind == "drop":
            incomes = incomes.filter(income_dropped(year))
        return qs.filter(pk__in=incomes.values("household_id"))
