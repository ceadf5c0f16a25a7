"""The 工作台 section of the team roles: a member's 签到 button, his month so far and the logs he owes; a manager's
or the 组织部's leave requests waiting and last month's members under the minimum."""

from __future__ import annotations

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone

from shoudi.accounts.roles import ORGANIZATION, TEAM_MANAGER, TEAM_MEMBER

from .attendance import month_rows
from .logs import log_window, missing_log_days
from .models import CheckIn
from .selectors import absences_waiting_for, attendance_for, previous_month
from .services import current_assignment

__all__ = ["home_panel"]


def _member_panel(request) -> str | None:
    member = current_assignment(request.user)
    if member is None:
        return None
    today = timezone.localdate()
    row = next(iter(month_rows([member], today.year, today.month, today=today)), None)
    missing = missing_log_days([member], *log_window(today)).get(member.pk, [])
    context = {
        "member": member,
        "month": row,
        "today_checkins": CheckIn.objects.filter(member=member, day=today).order_by("at"),
        "missing": missing,
    }
    return render_to_string("teams/_home_member.html", context, request=request)


def _under(user) -> int:
    """Members under the minimum last month, counted at most once an hour per user (the month is over)."""
    year, month = previous_month()
    key = f"shoudi:teams:under:{user.pk}:{year}-{month}"
    count = cache.get(key)
    if count is None:
        count = sum(1 for row in attendance_for(user, year, month) if row.under)
        cache.set(key, count, 3600)
    return count


def _manager_panel(request) -> str | None:
    waiting = absences_waiting_for(request.user).count()
    year, month = previous_month()
    context = {"waiting": waiting, "under": _under(request.user), "month": f"{year}-{month:02d}"}
    return render_to_string("teams/_home_manager.html", context, request=request)


def home_panel(request) -> str | None:
    user = request.user
    if not user.is_authenticated:
        return None
    if user.role == TEAM_MEMBER:
        return _member_panel(request)
    if user.role in (TEAM_MANAGER, ORGANIZATION):
        return _manager_panel(request)
    return None
