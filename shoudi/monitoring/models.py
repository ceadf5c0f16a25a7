"""Monitoring: the income line, the policy settings, and cases (监测对象) with their steps, objections and files."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from shoudi.core.dates import SchoolAgeRule
from shoudi.core.models import ChangeLoggedModel
from shoudi.core.scope import RestrictedQuerySet
from shoudi.regions.settings import YearlyRegionSettings

from . import choices as c

__all__ = [
    "CaseAttachment",
    "CaseEvent",
    "MonitoringCase",
    "MonitoringLine",
    "MonitoringSettings",
    "NoticeBatch",
    "NoticeDelivery",
    "NoticeDocument",
    "Objection",
    "ScreeningBatch",
]


class MonitoringLine(ChangeLoggedModel):
    """防止返贫监测线 of a year: province-wide (no region) or for one county; the county's line wins."""

    region = models.ForeignKey(
        "regions.Region",
        verbose_name="适用区划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="留空表示全省（默认）标准；填写县则该县使用本标准",
    )
    year = models.PositiveSmallIntegerField("年度")
    amount = models.DecimalField("监测线（元/人·年）", max_digits=10, decimal_places=2)
    document_no = models.CharField("文件文号", max_length=100, blank=True)
    document_date = models.DateField("发文日期", null=True, blank=True)

    scope_code_field = "region__code"
    scope_read_ancestors = True  # the county's and the province-wide line are read by everyone below them

    class Meta:
        verbose_name = verbose_name_plural = "监测线"
        ordering = ["-year", "region__code"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="line_unique_region_year"),
            models.UniqueConstraint(fields=["year"], condition=Q(region__isnull=True), name="line_unique_default"),
        ]

    def __str__(self) -> str:
        where = self.region.name if self.region_id else "全省"
        return f"{self.year} 年{where}监测线 {self.amount} 元"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:monitoringline_list")


