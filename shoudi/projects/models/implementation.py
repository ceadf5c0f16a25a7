"""Implementation (S001 38–41): 招投标 and 民主议事 records, progress with photos, the 村监委会's supervision notes,
绩效 targets and their evaluation, the flow of 衔接资金 (下达, 预算执行, payments) and the county's quarterly 督查."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.urls import reverse
from django.utils import timezone

from shoudi.core.models import ChangeLoggedModel

from .. import choices as c
from .library import MONEY, Project, photo_path

__all__ = ["Allocation", "Decision", "Inspection", "Payment", "PerformanceTarget", "ProgressReport", "Supervision"]


class Decision(ChangeLoggedModel):
    """How the project was given out: 招投标 under the procurement rules, or 民主议事 (三重一大, 四议两公开) for a
    project the villagers build themselves (S001 38)."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="decisions")
    kind = models.CharField("方式", max_length=20, choices=c.DECISION_KIND_CHOICES)
    decided_on = models.DateField("日期")
    steps = models.JSONField("四议两公开已完成环节", default=list, blank=True)
    content = models.TextField("主要内容/决议事项")
    contractor = models.CharField("中标（承建）单位", max_length=150, blank=True)
    amount = models.DecimalField("合同金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    file = models.FileField("会议记录或中标通知书", upload_to=photo_path, blank=True)

    scope_code_field = "project__region__code"

    class Meta:
        verbose_name = verbose_name_plural = "招投标与民主议事"
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.kind}（{self.decided_on:%Y-%m-%d}）"

    def audit_parent(self):
        return self.project


class ProgressReport(ChangeLoggedModel):
    """A progress report of the works: its date, the 形象进度 in percent, what was done, a photo."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="progress_reports")
    reported_on = models.DateField("日期")
    percent = models.PositiveSmallIntegerField("形象进度（%）")
    text = models.TextField("进展情况")
    photo = models.FileField("现场照片", upload_to=photo_path, blank=True)

    scope_code_field = "project__region__code"

    class Meta:
        verbose_name = verbose_name_plural = "项目进度"
        ordering = ["reported_on", "id"]

    def __str__(self) -> str:
        return f"{self.reported_on:%Y-%m-%d} {self.percent}%"

    def audit_parent(self):
        return self.project


class Supervision(ChangeLoggedModel):
    """A supervision note of the 村监委会 or the 监理单位 on progress and quality (S001 38)."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="supervisions")
    supervised_on = models.DateField("日期")
    supervisor = models.CharField("监督主体", max_length=20, choices=c.SUPERVISOR_CHOICES, default="村监委会")
    supervisor_name = models.CharField("监督人", max_length=100, blank=True)
    content = models.TextField("监督内容")
    issues = models.TextField("发现问题", blank=True)
    photo = models.FileField("现场照片", upload_to=photo_path, blank=True)

    scope_code_field = "project__region__code"

    class Meta:
        verbose_name = verbose_name_plural = "监督记录"
        ordering = ["supervised_on", "id"]

    def __str__(self) -> str:
        return f"{self.supervisor}（{self.supervised_on:%Y-%m-%d}）"

    def audit_parent(self):
        return self.project


