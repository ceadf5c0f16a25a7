"""Assistance: cadres, pairings, measures, visits, guarantee problems, quarterly assessments, rhythm settings."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from shoudi.core.models import ChangeLoggedModel
from shoudi.core.scope import RestrictedQuerySet
from shoudi.regions.settings import RegionSettings
from shoudi.registry.models import compute_income
from shoudi.work import lifecycle as lc

from . import choices as c

__all__ = [
    "Assessment",
    "Cadre",
    "GuaranteeProblem",
    "IncomeEstimate",
    "Measure",
    "Pairing",
    "Portrait",
    "RhythmSettings",
    "Visit",
    "VisitPhoto",
]


class Cadre(ChangeLoggedModel):
    """A 帮扶干部 (结对帮扶责任人): his unit (后盾单位), position and phone; optionally a login of role 帮扶干部."""

    name = models.CharField("姓名", max_length=50)
    unit = models.CharField("单位（后盾单位）", max_length=100)
    position = models.CharField("职务", max_length=50, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        verbose_name="帮扶区域",
        on_delete=models.PROTECT,
        related_name="cadres",
        help_text="干部所联系的县、乡镇或村",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="登录账号",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cadre",
    )
    active = models.BooleanField("在岗", default=True)

    scope_code_field = "region__code"
    scope_read_ancestors = True  # a village officer pairs households with the township's and county's cadres too
    personal_fields = {"phone": "phone"}

    class Meta:
        verbose_name = verbose_name_plural = "帮扶干部"
        ordering = ["region__code", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"

    def get_absolute_url(self) -> str:
        return reverse("assistance:cadre_detail", args=[self.pk])


class Pairing(ChangeLoggedModel):
    """结对帮扶: a cadre paired with a household from ``start_date``; a current pairing has no ``end_date``."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="农户", on_delete=models.PROTECT, related_name="pairings"
    )
    cadre = models.ForeignKey(Cadre, verbose_name="帮扶干部", on_delete=models.PROTECT, related_name="pairings")
    start_date = models.DateField("结对日期", default=timezone.localdate)
    end_date = models.DateField("结束日期", null=True, blank=True)
    reason = models.CharField("结对/调整原因", max_length=200, blank=True)
    end_reason = models.CharField("结束原因", max_length=200, blank=True)

    scope_code_field = "household__village__code"

    class Meta:
        verbose_name = verbose_name_plural = "结对帮扶"
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(end_date__isnull=True), name="pairing_one_current_per_household"
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadre.name} ↔ {self.household.household_no}"

    def audit_parent(self):
        return self.household

    def get_absolute_url(self) -> str:
        return reverse("registry:household_detail", args=[self.household_id])


