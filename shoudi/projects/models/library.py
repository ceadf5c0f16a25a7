"""The 项目库: a project with its budget by fund source and its beneficiaries, the steps of its review chain and
life, and its 公告公示 with their objections."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from shoudi.core.models import ChangeLoggedModel

from .. import choices as c

__all__ = ["MONEY", "Objection", "Project", "ProjectStep", "Publicity", "photo_path"]

MONEY = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0")}
ZERO = Decimal("0.00")


def photo_path(instance, filename: str) -> str:
    project_id = getattr(instance, "project_id", None) or "x"
    return f"projects/{project_id}/{type(instance).__name__.lower()}/{filename}"


class Project(ChangeLoggedModel):
    """A project of the 巩固拓展脱贫攻坚成果和乡村振兴项目库 (S001 37): proposed by a village, a township or a
    department, reviewed by the township, 论证 by the county, 公示 and 入库; chosen into a year's plan, funded with
    衔接资金, built, accepted and settled. Its assets (``Asset``) follow its acceptance.

    ``region`` is where it is built (a village, a township, or the county for a county-wide project): the scope of
    the project. ``proposer_level`` says where its chain starts (a village's project is reviewed by its township).
    Deadlines carry a ``*_fallback`` flag when a year of the holidays calendar had not been entered.
    """

    name = models.CharField("项目名称", max_length=200)
    project_type = models.CharField("项目类型", max_length=20, choices=c.TYPE_CHOICES)
    subtype = models.CharField("项目子类型", max_length=30, choices=c.SUBTYPE_CHOICES)
    region = models.ForeignKey("regions.Region", verbose_name="建设地点（区划）", on_delete=models.PROTECT)
    location = models.CharField("具体地点", max_length=200, blank=True)
    implementing_unit = models.CharField("实施单位", max_length=100)
    proposer_level = models.CharField("申报层级", max_length=10, choices=c.LEVEL_CHOICES, default="village")
    proposer_unit = models.CharField("申报单位", max_length=100, blank=True)
    year = models.PositiveSmallIntegerField("项目年度")
    end_year = models.PositiveSmallIntegerField("计划完成年度", null=True, blank=True)
    content = models.TextField("建设内容及规模", blank=True)
    budget_central = models.DecimalField("中央衔接资金（元）", **MONEY)
    budget_province = models.DecimalField("省级衔接资金（元）", **MONEY)
    budget_city = models.DecimalField("市级衔接资金（元）", **MONEY)
    budget_county = models.DecimalField("县级衔接资金（元）", **MONEY)
    budget_other = models.DecimalField("其他资金（元）", **MONEY)
    linkage = models.TextField("联农带农机制", blank=True)
    beneficiaries = models.ManyToManyField(
        "registry.Household", verbose_name="受益农户", blank=True, related_name="projects"
    )
    state = models.CharField("状态", max_length=12, choices=c.STATE_CHOICES, default=c.PROPOSED)
    returned_reason = models.CharField("退回理由", max_length=300, blank=True)
    assessment = models.TextField("县级论证意见", blank=True)
    library_on = models.DateField("入库日期", null=True, blank=True)
    plan_year = models.PositiveSmallIntegerField("计划年度", null=True, blank=True)
    started_on = models.DateField("开工日期", null=True, blank=True)
    progress = models.PositiveSmallIntegerField("形象进度（%）", default=0)
    completed_on = models.DateField("竣工日期", null=True, blank=True)
    acceptance_due = models.DateField("验收期限", null=True, blank=True)
    acceptance_due_fallback = models.BooleanField("验收期限未按节假日计算", default=False)
    accepted_on = models.DateField("验收日期", null=True, blank=True)
    acceptance_note = models.TextField("验收意见", blank=True)
    settled_on = models.DateField("结算报账日期", null=True, blank=True)
    settlement_kind = models.CharField("结算方式", max_length=4, choices=c.SETTLEMENT_KINDS, blank=True)
    settled_amount = models.DecimalField("结算金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    imported = models.BooleanField("导入的存量项目", default=False, editable=False)

    scope_code_field = "region__code"

    class Meta:
        verbose_name = verbose_name_plural = "项目"
        ordering = ["-year", "region__code", "id"]
        indexes = [models.Index(fields=["state", "year"]), models.Index(fields=["plan_year"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:project_detail", args=[self.pk])

    @property
    def budget_linkage(self) -> Decimal:
        """衔接资金: the four levels' linkage funds."""
        return sum((getattr(self, f"budget_{s}") for s in c.LINKAGE_SOURCES), ZERO)

    @property
    def budget_total(self) -> Decimal:
        return self.budget_linkage + self.budget_other

    def budget_of(self, source: str) -> Decimal:
        return getattr(self, f"budget_{source}")

    @property
    def acceptance_overdue(self) -> bool:
        return self.state == c.COMPLETED and self.acceptance_due is not None and self.acceptance_due < _today()

    @property
    def accepted_late(self) -> bool:
        return bool(self.accepted_on and self.acceptance_due and self.accepted_on > self.acceptance_due)


def _today():
    return timezone.localdate()


class ProjectStep(models.Model):
    """One step of a project's chain or life: who did what, when, with his opinion."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="steps")
    action = models.CharField("操作", max_length=30)
    state = models.CharField("操作后状态", max_length=12, choices=c.STATE_CHOICES)
    text = models.TextField("意见/说明", blank=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    user_name = models.CharField("办理人", max_length=150)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "项目办理记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.action}（{self.user_name}）"


class Publicity(ChangeLoggedModel):
    """A 公告公示 of a project (落实项目库公告公示制度, S001 37, 41): its stage, dates, place and content; objections
    raised while it runs must be resolved before the project moves on. A 收益分配公示 names its plan."""

    project = models.ForeignKey(Project, verbose_name="项目", on_delete=models.CASCADE, related_name="publicities")
    plan = models.ForeignKey(
        "projects.DistributionPlan",
        verbose_name="收益分配方案",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="publicities",
    )
    stage = models.CharField("公示类型", max_length=20, choices=c.PUBLICITY_STAGE_CHOICES)
    start = models.DateField("公示开始")
    end = models.DateField("公示结束")
    place = models.CharField("公示地点/渠道", max_length=200)
    content = models.TextField("公示内容", blank=True)
    photo = models.FileField("公示照片", upload_to=photo_path, blank=True)
    recorded_by = models.CharField("登记人", max_length=150, blank=True)

    scope_code_field = "project__region__code"

    class Meta:
        verbose_name = verbose_name_plural = "公告公示"
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return f"{self.project}：{self.stage}（{self.start:%Y-%m-%d}至{self.end:%Y-%m-%d}）"

    def audit_parent(self):
        return self.project

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def ended(self, today=None) -> bool:
        return self.end < (today or _today())


class Objection(models.Model):
    """An objection raised during a 公示, and how it was resolved: ``upheld`` (成立) sends the project back for
    revision; None is still open."""

    publicity = models.ForeignKey(Publicity, verbose_name="公示", on_delete=models.CASCADE, related_name="objections")
    received_on = models.DateField("收到日期", default=timezone.localdate)
    raised_by = models.CharField("提出人", max_length=100, blank=True)
    content = models.TextField("异议内容")
    upheld = models.BooleanField("异议是否成立", null=True, blank=True)
    resolution = models.TextField("处理结果", blank=True)
    resolved_on = models.DateField("处理日期", null=True, blank=True)
    resolved_by = models.CharField("处理人", max_length=150, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公示异议"
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return self.content[:40]

    @property
    def is_open(self) -> bool:
        return self.upheld is None
