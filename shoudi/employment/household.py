"""The household page's 就业帮扶 section: whether the household is a 零就业家庭, and its members' posts, workshop
jobs and transport subsidies (each list only for a role that may view it)."""

from __future__ import annotations

from django.template.loader import render_to_string

from shoudi.core.scope import user_can
from shoudi.registry.models import Household

from .models import Placement, TransportSubsidy, WorkshopEmployee
from .selectors import covered_households, zero_employment_households

__all__ = ["household_panel"]


def _rows(model, user, household, *related):
    if not user_can(user, model, "view"):
        return []
    return list(model.objects.restrict(user, "view").filter(member__household=household).select_related(*related))


def household_panel(request, household) -> str | None:
    user = request.user
    placements = _rows(Placement, user, household, "member", "post")
    jobs = _rows(WorkshopEmployee, user, household, "member", "workshop")
    subsidies = _rows(TransportSubsidy, user, household, "member")
    covered = covered_households(Household.objects.filter(pk=household.pk)).exists()
    if not (covered or placements or jobs or subsidies):
        return None  # an ordinary household without employment records: nothing to say
    zero = covered and zero_employment_households(user, Household.objects.filter(pk=household.pk)).exists()
    context = {"zero": zero, "placements": placements, "jobs": jobs, "subsidies": subsidies}
    return render_to_string("employment/_household_panel.html", context, request=request)
