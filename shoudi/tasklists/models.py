"""Task lists (任务清单): a list of tasks an issuer (county or township) gives to townships, villages or units, each
recipient's assignment of a task with its own state, and the steps of an assignment."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from shoudi.core.models import ChangeLoggedModel

from . import choices as c

__all__ = ["Assignment", "AssignmentStep", "Recipient", "Task", "TaskList"]


class TaskList(ChangeLoggedModel):
    """A list of tasks given at once, usually a month's (一月一清单): issued by a county or township, whose level
    reviews what its recipients report. Seen by the issuer's level and above, and by the recipients of its tasks."""

    title = models.CharField("清单名称", max_length=200)
    month = models.DateField("所属月份", null=True, blank=True, help_text="一月一清单：该月的第一天")
    document_no = models.CharField("文件编号", max_length=60, blank=True)
    description = models.TextField("说明", blank=True)
    issuer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="下发人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issuer_region = models.ForeignKey(
        "regions.Region", verbose_name="下发单位", on_delete=models.PROTECT, related_name="issued_task_lists"
    )

    scope_code_field = "issuer_region__code"

    class Meta:
        verbose_name = verbose_name_plural = "任务清单"
        ordering = ["-month", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tasklists:list_detail", args=[self.pk])


class Task(ChangeLoggedModel):
    """One task: what is to be done, the result required (文字/文件/数字), its due date (a date or N 工作日; for a
    recurring task the rule of each period) and its recipients. A recurring task is the template of its weekly or
    monthly assignments, one per period per recipient."""

    task_list = models.ForeignKey(
        TaskList, verbose_name="所属清单", null=True, blank=True, on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField("任务", max_length=200)
    description = models.TextField("任务内容", blank=True)
    result_kind = models.CharField("成果形式", max_length=10, choices=c.RESULT_CHOICES, default=c.TEXT)
    result_description = models.CharField("成果要求", max_length=300, blank=True)
    focus = models.BooleanField("本周重点", default=False)
    issuer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="下发人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issuer_region = models.ForeignKey(
        "regions.Region", verbose_name="下发单位", on_delete=models.PROTECT, related_name="issued_tasks"
    )
    issued_on = models.DateField("下发日期", default=timezone.localdate)
    due_date = models.DateField("完成时限", null=True, blank=True)
    due_workdays = models.PositiveIntegerField("时限（工作日）", null=True, blank=True)
    recurrence = models.CharField("重复", max_length=10, choices=c.RECURRENCE_CHOICES, blank=True, default=c.ONCE)
    due_weekday = models.PositiveSmallIntegerField("每周完成日", choices=c.WEEKDAY_CHOICES, null=True, blank=True)
    due_monthday = models.PositiveSmallIntegerField("每月完成日", null=True, blank=True)
    starts_on = models.DateField("重复开始日期", null=True, blank=True)
    ends_on = models.DateField("重复结束日期", null=True, blank=True)

    scope_code_field = "issuer_region__code"

    class Meta:
        verbose_name = verbose_name_plural = "清单任务"
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["recurrence", "starts_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tasklists:task_detail", args=[self.pk])

    @property
    def recurs(self) -> bool:
        return bool(self.recurrence)

    def due_rule(self) -> str:
        """The due date in words, as the task page and the ledger say it."""
        if self.recurs:
            every = "每周" if self.recurrence == c.WEEKLY else "每月"
            if self.due_workdays:
                return f"{every}第 {self.due_workdays} 个工作日"
            day = self.get_due_weekday_display() if self.recurrence == c.WEEKLY else f"{self.due_monthday}日"
            return f"{every}{day}（遇节假日顺延）"
        if self.due_workdays:
            return f"下发后 {self.due_workdays} 个工作日内"
        return f"{self.due_date:%Y-%m-%d}前" if self.due_date else ""


class Recipient(models.Model):
    """Who a task is given to: a region below the issuer's (a township or village), or a unit (单位) of the issuer's
    own level with its responsible person. A recurring task's assignments are made for these rows."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="recipients")
    region = models.ForeignKey("regions.Region", verbose_name="承办区划", on_delete=models.PROTECT, related_name="+")
    unit = models.CharField("承办单位", max_length=100, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "任务承办方"
        constraints = [models.UniqueConstraint(fields=["task", "region", "unit"], name="tasklists_one_recipient")]

    def __str__(self) -> str:
        return f"{self.region.name}{' · ' + self.unit if self.unit else ''}"


class Assignment(ChangeLoggedModel):
    """One recipient's part of a task for one period (a task that does not recur has one period, from its issue
    date): its due date, state, what was reported, and the review at the issuer's level. The pair (task, recipient,
    period start) is unique, so generating a period twice makes nothing twice."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="assignments")
    region = models.ForeignKey(
        "regions.Region", verbose_name="承办区划", on_delete=models.PROTECT, related_name="task_assignments"
    )
    unit = models.CharField("承办单位", max_length=100, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="task_assignments",
    )
    period_start = models.DateField("周期开始")
    period_end = models.DateField("周期结束", null=True, blank=True)
    due_date = models.DateField("完成时限")
    due_workdays = models.PositiveIntegerField("时限（工作日）", null=True, blank=True)
    due_fallback = models.BooleanField("时限未按节假日计算", default=False)
    state = models.CharField("状态", max_length=12, choices=c.STATE_CHOICES, default=c.ISSUED)
    result_text = models.TextField("报送成果", blank=True)
    result_figure = models.DecimalField("报送数字", max_digits=14, decimal_places=2, null=True, blank=True)
    returned_reason = models.CharField("退回理由", max_length=300, blank=True)
    submitted_on = models.DateField("报送日期", null=True, blank=True)
    done_on = models.DateField("完成日期", null=True, blank=True)

    scope_code_field = "region__code"

    class Meta:
        verbose_name = verbose_name_plural = "任务办理"
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "region", "unit", "period_start"], name="tasklists_one_assignment_per_period"
            )
        ]
        indexes = [models.Index(fields=["state", "due_date"])]

    def __str__(self) -> str:
        return f"{self.task.title}（{self.recipient_name}）"

    def get_absolute_url(self) -> str:
        return reverse("tasklists:assignment_detail", args=[self.pk])

    @property
    def recipient_name(self) -> str:
        return f"{self.region.name} · {self.unit}" if self.unit else self.region.name

    @property
    def is_overdue(self) -> bool:
        return self.state in c.RUNNING_STATES and self.due_date < timezone.localdate()

    @property
    def period_label(self) -> str:
        """本期: a week as its year and ISO week number with its days, a month as 2026年10月; "" for a single task."""
        start, end = self.period_start, self.period_end
        if end is None:
            return ""
        if (end - start).days <= 6:
            year, week, _ = start.isocalendar()
            return f"{year}年第{week}周（{start.month}月{start.day}日—{end.month}月{end.day}日）"
        return f"{start.year}年{start.month}月"


def evidence_path(instance, filename: str) -> str:
    return f"tasks/{instance.assignment_id}/{filename}"


class AssignmentStep(models.Model):
    """One step of an assignment: who did what, when, with the text, the figure and the file he gave."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("操作", max_length=20)
    state = models.CharField("操作后状态", max_length=12, choices=c.STATE_CHOICES)
    text = models.TextField("说明", blank=True)
    figure = models.DecimalField("数字", max_digits=14, decimal_places=2, null=True, blank=True)
    file = models.FileField("附件", upload_to=evidence_path, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    user_name = models.CharField("办理人", max_length=150)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "任务办理步骤"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}（{self.user_name}）"
