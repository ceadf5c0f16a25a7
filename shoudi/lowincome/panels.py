"""The 分户台账 section of the household page (一户一档): the categories in force and ended, this year's visits, the
分类帮扶 actions and the 关爱 records — shown for a household in the register or with any record of it."""

from __future__ import annotations

import datetime

from django.template.loader import render_to_string
from django.utils import timezone

from shoudi.assistance.models import Visit
from shoudi.core.scope import user_can
from shoudi.registry.models import Household

from . import choices as c
from .models import CareRecord, Designation, SupportAction
from .selectors import eliminated_households, settings_for, visit_period

__all__ = ["household_panel"]


def household_panel(request, household: Household) -> str | None:
    user = request.user
    if not user_can(user, Designation, "view"):
        return None
    today = timezone.localdate()
    designations = list(
        Designation.objects.restrict(user, "view").filter(household=household).select_related("member", "batch")
    )
    actions = list(SupportAction.objects.restrict(user, "view").filter(household=household))
    care = list(CareRecord.objects.restrict(user, "view").filter(household=household).select_related("member")[:20])
    eliminated = Household.objects.filter(pk=household.pk).filter(eliminated_households(today)).exists()
    current = [d for d in designations if d.since <= today and (d.until is None or d.until > today)]
    if not (designations or actions or care or eliminated or user_can(user, Designation, "add")):
        return None
    start, end = visit_period(today, settings_for(user))
    visits = Visit.objects.restrict(user, "view").filter(
        household=household, visited_on__gte=datetime.date(today.year, 1, 1), visited_on__lte=today
    )
    visits = list(visits.order_by("-visited_on", "-id"))
    context = {
        "household": household,
        "in_register": bool(current) or eliminated,
        "eliminated": eliminated,
        "current": current,
        "ended": [d for d in designations if d not in current],
        "visits": visits,
        "visited_this_period": any(start <= v.visited_on <= today for v in visits),
        "period": (start, end),
        "actions": actions,
        "care": care,
        "applied": c.APPLIED,
        "can_designate": user_can(user, Designation, "add"),
        "can_end": user_can(user, Designation, "change"),
        "can_apply": user_can(user, SupportAction, "add"),
        "can_decide": user_can(user, SupportAction, "change"),
        "can_care": user_can(user, CareRecord, "add"),
        "year": today.year,
    }
    return render_to_string("lowincome/_household_panel.html", context, request=request)