class MonitoringSettings(YearlyRegionSettings):
    """Policy numbers that differ between provinces and counties: never literals in code.

    A row applies to a region (blank = everywhere) and optionally one year; the most specific row wins.
    """

    publicity_days = models.PositiveSmallIntegerField("公示天数（不少于）", default=5)
    identification_days = models.PositiveSmallIntegerField("识别时限（天，线索到县级审定）", default=15)
    min_months_before_elimination = models.PositiveSmallIntegerField("识别后最短监测月数", default=3)
    warn_months_before_elimination = models.PositiveSmallIntegerField("低于此月数消除时提示", default=6)
    edge_factor = models.DecimalField("边缘户系数（×监测线）", max_digits=4, decimal_places=2, default=Decimal("1.5"))
    low_income_floor = models.DecimalField(
        "低收入预警线（元）", max_digits=10, decimal_places=2, default=Decimal("10000")
    )
    income_drop_percent = models.PositiveSmallIntegerField("收入下降预警（%）", default=20)
    medical_threshold_lifted = models.DecimalField(
        "合规自付支出预警线·脱贫人口（元）",
        max_digits=10,
        decimal_places=2,
        default=Decimal("10000"),
        help_text="如：上年农村居民人均可支配收入的 50%",
    )
    medical_threshold_other = models.DecimalField(
        "合规自付支出预警线·其他农户（元）",
        max_digits=10,
        decimal_places=2,
        default=Decimal("20000"),
        help_text="如：上年农村居民人均可支配收入的 100%",
    )
    # 控辍保学: the one school-age rule of the ledgers, matching and every other school-age check (the year of a row
    # is the year the school year begins)
    school_age_cutoff_month = models.PositiveSmallIntegerField(
        "学龄截止日（月）", default=8, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    school_age_cutoff_day = models.PositiveSmallIntegerField(
        "学龄截止日（日）",
        default=31,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="按学年计算：当学年截止日前（含）满最小年龄的儿童当年9月入学，默认8月31日",
    )
    school_age_min = models.PositiveSmallIntegerField("控辍保学最小年龄（周岁）", default=6)
    school_age_max = models.PositiveSmallIntegerField("控辍保学最大年龄（周岁）", default=16)

    class Meta(YearlyRegionSettings.Meta):
        verbose_name = verbose_name_plural = "监测参数"
        ordering = ["region__code", "-year"]

    def clean(self):
        super().clean()
        errors = {}
        month, day = self.school_age_cutoff_month, self.school_age_cutoff_day
        if month and day and (month, day) != (2, 29):
            try:
                datetime.date(2001, month, day)
            except ValueError:
                errors["school_age_cutoff_day"] = f"{month}月没有{day}日"
        low, high = self.school_age_min, self.school_age_max
        if low is not None and high is not None and low > high:
            errors["school_age_max"] = "最大年龄不能小于最小年龄"
        if errors:
            raise ValidationError(errors)

    @property
    def school_age_rule(self) -> SchoolAgeRule:
        """The compulsory-education age these settings give (``core.dates.SchoolAgeRule``)."""
        return SchoolAgeRule(
            cutoff_month=self.school_age_cutoff_month,
            cutoff_day=self.school_age_cutoff_day,
            min_age=self.school_age_min,
            max_age=self.school_age_max,
        )


class MonitoringCase(ChangeLoggedModel):
    """One identification episode of a household (监测对象), from the clue to identification and, later, to the
    elimination of the risk (风险消除). A household has at most one open case."""

    household = models.ForeignKey(
        "registry.Household", verbose_name="农户", on_delete=models.PROTECT, related_name="cases"
    )
    category = models.CharField("监测对象类别", max_length=10, choices=c.CATEGORIES, blank=True)
    risk_types = models.JSONField("致贫/返贫风险", default=list, blank=True)
    disaster_subtype = models.CharField("自然灾害类型", max_length=4, choices=c.DISASTER_SUBTYPES, blank=True)
    source = models.CharField("发现方式", max_length=10, choices=c.SOURCES, blank=True)
    clue_date = models.DateField("线索日期", default=timezone.localdate)
    clue_note = models.TextField("线索说明", blank=True)
    clue_rules = models.JSONField("预警规则", default=list, blank=True)
    clue_figures = models.JSONField("预警数据", default=dict, blank=True)
    chain = models.CharField("流程", max_length=15, choices=c.CHAINS, default=c.IDENTIFICATION)
    step = models.CharField("当前环节", max_length=20, choices=c.STEPS, default=c.VERIFICATION, db_index=True)
    step_since = models.DateTimeField("进入当前环节时间", default=timezone.now)
    is_open = models.BooleanField("进行中", default=True, editable=False)
    returned_reason = models.TextField("退回原因", blank=True)
    publicity_start = models.DateField("公示开始", null=True, blank=True)
    publicity_end = models.DateField("公示结束", null=True, blank=True)
    identified_on = models.DateField("识别监测时间", null=True, blank=True)
    elimination_applied_on = models.DateField("消除申请日期", null=True, blank=True)
    eliminated_on = models.DateField("风险消除时间", null=True, blank=True)
    elimination_type = models.CharField("风险消除方式", max_length=4, choices=c.ELIMINATION_TYPES, blank=True)
    delayed_exit_confirmed = models.BooleanField("已确认缓退政策", default=False)
    closed_reason = models.TextField("结束原因", blank=True)
    previous_case = models.ForeignKey(
        "self",
        verbose_name="原监测记录（返贫）",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversals",
    )
    imported = models.BooleanField("自国家系统导入", default=False)
    screening_batch = models.ForeignKey(
        "ScreeningBatch",
        verbose_name="预警筛查批次",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cases",
        editable=False,
    )

    scope_code_field = "household__village__code"
    audit_labels = {"clue_rules": c.SCREENING_RULES}  # the change log shows rule keys by their labels

    class Meta:
        verbose_name = verbose_name_plural = "监测对象"
        ordering = ["-clue_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(is_open=True), name="case_one_open_per_household"
            ),
        ]
        indexes = [models.Index(fields=["chain", "step"])]

    def __str__(self) -> str:
        return f"{self.household}·{self.step_label}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:case_detail", args=[self.pk])

    def audit_parent(self):
        return self.household

    @property
    def step_label(self) -> str:
        return c.step_label(self.chain, self.step)

    @property
    def is_identified(self) -> bool:
        return self.identified_on is not None


