"""Reads of tasks for a user: the lists and tasks he may open, what he must finish soon, what waits for his review,
the progress of what he issued, and one month's tasks by week (一月一清单、一周一重点)."""

from __future__ import annotations

import calendar
import datetime
from collections import Counter
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q
from django.utils import timezone

from shoudi.core.workdays import workdays_before
from shoudi.work.selectors import counties_of, escalation_workdays

from . import choices as c
from .models import Assignment, Task, TaskList

__all__ = [
    "WORKLIST",
    "MonthTask",
    "MonthWeek",
    "awaiting_review",
    "due_for",
    "escalated_to",
    "issued_by",
    "month_weeks",
    "visible_lists",
    "visible_tasks",
]


def _signed_in(user) -> bool:
    """A saved user with a region (an unsaved one, as the dashboards count with, has no assignments of his own)."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "region_id", None) and user.pk)


def visible_tasks(user):
    """Tasks issued at the user's level or below it, and tasks with an assignment he may see."""
    if not getattr(user, "is_authenticated", False):
        return Task.objects.none()
    mine = Assignment.objects.restrict(user, "view").values("task_id")
    return Task.objects.filter(Q(pk__in=Task.objects.restrict(user, "view").values("pk")) | Q(pk__in=mine))


def visible_lists(user):
    """Lists issued at the user's level or below it, and lists holding a task he may see."""
    if not getattr(user, "is_authenticated", False):
        return TaskList.objects.none()
    tasks = visible_tasks(user).filter(task_list__isnull=False).values("task_list_id")
    return TaskList.objects.filter(Q(pk__in=TaskList.objects.restrict(user, "view").values("pk")) | Q(pk__in=tasks))


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def mine(user) -> Q:
    """The assignments the user answers for: his own as responsible person, or his region's (not issued by it)."""
    return Q(responsible=user) | (Q(region=user.region_id) & ~Q(task__issuer_region=user.region_id))


def due_for(user, *, today: datetime.date | None = None, soon: bool = True):
    """The running assignments the user answers for that are overdue (or due within ``DUE_SOON_DAYS``)."""
    if not _signed_in(user):
        return Assignment.objects.none()
    limit = _today(today) + datetime.timedelta(days=c.DUE_SOON_DAYS if soon else -1)
    return (
        Assignment.objects.restrict(user, "change")
        .filter(mine(user), state__in=c.RUNNING_STATES, due_date__lte=limit)
        .order_by("due_date")
    )


def awaiting_review(user):
    """Assignments issued at the user's level whose recipient has reported them done (报送)."""
    if not _signed_in(user):
        return Assignment.objects.none()
    return (
        Assignment.objects.restrict(user, "change")
        .filter(state=c.SUBMITTED, task__issuer_region=user.region_id)
        .exclude(responsible=user)
    )


def issued_by(user):
    """Every assignment of the tasks issued at the user's level (the issuer follows their progress)."""
    if not _signed_in(user):
        return Assignment.objects.none()
    return Assignment.objects.restrict(user, "view").filter(task__issuer_region=user.region_id)


# --- 我的待办 and 逾期升级 -------------------------------------------------------------------------------------------
# Escalation is work's rule (``SHOUDI_PROBLEM_ESCALATION_WORKDAYS`` working days past the due date, computed when
# read): a village's overdue assignment shows to its township, a township's to the county.


def overdue(user, today: datetime.date | None = None):
    """任务已逾期: the running assignments the user answers for, past their due date."""
    return due_for(user, today=today, soon=False).filter(due_date__lt=_today(today))


def due_soon(user, today: datetime.date | None = None):
    """任务即将到期: due today or within ``DUE_SOON_DAYS`` (not yet overdue)."""
    return due_for(user, today=today).filter(due_date__gte=_today(today))


def to_review(user, today: datetime.date | None = None):
    """待审核任务: reported done (报送) to the user's level."""
    return awaiting_review(user)


