"""收入预估 (S004 (七)): the cadre's estimate of a household's income of the year (a service), and the three lists read
from the estimates before the year closes:

- 不增反降: the estimated per capita is lower than the household's recorded per capita of the year before
  (``registry.IncomeRecord``); equal is not lower.
- 低于 1 万元: under the low-income floor of the county's monitoring settings (``MonitoringSettings.low_income_floor``,
  10 000 元 unless configured); exactly the floor is not under it.
- 低于监测线: under the year's monitoring line of the county (``monitoring.MonitoringLine``), or the year before's
  while the year's is not yet published.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from shoudi.core import notifications
from shoudi.core.scope import user_can
from shoudi.monitoring.policy import lines_by_county, settings_for
from shoudi.registry.models import Household, IncomeRecord, Member

from .models import IncomeEstimate, Visit

__all__ = ["LISTS", "EstimateList", "estimate_lists", "list_rows", "record_estimate", "sees_incomes"]

MONEY_FIELDS = ("wage", "business", "property_income", "transfer", "business_cost")
DROPPED, BELOW_FLOOR, BELOW_LINE = "dropped", "below_floor", "below_line"


def sees_incomes(user) -> bool:
    """Whether ``user`` reads incomes as entered: they are personal information, shown to roles with unmask on the
    households, as the registry's export does (None: the command line); other roles read them hidden."""
    return user is None or user_can(user, Household, "unmask")


@transaction.atomic
def record_estimate(
    *,
    household: Household,
    user,
    year: int,
    amounts: dict[str, Decimal],
    household_size: int,
    note: str = "",
    visit: Visit | None = None,
    entered_on: datetime.date | None = None,
) -> IncomeEstimate:
    """The household's income estimate of ``year`` (the current year, or the last one in January): a second entry of
    the same year replaces the first, the change log keeps what it said."""
    if not user_can(user, IncomeEstimate, "add"):
        raise PermissionDenied("您的角色不能填报收入预估")
    if not Household.objects.restrict(user, "view").filter(pk=household.pk).exists():
        raise PermissionDenied("该农户不在您的管辖范围内")
    today = timezone.localdate()
    if year not in (today.year, today.year - 1):
        raise ValidationError(f"只能预估{today.year}年（或{today.year - 1}年）的收入")
    if not household_size or household_size < 1:
        raise ValidationError("计算人口数须为正整数")
    for name in MONEY_FIELDS:
        if amounts.get(name) is not None and amounts[name] < 0:
            label = IncomeEstimate._meta.get_field(name).verbose_name
            raise ValidationError(f"{label}不能为负数")
    if visit is not None and visit.household_id != household.pk:
        raise ValidationError("所选走访不是该户的走访")
    values = {name: amounts.get(name) or Decimal("0") for name in MONEY_FIELDS}
    values |= {
        "household_size": household_size,
        "note": note.strip(),
        "visit": visit,
        "entered_by": user,
        "entered_on": entered_on or today,
    }
    estimate = _current(household, year)
    if estimate is not None:
        _write(estimate, values)
    else:
        try:
            with transaction.atomic():  # a savepoint: the first estimate of the year may be entered twice at once
                estimate = IncomeEstimate.objects.create(household=household, year=year, **values)
        except IntegrityError:
            # the other entry was saved first: this one replaces it, as a second entry of the year does
            estimate = _current(household, year)
            if estimate is None:
                raise ValidationError("该户本年度的收入预估正由他人同时填报，请刷新页面后重试") from None
            _write(estimate, values)
    notifications.changed("assistance", household_ids=[household.pk])
    return estimate


def _current(household: Household, year: int) -> IncomeEstimate | None:
    return IncomeEstimate.objects.select_for_update().filter(household=household, year=year).first()


def _write(estimate: IncomeEstimate, values: dict) -> None:
    for name, value in values.items():
        setattr(estimate, name, value)
    estimate.save()


@dataclass(frozen=True)
class EstimateList:
    key: str
    title: str
    description: str


