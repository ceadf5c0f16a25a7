"""Department matching (部门数据比对): the lists departments send back, their rows, the runs and the findings.

A department list (部门名单) is one file for one department and one month; its rows are loaded into ``ListRow``,
a plain staging table, and a ``MatchRun`` compares them with the registry in the database. Each anomaly becomes a
``Finding`` for its village to verify. A finding that recurs the next month is linked to the earlier one
(``previous``); only the latest of a chain is current.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from shoudi.core.dates import SchoolAgeRule
from shoudi.core.masking import kind_of_label, mask_birth_date
from shoudi.core.models import ChangeLoggedModel
from shoudi.core.scope import RestrictedManager, RestrictedQuerySet
from shoudi.monitoring.policy import school_age_rule
from shoudi.regions.settings import RegionSettings

from . import choices as c

__all__ = ["DepartmentList", "Finding", "ListRow", "MappingProfile", "MatchRun", "MatchingSettings"]


class MatchingSettings(RegionSettings):
    """Matching thresholds and deadlines of a county (blank region = the default for every county).

    The 医保 high-cost line is a share of last year's rural per-capita disposable income: by default 50 % for
    脱贫人口 and 100 % for everybody else (one county's practice, S004); both the income and the shares are
    configuration, never literals in code.
    """

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
    verification_days = models.PositiveSmallIntegerField(
        "核实时限（天）", default=15, help_text="比对结果下发后，村级核实的期限"
    )
    rural_income = models.DecimalField(
        "上年农村居民人均可支配收入（元）", max_digits=10, decimal_places=2, default=Decimal("20000")
    )
    medical_lifted_percent = models.PositiveSmallIntegerField("医疗费用预警比例·脱贫人口（%）", default=50)
    medical_other_percent = models.PositiveSmallIntegerField("医疗费用预警比例·其他人员（%）", default=100)
    # An absence rule (a person of the registry missing from the list) is only as good as the list's coverage: a
    # list of 8 people would call 22,000 others 未参保. Below either share the rule raises no absence findings.
    absence_min_coverage_percent = models.PositiveSmallIntegerField(
        "缺失类规则·名单最低覆盖率（%）",
        default=50,
        help_text="本规则比对的系统人员中，名单里至少应有此比例，否则不生成“名单中无此人”类结果",
    )
    absence_min_village_percent = models.PositiveSmallIntegerField(
        "缺失类规则·最低行政村覆盖率（%）",
        default=80,
        help_text="有比对人员的行政村中，名单至少应覆盖此比例的村（每村至少一人），否则不生成“名单中无此人”类结果",
    )

    class Meta(RegionSettings.Meta):
        verbose_name = verbose_name_plural = "比对参数"
        ordering = ["region__code"]

    @classmethod
    def for_region(cls, region, year=None):
        """The settings in force for ``region``; they remember the place asked for, whose monitoring settings give
        the school-age rule (a county without matching settings of its own may still have its own school ages)."""
        found = super().for_region(region, year)
        found.place_code = region if isinstance(region, str) else (region.code if region is not None else "")
        return found

    def school_age_rule(self, day: datetime.date) -> SchoolAgeRule:
        """控辍保学's age rule on ``day`` for the place these settings were looked up for (``monitoring.policy``)."""
        place = getattr(self, "place_code", None)
        return school_age_rule(place if place is not None else (self.region.code if self.region_id else ""), day)

    @property
    def medical_threshold_lifted(self) -> Decimal:
        """合规自付费用 above which a 脱贫人口 is flagged."""
        return (self.rural_income * self.medical_lifted_percent / 100).quantize(Decimal("0.01"))

    @property
    def medical_threshold_other(self) -> Decimal:
        """合规自付费用 above which anybody else in the registry is flagged."""
        return (self.rural_income * self.medical_other_percent / 100).quantize(Decimal("0.01"))


class MappingProfile(ChangeLoggedModel):
    """How a department's file names its columns (field → header), so that next month's file maps itself."""

    region = models.ForeignKey(
        "regions.Region", verbose_name="区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.CharField("部门", max_length=30, choices=c.DEPARTMENT_LABELS.items())
    mapping = models.JSONField("列对应", default=dict, blank=True)

    scope_code_field = "region__code"

    class Meta:
        verbose_name = verbose_name_plural = "名单列对应方案"
        ordering = ["region__code", "department"]
        constraints = [
            models.UniqueConstraint(Coalesce(F("region"), Value(0)), F("department"), name="matching_profile_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_department_display()}名单列对应"


def list_path(instance, filename: str) -> str:
    return f"matching/lists/{instance.department}/{instance.period}/{filename}"


class DepartmentList(ChangeLoggedModel):
    """One file a department sent back for one month, with how its columns were read and what was loaded."""

    department = models.CharField("部门", max_length=30, choices=c.DEPARTMENT_LABELS.items())
    period = models.CharField("比对期（年月）", max_length=7, help_text="YYYY-MM")
    region_code = models.CharField("区划代码", max_length=12, blank=True, db_index=True)
    file = models.FileField("文件", upload_to=list_path, max_length=300)
    file_name = models.CharField("文件名", max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    header_row = models.PositiveIntegerField("表头行", default=1)
    mapping = models.JSONField("列对应", default=dict, blank=True)
    rows_total = models.PositiveIntegerField("数据行数", default=0)
    rows_loaded = models.PositiveIntegerField("载入行数", default=0)
    rows_rejected = models.PositiveIntegerField("未载入行数", default=0)
    issue_count = models.PositiveIntegerField("问题数", default=0)
    issues = models.JSONField("问题行", default=list, blank=True, help_text="前若干条：行号、列、问题")
    loaded_at = models.DateTimeField("载入时间", null=True, blank=True)

    scope_code_field = "region_code"
    audit_exclude = ("created_at", "updated_at", "issues")

    class Meta:
        verbose_name = verbose_name_plural = "部门名单"
        ordering = ["-period", "-id"]

    def __str__(self) -> str:
        return f"{self.get_department_display()} {self.period} 名单"


class ListRow(models.Model):
    """One loaded row of a department list: the normalised ID and name and the typed values the rules read.

    A staging table written in bulk. On PostgreSQL it is partitioned by list (ADR 0001; migration
    0002_partitioned_staging): each list's rows are an UNLOGGED partition of their own, written without indexes and then
    attached (``engine.new_partition``). On SQLite a plain table with an index on the list. Which columns a
    department fills is declared by its source module. Rows whose ID is not in the registry stay here
    (``not_in_registry``) and are counted by the run.
    """

    # No database constraint: PostgreSQL would queue a referential check per row, fired at commit (a fifth of the
    # load of a list of millions). Only the loader writes these rows, for a list it has just saved; deleting a
    # list still deletes its rows (Django's CASCADE).
    list = models.ForeignKey(DepartmentList, on_delete=models.CASCADE, related_name="rows", db_constraint=False)
    row = models.PositiveIntegerField("行号")
    id_number = models.CharField("证件号码", max_length=18)
    name = models.CharField("姓名", max_length=50, blank=True)
    category = models.CharField("类别", max_length=20, blank=True)
    grade = models.CharField("等级", max_length=20, blank=True)
    status = models.CharField("状态", max_length=20, blank=True)
    amount = models.DecimalField("金额", max_digits=14, decimal_places=2, null=True, blank=True)
    event_date = models.DateField("日期", null=True, blank=True)
    code = models.CharField("证号", max_length=30, blank=True)
    detail = models.CharField("说明", max_length=100, blank=True)
    not_in_registry = models.BooleanField("不在系统中", default=False)

    personal_fields = {"id_number": "id_number"}

    class Meta:
        # Only the index on ``list`` (SQLite; on PostgreSQL the partition is the list): the engine joins a whole
        # list at once (hash join, or SQLite's temporary index over the list's ID numbers), and every further index
        # slows the bulk load of millions of rows.
        verbose_name = verbose_name_plural = "名单行"

    def __str__(self) -> str:
        return f"第 {self.row} 行"


class MatchRun(ChangeLoggedModel):
    """Matching one list against the registry: counts per rule and the comparison with the previous month.

    A run's findings are written unreleased: the run page shows them as a preview (counts per rule and per village,
    a sample) and reach the villages only when the run is released (下发). A released run may be withdrawn
    (撤回) as a whole; the findings somebody has already verified stay.
    """

    list = models.ForeignKey(DepartmentList, verbose_name="部门名单", on_delete=models.PROTECT, related_name="runs")
    job = models.ForeignKey(
        "core.Job", verbose_name="后台任务", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    department = models.CharField("部门", max_length=30, choices=c.DEPARTMENT_LABELS.items())
    period = models.CharField("比对期", max_length=7)
    region_code = models.CharField("区划代码", max_length=12, blank=True, db_index=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField("状态", max_length=12, choices=c.RUN_STATUSES, default=c.QUEUED, db_index=True)
    previous_run = models.ForeignKey(
        "self", verbose_name="上期比对", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    counts = models.JSONField("各规则命中数", default=dict, blank=True)
    summary = models.JSONField("汇总", default=dict, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    seconds = models.FloatField("用时（秒）", null=True, blank=True)
    error = models.TextField("错误", blank=True)
    released_at = models.DateTimeField("下发时间", null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="下发人",
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

    scope_code_field = "region_code"
    audit_exclude = ("created_at", "updated_at", "counts", "summary")
    objects = RestrictedManager()

    class Meta:
        verbose_name = verbose_name_plural = "比对批次"
        ordering = ["-period", "-id"]
        indexes = [models.Index(fields=["department", "region_code", "period"], name="matching_run_dept_period")]

    def __str__(self) -> str:
        return f"{self.get_department_display()} {self.period} 比对"

    def get_absolute_url(self) -> str:
        return reverse("matching:run_detail", args=[self.pk])


class FindingQuerySet(RestrictedQuerySet):
    def restrict(self, user, action: str = "view") -> FindingQuerySet:
        """The released findings in the user's scope: a run's preview is its own page's, never a village's."""
        return super().restrict(user, action).filter(released=True)

    def current(self) -> FindingQuerySet:
        """The latest finding of each chain: those no later released month has linked to (the ones a village works
        on; a run still in preview leaves last month's findings current)."""
        return self.exclude(Exists(self.model._base_manager.filter(previous=OuterRef("pk"), released=True)))


class FindingManager(models.Manager.from_queryset(FindingQuerySet)):
    pass


class Finding(ChangeLoggedModel):
    """One anomaly found by a run (比对结果): who, where, which rule, the figures; verified by its village.

    ``subject`` identifies the anomaly across months (the person's ID, or the household for household rules);
    ``fingerprint`` is the figures as text, so that a finding closed as 不属实 comes back only when they change.
    A later month's finding of the same subject links to it (``previous``); the latest of a chain is the current
    one (``Finding.objects.current()``). Its status is a state of the one problem life cycle (``choices.STATE_OF``):
    the services change it only through ``work.lifecycle.check``, and the engine carries it into next month's
    finding by the cycle's rule (``engine.carry_sql``). Village, household and member come from the registry join
    that writes the findings and have no per-row referential check (Django keeps SET_NULL on deletion).
    """

    # Findings are written in bulk: foreign keys that are mostly empty get partial indexes (Meta) instead of
    # indexes holding a NULL per row, and ``run`` is served by (run, rule). The run, village, household, member
    # and list row are written by the engine from rows it has just read: no per-row referential check (PostgreSQL
    # queues one per row and fires it at commit); Django still applies on_delete.
    run = models.ForeignKey(
        MatchRun,
        verbose_name="比对批次",
        on_delete=models.CASCADE,
        related_name="findings",
        db_index=False,
        db_constraint=False,
    )
    department = models.CharField("部门", max_length=30, choices=c.DEPARTMENT_LABELS.items())
    period = models.CharField("比对期", max_length=7)
    rule = models.CharField("规则", max_length=40)
    rule_label = models.CharField("问题类型", max_length=60)
    village = models.ForeignKey(
        "regions.Region", verbose_name="行政村", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name="农户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
        db_constraint=False,
    )
    member = models.ForeignKey(
        "registry.Member",
        verbose_name="人员",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
        db_constraint=False,
    )
    # written only by the engine's INSERT … SELECT from rows that exist; no referential check per row at commit,
    # and no index: nothing looks findings up by their list row (a list with runs cannot be deleted)
    list_row = models.ForeignKey(
        ListRow,
        verbose_name="名单行",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("证件号码", max_length=18)
    subject = models.CharField("比对对象", max_length=40, editable=False)
    figures = models.JSONField("比对数据", default=list, blank=True)
    fingerprint = models.CharField("数据指纹", max_length=500, blank=True, editable=False)
    status = models.CharField("状态", max_length=4, choices=c.FINDING_STATUSES, default=c.PENDING)
    due_on = models.DateField("核实期限", null=True, blank=True)
    # written False by the engine; the run's release (下发) sets it for the whole run
    released = models.BooleanField("已下发", default=True, editable=False)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    verified_on = models.DateField("核实日期", null=True, blank=True)
    note = models.TextField("核实说明", blank=True)
    action = models.CharField("处理方式", max_length=10, choices=c.ACTIONS, blank=True)
    action_note = models.TextField("处理说明", blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="处理人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    closed_on = models.DateField("处理日期", null=True, blank=True)
    case = models.ForeignKey(
        "monitoring.MonitoringCase",
        verbose_name="监测记录",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    measure = models.ForeignKey(
        "assistance.Measure",
        verbose_name="帮扶措施",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    problem = models.ForeignKey(
        "assistance.GuaranteeProblem",
        verbose_name="保障问题",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    previous = models.ForeignKey(
        "self",
        verbose_name="上期同一问题",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
        db_index=False,
        db_constraint=False,
    )

    scope_code_field = "village__code"
    personal_fields = {"id_number": "id_number"}

    objects = FindingManager()

    class Meta:
        verbose_name = verbose_name_plural = "比对结果"
        ordering = ["-period", "village__code", "rule", "id"]
        indexes = [
            # the id too: the latest finding of a subject (MAX(id), a run links to it) is then one index entry away,
            # however many months its chain has
            models.Index(fields=["department", "rule", "subject", "id"], name="matching_finding_subject_id"),
            models.Index(fields=["status", "due_on"], name="matching_finding_due"),
            models.Index(fields=["run", "rule"], name="matching_finding_run_rule"),
            *[
                models.Index(fields=[name], condition=Q(**{f"{name}__isnull": False}), name=f"matching_finding_{name}")
                for name in ("previous", "case", "measure", "problem", "verified_by", "closed_by")
            ],
        ]

    def __str__(self) -> str:
        return f"{self.rule_label}：{self.name}"

    def get_absolute_url(self) -> str:
        return reverse("matching:finding_detail", args=[self.pk])

    def audit_parent(self):
        return self.household

    @property
    def figure_pairs(self) -> list[tuple[str, str]]:
        """(label, value) in the order the rule lists them, as pages show them: a birth date by its year alone
        (beside the masked ID it would complete; the ages the rule computed stay)."""
        return [
            (str(k), "" if v is None else mask_birth_date(v) if kind_of_label(k) == "birth_date" else str(v))
            for k, v in (self.figures or [])
        ]

    @property
    def figures_text(self) -> str:
        return "；".join(f"{k}：{v}" for k, v in self.figure_pairs)

    @property
    def is_current(self) -> bool:
        return not Finding._base_manager.filter(previous=self, released=True).exists()

    @property
    def state(self) -> str:
        """Its state in the one problem life cycle (``work.lifecycle.FINDINGS``; the status is its village's word)."""
        return c.STATE_OF[self.status][0]

    @property
    def is_open(self) -> bool:
        return self.status in c.OPEN

    @property
    def is_overdue(self) -> bool:
        return self.status == c.PENDING and self.due_on is not None and self.due_on < timezone.localdate()