class Measure(ChangeLoggedModel):
    """帮扶措施 for a household, linked to its monitoring case when there is one."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="农户", on_delete=models.PROTECT, related_name="measures"
    )
    case = models.ForeignKey(
        "monitoring.MonitoringCase",
        verbose_name="监测记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="measures",
    )
    category = models.CharField("措施类别", max_length=12, choices=c.CATEGORY_CHOICES)
    sub_item = models.CharField("具体项目", max_length=30)
    content = models.TextField("措施内容")
    amount = models.DecimalField("金额（元）", max_digits=12, decimal_places=2, null=True, blank=True)
    department = models.CharField("责任部门", max_length=50, blank=True)
    planned_on = models.DateField("计划日期", null=True, blank=True)
    implemented_on = models.DateField("落实日期", null=True, blank=True)
    status = models.CharField("状态", max_length=4, choices=c.MEASURE_STATUS, default="计划")

    scope_code_field = "household__village__code"

    class Meta:
        verbose_name = verbose_name_plural = "帮扶措施"
        ordering = ["-planned_on", "-id"]
        indexes = [models.Index(fields=["household", "status"])]

    def __str__(self) -> str:
        return f"{self.category}·{self.sub_item}"

    def audit_parent(self):
        return self.household

    def get_absolute_url(self) -> str:
        return reverse("registry:household_detail", args=[self.household_id]) + "#assistance"


class Visit(ChangeLoggedModel):
    """走访: a visit, call or WeChat contact, with the 两不愁三保障 and water checklist."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="农户", on_delete=models.PROTECT, related_name="visits"
    )
    cadre = models.ForeignKey(
        Cadre, verbose_name="帮扶干部", null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    visited_on = models.DateField("走访日期", default=timezone.localdate)
    kind = models.CharField("方式", max_length=2, choices=c.VISIT_KINDS, default="入户")
    visitor = models.CharField("走访人", max_length=50)
    content = models.TextField("走访内容")
    food_clothing_ok = models.BooleanField(c.CHECKLIST["food_clothing_ok"], null=True, blank=True)
    education_ok = models.BooleanField(c.CHECKLIST["education_ok"], null=True, blank=True)
    medical_ok = models.BooleanField(c.CHECKLIST["medical_ok"], null=True, blank=True)
    housing_ok = models.BooleanField(c.CHECKLIST["housing_ok"], null=True, blank=True)
    water_ok = models.BooleanField(c.CHECKLIST["water_ok"], null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)

    scope_code_field = "household__village__code"

    class Meta:
        verbose_name = verbose_name_plural = "走访记录"
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["household", "visited_on", "kind"], name="visit_household_day_kind")]

    def __str__(self) -> str:
        return f"{self.visited_on:%Y-%m-%d} {self.kind}"

    def audit_parent(self):
        return self.household

    def get_absolute_url(self) -> str:
        return reverse("registry:household_detail", args=[self.household_id]) + "#assistance"


def photo_path(instance, filename: str) -> str:
    return f"visits/{instance.visit_id}/{filename}"


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField("照片", upload_to=photo_path)

    class Meta:
        verbose_name = verbose_name_plural = "走访照片"

    def __str__(self) -> str:
        return self.image.name


class GuaranteeProblemQuerySet(RestrictedQuerySet):
    def unclosed(self) -> GuaranteeProblemQuerySet:
        """Those still being rectified (not resolved)."""
        return self.filter(resolved_on__isnull=True)


