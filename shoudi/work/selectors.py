"""Reads of problems for a user: the lines of his worklist (what he must rectify, what waits for his review, what
was escalated to him) and whether a problem is escalated (逾期升级).

Whose a problem is: its responsible person when one is named, else the users of its responsible region (the
services also let users below that region act; the worklist counts a problem once, for its own level). The issuer's
level reviews. A running problem ``SHOUDI_PROBLEM_ESCALATION_WORKDAYS`` working days past its due date is escalated
to the level above its responsible region.
"""

from __future__ import annotations

import datetime
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone

from shoudi.core.workdays import workdays_before
from shoudi.regions.models import Region

from . import choices as c
from .models import Problem

__all__ = [
    "WORKLIST",
    "awaiting_review",
    "closure_requests",
    "counties_of",
    "due_for",
    "due_soon_problems",
    "escalated_condition",
    "escalated_to",
    "escalation_workdays",
    "extension_requests",
    "is_escalated",
    "overdue_problems",
    "with_escalation",
]


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _acts(user) -> bool:
    """A saved user with a region (an unsaved one, as the dashboards count with, has no problems of his own)."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "region_id", None) and user.pk)


def _changeable(user) -> QuerySet:
    return Problem.objects.restrict(user, "change")


def _mine(user) -> Q:
    return Q(responsible=user.pk) | Q(responsible__isnull=True, region=user.region_id)


def overdue_problems(user, today: datetime.date | None = None) -> QuerySet:
    """整改问题已逾期: the user's running problems past their due date."""
    if not _acts(user):
        return Problem.objects.none()
    return _changeable(user).filter(_mine(user), state__in=c.RUNNING_STATES, due_date__lt=_today(today))


def due_soon_problems(user, today: datetime.date | None = None) -> QuerySet:
    """整改期限将至: the user's running problems due today or within ``DUE_SOON_DAYS`` (not yet overdue)."""
    if not _acts(user):
        return Problem.objects.none()
    day = _today(today)
    limit = day + datetime.timedelta(days=c.DUE_SOON_DAYS)
    return _changeable(user).filter(_mine(user), state__in=c.RUNNING_STATES, due_date__range=(day, limit))


def due_for(user, *, today: datetime.date | None = None, soon: bool = True) -> QuerySet:
    """The user's running problems that are overdue (and, with ``soon``, those due soon): both lines at once."""
    if not _acts(user):
        return Problem.objects.none()
    limit = _today(today) + datetime.timedelta(days=c.DUE_SOON_DAYS if soon else -1)
    rows = _changeable(user).filter(_mine(user), state__in=c.RUNNING_STATES, due_date__lte=limit)
    return rows.order_by("due_date")


def closure_requests(user, today: datetime.date | None = None) -> QuerySet:
    """待审核销号: problems issued at the user's level whose 销号 was applied for."""
    if not _acts(user):
        return Problem.objects.none()
    return _changeable(user).filter(state=c.APPLIED, issuer_region=user.region_id)


def extension_requests(user, today: datetime.date | None = None) -> QuerySet:
    """待审批延期: problems issued at the user's level with a 延期申请 waiting."""
    if not _acts(user):
        return Problem.objects.none()
    return _changeable(user).filter(
        state__in=c.RUNNING_STATES, extension_to__isnull=False, issuer_region=user.region_id
    )


def awaiting_review(user, today: datetime.date | None = None) -> QuerySet:
    """Both review lines at once: 申请销号 and 延期申请 waiting at the user's level."""
    if not _acts(user):
        return Problem.objects.none()
    return _changeable(user).filter(
        Q(state=c.APPLIED) | Q(state__in=c.RUNNING_STATES, extension_to__isnull=False), issuer_region=user.region_id
    )


# --- 逾期升级 ------------------------------------------------------------------------------------------------------
# Computed when read, not recorded by a nightly step: no state is written, so an approved extension, a 销号 or a
# 挂起 ends the escalation at once, and a holiday entered later counts as it should.


def escalation_workdays() -> int:
    """Working days past the due date after which a problem is escalated (0: never)."""
    return max(0, int(getattr(settings, "SHOUDI_PROBLEM_ESCALATION_WORKDAYS", 5)))


def counties_of(user) -> list[str]:
    """The counties whose calendars the user's problems are counted on."""
    if getattr(user, "region_id", None):
        return [user.region.code[:6]]
    return list(Region.objects.filter(level="county").values_list("code", flat=True))


def escalated_condition(today: datetime.date, counties: list[str]) -> Q:
    """Running problems at least N working days overdue on each county's calendar (N = ``escalation_workdays``):
    a due date on or before the day N working days before today."""
    n = escalation_workdays()
    if not n or not counties:
        return Q(pk__in=[])
    dated = [
        Q(region__code__startswith=county, due_date__lte=workdays_before(today, n, region_code=county).date)
        for county in counties
    ]
    return Q(state__in=c.RUNNING_STATES) & reduce(or_, dated)


def escalated_to(user, today: datetime.date | None = None) -> QuerySet:
    """逾期升级: escalated problems of the regions just below the user's (a village's, to its township)."""
    if not _acts(user):
        return Problem.objects.none()
    rows = _changeable(user).filter(region__parent=user.region_id)
    return rows.filter(escalated_condition(_today(today), counties_of(user)))


def with_escalation(queryset: QuerySet, user, today: datetime.date | None = None) -> QuerySet:
    """The problems with ``escalated`` (已升级) annotated, for the list."""
    condition = escalated_condition(_today(today), counties_of(user))
    flag = Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())
    return queryset.annotate(escalated=flag)


def is_escalated(problem: Problem, today: datetime.date | None = None) -> bool:
    """Whether this one problem is escalated (its page): the same test as ``escalated_condition``."""
    n = escalation_workdays()
    if not n or problem.state not in c.RUNNING_STATES:
        return False
    return problem.due_date <= workdays_before(_today(today), n, region_code=problem.region.code[:6]).date


# (key, label, overdue, queryset(user, today)) — the lines work adds to 我的待办; the key is the list's ?todo= value
WORKLIST = [
    ("problem_overdue", "整改问题已逾期", True, overdue_problems),
    ("problem_due_soon", "整改期限将至", False, due_soon_problems),
    ("problem_closure", "待审核销号", False, closure_requests),
    ("problem_extension", "待审批延期", False, extension_requests),
    ("problem_escalated", "逾期升级", True, escalated_to),
]
