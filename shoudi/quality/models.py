"""Data quality: the county's settings, and what the rules found (``Hit``: one per rule and subject, raised as a
problem on the common life cycle)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.urls import reverse

from shoudi.core.scope import RestrictedManager
from shoudi.regions.settings import RegionSettings
from shoudi.work import choices as wc

__all__ = ["Hit", "QualitySettings"]


class QualitySettings(RegionSettings):
    """The numbers the rules and their problems use that differ between counties (blank region: the default)."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name="适用区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "county"},
        help_text="留空表示各县默认参数",
    )
    due_workdays = models.PositiveSmallIntegerField(
        "整改时限（工作日）", default=10, help_text="数据质量问题下发后，村级整改的期限"
    )
    working_age_min = models.PositiveSmallIntegerField("劳动年龄下限（周岁）", default=16)
    working_age_max = models.PositiveSmallIntegerField("劳动年龄上限（周岁）", default=60)
    income_drop_percent = models.PositiveSmallIntegerField("收入不增反降提示幅度（%）", default=30)
    income_tolerance = models.DecimalField(
        "收入核算容差（元）", max_digits=8, decimal_places=2, default=Decimal("1.00"), help_text="四舍五入造成的差额"
    )
    disabled_rules = models.JSONField(
        "停用的规则", default=list, blank=True, help_text="规则编号，如 7_01_010；停用后不再检查，已有问题不受影响"
    )

    class Meta(RegionSettings.Meta):
        verbose_name = verbose_name_plural = "数据质量参数"
        ordering = ["region__code"]


class Hit(models.Model):
    """One subject (a member, a household or a monitoring case) a rule fires on, from the run that found it until
    the data is fixed (已整改, ``fixed_change`` names the change) or its problem is closed otherwise. Its problem is
    a ``work.Problem`` (source 数据质量) named by ``source_model``/``source_pk`` = ``quality.hit``/"rule:subject";
    the problem's state is the hit's life cycle (待整改, 申请认定不是问题, 不是问题); ``state`` is what the runs made of
    it once it ended (已整改, or its problem closed as 不是问题 or 已销号 before the data changed).

    ``active`` hits are the current ones, at most one per rule and subject, with the figures of the last run and
    their ``fingerprint``. A hit whose problem was confirmed 不是问题 stays active while the figures stay the same;
    once they change (or after a 销号 by hand while the rule still fires) it is kept as history and a new hit raised.
    Rows are written set-based by the run, not change-logged one by one; the problem's steps are their record.
    """

    OPEN, FIXED, WAIVED, CLOSED = "open", "fixed", "waived", "closed"
    STATE_CHOICES = [(OPEN, "待整改"), (FIXED, "已整改"), (WAIVED, "不是问题"), (CLOSED, "已销号")]

    rule = models.CharField("规则", max_length=20)
    subject_pk = models.BigIntegerField("对象编号")
    member = models.ForeignKey(
        "registry.Member",
        verbose_name="家庭成员",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # a deleted member's hit is closed by the next run, not by the delete
        related_name="+",
    )
    household = models.ForeignKey(
        "registry.Household", verbose_name="农户", on_delete=models.CASCADE, related_name="quality_hits"
    )
    village = models.ForeignKey("regions.Region", verbose_name="行政村", on_delete=models.PROTECT, related_name="+")
    figures = models.JSONField("数据", default=dict)
    fingerprint = models.CharField("数据指纹", max_length=20)
    state = models.CharField("状态", max_length=8, choices=STATE_CHOICES, default=OPEN)
    active = models.BooleanField("当前有效", default=True)
    problem = models.ForeignKey(
        "work.Problem", verbose_name="整改问题", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    found_at = models.DateTimeField("发现时间")
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    fixed_change = models.ForeignKey(
        "core.ObjectChange",
        verbose_name="整改对应的变更",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        db_constraint=False,  # the change log is kept apart (retention); a purged change leaves the note
        related_name="+",
    )
    closed_note = models.CharField("关闭说明", max_length=300, blank=True)

    scope_code_field = "village__code"
    personal_fields = {"figures": "mapping"}
    objects = RestrictedManager()

    class Meta:
        verbose_name = verbose_name_plural = "数据质量问题"
        ordering = ["rule", "village_id", "household_id", "subject_pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject_pk"], condition=Q(active=True), name="quality_hit_one_active"
            ),
        ]
        indexes = [
            models.Index(fields=["active", "rule"], name="quality_hit_active_rule"),
            models.Index(fields=["village", "state"], name="quality_hit_village_state"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} {self.household_id}"

    def get_absolute_url(self) -> str:
        return reverse("quality:hit_detail", args=[self.pk])

    @property
    def rule_object(self):
        from .rules import rule_by_code

        return rule_by_code(self.rule)

    @property
    def waiver_pending(self) -> bool:
        """申请认定不是问题, waiting for the township (on the problem)."""
        problem = self.problem
        return problem is not None and problem.state == wc.APPLIED and problem.outcome == wc.NOT_A_PROBLEM

    @property
    def is_open(self) -> bool:
        """Current, and its problem not closed yet (待整改)."""
        return self.active and self.problem is not None and self.problem.state in wc.UNCLOSED_STATES
