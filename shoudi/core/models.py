"""Shared base models, the change log, the access log and background jobs."""

from __future__ import annotations

import datetime
import decimal
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils import timezone

from .changes import SOURCE_CHOICES
from .scope import RestrictedManager

__all__ = ["AccessLog", "ChangeLoggedModel", "Holiday", "Job", "ObjectChange", "Synonym", "TimeStampedModel"]


class TimeStampedModel(models.Model):
    """Creation and last-change times."""

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


def _plain(value):
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or None
    return value


class ChangeLoggedModel(TimeStampedModel):
    """A domain model whose every create, update and delete is written to the change log (变更记录).

    Subclasses set ``scope_code_field`` (the lookup of the region code used for scope) and may set
    ``audit_exclude`` (field names never logged) and ``audit_parent()`` (the object whose history shows this change).
    """

    audit_exclude: tuple[str, ...] = ("created_at", "updated_at")
    scope_code_field: str = ""
    # field → mask kind (core.masking: "id_number", "phone", "birth_date", "mapping" for a JSON dict): masked in lists,
    # pages and history
    personal_fields: dict[str, str] = {}
    audit_labels: dict[str, dict] = {}  # field → {stored key: label}: how the change log shows a JSON list of keys

    objects = RestrictedManager()

    class Meta:
        abstract = True

    def audit_data(self) -> dict:
        data = {}
        for f in self._meta.concrete_fields:
            if f.name in self.audit_exclude:
                continue
            data[f.name] = _plain(getattr(self, f.attname))
        return data

    def audit_parent(self) -> models.Model | None:
        return None

    def audit_region_code(self) -> str:
        if not self.scope_code_field:
            return ""
        value = self
        for part in self.scope_code_field.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return ""
        return str(value)


class Synonym(ChangeLoggedModel):
    """A spelling a county admin added to a code table (core.vocabulary): ``text`` means the term ``value``.

    A county's synonyms serve its own imports (``region_code`` is the county's code); "" is deployment-wide.
    """

    region_code = models.CharField("区划代码", max_length=12, blank=True)
    vocabulary = models.CharField("码表", max_length=40)
    text = models.CharField("写法", max_length=100)
    folded = models.CharField("比较用写法", max_length=100, editable=False)
    value = models.CharField("对应标准值", max_length=50)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="添加人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "码表同义词"
        ordering = ["vocabulary", "folded"]
        constraints = [
            models.UniqueConstraint(fields=["region_code", "vocabulary", "folded"], name="synonym_unique_spelling")
        ]

    scope_code_field = "region_code"
    scope_read_ancestors = True  # a township or village user reads his county's synonyms

    def __str__(self) -> str:
        return f"{self.text} → {self.value}"


class Holiday(ChangeLoggedModel):
    """One day of the working-day calendar (core.workdays) that is not what its weekday says: a 休 day off (a public
    holiday on a weekday) or a 班 working day (a 调休 Saturday or Sunday).

    Seeded from chinesecalendar (2004–2026); a county admin enters the years after. ``region_code`` "" is the
    national calendar every county reads; a county's own row for a date wins over the national one.
    """

    REST, WORK = "rest", "work"
    KIND_CHOICES = [(REST, "休（放假）"), (WORK, "班（调休上班）")]

    region_code = models.CharField("区划代码", max_length=12, blank=True, editable=False)
    date = models.DateField("日期")
    kind = models.CharField("类型", max_length=8, choices=KIND_CHOICES)
    name = models.CharField("节日名称", max_length=40)

    class Meta:
        verbose_name = verbose_name_plural = "节假日"
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["region_code", "date"], name="holiday_unique_date")]

    scope_code_field = "region_code"
    scope_read_ancestors = True  # every county reads the national calendar

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}（{self.get_kind_display()[0]}）"

    def get_absolute_url(self) -> str:
        return reverse("core:holiday_list") + f"?year={self.date.year}"


