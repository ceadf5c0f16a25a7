"""Reads of problems for a user: what he must rectify soon, and what waits for his review (his worklist)."""

from __future__ import annotations

import datetime

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from . import choices as c
from .models import Problem

__all__ = ["awaiting_review", "due_for", "todo_total"]


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def due_for(user, *, today: datetime.date | None = None, soon: bool = True):
    """The running problems the user is responsible for that are overdue (or due within ``DUE_SOON_DAYS``)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "region_id", None):
        return Problem.objects.none()
    limit = _today(today) + datetime.timedelta(days=c.DUE_SOON_DAYS if soon else -1)
    mine = Q(responsible=user) | (Q(region__code__startswith=user.region.code) & ~Q(issuer_region=user.region_id))
    return (
        Problem.objects.restrict(user, "change")
        .filter(mine, state__in=c.RUNNING_STATES, due_date__lte=limit)
        .order_by("due_date")
    )


def awaiting_review(user):
    """Problems issued at the user's level with a 申请销号 or a 延期申请 waiting for a decision."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "region_id", None):
        return Problem.objects.none()
    return Problem.objects.restrict(user, "change").filter(
        Q(state=c.APPLIED) | Q(state__in=c.RUNNING_STATES, extension_to__isnull=False), issuer_region=user.region_id
    )


def todo_total(user) -> int:
    """The 待办 badge's share: counted at most once a minute per user, as assistance's (the badge is on every page)."""
    key = f"shoudi:todo:work:{user.pk}:{timezone.localdate()}"
    total = cache.get(key)
    if total is None:
        total = due_for(user).count() + awaiting_review(user).count()
        cache.set(key, total, 60)
    return total
