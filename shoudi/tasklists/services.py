"""Task lists' life cycle: 下发 (a task to townships, villages or units; a recurring task's periods) → 进展 (the
recipient's reports: text, file, figure) → 报送 (done, with the result the task requires) → 审核 at the issuer's
level: 通过 (已完成, 销号) or 退回 with a reason (办理中 again).

Every service is keyword-only and atomic, checks the state and who acts, and writes an ``AssignmentStep``; the
change log records the fields (``TaskList``, ``Task`` and ``Assignment`` are change-logged). ADR 0012.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from shoudi.core.scope import user_can
from shoudi.core.workdays import MAX_WORKDAYS, add_workdays

from . import choices as c
from .models import Assignment, AssignmentStep, Recipient, Task, TaskList
from .periods import due_in_period, period_of

__all__ = [
    "TransitionRefused",
    "allowed_actions",
    "create_task_list",
    "generate_due",
    "generate_period",
    "is_issuer",
    "is_responsible",
    "is_reviewer",
    "issue_task",
    "report_progress",
    "review",
    "stop_recurrence",
    "submit",
    "task_actions",
]

STATE_LABELS = dict(c.STATE_CHOICES)
WORKDAY_LIMITS = {c.WEEKLY: 7, c.MONTHLY: 23}  # the most working days a week (with 调休) or a month can hold


class TransitionRefused(Exception):
    """A step that may not be taken now, or not by this user (the message says why, in Chinese)."""


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "系统"


def _issuer_region(user):
    if not user.is_superuser and not user_can(user, Task, "add"):
        raise TransitionRefused("您的角色不能下发任务")
    if not getattr(user, "region_id", None):
        raise TransitionRefused("您的账号未设置所属区划，不能下发任务")
    return user.region


def is_issuer(task: Task, user) -> bool:
    """The issuer's level: a user of the issuing region who may change tasks (he reviews and runs the periods)."""
    if user.is_superuser:
        return True
    return user.region_id == task.issuer_region_id and user_can(user, Task, "change")


def is_reviewer(assignment: Assignment, user) -> bool:
    """审核 at the issuer's level, never by the person responsible for the assignment himself."""
    return is_issuer(assignment.task, user) and (user.is_superuser or assignment.responsible_id != user.pk)


def is_responsible(assignment: Assignment, user) -> bool:
    """The recipient: the responsible person, or a user of the recipient region itself (a task given to a township is
    the township's, not its villages'); never the issuer's level, which reviews."""
    if user.is_superuser or (assignment.responsible_id is not None and assignment.responsible_id == user.pk):
        return True
    region_id = getattr(user, "region_id", None)
    return region_id is not None and region_id == assignment.region_id and region_id != assignment.task.issuer_region_id


def _lock(assignment: Assignment, user) -> Assignment:
    locked = Assignment.objects.select_for_update().filter(pk=assignment.pk).select_related("task", "region").first()
    if locked is None or not Assignment.objects.restrict(user, "view").filter(pk=assignment.pk).exists():
        raise TransitionRefused("该任务不存在或不在您的管辖范围内")
    if not Assignment.objects.restrict(user, "change").filter(pk=assignment.pk).exists():
        raise TransitionRefused("您的角色不能办理任务")
    return locked


def _require(assignment: Assignment, *, states: Iterable[str], allowed: bool, who: str) -> None:
    if assignment.state not in states:
        raise TransitionRefused(
            f"该任务当前状态为「{STATE_LABELS[assignment.state]}」，不能进行此操作（可能已被他人处理，请刷新页面）"
        )
    if not allowed:
        raise TransitionRefused(f"此操作由{who}办理")


def _step(assignment: Assignment, user, action: str, *, text: str = "", figure=None, file=None) -> AssignmentStep:
    return AssignmentStep.objects.create(
        assignment=assignment,
        action=action,
        state=assignment.state,
        text=text,
        figure=figure,
        file=file or "",
        user=user,
        user_name=_name(user),
    )


# --- 下发 ------------------------------------------------------------------------------------------------------------


@transaction.atomic
def create_task_list(
    *, user, title: str, month: datetime.date | None = None, document_no: str = "", description: str = ""
) -> TaskList:
    """A list of tasks (一月一清单 when it names a month) of the user's level; ``issue_task`` adds its tasks."""
    region = _issuer_region(user)
    if not title.strip():
        raise TransitionRefused("请填写清单名称")
    return TaskList.objects.create(
        title=title.strip(),
        month=month.replace(day=1) if month else None,
        document_no=document_no.strip(),
        description=description,
        issuer=user,
        issuer_region=region,
    )