class GuaranteeProblem(ChangeLoggedModel):
    """A 两不愁三保障 or water problem found on a household (by a visit, a department's finding or by hand), open
    until resolved.

    It runs on the one problem life cycle (``work.lifecycle.GUARANTEES``): known to be real when found, it is being
    rectified (整改中) from then on and is closed (已销号, 已整改) when whoever may change it records the resolution;
    ``resolved_on`` is its state (the ledgers and the elimination guard read it)."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="农户", on_delete=models.PROTECT, related_name="guarantee_problems"
    )
    kind = models.CharField("问题类型", max_length=12, choices=c.PROBLEM_KINDS)
    description = models.TextField("问题描述", blank=True)
    visit = models.ForeignKey(
        Visit, verbose_name="发现于走访", null=True, blank=True, on_delete=models.SET_NULL, related_name="problems"
    )
    opened_on = models.DateField("发现日期", default=timezone.localdate)
    resolved_on = models.DateField("解决日期", null=True, blank=True)
    resolution = models.TextField("解决情况", blank=True)

    scope_code_field = "household__village__code"

    objects = models.Manager.from_queryset(GuaranteeProblemQuerySet)()

    class Meta:
        verbose_name = verbose_name_plural = "保障问题"
        ordering = ["resolved_on", "-opened_on"]

    def __str__(self) -> str:
        return f"{self.kind}问题"

    @property
    def state(self) -> str:
        """Its state in the one cycle."""
        return lc.CLOSED if self.resolved_on else lc.RECTIFYING

    @property
    def outcome(self) -> str:
        return lc.RECTIFIED if self.resolved_on else ""

    def audit_parent(self):
        return self.household

    def get_absolute_url(self) -> str:
        return reverse("registry:household_detail", args=[self.household_id]) + "#assistance"


class Assessment(ChangeLoggedModel):
    """季度帮扶成效评估 of a monitored household."""

    case = models.ForeignKey(
        "monitoring.MonitoringCase", verbose_name="监测记录", on_delete=models.PROTECT, related_name="assessments"
    )
    household = models.ForeignKey(
        "registry.Household", verbose_name="农户", on_delete=models.PROTECT, related_name="assessments"
    )
    year = models.PositiveSmallIntegerField("年度")
    quarter = models.PositiveSmallIntegerField("季度", choices=[(q, f"第{q}季度") for q in range(1, 5)])
    assessed_on = models.DateField("评估日期", default=timezone.localdate)
    measures_effective = models.BooleanField("帮扶措施有效")
    income_trend = models.CharField("收入趋势", max_length=2, choices=c.INCOME_TRENDS)
    risk_status = models.CharField("风险状况", max_length=4, choices=c.RISK_STATUS)
    note = models.TextField("评估意见", blank=True)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="评估人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_code_field = "household__village__code"

    class Meta:
        verbose_name = verbose_name_plural = "帮扶成效评估"
        ordering = ["-year", "-quarter"]
        constraints = [models.UniqueConstraint(fields=["case", "year", "quarter"], name="assessment_one_per_quarter")]

    def __str__(self) -> str:
        return f"{self.year}年第{self.quarter}季度评估"

    def audit_parent(self):
        return self.household

    def get_absolute_url(self) -> str:
        return reverse("registry:household_detail", args=[self.household_id]) + "#assistance"


class RhythmSettings(RegionSettings):
    """The rhythm of S004 as configuration: how often to visit, contact and assess; deadlines after identification."""

    monitored_visit_months = models.PositiveSmallIntegerField("未消除/消除不满期户：入户走访间隔（月）", default=1)
    monitored_assessment_months = models.PositiveSmallIntegerField("未消除/消除不满期户：成效评估间隔（月）", default=3)
    stable_after_elimination_months = models.PositiveSmallIntegerField("消除满多少个月后转为常态", default=6)
    lifted_contact_months = models.PositiveSmallIntegerField("脱贫户/消除满期户：联系间隔（月）", default=1)
    lifted_visit_months = models.PositiveSmallIntegerField("脱贫户/消除满期户：入户走访间隔（月）", default=3)
    cadre_within_days = models.PositiveSmallIntegerField("识别后落实帮扶干部（天）", default=10)
    measure_within_days = models.PositiveSmallIntegerField("识别后落实帮扶措施（天）", default=30)

    class Meta(RegionSettings.Meta):
        verbose_name = verbose_name_plural = "帮扶节奏参数"


MONEY = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0")}


class Portrait(ChangeLoggedModel):
    """一户一画像 (S004 (二)二) of a household of the three groups (新申请低保, 分散供养特困, 低保边缘): its income and
    rigid spending (illness, schooling) analysed with the 五看五防止 checklist before anyone decides. 低保 does not
    replace monitoring: a portrait that finds a risk leads to a clue, never to "already on 低保"."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="农户", on_delete=models.PROTECT, related_name="portraits"
    )
    group = models.CharField("群体类别", max_length=8, choices=c.PORTRAIT_GROUPS)
    made_on = models.DateField("画像日期", default=timezone.localdate)
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="画像人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    look_housing = models.TextField(c.FIVE_LOOKS["look_housing"])
    look_grain = models.TextField(c.FIVE_LOOKS["look_grain"])
    look_labour = models.TextField(c.FIVE_LOOKS["look_labour"])
    look_students = models.TextField(c.FIVE_LOOKS["look_students"])
    look_illness = models.TextField(c.FIVE_LOOKS["look_illness"])
    prevent_dibao_instead = models.BooleanField(c.FIVE_PREVENTS["prevent_dibao_instead"], default=False)
    prevent_income_only = models.BooleanField(c.FIVE_PREVENTS["prevent_income_only"], default=False)
    prevent_missed = models.BooleanField(c.FIVE_PREVENTS["prevent_missed"], default=False)
    prevent_wrongly_included = models.BooleanField(c.FIVE_PREVENTS["prevent_wrongly_included"], default=False)
    prevent_skipped_steps = models.BooleanField(c.FIVE_PREVENTS["prevent_skipped_steps"], default=False)
    medical_out_of_pocket = models.DecimalField("医疗自付支出（元/年）", **MONEY)
    schooling_cost = models.DecimalField("上学支出（元/年）", **MONEY)
    spending_note = models.TextField("刚性支出说明", blank=True)
    at_risk = models.BooleanField("存在返贫致贫风险", default=False, help_text="有风险的按程序提出监测线索")
    conclusion = models.TextField("画像结论")

    scope_code_field = "household__village__code"

    class Meta:
        verbose_name = verbose_name_plural = "一户一画像"
        ordering = ["-made_on", "-id"]

    def __str__(self) -> str:
        return f"{self.made_on:%Y-%m-%d} {self.group}画像"

    @property
    def rigid_spending(self) -> Decimal:
        return self.medical_out_of_pocket + self.schooling_cost

    @property
    def looks(self) -> list[tuple[str, str]]:
        return [(label, getattr(self, name)) for name, label in c.FIVE_LOOKS.items()]

    @property
    def prevents(self) -> list[tuple[str, bool]]:
        return [(label, getattr(self, name)) for name, label in c.FIVE_PREVENTS.items()]

    def audit_parent(self):
        return self.household

    def get_absolute_url(self) -> str:
        return reverse("assistance:portrait", args=[self.household_id])


