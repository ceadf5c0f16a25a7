"""The 低收入人口 register (S003 三(二)): the categories of households and members (from a 民政 list or by hand), the
民政 lists imported, the 分类帮扶 actions, the 关爱 records and the visit rhythm's settings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from shoudi.core.models import ChangeLoggedModel
from shoudi.regions.settings import RegionSettings

from . import choices as c

__all__ = ["CareRecord", "Designation", "DesignationImport", "LowIncomeSettings", "SupportAction"]

HOUSEHOLD_PAGE = "registry:household_detail"


class DesignationImport(ChangeLoggedModel):
    """One 民政 list imported: who, when, from which file, what it did; withdrawn as a whole (撤回) undoes the
    designations it created and reopens those it ended."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name="导入区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="导入人所属区划（系统运维人员导入的为空）",
    )
    file_name = models.CharField("文件名", max_length=200)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导入人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_count = models.PositiveIntegerField("新增认定", default=0)
    ended_count = models.PositiveIntegerField("终止认定", default=0)
    unmatched_count = models.PositiveIntegerField("未匹配", default=0)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="撤回人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    scope_code_field = "region__code"

    class Meta:
        verbose_name = verbose_name_plural = "民政名单导入"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{timezone.localtime(self.created_at):%Y-%m-%d %H:%M}）"

    def get_absolute_url(self) -> str:
        return reverse("lowincome:designation_import")


class Designation(ChangeLoggedModel):
    """A category of the 低收入人口 on a household (and, for a person's category, on one member), from ``since`` to
    ``until``. Ended, never deleted (a withdrawn import alone removes the rows it created). The category is kept as
    the 民政 list wrote it when the code table does not know it."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="农户", on_delete=models.PROTECT, related_name="designations"
    )
    member = models.ForeignKey(
        "registry.Member",
        verbose_name="家庭成员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="designations",
        help_text="孤儿、留守儿童、“两无”老年人等按人认定的类别填写",
    )
    category = models.CharField("类别", max_length=30)
    source = models.CharField("来源", max_length=4, choices=c.SOURCES, default=c.HAND)
    since = models.DateField("起始日期", default=timezone.localdate)
    until = models.DateField("终止日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=200, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    batch = models.ForeignKey(
        DesignationImport,
        verbose_name="导入批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="created",
        editable=False,
    )
    ended_by = models.ForeignKey(
        DesignationImport,
        verbose_name="终止于导入",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ended",
        editable=False,
    )

    scope_code_field = "household__village__code"

    class Meta:
        verbose_name = verbose_name_plural = "低收入人口认定"
        ordering = ["household__village__code", "household_id", "since", "id"]
        indexes = [models.Index(fields=["household", "until"], name="designation_household_until")]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="designation_until_after_since",
                violation_error_message="终止日期不能早于起始日期",
            )
        ]

    def __str__(self) -> str:
        who = self.member.name if self.member_id else self.household.household_no
        return f"{who}·{self.category}"

    def audit_parent(self):
        return self.household

    def get_absolute_url(self) -> str:
        return reverse(HOUSEHOLD_PAGE, args=[self.household_id]) + "#lowincome"

    @property
    def is_current(self) -> bool:
        return self.until is None or self.until > timezone.localdate()

    @property
    def known_category(self) -> bool:
        return self.category in c.CATEGORY_VOCABULARY.values


class SupportAction(ChangeLoggedModel):
    """分类帮扶: an application for 低保 or 特困, or a targeted measure to arrange, decided by the township or county
    (申请中 → 已批准 / 未批准; ``services`` moves it)."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="农户", on_delete=models.PROTECT, related_name="support_actions"
    )
    kind = models.CharField("帮扶事项", max_length=8, choices=c.ACTION_KINDS)
    content = models.TextField("情况说明")
    applied_on = models.DateField("申请日期", default=timezone.localdate)
    status = models.CharField("状态", max_length=4, choices=c.ACTION_STATUS, default=c.APPLIED, editable=False)
    decided_on = models.DateField("决定日期", null=True, blank=True, editable=False)
    decision = models.CharField("决定意见", max_length=300, blank=True, editable=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="决定人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    scope_code_field = "household__village__code"

    class Meta:
        verbose_name = verbose_name_plural = "分类帮扶事项"
        ordering = ["-applied_on", "-id"]

    def __str__(self) -> str:
        return f"{self.kind}（{self.status}）"

    def audit_parent(self):
        return self.household

    def get_absolute_url(self) -> str:
        return reverse(HOUSEHOLD_PAGE, args=[self.household_id]) + "#lowincome"


class CareRecord(ChangeLoggedModel):
    """关爱行动: a service to a “两无” elder, a left-behind child or an orphan, often by a person on a 公益岗位
    (光伏扶贫公益岗位) hired for it."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="农户", on_delete=models.PROTECT, related_name="care_records"
    )
    member = models.ForeignKey(
        "registry.Member", verbose_name="关爱对象", on_delete=models.PROTECT, related_name="care_records"
    )
    kind = models.CharField("关爱行动", max_length=8, choices=c.CARE_KINDS)
    served_on = models.DateField("服务日期", default=timezone.localdate)
    server = models.CharField("服务人员", max_length=50, help_text="如公益岗位人员姓名")
    server_post = models.CharField("服务人员岗位", max_length=50, blank=True, help_text="如光伏扶贫公益岗位")
    content = models.TextField("服务内容")

    scope_code_field = "household__village__code"

    class Meta:
        verbose_name = verbose_name_plural = "关爱记录"
        ordering = ["-served_on", "-id"]

    def __str__(self) -> str:
        return f"{self.served_on:%Y-%m-%d} {self.kind}"

    def audit_parent(self):
        return self.household

    def get_absolute_url(self) -> str:
        return reverse(HOUSEHOLD_PAGE, args=[self.household_id]) + "#lowincome"


class LowIncomeSettings(RegionSettings):
    """How often the 村级工作专班 visits a low-income household (S003 三(二)2: every month), and which kinds of
    visit count."""

    visit_months = models.PositiveSmallIntegerField("走访间隔（月）", default=1)
    remote_counts = models.BooleanField("电话、微信联系也算走访", default=False)

    class Meta(RegionSettings.Meta):
        verbose_name = verbose_name_plural = "低收入人口走访参数"