def _recipients(issuer_region, regions: Iterable, units: Iterable) -> list[tuple]:
    """(region, unit, responsible) of every recipient, checked: regions below the issuer's, units of his level."""
    rows = []
    for region in regions:
        if region.pk == issuer_region.pk:
            raise TransitionRefused("本级承办的任务请选择本级承办单位及其责任人")
        if not region.code.startswith(issuer_region.code):
            raise TransitionRefused(f"承办区划「{region.name}」不在您的管辖范围内")
        rows.append((region, "", None))
    for unit, person in units:
        if person is None or person.region_id != issuer_region.pk or not user_can(person, Assignment, "change"):
            raise TransitionRefused(f"承办单位「{unit}」的责任人应是本级可办理任务的用户")
        rows.append((issuer_region, unit.strip() or _name(person), person))
    if not rows:
        raise TransitionRefused("请选择承办的乡镇、村或本级单位")
    keys = [(region.pk, unit) for region, unit, _ in rows]
    if len(keys) != len(set(keys)):
        raise TransitionRefused("承办方有重复")
    return rows


def _check_due_rule(
    recurrence: str, *, due_date, due_workdays, due_weekday, due_monthday, issued_on, starts_on, ends_on
) -> None:
    if recurrence not in dict(c.RECURRENCE_CHOICES):
        raise TransitionRefused("重复方式只能是不重复、每周或每月")
    if due_workdays is not None and not 1 <= due_workdays <= WORKDAY_LIMITS.get(recurrence, MAX_WORKDAYS):
        limit = WORKDAY_LIMITS.get(recurrence, MAX_WORKDAYS)
        raise TransitionRefused(f"工作日数应在 1 到 {limit} 之间")
    if not recurrence:
        if due_date is None and due_workdays is None:
            raise TransitionRefused("请填写完成时限（日期或工作日数）")
        if due_date is not None and due_date < issued_on:
            raise TransitionRefused("完成时限不能早于下发日期")
        return
    if recurrence == c.WEEKLY and due_weekday is not None and not 1 <= due_weekday <= 7:
        raise TransitionRefused("每周完成日应是周一至周日")
    if recurrence == c.MONTHLY and due_workdays is None and not 1 <= (due_monthday or 0) <= 31:
        raise TransitionRefused("请填写每月完成日（1–31日），或每月第几个工作日")
    if ends_on is not None and ends_on < starts_on:
        raise TransitionRefused("重复结束日期不能早于开始日期")