def escalated_condition(today: datetime.date, counties: list[str]) -> Q:
    """Running assignments at least N working days overdue on their county's calendar."""
    n = escalation_workdays()
    if not n or not counties:
        return Q(pk__in=[])
    dated = [
        Q(region__code__startswith=county, due_date__lte=workdays_before(today, n, region_code=county).date)
        for county in counties
    ]
    return Q(state__in=c.RUNNING_STATES) & reduce(or_, dated)


def escalated_to(user, today: datetime.date | None = None):
    """任务逾期升级: escalated assignments of the regions just below the user's."""
    if not _signed_in(user):
        return Assignment.objects.none()
    rows = Assignment.objects.restrict(user, "change").filter(region__parent=user.region_id)
    return rows.filter(escalated_condition(_today(today), counties_of(user)))


# (key, label, overdue, queryset(user, today)): the lines tasklists adds to 我的待办, each the list's ?todo= value;
# the badge is assistance's count of every line
WORKLIST = [
    ("task_overdue", "任务已逾期", True, overdue),
    ("task_due_soon", "任务即将到期", False, due_soon),
    ("task_review", "待审核任务", False, to_review),
    ("task_escalated", "任务逾期升级", True, escalated_to),
]


# --- 一月一清单 -------------------------------------------------------------------------------------------------------


@dataclass
class MonthTask:
    """One task of a week: the user's own assignment of it (if he has one) and the states of the others he sees."""

    task: Task
    due_date: datetime.date
    own: Assignment | None = None
    states: Counter = field(default_factory=Counter)
    overdue: int = 0
    count: int = 0
    only: Assignment | None = None  # the one assignment he sees, when there is just one

    @property
    def done(self) -> int:
        return self.states[c.DONE]


@dataclass
class MonthWeek:
    """A week of the month (Monday to Sunday, cut to the month), its tasks by due date, the focus ones first."""

    number: int
    first: datetime.date
    last: datetime.date
    tasks: list[MonthTask] = field(default_factory=list)

    @property
    def focus(self) -> list[MonthTask]:
        return [t for t in self.tasks if t.task.focus]


def month_weeks(user, month: datetime.date, *, today: datetime.date | None = None) -> list[MonthWeek]:
    """The month's assignments the user may see (due in the month), grouped by the week of their due date, then by
    task."""
    today = _today(today)
    first = month.replace(day=1)
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    weeks: list[MonthWeek] = []
    start = first
    while start <= last:
        end = min(start + datetime.timedelta(days=6 - start.weekday()), last)
        weeks.append(MonthWeek(len(weeks) + 1, start, end))
        start = end + datetime.timedelta(days=1)
    if not getattr(user, "is_authenticated", False):
        return weeks
    rows = (
        Assignment.objects.restrict(user, "view")
        .filter(due_date__gte=first, due_date__lte=last)
        .select_related("task__task_list", "task__issuer_region", "region")
        .order_by("due_date", "task_id", "region__code", "id")
    )
    own_q = mine(user) if getattr(user, "region_id", None) else Q(pk__in=[])
    own_ids = set(rows.filter(own_q).values_list("pk", flat=True))
    by_key: dict[tuple[int, int], MonthTask] = {}
    for row in rows:
        week = next(w for w in weeks if w.first <= row.due_date <= w.last)
        entry = by_key.get((week.number, row.task_id))
        if entry is None:
            entry = by_key[(week.number, row.task_id)] = MonthTask(row.task, row.due_date)
            week.tasks.append(entry)
        entry.count += 1
        entry.states[row.state] += 1
        entry.overdue += row.state in c.RUNNING_STATES and row.due_date < today
        entry.due_date = min(entry.due_date, row.due_date)
        if row.pk in own_ids and entry.own is None:
            entry.own = row
        entry.only = row if entry.count == 1 else None
    for week in weeks:
        week.tasks.sort(key=lambda t: (not t.task.focus, t.due_date, t.task.pk))
    return weeks
