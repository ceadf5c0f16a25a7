"""Which line and which settings apply to a region and year: the most specific row wins (county, then default)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from shoudi.core.dates import SchoolAgeRule, school_year_start

from .models import MonitoringLine, MonitoringSettings

__all__ = ["line_for", "lines_by_county", "school_age_rule", "settings_for"]


def _county_code(region_code: str) -> str:
    return region_code[:6]


def line_for(region_code: str, year: int) -> Decimal | None:
    """The monitoring line (元/人·年) for a place and year, or None when none is set."""
    rows = MonitoringLine.objects.filter(
        Q(region__isnull=True) | Q(region__code=_county_code(region_code)), year=year
    ).values_list("region_id", "amount")
    best = None
    for region_id, amount in rows:
        if region_id is not None:
            return amount
        best = amount
    return best


def lines_by_county(county_codes: list[str], year: int) -> dict[str, Decimal | None]:
    rows = list(MonitoringLine.objects.filter(year=year).values_list("region__code", "amount"))
    default = next((amount for code, amount in rows if code is None), None)
    specific = {code: amount for code, amount in rows if code is not None}
    return {code: specific.get(code, default) for code in county_codes}


def settings_for(region_code: str = "", year: int | None = None) -> MonitoringSettings:
    """The settings in force for a place and year (kept for its many callers): ``MonitoringSettings.for_region``."""
    return MonitoringSettings.for_region(region_code, year)


def school_age_rule(region_code: str, day) -> SchoolAgeRule:
    """The compulsory-education age rule in force for a place on ``day``: the settings of the year the school year
    of ``day`` began (the ledgers, matching and every other school-age check read it here)."""
    return settings_for(region_code, school_year_start(day).year).school_age_rule