class ObjectChange(models.Model):
    """One create/update/delete of a domain object: who, when, and the values before and after."""

    CREATE, UPDATE, DELETE = "create", "update", "delete"
    ACTION_CHOICES = [(CREATE, "新增"), (UPDATE, "修改"), (DELETE, "删除")]

    time = models.DateTimeField("时间", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_name = models.CharField("操作人", max_length=150, blank=True)
    source = models.CharField("来源", max_length=10, choices=SOURCE_CHOICES, default="web")
    # no index: nothing looks changes up by request, and an import writes hundreds of thousands of rows at once
    request_id = models.UUIDField("请求编号", null=True, blank=True)
    action = models.CharField("操作", max_length=10, choices=ACTION_CHOICES)
    # the two content types are looked up with their object ids: the composite indexes below serve them
    content_type = models.ForeignKey(
        ContentType, verbose_name="对象类型", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    object_id = models.CharField("对象编号", max_length=64)
    object_repr = models.CharField("对象", max_length=200)
    parent_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    parent_object_id = models.CharField(max_length=64, blank=True)
    region_code = models.CharField("区划代码", max_length=12, blank=True, db_index=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)

    scope_code_field = "region_code"
    objects = RestrictedManager()

    class Meta:
        verbose_name = verbose_name_plural = "变更记录"
        ordering = ["-time", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id"]),
            models.Index(fields=["parent_content_type", "parent_object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    def diff(self) -> list[tuple[str, object, object]]:
        """(field label, before, after) as a page shows them, for every field whose value differs (core.changes)."""
        if not hasattr(self, "_readable"):
            from .changes import attach_diffs

            attach_diffs([self])
        return self._readable


class AccessLog(models.Model):
    """A sensitive act on personal information: unmasking an ID number or phone, exporting personal data."""

    UNMASK, EXPORT, DOWNLOAD = "unmask", "export", "download"
    ACTION_CHOICES = [(UNMASK, "查看完整信息"), (EXPORT, "导出个人信息"), (DOWNLOAD, "下载文件")]

    time = models.DateTimeField("时间", default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_name = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=10, choices=ACTION_CHOICES)
    content_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    field = models.CharField("字段", max_length=50, blank=True)
    detail = models.TextField("说明", blank=True)
    record_count = models.PositiveIntegerField("记录数", null=True, blank=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    region_code = models.CharField("区划代码", max_length=12, blank=True, db_index=True)

    scope_code_field = "region_code"
    objects = RestrictedManager()

    class Meta:
        verbose_name = verbose_name_plural = "敏感信息访问记录"
        ordering = ["-time", "-id"]

    def __str__(self) -> str:
        return f"{self.user_name} {self.get_action_display()} {self.object_repr}"


class Job(models.Model):
    """A long piece of work run by the task worker: who started it, progress, log lines, result file, error."""

    QUEUED, RUNNING, SUCCEEDED, FAILED = "queued", "running", "succeeded", "failed"
    STATUS_CHOICES = [(QUEUED, "排队中"), (RUNNING, "运行中"), (SUCCEEDED, "已完成"), (FAILED, "失败")]

    kind = models.CharField("类型", max_length=100)
    title = models.CharField("名称", max_length=200)
    params = models.JSONField("参数", default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    region_code = models.CharField("区划代码", max_length=12, blank=True, db_index=True)
    status = models.CharField("状态", max_length=10, choices=STATUS_CHOICES, default=QUEUED, db_index=True)
    done = models.PositiveIntegerField("已完成", default=0)
    total = models.PositiveIntegerField("总数", null=True, blank=True)
    log = models.TextField("日志", blank=True)
    result_file = models.CharField("结果文件", max_length=300, blank=True)
    result_name = models.CharField("下载文件名", max_length=200, blank=True)
    result = models.JSONField("结果", null=True, blank=True)
    error = models.TextField("错误", blank=True)
    task_id = models.CharField("任务编号", max_length=64, blank=True)
    worker_host = models.CharField("工作进程主机", max_length=100, blank=True)
    worker_pid = models.PositiveIntegerField("工作进程", null=True, blank=True)
    attempts = models.PositiveIntegerField("运行次数", default=0)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    scope_code_field = "region_code"
    objects = RestrictedManager()

    class Meta:
        verbose_name = verbose_name_plural = "后台任务"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("core:job_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == self.SUCCEEDED:
            return 100
        if not self.total:
            return 0
        return min(100, int(self.done * 100 / self.total))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.SUCCEEDED, self.FAILED)
