"""Employment assistance (S004 (十), S001 11): the yearly 务工 verification round and its per-person rows, the
乡村公益性岗位 with their placements and monthly attendance, the 就业帮扶车间 with the 脱贫 persons they employ, the
一次性交通补贴 paid, and the county's settings (minimum wage, the share a post's subsidy must reach, the 稳岗补贴
rule)."""

from __future__ import annotations

import datetime
from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse

from shoudi.core.models import ChangeLoggedModel
from shoudi.regions.settings import RegionSettings

from . import choices as c

__all__ = [
    "Attendance",
    "EmploymentSettings",
    "Placement",
    "Post",
    "TransportSubsidy",
    "Verification",
    "VerificationRound",
    "Workshop",
    "WorkshopEmployee",
]

MONEY = {"max_digits": 12, "decimal_places": 2}
FEN = Decimal("0.01")
MEMBER_CODE = "member__household__village__code"


class EmploymentSettings(RegionSettings):
    """The county's employment rules as configuration: the local minimum wage and the share of it a 公益性岗位's
    monthly subsidy must reach (S004 (十)二: in principle 50 %), the ages of the verification, and the 帮扶车间
    稳岗补贴 (S004 (十)三: 6 months and 6,000 元 in the year → 2,000 元 per person)."""

    minimum_wage = models.DecimalField("当地最低工资标准（元/月）", default=Decimal("1800.00"), **MONEY)
    subsidy_share = models.DecimalField(
        "岗位补贴不低于最低工资标准的（%）",
        max_digits=5,
        decimal_places=2,
        default=Decimal("50"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    verify_from_age = models.PositiveSmallIntegerField("就业信息核实起始年龄（周岁）", default=16)
    verify_to_age = models.PositiveSmallIntegerField("就业信息核实截止年龄（周岁，含）", default=60)
    workshop_months = models.PositiveSmallIntegerField("稳岗补贴：年度务工不少于（月）", default=6)
    workshop_income = models.DecimalField("稳岗补贴：年度务工收入不少于（元）", default=Decimal("6000.00"), **MONEY)
    workshop_subsidy = models.DecimalField("稳岗补贴标准（元/人）", default=Decimal("2000.00"), **MONEY)

    class Meta(RegionSettings.Meta):
        verbose_name = verbose_name_plural = "就业帮扶参数"

    def clean(self) -> None:
        super().clean()
        if self.verify_from_age >= self.verify_to_age:
            raise ValidationError({"verify_to_age": "截止年龄应大于起始年龄"})

    @property
    def subsidy_floor(self) -> Decimal:
        """The lowest monthly subsidy not flagged: minimum wage × share, up to the next fen (so that exactly the
        share passes and one fen under does not)."""
        return (self.minimum_wage * self.subsidy_share / Decimal(100)).quantize(FEN, rounding=ROUND_CEILING)

    def workshop_eligible(self, months: int | None, income: Decimal | None) -> bool:
        return (months or 0) >= self.workshop_months and (income or Decimal(0)) >= self.workshop_income


class VerificationRound(ChangeLoggedModel):
    """一年一度的务工信息核实 of a county: started by the county (a mass action: the preview counts, the confirmation
    writes one ``Verification`` per person — in the worker, the round's ``job`` — and the round is 正在生成名单 until
    it has), withdrawn as a whole while nobody has verified anyone. Ages are taken on ``reference_date``."""

    county = models.ForeignKey(
        "regions.Region",
        verbose_name="县",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "county"},
    )
    year = models.PositiveSmallIntegerField("年度")
    reference_date = models.DateField("年龄计算基准日")
    state = models.CharField("状态", max_length=12, choices=c.ROUND_STATES, default=c.CREATING)
    persons = models.PositiveIntegerField("核实人数", default=0)
    job = models.ForeignKey(
        "core.Job", verbose_name="生成名单任务", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤回人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_code_field = "county__code"
    scope_read_ancestors = True  # a township or village user follows his county's round

    class Meta:
        verbose_name = verbose_name_plural = "务工信息核实"
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "year"],
                condition=models.Q(state__in=c.OPEN_STATES),
                name="employment_one_round_a_year",
                violation_error_message="该县本年度已有核实",
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}年务工信息核实"

    def get_absolute_url(self) -> str:
        return reverse("employment:round_detail", args=[self.pk])

    @property
    def is_creating(self) -> bool:
        """Its rows are still being written (or their job failed and waits to be run again)."""
        return self.state == c.CREATING

    @property
    def job_failed(self) -> bool:
        """Its rows' job failed: the round may be withdrawn, or its job run again."""
        return self.is_creating and (self.job is None or self.job.status == self.job.FAILED)


