"""What monitoring adds to the registry: a section on the household page and the household list filters (both
registered in wiring.py)."""

import django_filters
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string

from shoudi.core.scope import user_can

from . import choices as c
from .models import MonitoringCase


def household_panel(request, household) -> str:
    cases = MonitoringCase.objects.restrict(request.user, "view").filter(household=household).order_by("-clue_date")
    can_clue = user_can(request.user, MonitoringCase, "add") and not any(x.is_open for x in cases)
    return render_to_string(
        "monitoring/_household_panel.html",
        {"cases": cases, "household": household, "can_clue": can_clue},
        request=request,
    )


class MonitoredFilter(django_filters.BooleanFilter):
    def filter(self, qs, value):
        if value is None:
            return qs
        monitored = Exists(MonitoringCase.objects.filter(household=OuterRef("pk"), step=c.MONITORING))
        return qs.filter(monitored) if value else qs.exclude(monitored)


class CategoryFilter(django_filters.ChoiceFilter):
    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(
            Exists(MonitoringCase.objects.filter(household=OuterRef("pk"), category=value, step=c.MONITORING))
        )


class BelowLineFilter(django_filters.NumberFilter):
    """Households whose 人均纯收入 of the given year is below the line in force for their county that year."""

    def filter(self, qs, value):
        if not value:
            return qs
        from shoudi.registry.models import IncomeRecord

        from .policy import lines_by_county

        year = int(value)
        counties = sorted({code[:6] for code in qs.values_list("village__code", flat=True).distinct()})
        below = IncomeRecord.objects.none()
        for county, line in lines_by_county(counties, year).items():
            if line is not None:
                below = below | IncomeRecord.objects.filter(
                    year=year, per_capita__lt=line, household__village__code__startswith=county
                )
        return qs.filter(pk__in=below.values("household_id"))


class NoticeCoverageFilter(django_filters.ChoiceFilter):
    """?notices=: households given every 明白纸 meant for them, or not yet (all households, or the 监测户)."""

    CHOICES = [
        ("covered", "已发放明白纸"),
        ("missing", "尚未发放明白纸"),
        ("monitored_covered", "监测户·已发放全部明白纸"),
        ("monitored_missing", "监测户·尚未发放全部明白纸"),
    ]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", self.CHOICES)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        from .notices import leaflet_covered, leaflet_households

        monitored = value.startswith("monitored")
        covered = leaflet_covered(qs, monitored=monitored)
        if value.endswith("_covered") or value == "covered":
            return covered
        return leaflet_households(qs, monitored=monitored).exclude(pk__in=covered.values("pk"))