class IncomeEstimate(ChangeLoggedModel):
    """收入预估 (S004 (七)): before the year ends, the cadre's estimate of a household's income of the current year, by
    the items of ``registry.IncomeRecord``; the 不增反降, 低于 1 万元 and below-the-line lists are read from it. One per
    household and year (a later estimate replaces the earlier one; the change log keeps it)."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="农户", on_delete=models.PROTECT, related_name="income_estimates"
    )
    year = models.PositiveSmallIntegerField("预估年度")
    wage = models.DecimalField("工资性收入", **MONEY)
    business = models.DecimalField("生产经营性收入", **MONEY)
    property_income = models.DecimalField("财产性收入", **MONEY)
    transfer = models.DecimalField("转移性收入", **MONEY)
    business_cost = models.DecimalField("生产经营性支出", **MONEY)
    household_size = models.PositiveSmallIntegerField("计算人口数")
    net_income = models.DecimalField("预估家庭纯收入", max_digits=12, decimal_places=2, editable=False, default=0)
    per_capita = models.DecimalField("预估人均纯收入", max_digits=12, decimal_places=2, editable=False, default=0)
    note = models.TextField("说明", blank=True)
    entered_on = models.DateField("预估日期", default=timezone.localdate)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="填报人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    visit = models.ForeignKey(
        Visit, verbose_name="填报于走访", null=True, blank=True, on_delete=models.SET_NULL, related_name="estimates"
    )

    scope_code_field = "household__village__code"

    class Meta:
        verbose_name = verbose_name_plural = "收入预估"
        ordering = ["household_id", "-year"]
        constraints = [models.UniqueConstraint(fields=["household", "year"], name="estimate_unique_year")]
        indexes = [models.Index(fields=["year", "per_capita"], name="estimate_year_per_capita")]

    def __str__(self) -> str:
        return f"{self.year} 年收入预估"

    def audit_parent(self):
        return self.household

    def get_absolute_url(self) -> str:
        return reverse("assistance:estimate_record", args=[self.household_id])

    def compute(self) -> None:
        self.net_income, self.per_capita = compute_income(
            wage=self.wage,
            business=self.business,
            property_=self.property_income,
            transfer=self.transfer,
            business_cost=self.business_cost,
            size=self.household_size,
        )

    def save(self, *args, **kwargs):
        self.compute()
        super().save(*args, **kwargs)