@transaction.atomic
def issue_task(
    *,
    user,
    title: str,
    regions: Iterable = (),
    units: Iterable[tuple[str, object]] = (),
    task_list: TaskList | None = None,
    description: str = "",
    result_kind: str = c.TEXT,
    result_description: str = "",
    focus: bool = False,
    due_date: datetime.date | None = None,
    due_workdays: int | None = None,
    recurrence: str = c.ONCE,
    due_weekday: int | None = None,
    due_monthday: int | None = None,
    starts_on: datetime.date | None = None,
    ends_on: datetime.date | None = None,
    issued_on: datetime.date | None = None,
) -> Task:
    """下发: a county or township user gives a task to regions below his own (``regions``) and to units of his own
    level (``units``: (unit name, responsible user)). A task that does not recur gets one assignment per recipient
    at once; a recurring one gets the period that holds the issue date, if it has started (the nightly step and
    ``generate_period`` make the later ones)."""
    issuer_region = _issuer_region(user)
    if not title.strip():
        raise TransitionRefused("请填写任务")
    if result_kind not in dict(c.RESULT_CHOICES):
        raise TransitionRefused("成果形式只能是文字、文件或数字")
    if task_list is not None and task_list.issuer_region_id != issuer_region.pk:
        raise TransitionRefused("只能把任务加入本级的任务清单")
    issued_on = issued_on or timezone.localdate()
    starts_on = (starts_on or issued_on) if recurrence else None
    if recurrence == c.WEEKLY and due_workdays is None and due_weekday is None:
        due_weekday = 5  # 周五, the week's report day in county practice
    _check_due_rule(
        recurrence,
        due_date=due_date,
        due_workdays=due_workdays,
        due_weekday=due_weekday,
        due_monthday=due_monthday,
        issued_on=issued_on,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    rows = _recipients(issuer_region, regions, units)
    task = Task.objects.create(
        task_list=task_list,
        title=title.strip(),
        description=description,
        result_kind=result_kind,
        result_description=result_description.strip(),
        focus=focus,
        issuer=user,
        issuer_region=issuer_region,
        issued_on=issued_on,
        due_date=due_date if not recurrence and due_workdays is None else None,
        due_workdays=due_workdays,
        recurrence=recurrence,
        due_weekday=due_weekday if recurrence == c.WEEKLY and due_workdays is None else None,
        due_monthday=due_monthday if recurrence == c.MONTHLY and due_workdays is None else None,
        starts_on=starts_on,
        ends_on=ends_on if recurrence else None,
    )
    Recipient.objects.bulk_create(
        [Recipient(task=task, region=region, unit=unit, responsible=person) for region, unit, person in rows]
    )
    if recurrence:
        if starts_on <= issued_on:
            _make_period(task, period_of(recurrence, issued_on), user)
        return task
    for region, unit, person in rows:
        fallback = False
        due = due_date
        if due_workdays is not None:
            result = add_workdays(issued_on, due_workdays, region_code=region.code)
            due, fallback = result.date, result.fallback
        _assign(task, region, unit, person, user, start=issued_on, end=None, due=due, fallback=fallback)
    return task


def _assign(task: Task, region, unit: str, person, user, *, start, end, due, fallback) -> Assignment:
    assignment = Assignment.objects.create(
        task=task,
        region=region,
        unit=unit,
        responsible=person,
        period_start=start,
        period_end=end,
        due_date=due,
        due_workdays=task.due_workdays,
        due_fallback=fallback,
    )
    note = f"完成时限 {due:%Y-%m-%d}"
    if task.due_workdays:
        note += f"（{task.due_rule()}）"
    if fallback:
        note += "；该年节假日尚未录入，时限只扣除了周末"
    _step(assignment, user, "下发", text=note)
    return assignment


def _make_period(task: Task, period, user) -> list[Assignment]:
    """The period's assignments not made yet, one per recipient (the unique constraint backs this check)."""
    start, end = period
    if end < task.starts_on or (task.ends_on is not None and start > task.ends_on):
        return []
    made = set(task.assignments.filter(period_start=start).values_list("region_id", "unit"))
    due_by_county: dict[str, tuple] = {}  # a county's own holiday rows apply to its regions: one computation each
    created = []
    for recipient in task.recipients.select_related("region", "responsible").order_by("id"):
        if (recipient.region_id, recipient.unit) in made:
            continue
        county = recipient.region.code[:6]
        if county not in due_by_county:
            due_by_county[county] = due_in_period(
                task.recurrence,
                period,
                region_code=county,
                workdays=task.due_workdays,
                weekday=task.due_weekday,
                monthday=task.due_monthday,
            )
        due, fallback = due_by_county[county]
        created.append(
            _assign(
                task,
                recipient.region,
                recipient.unit,
                recipient.responsible,
                user,
                start=start,
                end=end,
                due=due,
                fallback=fallback,
            )
        )
    return created


@transaction.atomic
def generate_period(*, task: Task, day: datetime.date | None = None, user=None) -> list[Assignment]:
    """The assignments of the period holding ``day`` (today by default) of a recurring task, for the recipients that
    have none yet: run again, it makes nothing twice. ``user`` None: the nightly step; else the issuer's level."""
    if not task.recurs:
        raise TransitionRefused("该任务不重复，没有下一期")
    if user is not None and not is_issuer(task, user):
        raise TransitionRefused("此操作由下发单位办理")
    task = Task.objects.select_for_update().get(pk=task.pk)  # two runs of one period wait for each other
    day = day or timezone.localdate()
    period = period_of(task.recurrence, day)
    if user is not None and (period[1] < task.starts_on or (task.ends_on and period[0] > task.ends_on)):
        raise TransitionRefused("该期不在任务的重复期间内")
    return _make_period(task, period, user)


def generate_due(today: datetime.date | None = None) -> int:
    """The nightly step: every recurring task's current period, where not yet made. Returns how many were made."""
    today = today or timezone.localdate()
    tasks = Task.objects.exclude(recurrence=c.ONCE).filter(starts_on__lte=today).exclude(ends_on__lt=today)
    return sum(len(generate_period(task=task, day=today)) for task in tasks.order_by("id"))


@transaction.atomic
def stop_recurrence(*, task: Task, user, day: datetime.date | None = None) -> Task:
    """停止重复: no period after the one holding ``day`` (today); what was made stays."""
    if not task.recurs:
        raise TransitionRefused("该任务不重复")
    if not is_issuer(task, user):
        raise TransitionRefused("此操作由下发单位办理")
    task = Task.objects.select_for_update().get(pk=task.pk)
    last = period_of(task.recurrence, day or timezone.localdate())[1]
    if task.ends_on is not None and task.ends_on <= last:
        raise TransitionRefused(f"该任务已于 {task.ends_on:%Y-%m-%d} 停止重复")
    task.ends_on = max(last, task.starts_on)
    task.save()
    return task


# --- 进展、报送、审核 -----------------------------------------------------------------------------------------------


@transaction.atomic
def report_progress(*, assignment: Assignment, user, text: str, figure: Decimal | None = None, file=None) -> Assignment:
    """进展: the recipient reports what has been done so far (a 已下发 task is 办理中 from then on)."""
    assignment = _lock(assignment, user)
    _require(assignment, states=c.RUNNING_STATES, allowed=is_responsible(assignment, user), who="承办单位或责任人")
    if not text.strip():
        raise TransitionRefused("请填写工作进展")
    assignment.state = c.IN_PROGRESS
    assignment.save()
    _step(assignment, user, "进展", text=text, figure=figure, file=file)
    return assignment


@transaction.atomic
def submit(*, assignment: Assignment, user, text: str = "", figure: Decimal | None = None, file=None) -> Assignment:
    """报送: the recipient reports the task done, with the result it requires (text, a file, a figure)."""
    assignment = _lock(assignment, user)
    _require(assignment, states=c.RUNNING_STATES, allowed=is_responsible(assignment, user), who="承办单位或责任人")
    kind = assignment.task.result_kind
    if kind == c.TEXT and not text.strip():
        raise TransitionRefused("该任务要求报送文字成果：请填写完成情况")
    if kind == c.FIGURE and figure is None:
        raise TransitionRefused("该任务要求报送数字：请填写报送的数字")
    if kind == c.FILE and not file and not assignment.steps.exclude(file="").exists():
        raise TransitionRefused("该任务要求报送文件：请上传成果文件")
    assignment.state = c.SUBMITTED
    assignment.result_text = text.strip()
    if figure is not None:
        assignment.result_figure = figure
    assignment.returned_reason = ""
    assignment.submitted_on = timezone.localdate()
    assignment.save()
    _step(assignment, user, "报送", text=text, figure=figure, file=file)
    return assignment


@transaction.atomic
def review(*, assignment: Assignment, user, approve: bool, text: str = "") -> Assignment:
    """审核: the issuer's level approves (已完成, 销号) or returns it with a reason (办理中 again)."""
    assignment = _lock(assignment, user)
    _require(assignment, states=(c.SUBMITTED,), allowed=is_reviewer(assignment, user), who="下发单位")
    if approve:
        assignment.state = c.DONE
        assignment.done_on = timezone.localdate()
    else:
        if not text.strip():
            raise TransitionRefused("退回时请填写理由")
        assignment.state = c.IN_PROGRESS
        assignment.returned_reason = text.strip()[:300]
    assignment.save()
    _step(assignment, user, "通过" if approve else "退回", text=text)
    return assignment


def allowed_actions(assignment: Assignment, user) -> set[str]:
    """The forms the assignment page offers this user now (the services check again when they run)."""
    if not Assignment.objects.restrict(user, "change").filter(pk=assignment.pk).exists():
        return set()
    actions = set()
    if assignment.state in c.RUNNING_STATES and is_responsible(assignment, user):
        actions |= {"progress", "submit"}
    if assignment.state == c.SUBMITTED and is_reviewer(assignment, user):
        actions.add("review")
    return actions


def task_actions(task: Task, user, today: datetime.date | None = None) -> set[str]:
    """What the task page offers: the issuer's level runs a recurring task's periods and may stop it."""
    if not task.recurs or not is_issuer(task, user):
        return set()
    today = today or timezone.localdate()
    if task.ends_on is not None and task.ends_on < today:
        return set()
    return {"generate", "stop"}