class PerformanceTarget(ChangeLoggedModel):
    """A 绩效目标 of the project (S001 40: 绩效申报、监控、考核) and its evaluation."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="targets")
    level = models.CharField("一级指标", max_length=10, choices=c.TARGET_LEVEL_CHOICES)
    name = models.CharField("指标名称", max_length=100)
    target = models.CharField("目标值", max_length=100)
    actual = models.CharField("完成值", max_length=100, blank=True)
    achieved = models.BooleanField("是否达成", null=True, blank=True)
    evaluated_on = models.DateField("评价日期", null=True, blank=True)
    note = models.CharField("评价说明", max_length=300, blank=True)

    scope_code_field = "project__region__code"

    class Meta:
        verbose_name = verbose_name_plural = "绩效目标"
        ordering = ["level", "id"]

    def __str__(self) -> str:
        return f"{self.name}：{self.target}"

    def audit_parent(self):
        return self.project


class Allocation(ChangeLoggedModel):
    """A 下达 of funds to the project from one source, by document: 预算执行 must start within 15 working days
    (S001 39), ``execution_due``; ``execution_started_on`` records when it did."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="allocations")
    source = models.CharField("资金来源", max_length=10, choices=c.FUND_SOURCES)
    amount = models.DecimalField("下达金额（元）", max_digits=14, decimal_places=2)
    allocated_on = models.DateField("下达日期")
    document_no = models.CharField("下达文号", max_length=60, blank=True)
    execution_due = models.DateField("预算执行期限")
    execution_due_fallback = models.BooleanField("期限未按节假日计算", default=False)
    execution_started_on = models.DateField("预算执行开始日期", null=True, blank=True)
    execution_note = models.CharField("预算执行说明", max_length=300, blank=True)

    scope_code_field = "project__region__code"

    class Meta:
        verbose_name = verbose_name_plural = "衔接资金下达"
        ordering = ["allocated_on", "id"]
        indexes = [models.Index(fields=["execution_started_on", "execution_due"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.amount:,.2f} 元（{self.allocated_on:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", args=[self.project_id]) + "#funds"

    def audit_parent(self):
        return self.project

    @property
    def execution_overdue(self) -> bool:
        return self.execution_started_on is None and self.execution_due < timezone.localdate()

    @property
    def started_late(self) -> bool:
        return bool(self.execution_started_on and self.execution_started_on > self.execution_due)


class Payment(ChangeLoggedModel):
    """A payment (拨付) to the project, by progress (S001 39: 预付制度, 按照项目进度拨付资金)."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="payments")
    allocation = models.ForeignKey(
        Allocation, verbose_name="资金批次", null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    kind = models.CharField("拨付类型", max_length=10, choices=c.PAYMENT_KIND_CHOICES)
    amount = models.DecimalField("拨付金额（元）", max_digits=14, decimal_places=2)
    paid_on = models.DateField("拨付日期")
    progress = models.PositiveSmallIntegerField("拨付时形象进度（%）", default=0)
    voucher = models.CharField("凭证号", max_length=60, blank=True)

    scope_code_field = "project__region__code"

    class Meta:
        verbose_name = verbose_name_plural = "资金拨付"
        ordering = ["paid_on", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount:,.2f} 元（{self.paid_on:%Y-%m-%d}）"

    def audit_parent(self):
        return self.project


class Inspection(ChangeLoggedModel):
    """A quarterly 督查 of the use of 衔接资金 in a region (S001 41: 县级每季度组织一次督查检查): who inspected,
    what they found and what must be put right."""

    region = models.ForeignKey("regions.Region", verbose_name="督查区划", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", choices=[(q, f"第{q}季度") for q in (1, 2, 3, 4)])
    inspected_on = models.DateField("督查日期", default=timezone.localdate)
    inspectors = models.CharField("督查人员", max_length=200)
    scope = models.TextField("督查范围（项目、资金）", blank=True)
    findings = models.TextField("发现问题", blank=True)
    rectification = models.TextField("整改要求", blank=True)
    amount_checked = models.DecimalField("检查资金（元）", **{**MONEY, "default": Decimal("0")})

    scope_code_field = "region__code"
    scope_read_ancestors = True  # a township reads the county's 督查 of it

    class Meta:
        verbose_name = verbose_name_plural = "衔接资金督查"
        ordering = ["-year", "-quarter", "-inspected_on"]

    def __str__(self) -> str:
        return f"{self.region.name} {self.year}年第{self.quarter}季度督查"

    def get_absolute_url(self) -> str:
        return reverse("projects:inspection_edit", args=[self.pk])
