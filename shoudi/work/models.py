"""A problem to rectify (问题整改) and the steps of its one life cycle."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from shoudi.core.models import ChangeLoggedModel

from . import choices as c

__all__ = ["Problem", "ProblemStep"]


class Problem(ChangeLoggedModel):
    """A problem found by an issuer (county or township) and given to a responsible region or unit to rectify; it is
    closed (销号) only when the issuer's level approves the rectification.

    ``source_model`` + ``source_pk`` name the object a problem was raised from (a matching finding, a data-quality
    check, a campaign item): empty for a problem entered or imported by hand. ADR 0010.
    """

    source = models.CharField("问题来源", max_length=20, choices=c.SOURCE_CHOICES)
    document_no = models.CharField("文件编号", max_length=60, blank=True)
    category = models.CharField("问题类别", max_length=20, choices=c.CATEGORY_CHOICES)
    severity = models.CharField("严重程度", max_length=10, choices=c.SEVERITY_CHOICES, default="一般")
    title = models.CharField("问题", max_length=200)
    description = models.TextField("问题描述", blank=True)
    issuer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="下发人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    issuer_region = models.ForeignKey(
        "regions.Region", verbose_name="下发单位", on_delete=models.PROTECT, related_name="issued_problems"
    )
    region = models.ForeignKey(
        "regions.Region", verbose_name="责任区划", on_delete=models.PROTECT, related_name="problems"
    )
    unit = models.CharField("责任单位", max_length=100, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="责任人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_problems",
    )
    issued_on = models.DateField("下发日期", default=timezone.localdate)
    due_date = models.DateField("整改期限")
    due_workdays = models.PositiveIntegerField("期限（工作日）", null=True, blank=True)
    due_fallback = models.BooleanField("期限未按节假日计算", default=False)
    households = models.ManyToManyField("registry.Household", verbose_name="涉及农户", blank=True, related_name="+")
    state = models.CharField("状态", max_length=12, choices=c.STATE_CHOICES, default=c.ISSUED)
    suspended_from = models.CharField("挂起前状态", max_length=12, blank=True, editable=False)
    extension_to = models.DateField("申请延期至", null=True, blank=True)
    extension_reason = models.CharField("延期理由", max_length=300, blank=True)
    returned_reason = models.CharField("驳回理由", max_length=300, blank=True)
    closed_on = models.DateField("销号日期", null=True, blank=True)
    # 申请销号: what the responsible side asks the problem to be closed as; 已销号: what it was closed as
    outcome = models.CharField("销号结论", max_length=10, choices=c.OUTCOME_CHOICES, blank=True, editable=False)
    # a problem raised by a check (数据质量…): the data it was raised on, so that a waiver (不是问题) holds until they
    # change (``raising.issue_problems_bulk``)
    fingerprint = models.CharField("数据指纹", max_length=500, blank=True, editable=False)
    source_model = models.CharField("来源对象类型", max_length=60, blank=True, editable=False)
    source_pk = models.CharField("来源对象编号", max_length=40, blank=True, editable=False)

    scope_code_field = "region__code"

    class Meta:
        verbose_name = verbose_name_plural = "整改问题"
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["state", "due_date"]), models.Index(fields=["source_model", "source_pk"])]
        constraints = [
            # one problem at a time for an object a check raised problems from (ADR 0011)
            models.UniqueConstraint(
                fields=["source_model", "source_pk"],
                condition=Q(state__in=c.UNCLOSED_STATES) & ~Q(source_model=""),
                name="work_problem_one_unclosed_per_source",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("work:problem_detail", args=[self.pk])

    @property
    def state_label(self) -> str:
        """The state as the pages say it: a 申请销号 or 已销号 as 不是问题 says so."""
        if self.outcome == c.NOT_A_PROBLEM and self.state == c.APPLIED:
            return "申请认定不是问题"
        if self.outcome == c.NOT_A_PROBLEM and self.state == c.CLOSED:
            return "已销号（不是问题）"
        return self.get_state_display()

    @property
    def is_overdue(self) -> bool:
        return self.state in c.RUNNING_STATES and self.due_date < timezone.localdate()


def evidence_path(instance, filename: str) -> str:
    return f"problems/{instance.problem_id}/{filename}"


class ProblemStep(models.Model):
    """One step of a problem: who did what, when, with the text and the evidence he gave."""

    problem = models.ForeignKey(Problem, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("操作", max_length=20)
    state = models.CharField("操作后状态", max_length=12, choices=c.STATE_CHOICES)
    text = models.TextField("说明", blank=True)
    evidence = models.TextField("佐证说明", blank=True)
    file = models.FileField("佐证材料", upload_to=evidence_path, blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    user_name = models.CharField("办理人", max_length=150)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "整改步骤"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}（{self.user_name}）"
