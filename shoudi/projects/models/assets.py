"""Assets (扶贫项目资产, S001 42–44, S004 (十二)): each accepted project's assets with their 确权移交, the
operating contracts and income of 经营性 assets, the 收益分配 plans and their payouts to households, the 管护 of
公益性 assets, and disposal."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from shoudi.core.models import ChangeLoggedModel

from .. import choices as c
from .library import MONEY, Project

__all__ = ["Asset", "AssetIncome", "DistributionPlan", "Maintenance", "OperatingContract", "Payout"]


class Asset(ChangeLoggedModel):
    """An asset a project produced: kind (经营性, 公益性, 到户类), value, where it is. Within three months of the
    project's acceptance (``transfer_due``, S001 42) it is transferred to its owner (``owner_region``, whose level
    decides which of the three ledgers keeps it; ``owner_name`` the receiving 集体经济组织 or unit) and, when it
    goes to a village, entered on the 三资 platform.

    ``region`` is where the asset is (the scope). 到户类 assets and the income of 经营性 ones go to
    ``beneficiaries``.
    """

    project = models.ForeignKey(Project, verbose_name="所属项目", on_delete=models.PROTECT, related_name="assets")
    name = models.CharField("资产名称", max_length=200)
    kind = models.CharField("资产类别", max_length=4, choices=c.ASSET_KIND_CHOICES)
    category = models.CharField("资产类型", max_length=50, blank=True, help_text="如光伏电站、道路、厂房、大棚")
    scale = models.CharField("规模数量", max_length=100, blank=True)
    value = models.DecimalField("资产价值（元）", max_digits=14, decimal_places=2)
    region = models.ForeignKey("regions.Region", verbose_name="所在区划", on_delete=models.PROTECT, related_name="+")
    location = models.CharField("具体位置", max_length=200, blank=True)
    accepted_on = models.DateField("项目验收日期")
    transfer_due = models.DateField("确权移交期限")
    state = models.CharField("状态", max_length=12, choices=c.ASSET_STATE_CHOICES, default=c.PENDING)
    owner_region = models.ForeignKey(
        "regions.Region",
        verbose_name="产权归属区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_name = models.CharField("产权单位（接收单位）", max_length=150, blank=True)
    transferred_on = models.DateField("确权移交日期", null=True, blank=True)
    transfer_document = models.CharField("移交文书编号", max_length=60, blank=True)
    sanzi_no = models.CharField("三资平台登记编号", max_length=60, blank=True)
    sanzi_on = models.DateField("纳入三资平台日期", null=True, blank=True)
    custodian = models.CharField("管护主体", max_length=150, blank=True)
    custodian_person = models.CharField("管护责任人", max_length=50, blank=True)
    beneficiaries = models.ManyToManyField(
        "registry.Household", verbose_name="受益农户", blank=True, related_name="project_assets"
    )
    disposed_on = models.DateField("处置日期", null=True, blank=True)
    disposal_method = models.CharField("处置方式", max_length=10, choices=c.DISPOSAL_METHOD_CHOICES, blank=True)
    disposal_reason = models.TextField("处置原因及决策程序", blank=True)
    disposal_proceeds = models.DecimalField("处置收入（元）", max_digits=14, decimal_places=2, null=True, blank=True)

    scope_code_field = "region__code"

    class Meta:
        verbose_name = verbose_name_plural = "扶贫项目资产"
        ordering = ["region__code", "id"]
        indexes = [models.Index(fields=["state", "transfer_due"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("projects:asset_detail", args=[self.pk])

    @property
    def transfer_overdue(self) -> bool:
        return self.state == c.PENDING and self.transfer_due < timezone.localdate()

    @property
    def transferred_late(self) -> bool:
        return bool(self.transferred_on and self.transferred_on > self.transfer_due)

    @property
    def owner_level(self) -> str:
        return self.owner_region.level if self.owner_region_id else ""


class OperatingContract(ChangeLoggedModel):
    """The operator of a 经营性 asset and the contract it runs under (合同化管理, S004 (十二))."""

    asset = models.ForeignKey(Asset, verbose_name="资产", on_delete=models.CASCADE, related_name="contracts")
    operator = models.CharField("经营主体", max_length=150)
    operator_kind = models.CharField("经营主体类型", max_length=20, choices=c.OPERATOR_KIND_CHOICES)
    contract_no = models.CharField("合同编号", max_length=60, blank=True)
    start = models.DateField("合同开始")
    end = models.DateField("合同结束")
    annual_amount = models.DecimalField("约定年收益（元）", **MONEY)
    terms = models.TextField("主要条款", blank=True)

    scope_code_field = "asset__region__code"

    class Meta:
        verbose_name = verbose_name_plural = "经营合同"
        ordering = ["-start", "-id"]

    def __str__(self) -> str:
        return f"{self.operator}（{self.start:%Y-%m-%d}至{self.end:%Y-%m-%d}）"

    def audit_parent(self):
        return self.asset


class AssetIncome(ChangeLoggedModel):
    """Income an operating asset brought in a year (rent, dividends, electricity sales)."""

    asset = models.ForeignKey(Asset, verbose_name="资产", on_delete=models.CASCADE, related_name="incomes")
    year = models.PositiveSmallIntegerField("收益年度")
    amount = models.DecimalField("收益金额（元）", max_digits=14, decimal_places=2)
    received_on = models.DateField("到账日期")
    note = models.CharField("说明", max_length=200, blank=True)

    scope_code_field = "asset__region__code"

    class Meta:
        verbose_name = verbose_name_plural = "资产收益"
        ordering = ["-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.year}年 {self.amount:,.2f} 元"

    def audit_parent(self):
        return self.asset


class DistributionPlan(ChangeLoggedModel):
    """A 收益分配方案 for one income of an asset: how much goes to the beneficiary households (split by household
    or by people, to the fen, summing exactly) and how much the collective keeps for which use. Decided by 四议两公开,
    approved by the township, filed with the county, then paid out (S001 43, S004 (十二))."""

    asset = models.ForeignKey(Asset, verbose_name="资产", on_delete=models.PROTECT, related_name="plans")
    income = models.OneToOneField(AssetIncome, verbose_name="分配的收益", on_delete=models.PROTECT, related_name="plan")
    household_amount = models.DecimalField("分配到户金额（元）", max_digits=14, decimal_places=2)
    retained_amount = models.DecimalField("集体留存及其他用途（元）", **MONEY)
    retained_use = models.CharField("留存用途", max_length=200, blank=True, help_text="如公益岗位、小型公益事业")
    method = models.CharField("分配方式", max_length=10, choices=c.SPLIT_METHODS, default="household")
    state = models.CharField("状态", max_length=10, choices=c.PLAN_STATE_CHOICES, default=c.DRAFT)
    decided_on = models.DateField("村民代表会议决议日期", null=True, blank=True)
    decision_record = models.TextField("四议两公开记录", blank=True)
    approved_on = models.DateField("乡镇审核日期", null=True, blank=True)
    filed_on = models.DateField("县级备案日期", null=True, blank=True)
    paid_on = models.DateField("兑付日期", null=True, blank=True)
    returned_reason = models.CharField("退回理由", max_length=300, blank=True)
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="拟定人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_code_field = "asset__region__code"

    class Meta:
        verbose_name = verbose_name_plural = "收益分配方案"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.asset}：{self.income.year}年收益分配方案"

    def get_absolute_url(self) -> str:
        return reverse("projects:distribution_detail", args=[self.pk])

    def audit_parent(self):
        return self.asset

    @property
    def total(self) -> Decimal:
        return self.household_amount + self.retained_amount


class Payout(ChangeLoggedModel):
    """What one beneficiary household receives under a plan, and when it was paid."""

    plan = models.ForeignKey(
        DistributionPlan, verbose_name="收益分配方案", on_delete=models.CASCADE, related_name="payouts"
    )
    household = models.ForeignKey("registry.Household", verbose_name="农户", on_delete=models.PROTECT, related_name="+")
    people = models.PositiveSmallIntegerField("家庭人口", default=1)
    amount = models.DecimalField("分配金额（元）", max_digits=14, decimal_places=2)
    paid_on = models.DateField("兑付日期", null=True, blank=True)

    scope_code_field = "household__village__code"

    class Meta:
        verbose_name = verbose_name_plural = "收益分配到户"
        ordering = ["plan", "household__household_no"]
        constraints = [models.UniqueConstraint(fields=["plan", "household"], name="payout_once_per_household")]

    def __str__(self) -> str:
        return f"{self.household} {self.amount:,.2f} 元"

    def audit_parent(self):
        return self.plan


class Maintenance(ChangeLoggedModel):
    """A 管护 record of a 公益性 asset: the day, what was done, by whom, at what cost (S001 44)."""

    asset = models.ForeignKey(Asset, verbose_name="资产", on_delete=models.CASCADE, related_name="maintenance")
    done_on = models.DateField("管护日期")
    content = models.TextField("管护内容")
    person = models.CharField("管护人", max_length=50, blank=True)
    cost = models.DecimalField("管护费用（元）", **MONEY)

    scope_code_field = "asset__region__code"

    class Meta:
        verbose_name = verbose_name_plural = "管护记录"
        ordering = ["-done_on", "-id"]

    def __str__(self) -> str:
        return f"{self.done_on:%Y-%m-%d} {self.content[:20]}"

    def audit_parent(self):
        return self.asset