class Verification(ChangeLoggedModel):
    """One person of a round: who is to be verified (his group and age on the round's date) and, once verified, what
    the village found — employed or not, where, how many months, the kind of work. Verifying writes the same facts
    on the registry's member (``services.verify``)."""

    round = models.ForeignKey(VerificationRound, verbose_name="核实", on_delete=models.CASCADE, related_name="rows")
    member = models.ForeignKey(
        "registry.Member", verbose_name="人员", on_delete=models.CASCADE, related_name="employment_verifications"
    )
    village = models.ForeignKey("regions.Region", verbose_name="行政村", on_delete=models.PROTECT, related_name="+")
    group = models.CharField("核实对象", max_length=8, choices=c.GROUPS)
    age = models.PositiveSmallIntegerField("年龄（周岁）")
    verified_at = models.DateTimeField("核实时间", null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    employed = models.BooleanField("是否务工", null=True, blank=True)
    work_place = models.CharField("务工地点", max_length=100, blank=True)
    work_months = models.PositiveSmallIntegerField(
        "务工时间（月）", null=True, blank=True, validators=[MaxValueValidator(12)]
    )
    work_type = models.CharField("务工类型", max_length=20, choices=c.WORK_TYPES, blank=True)

    scope_code_field = "village__code"

    class Meta:
        verbose_name = verbose_name_plural = "务工信息核实记录"
        ordering = ["village__code", "member__household_id", "member_id"]
        constraints = [models.UniqueConstraint(fields=["round", "member"], name="employment_verification_once")]
        indexes = [models.Index(fields=["round", "village"])]

    def __str__(self) -> str:
        return f"{self.round}：{self.member.name}"

    def audit_parent(self):
        return self.round

    def get_absolute_url(self) -> str:
        return reverse("employment:verify", args=[self.pk])

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class Post(ChangeLoggedModel):
    """A 乡村公益性岗位 (S004 (十)二): its name, where it is, who employs (谁用人、谁管理) and the monthly subsidy."""

    name = models.CharField("岗位名称", max_length=50)
    region = models.ForeignKey("regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    employer = models.CharField("用人单位", max_length=100)
    monthly_subsidy = models.DecimalField("岗位补贴标准（元/月）", **MONEY)
    note = models.CharField("备注", max_length=200, blank=True)

    scope_code_field = "region__code"

    class Meta:
        verbose_name = verbose_name_plural = "公益性岗位"
        ordering = ["region__code", "name", "id"]

    def __str__(self) -> str:
        return f"{self.region.name}{self.name}" if self.region_id else self.name

    def get_absolute_url(self) -> str:
        return reverse("employment:post_detail", args=[self.pk])


class Placement(ChangeLoggedModel):
    """A person on a post from ``start_date`` (to ``end_date``, open while he holds it)."""

    post = models.ForeignKey(Post, verbose_name="岗位", on_delete=models.PROTECT, related_name="placements")
    member = models.ForeignKey(
        "registry.Member", verbose_name="上岗人员", on_delete=models.PROTECT, related_name="post_placements"
    )
    start_date = models.DateField("上岗日期")
    end_date = models.DateField("离岗日期", null=True, blank=True)

    scope_code_field = MEMBER_CODE

    class Meta:
        verbose_name = verbose_name_plural = "公益性岗位人员"
        ordering = ["post_id", "start_date", "id"]

    def __str__(self) -> str:
        return f"{self.member.name}（{self.post.name}）"

    def audit_parent(self):
        return self.post

    def get_absolute_url(self) -> str:
        return self.post.get_absolute_url()

    def clean(self) -> None:
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "离岗日期不能早于上岗日期"})


