"""Reads over assistance data that other modules use."""

from __future__ import annotations

from .models import Cadre, GuaranteeProblem, Measure, Pairing

__all__ = ["current_cadre", "guarantee_problems_of", "implemented_measures_of"]


def implemented_measures_of(household) -> int:
    """已落实 measures of the household (the monitoring guard needs at least one before elimination)."""
    return Measure.objects.filter(household=household, status="已落实").count()


def guarantee_problems_of(household) -> list[str]:
    """Open guarantee problems, by kind (the monitoring guard blocks elimination while one is open)."""
    return sorted(set(GuaranteeProblem.objects.unclosed().filter(household=household).values_list("kind", flat=True)))


def current_cadre(household) -> Cadre | None:
    pairing = Pairing.objects.filter(household=household, end_date__isnull=True).select_related("cadre").first()
    return pairing.cadre if pairing else None