class CaseEvent(models.Model):
    """One entry of a case's timeline: who did what at which step, the decision, the note and the figures."""

    case = models.ForeignKey(MonitoringCase, on_delete=models.CASCADE, related_name="events")
    chain = models.CharField("流程", max_length=15, choices=c.CHAINS)
    step = models.CharField("环节", max_length=20)
    action = models.CharField("操作", max_length=30)
    decision = models.CharField("结论", max_length=30, blank=True)
    note = models.TextField("说明", blank=True)
    data = models.JSONField("记录", default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_name = models.CharField("经办人", max_length=150, blank=True)
    time = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "办理记录"
        ordering = ["time", "id"]

    def __str__(self) -> str:
        return f"{self.action} {self.decision}"

    @property
    def step_label(self) -> str:
        return c.step_label(self.chain, self.step)


def attachment_path(instance, filename: str) -> str:
    return f"cases/{instance.case_id}/{filename}"


class CaseAttachment(models.Model):
    """A file of the case: 承诺授权书, 公示 photo, meeting minutes, verification sheet."""

    KINDS = [(v, v) for v in ("承诺授权书", "公示照片", "会议记录", "入户核实表", "入户核查表", "其他")]

    case = models.ForeignKey(MonitoringCase, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField("材料类型", max_length=10, choices=KINDS)
    file = models.FileField("文件", upload_to=attachment_path)
    step = models.CharField("环节", max_length=20, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "佐证材料"
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return f"{self.kind}：{self.file.name.rsplit('/', 1)[-1]}"


class Objection(models.Model):
    """An objection raised during 公示, which must be resolved before the case moves on."""

    case = models.ForeignKey(MonitoringCase, on_delete=models.CASCADE, related_name="objections")
    chain = models.CharField("流程", max_length=15, choices=c.CHAINS)
    received_on = models.DateField("收到日期", default=timezone.localdate)
    content = models.TextField("异议内容")
    resolution = models.TextField("处理结果", blank=True)
    resolved_on = models.DateField("处理日期", null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "公示异议"
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return self.content[:30]

    @property
    def resolved(self) -> bool:
        return self.resolved_on is not None


class ScreeningBatchQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view") -> ScreeningBatchQuerySet:
        """Screening is the county's, as today: a batch is reached by whoever may set the 监测线 in its region."""
        from shoudi.core.scope import user_can

        if not user_can(user, MonitoringLine, "add"):
            return self.none()
        if user.is_superuser:
            return self
        if user.region_id is None or not user.region.code:  # "" would be a prefix of every batch's code
            return self.none()
        return self.filter(region_code__startswith=user.region.code)


class ScreeningBatch(ChangeLoggedModel):
    """One 预警筛查: first a preview (``counts``: per rule and per village, a sample; no clue written), then, once
    the county confirms the rules and villages to keep, the clues it created (``MonitoringCase.screening_batch``),
    and perhaps its withdrawal (撤回) of the clues nobody had acted on yet."""

    PREVIEW, CREATING, CREATED, WITHDRAWN, FAILED = "preview", "creating", "created", "withdrawn", "failed"
    STATUSES = [
        (PREVIEW, "预览（未生成线索）"),
        (CREATING, "正在生成线索"),
        (CREATED, "已生成线索"),
        (WITHDRAWN, "已撤回"),
        (FAILED, "失败"),
    ]

    year = models.PositiveSmallIntegerField("收入年度")
    region_code = models.CharField("筛查范围", max_length=12, blank=True, db_index=True)
    rules = models.JSONField("纳入规则", default=list, blank=True)
    villages = models.JSONField("纳入行政村", default=list, blank=True, help_text="为空表示范围内全部行政村")
    status = models.CharField("状态", max_length=10, choices=STATUSES, default=PREVIEW)
    clue_count = models.PositiveIntegerField("生成线索数", default=0)
    counts = models.JSONField("各规则、各村线索数", default=dict, blank=True)
    job = models.ForeignKey(
        "core.Job", verbose_name="后台任务", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
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
    withdrawn_count = models.PositiveIntegerField("撤回线索数", default=0)
    kept_count = models.PositiveIntegerField("已办理保留数", default=0)

    scope_code_field = "region_code"
    audit_labels = {"rules": c.SCREENING_RULES}
    audit_exclude = ("created_at", "updated_at", "counts")
    objects = models.Manager.from_queryset(ScreeningBatchQuerySet)()

    class Meta:
        verbose_name = verbose_name_plural = "预警筛查批次"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.year} 年预警筛查（{timezone.localtime(self.created_at):%Y-%m-%d %H:%M}）"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:screening_batch", args=[self.pk])


# --- written notices (S003 三(一)3 退出告知; S004 (二)一 明白纸) -------------------------------------------------


def notice_document_path(instance, filename: str) -> str:
    return f"明白纸/{filename}"  # the edit page shows the stored name: a Chinese folder


class NoticeDocument(ChangeLoggedModel):
    """A county's 明白纸, uploaded by its admin: the 监测对象申报政策明白纸 goes to every household, the 帮扶政策明白纸
    to every 监测户 (S004 (二)一). Each household's delivery is a ``NoticeDelivery``."""

    ALL_HOUSEHOLDS, MONITORED = "households", "monitored"
    AUDIENCES = [(ALL_HOUSEHOLDS, "全体农户"), (MONITORED, "全体监测户")]

    region = models.ForeignKey(
        "regions.Region", verbose_name="发放县", on_delete=models.PROTECT, related_name="+", help_text="本县各村使用"
    )
    title = models.CharField("名称", max_length=100)
    audience = models.CharField("发放对象", max_length=10, choices=AUDIENCES, default=ALL_HOUSEHOLDS)
    file = models.FileField("文件", upload_to=notice_document_path)
    issued_on = models.DateField("印发日期", null=True, blank=True)
    active = models.BooleanField("在用", default=True, help_text="停用后不再统计覆盖率、不再登记发放")

    scope_code_field = "region__code"
    scope_read_ancestors = True  # the county's documents are read by everyone below it

    class Meta:
        verbose_name = verbose_name_plural = "明白纸"
        ordering = ["region__code", "audience", "id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("monitoring:noticedocument_list")


class NoticeBatch(ChangeLoggedModel):
    """One bulk delivery of a 明白纸 in a village (登记整村发放): the village officer previews the households, confirms
    the ticked ones (their ``NoticeDelivery`` rows point here) and may withdraw the batch (撤回: its rows removed)."""

    CONFIRMED, WITHDRAWN = "confirmed", "withdrawn"
    STATUSES = [(CONFIRMED, "已登记"), (WITHDRAWN, "已撤回")]

    document = models.ForeignKey(NoticeDocument, verbose_name="明白纸", on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey("regions.Region", verbose_name="行政村", on_delete=models.PROTECT, related_name="+")
    delivered_on = models.DateField("发放日期")
    delivered_by = models.CharField("发放人", max_length=50)
    way = models.CharField("送达方式", max_length=10)
    status = models.CharField("状态", max_length=10, choices=STATUSES, default=CONFIRMED)
    household_count = models.PositiveIntegerField("登记户数", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
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
    withdrawn_count = models.PositiveIntegerField("撤回户数", default=0)

    scope_code_field = "village__code"

    class Meta:
        verbose_name = verbose_name_plural = "明白纸整村发放"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.village.name}·{self.document.title}（{self.delivered_on:%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:notice_batch", args=[self.pk])


class NoticeDelivery(ChangeLoggedModel):
    """A written notice handed to a household: the 退出告知书 of an eliminated case (S003 三(一)3: 村委要书面告知其
    退出防返贫监测帮扶范围) or a 明白纸. One delivery per case's 退出告知书 and per household and 明白纸."""

    EXIT, LEAFLET = "exit", "leaflet"
    KINDS = [(EXIT, "退出告知书"), (LEAFLET, "明白纸")]
    WAYS = [(v, v) for v in ("当面送达", "留置送达", "委托送达", "邮寄送达")]

    household = models.ForeignKey(
        "registry.Household", verbose_name="农户", on_delete=models.PROTECT, related_name="notice_deliveries"
    )
    kind = models.CharField("文书", max_length=10, choices=KINDS)
    case = models.ForeignKey(
        MonitoringCase,
        verbose_name="监测记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notice_deliveries",
    )
    document = models.ForeignKey(
        NoticeDocument, verbose_name="明白纸", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    delivered_on = models.DateField("送达日期", default=timezone.localdate)
    delivered_by = models.CharField("送达人", max_length=50)
    recipient = models.CharField("签收人", max_length=50)
    way = models.CharField("送达方式", max_length=10, choices=WAYS, default="当面送达")
    note = models.CharField("备注", max_length=200, blank=True)
    batch = models.ForeignKey(
        NoticeBatch,
        verbose_name="整村发放批次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        editable=False,
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope_code_field = "household__village__code"
    # the free-text note may carry a phone or ID number; declaring it also logs each export of the 送达记录 (签收人)
    personal_fields = {"note": "mapping"}

    class Meta:
        verbose_name = verbose_name_plural = "告知书与明白纸送达"
        ordering = ["-delivered_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["case"], condition=Q(kind="exit"), name="notice_one_exit_per_case"),
            models.UniqueConstraint(
                fields=["household", "document"], condition=Q(kind="leaflet"), name="notice_one_leaflet_per_household"
            ),
            models.CheckConstraint(
                condition=Q(kind="exit", case__isnull=False, document__isnull=True)
                | Q(kind="leaflet", document__isnull=False),
                name="notice_kind_fits",
            ),
        ]

    def __str__(self) -> str:
        what = self.document.title if self.document_id else self.get_kind_display()
        return f"{what}·{self.delivered_on:%Y-%m-%d}"

    def audit_parent(self):
        return self.household

    @property
    def title(self) -> str:
        return self.document.title if self.document_id else "退出告知书"