class Attendance(ChangeLoggedModel):
    """The month of a placement: days worked and the subsidy paid. A subsidy under the settings' floor (minimum
    wage × share) is flagged (``selectors.flagged_attendance``)."""

    placement = models.ForeignKey(Placement, verbose_name="岗位人员", on_delete=models.CASCADE, related_name="months")
    month = models.DateField("月份", help_text="该月任一日，按月记录")
    days = models.PositiveSmallIntegerField("出勤天数", validators=[MaxValueValidator(31)])
    subsidy_paid = models.DecimalField("发放补贴（元）", **MONEY)

    scope_code_field = f"placement__{MEMBER_CODE}"
    # a named person's pay: exporting the list is logged, the change log hides the amount from who may not unmask
    personal_fields = {"subsidy_paid": "hidden"}

    class Meta:
        verbose_name = verbose_name_plural = "公益性岗位考勤"
        ordering = ["-month", "placement_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "month"],
                name="employment_attendance_month",
                violation_error_message="该月已有考勤",
            )
        ]

    def __str__(self) -> str:
        return f"{self.placement.member.name} {self.month:%Y年%m月}考勤"

    def audit_parent(self):
        return self.placement.post

    def get_absolute_url(self) -> str:
        return self.placement.post.get_absolute_url()

    def save(self, *args, **kwargs):
        if isinstance(self.month, datetime.date):
            self.month = self.month.replace(day=1)  # one row a month, whichever day was typed
        super().save(*args, **kwargs)


class Workshop(ChangeLoggedModel):
    """A 就业帮扶车间 (S004 (十)三): its name, where it is and who runs it."""

    name = models.CharField("车间名称", max_length=100)
    region = models.ForeignKey("regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    operator = models.CharField("经营主体", max_length=100)
    contact = models.CharField("负责人", max_length=50, blank=True)

    scope_code_field = "region__code"

    class Meta:
        verbose_name = verbose_name_plural = "就业帮扶车间"
        ordering = ["region__code", "name", "id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("employment:workshop_detail", args=[self.pk])


class WorkshopEmployee(ChangeLoggedModel):
    """A 脱贫 person (or 监测对象) the workshop employed in ``year``: months and income, from which the 稳岗补贴
    eligibility follows (``EmploymentSettings.workshop_eligible``)."""

    workshop = models.ForeignKey(Workshop, verbose_name="车间", on_delete=models.PROTECT, related_name="employees")
    member = models.ForeignKey(
        "registry.Member", verbose_name="务工人员", on_delete=models.PROTECT, related_name="workshop_jobs"
    )
    year = models.PositiveSmallIntegerField("年度")
    months = models.PositiveSmallIntegerField("务工时间（月）", validators=[MaxValueValidator(12)])
    income = models.DecimalField("务工收入（元）", **MONEY)

    scope_code_field = MEMBER_CODE

    class Meta:
        verbose_name = verbose_name_plural = "帮扶车间务工人员"
        ordering = ["workshop_id", "-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["workshop", "member", "year"],
                name="employment_workshop_once_a_year",
                violation_error_message="该人员本年度已在此车间登记",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member.name}（{self.workshop.name} {self.year}年）"

    def audit_parent(self):
        return self.workshop

    def get_absolute_url(self) -> str:
        return self.workshop.get_absolute_url()


class TransportSubsidy(ChangeLoggedModel):
    """一次性交通补贴 (S004 (十)四) paid to a 脱贫 person who went out to work."""

    member = models.ForeignKey(
        "registry.Member", verbose_name="人员", on_delete=models.PROTECT, related_name="transport_subsidies"
    )
    year = models.PositiveSmallIntegerField("年度")
    destination = models.CharField("务工地点", max_length=100)
    amount = models.DecimalField("补贴金额（元）", **MONEY)
    paid_on = models.DateField("发放日期", null=True, blank=True)

    scope_code_field = MEMBER_CODE
    # a named person's subsidy: exporting the list is logged, the change log hides the amount from who may not unmask
    personal_fields = {"amount": "hidden"}

    class Meta:
        verbose_name = verbose_name_plural = "一次性交通补贴"
        ordering = ["-year", "member__household__village__code", "id"]

    def __str__(self) -> str:
        return f"{self.member.name} {self.year}年交通补贴"

    def get_absolute_url(self) -> str:
        return reverse("employment:transportsubsidy_list")
