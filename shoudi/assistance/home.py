"""The home page's (工作台) sections this app gives: the user's own due items with their dates, and his households
(a cadre), his village, or the villages of his township or county with the most of their own work."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.utils import timezone

from shoudi.accounts.roles import CADRE
from shoudi.monitoring.deadlines import case_deadlines
from shoudi.monitoring.models import MonitoringCase
from shoudi.monitoring.selectors import cases_waiting_for
from shoudi.registry.models import Household

from .models import Pairing
from .worklist import badge_of, item_queryset, remember_badge, tally

__all__ = ["home_panel"]

SHOWN = 8  # rows of each list on the home page; the full lists are one click away


def household_text(household: Household) -> str:
    """户主姓名, the village and the last digits of the 户编号: how staff recognise a household."""
    head = household.head
    name = head.name if head is not None else "（无户主）"
    return f"{name}户 · {household.village.name} · …{household.household_no[-6:]}"


def _due_cases(user, today: datetime.date) -> list[dict]:
    """The cases waiting for the user's role, the longest waiting first, each with its nearest dated limit."""
    cases = cases_waiting_for(user).select_related("household__village").order_by("step_since")[:SHOWN]
    rows = []
    for case in cases:
        dated = [d for d in case_deadlines(case, today=today) if d.due is not None]
        limit = min(dated, key=lambda d: d.due) if dated else None
        rows.append({"case": case, "household": household_text(case.household), "limit": limit})
    return rows


def _cadre_households(user, today: datetime.date) -> list[dict]:
    """A cadre's households: the current pairings, each with its last visit."""
    pairings = (
        Pairing.objects.restrict(user, "view")
        .filter(cadre__user=user, end_date__isnull=True)
        .select_related("household__village")
        .annotate(last_visit=Max("household__visits__visited_on", filter=Q(household__visits__visited_on__lte=today)))
        .order_by("last_visit", "household__household_no")
    )
    return [
        {"household": p.household, "text": household_text(p.household), "last_visit": p.last_visit} for p in pairings
    ]


def _village_figures(user) -> dict:
    households = Household.objects.restrict(user, "view")
    return {
        "households": households.count(),
        "lifted": households.filter(household_type="脱贫户").count(),
        "monitored": MonitoringCase.objects.restrict(user, "view").filter(is_open=True).count(),
    }


HOME_TALLY_SECONDS = 60  # as the 待办 badge: the home page is every role's most opened page


def _home_tally(user, today) -> tuple[list, list, datetime.datetime]:
    """The tally the home page shows, counted at most once a minute per user (its time is on the page)."""
    key = f"shoudi:home-tally:{user.pk}:{today}"
    cached = cache.get(key)
    if cached is None:
        items, villages = tally(user, today)
        remember_badge(user, items, today)
        cached = (items, villages, timezone.now())
        cache.set(key, cached, HOME_TALLY_SECONDS)
    return cached


def home_panel(request) -> str | None:
    user = request.user
    if not user.is_authenticated:
        return None
    today = timezone.localdate()
    items, villages, counted_at = _home_tally(user, today)
    own = [i for i in items if i.own]
    own_keys = {i.key for i in own if not i.due}
    level = getattr(getattr(user, "region", None), "level", None)
    context = {
        "today": today,
        "counted_at": counted_at,
        "own": [i for i in own if i.count],
        "own_total": badge_of(items),
        "others_total": sum(i.count for i in items if not i.own and not i.due),
        "due_cases": _due_cases(user, today),
        "visits_due": [],
        "households": [],
        "figures": None,
        "villages": [],
    }
    if user.role == CADRE:
        context["households"] = _cadre_households(user, today)[:SHOWN]
        due = item_queryset("visit_due", user, today).select_related("village")[:SHOWN]
        context["visits_due"] = [{"household": h, "text": household_text(h)} for h in due]
    elif level == "village":
        context["figures"] = _village_figures(user)
    elif level in ("township", "county") or user.is_superuser:
        ranked = sorted(villages, key=lambda row: -sum(row.get(k, 0) for k in own_keys))
        context["villages"] = [
            {"name": row["name"], "own": sum(row.get(k, 0) for k in own_keys), "total": row["total"]}
            for row in ranked[:SHOWN]
        ]
    return render_to_string("assistance/_home.html", context, request=request)
