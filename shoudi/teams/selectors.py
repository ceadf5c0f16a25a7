"""Reads of team data for a user: the members in his scope, what waits for his approval, the month's attendance."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone

from shoudi.accounts.roles import ORGANIZATION, TEAM_MANAGER

from . import choices as c
from .attendance import MemberMonth, month_bounds, month_rows
from .models import Absence, TeamMember

__all__ = ["absences_waiting_for", "approvals_todo", "attendance_for", "members_for", "previous_month"]


def members_for(user, *, region_code: str = "", start=None, end=None) -> QuerySet:
    """The members the user may see (in ``region_code``), assigned at some time between ``start`` and ``end``."""
    members = TeamMember.objects.restrict(user, "view").select_related("team__village__parent", "unit")
    if region_code:
        members = members.filter(team__village__code__startswith=region_code)
    if end is not None:
        members = members.filter(start_date__lte=end)
    if start is not None:
        members = members.filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
    return members.order_by("team__village__code", "post", "start_date", "id")


def attendance_for(user, year: int, month: int, *, region_code: str = "", today=None) -> list[MemberMonth]:
    """The month's attendance of every member the user may see in ``region_code``, by village."""
    start, end = month_bounds(year, month)
    return month_rows(members_for(user, region_code=region_code, start=start, end=end), year, month, today=today)


def absences_waiting_for(user) -> QuerySet:
    """The leave requests waiting for this user's decision: at the township (its manager), then the county (组织部)."""
    if not getattr(user, "is_authenticated", False):
        return Absence.objects.none()
    role = "superuser" if user.is_superuser else user.role
    states = {TEAM_MANAGER: (c.PENDING_TOWNSHIP,), ORGANIZATION: (c.PENDING_COUNTY,)}.get(role)
    if role == "superuser":
        states = c.PENDING_STATES
    if not states:
        return Absence.objects.none()
    return Absence.objects.restrict(user, "change").filter(state__in=states).order_by("submitted_at")


def previous_month(today: datetime.date | None = None) -> tuple[int, int]:
    today = today or timezone.localdate()
    first = today.replace(day=1) - datetime.timedelta(days=1)
    return first.year, first.month


def approvals_todo(user) -> int:
    """The 待办 badge's share: leave requests waiting for this user's decision (counted at most once a minute)."""
    if getattr(user, "role", "") not in (TEAM_MANAGER, ORGANIZATION):
        return 0
    key = f"shoudi:todo:teams:{user.pk}:{timezone.localdate()}"
    total = cache.get(key)
    if total is None:
        total = absences_waiting_for(user).count()
        cache.set(key, total, 60)
    return total
