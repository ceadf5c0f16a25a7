"""Reads over cases for lists, the worklist and dashboards (every one takes a restricted queryset or a user)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from . import choices as c
from .models import MonitoringCase
from .policy import settings_for

__all__ = ["cases_waiting_for", "overdue_identification"]


def overdue_identification(queryset: QuerySet, today: datetime.date | None = None) -> list[int]:
    """Cases still in the identification chain past the allowed days since the clue (per county setting)."""
    today = today or timezone.localdate()
    rows = queryset.filter(chain=c.IDENTIFICATION, step__in=c.WORKING_STEPS).values_list(
        "pk", "clue_date", "household__village__code"
    )
    limits: dict[str, int] = {}
    overdue = []
    for pk, clue_date, code in rows:
        county = code[:6]
        if county not in limits:
            limits[county] = settings_for(county, today.year).identification_days
        if (today - clue_date).days > limits[county]:
            overdue.append(pk)
    return overdue


def cases_waiting_for(user) -> QuerySet:
    """Open cases whose current step this user's role handles, in the user's scope."""
    from .services import STEP_ROLES

    steps = [step for step, roles in STEP_ROLES.items() if user.is_superuser or user.role in roles]
    return MonitoringCase.objects.restrict(user, "view").filter(is_open=True, step__in=steps)
