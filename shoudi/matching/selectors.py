"""Reads over findings for the worklist and the lists (each takes the user and restricts to his scope)."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from . import choices as c
from .models import Finding

__all__ = ["WORKLIST", "confirmed_findings", "overdue_findings", "pending_findings"]


def pending_findings(user, today: datetime.date | None = None) -> QuerySet:
    """Current findings waiting for their village's verification."""
    return Finding.objects.restrict(user, "view").current().filter(status=c.PENDING)


def overdue_findings(user, today: datetime.date) -> QuerySet:
    """Pending findings past their verification deadline."""
    return pending_findings(user).filter(due_on__lt=today)


def confirmed_findings(user, today: datetime.date | None = None) -> QuerySet:
    """Findings verified as 属实 and not yet acted on."""
    return Finding.objects.restrict(user, "view").current().filter(status=c.CONFIRMED)


# (key, label, overdue, queryset(user, today)) — the lines matching adds to 我的待办
WORKLIST = [
    ("findings_pending", "部门比对结果待核实", False, pending_findings),
    ("findings_confirmed", "部门比对结果属实待处理", False, confirmed_findings),
    ("findings_overdue", "部门比对结果核实已逾期", True, overdue_findings),
]
