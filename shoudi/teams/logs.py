"""驻村工作日志: the days a member owes a log, the days he missed, and recording a log (linked to his visits).

A log is owed for every day he checked in, and for every working day (the working-day calendar, with 调休) of his
assignment that he was not on leave or 公出 — up to yesterday: today's log may still be written.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from shoudi.accounts.roles import TEAM_MEMBER
from shoudi.assistance.models import Visit
from shoudi.core.scope import user_can
from shoudi.core.workdays import workdays_in
from shoudi.registry.models import Household

from .attendance import active_in, presence_facts
from .models import TeamMember, WorkLog, WorkLogPhoto
from .services import Refused, current_assignment

__all__ = ["Assignment", "assignments", "log_window", "missing_log_days", "missing_logs_queryset", "record_log"]


@dataclass(frozen=True)
class Assignment:
    """What the owed days depend on: a member's id, his dates and his village's code (no model instance needed)."""

    pk: int
    start_date: datetime.date
    end_date: datetime.date | None
    code: str


def assignments(members: QuerySet) -> list[Assignment]:
    rows = members.order_by().values_list("pk", "start_date", "end_date", "team__village__code")
    return [Assignment(*row) for row in rows]


def _code(member) -> str:
    return member.code if isinstance(member, Assignment) else member.team.village.code


def missing_log_days(
    members: Iterable[TeamMember | Assignment], start: datetime.date, end: datetime.date
) -> dict[int, list[datetime.date]]:
    """member id → the days in [start, end] he owed a log and wrote none (members with ``team__village``, or
    ``assignments(queryset)`` for many)."""
    members = list(members)
    if end < start or not members:
        return {}
    facts = presence_facts([m.pk for m in members], start, end)
    written: dict[int, set[datetime.date]] = defaultdict(set)
    logs = WorkLog.objects.filter(member__in=[m.pk for m in members], day__range=(start, end))
    for member_id, day in logs.values_list("member_id", "day"):
        written[member_id].add(day)
    workdays: dict[str, set[datetime.date]] = {}
    missing = {}
    for member in members:
        span = active_in(member, start, end)
        if span is None:
            continue
        county = _code(member)[:6]
        if county not in workdays:
            workdays[county] = set(workdays_in(start, end, region_code=county))
        f = facts.get(member.pk)
        checked = f.checked if f else set()
        away = (f.leave | f.official) if f else set()
        owed = {d for d in (workdays[county] - away) | checked if span[0] <= d <= span[1]}
        days = sorted(owed - written[member.pk])
        if days:
            missing[member.pk] = days
    return missing


WINDOW_DAYS = 30  # the worklist looks back this far: a log is written within days, or it is missing


def log_window(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The days the worklist checks: the last 30 days up to yesterday (today's log may still be written)."""
    return today - datetime.timedelta(days=WINDOW_DAYS), today - datetime.timedelta(days=1)


def missing_logs_queryset(user, today: datetime.date | None = None) -> QuerySet:
    """The worklist's line: current members in the user's scope who owe logs of the last 30 days (a member:
    himself)."""
    today = today or timezone.localdate()
    members = TeamMember.objects.restrict(user, "view").filter(end_date__isnull=True)
    if getattr(user, "role", "") == TEAM_MEMBER:
        members = members.filter(user=user)
    missing = missing_log_days(assignments(members), *log_window(today))
    return members.filter(pk__in=list(missing))


def _households(user, numbers: list[str]) -> list[Household]:
    found = {h.household_no: h for h in Household.objects.restrict(user, "view").filter(household_no__in=numbers)}
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise Refused(f"没有找到户编号：{'、'.join(unknown)}（或不在您的管辖范围内）")
    return list(found.values())


@transaction.atomic
def record_log(
    *,
    user,
    day: datetime.date,
    work_done: str,
    problems: str = "",
    next_plan: str = "",
    household_numbers: Iterable[str] = (),
    photos: Iterable = (),
    log: WorkLog | None = None,
) -> WorkLog:
    """The member's log of ``day`` (a new one, or ``log`` changed): the households named and those he visited that
    day are linked, with the visits."""
    member = current_assignment(user)
    if member is None or not user_can(user, WorkLog, "add"):
        raise Refused("您不是在岗的驻村工作队员，不能填写工作日志")
    if log is not None and log.member_id != member.pk:
        raise Refused("只能修改本人的工作日志")
    today = timezone.localdate()
    if day > today:
        raise Refused("日志日期不能晚于今天")
    if day < member.start_date:
        raise Refused(f"日志日期早于驻村开始日期 {member.start_date:%Y-%m-%d}")
    if not work_done.strip():
        raise Refused("请填写当日工作")
    households = _households(user, [n.strip() for n in household_numbers if n.strip()])
    visits = (
        list(Visit.objects.restrict(user, "view").filter(cadre=member.cadre, visited_on=day)) if member.cadre_id else []
    )
    fields = {"work_done": work_done.strip(), "problems": problems.strip(), "next_plan": next_plan.strip()}
    try:
        with transaction.atomic():
            if log is None:
                log = WorkLog.objects.create(member=member, day=day, **fields)
            else:
                for name, value in {"day": day, **fields}.items():
                    setattr(log, name, value)
                log.save()
    except IntegrityError:
        raise Refused(f"{day:%Y-%m-%d} 已有工作日志，请修改那一篇") from None
    log.households.add(*households, *(v.household for v in visits))
    log.visits.add(*visits)
    for photo in photos:
        WorkLogPhoto.objects.create(log=log, image=photo)
    return log