LISTS = (
    EstimateList(DROPPED, "不增反降", "预估人均纯收入低于上年收入记录的人均纯收入"),
    EstimateList(BELOW_FLOOR, "低于1万元", "预估人均纯收入低于低收入预警线（默认 1 万元，监测参数可调）"),
    EstimateList(BELOW_LINE, "低于监测线", "预估人均纯收入低于当年监测线"),
)
LIST_KEYS = {item.key: item for item in LISTS}
NOTHING = Q(pk__in=[])


def _counties(qs: QuerySet) -> list[str]:
    villages = qs.order_by().values_list("household__village__code", flat=True).distinct()
    return sorted({code[:6] for code in villages})


def _per_county(values: dict[str, Decimal | None]) -> Q:
    q = NOTHING
    for county, amount in values.items():
        if amount is not None:
            q |= Q(household__village__code__startswith=county, per_capita__lt=amount)
    return q


def estimates_of(user, year: int, region_code: str = "") -> QuerySet[IncomeEstimate]:
    """The year's estimates the user may see (of a region), with the year before's recorded per capita."""
    previous = IncomeRecord.objects.filter(household=OuterRef("household_id"), year=year - 1).values("per_capita")[:1]
    qs = IncomeEstimate.objects.restrict(user, "view").filter(year=year)
    if region_code:
        qs = qs.filter(household__village__code__startswith=region_code)
    return qs.annotate(prev_per_capita=Subquery(previous))


def lines_of(counties: list[str], year: int) -> dict[str, tuple[Decimal | None, int]]:
    """(line, its year) per county: the year's line, or, before it is published, the year before's (an estimate is
    made before the year closes, often before the new line is announced)."""
    lines = lines_by_county(counties, year)
    missing = [code for code, amount in lines.items() if amount is None]
    earlier = lines_by_county(missing, year - 1) if missing else {}
    return {
        code: (amount, year) if amount is not None else (earlier.get(code), year - 1) for code, amount in lines.items()
    }


def list_condition(key: str, qs: QuerySet, year: int) -> Q:
    """The condition of one list over ``estimates_of`` rows."""
    if key == DROPPED:
        return Q(prev_per_capita__isnull=False, per_capita__lt=F("prev_per_capita"))
    counties = _counties(qs)
    if key == BELOW_FLOOR:
        return _per_county({code: settings_for(code, year).low_income_floor for code in counties})
    if key == BELOW_LINE:
        return _per_county({code: line for code, (line, _) in lines_of(counties, year).items()})
    raise ValueError(key)


def list_rows(user, key: str, year: int, region_code: str = "") -> QuerySet[IncomeEstimate]:
    """The rows of one list, named (village, 户编号, head) before their numbers."""
    qs = estimates_of(user, year, region_code)
    heads = Member.objects.filter(household=OuterRef("household_id"), relation="户主").values("name")[:1]
    return (
        qs.filter(list_condition(key, qs, year))
        .select_related("household__village__parent")
        .annotate(head_name=Subquery(heads))
        .order_by("household__village__code", "household__household_no")
    )


def estimate_lists(user, year: int, region_code: str = "") -> dict[str, int]:
    """How many households each list has."""
    qs = estimates_of(user, year, region_code)
    return {item.key: qs.filter(list_condition(item.key, qs, year)).count() for item in LISTS}


def thresholds(user, year: int, region_code: str = "") -> dict[str, str]:
    """The floor and the line the lists used, as text for the page (one value, or 按各县标准)."""
    counties = _counties(estimates_of(user, year, region_code))
    floors = {settings_for(code, year).low_income_floor for code in counties} or {
        settings_for("", year).low_income_floor
    }
    lines = set(lines_of(counties, year).values())
    floor = f"{next(iter(floors)):,.2f} 元" if len(floors) == 1 else "按各县标准"
    if not lines or all(amount is None for amount, _ in lines):
        line = f"{year} 年未设置监测线"
    elif len(lines) == 1:
        amount, line_year = next(iter(lines))
        line = f"{amount:,.2f} 元/人·年" + (
            f"（{year} 年监测线未公布，按 {line_year} 年）" if line_year != year else ""
        )
    else:
        line = "按各县标准"
    return {"floor": floor, "line": line}
