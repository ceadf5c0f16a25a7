"""A campaign (专项行动, S004's 百日攻坚): its phases, the work items of its 专班 per lead unit with their persons and
progress notes, and the links to the problems found during it (on work's one problem life cycle)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from shoudi.core.models import ChangeLoggedModel
from shoudi.core.scope import RestrictedManager

from . import choices as c

__all__ = ["Campaign", "CampaignProblem", "Phase", "ProgressNote", "WorkItem", "WorkItemPerson"]


class Campaign(ChangeLoggedModel):
    """A named campaign a county runs for a period, in ordered phases (S004 三: 动员部署, 集中攻坚, 巩固提升).

    Its state on a day follows from the dates (未开始 / 进行中 and the phase / 已结束) and is never stored. Townships
    and villages of the county read it (``scope_read_ancestors``); the county changes it.
    """

    name = models.CharField("行动名称", max_length=200)
    document_no = models.CharField("文件编号", max_length=60, blank=True)
    issuer_region = models.ForeignKey(
        "regions.Region", verbose_name="发起单位", on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    goal = models.TextField("目标任务", blank=True)

    scope_code_field = "issuer_region__code"
    scope_read_ancestors = True  # a township or village reads the campaigns of its county

    class Meta:
        verbose_name = verbose_name_plural = "攻坚行动"
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:campaign_detail", args=[self.pk])

    def phase_on(self, day: datetime.date, phases=None) -> Phase | None:
        """The phase ``day`` falls in (``phases``: the campaign's, already fetched)."""
        for phase in phases if phases is not None else self.phases.all():
            if phase.start_date <= day <= phase.end_date:
                return phase
        return None

    def state_on(self, day: datetime.date, phases=None) -> str:
        """未开始, 进行中 (with the phase's name: 进行中：集中攻坚) or 已结束."""
        if day < self.start_date:
            return c.BEFORE
        if day > self.end_date:
            return c.ENDED
        phase = self.phase_on(day, phases)
        return f"{c.RUNNING}：{phase.name}" if phase is not None else c.RUNNING

    @property
    def state(self) -> str:
        return self.state_on(timezone.localdate())


class Phase(ChangeLoggedModel):
    """One phase of a campaign, in order: 动员部署 (July), 集中攻坚 (August–September), 巩固提升 (October)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField("阶段", max_length=40)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")

    scope_code_field = "campaign__issuer_region__code"
    scope_read_ancestors = True

    class Meta:
        verbose_name = verbose_name_plural = "行动阶段"
        ordering = ["campaign", "start_date", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.start_date:%m-%d}至{self.end_date:%m-%d}）"

    def audit_parent(self):
        return self.campaign


class WorkItem(ChangeLoggedModel):
    """A work item of the campaign's 专班 (S004 附件): the task, its lead unit (牵头单位, one row per lead unit as the
    table has them), the cooperating units and the persons; ``state`` is the lead unit's own progress, written by
    ``services.report_progress``. Townships report their own progress on it when ``townships_report``."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items")
    number = models.PositiveSmallIntegerField("序号")
    task = models.CharField("工作任务", max_length=100)
    content = models.TextField("工作内容", blank=True)
    lead_unit = models.CharField("牵头单位", max_length=60)
    cooperating_units = models.CharField("责任单位", max_length=300, blank=True)
    townships_report = models.BooleanField("各乡镇报送进展", default=True)
    phase = models.ForeignKey(
        Phase, verbose_name="完成阶段", null=True, blank=True, on_delete=models.SET_NULL, related_name="items"
    )
    due_date = models.DateField("完成时限", null=True, blank=True)
    state = models.CharField("进展", max_length=12, choices=c.PROGRESS_CHOICES, default=c.NOT_STARTED, editable=False)

    scope_code_field = "campaign__issuer_region__code"
    scope_read_ancestors = True

    class Meta:
        verbose_name = verbose_name_plural = "攻坚工作任务"
        ordering = ["campaign", "number", "id"]

    def __str__(self) -> str:
        return f"{self.number}. {self.task}（{self.lead_unit}）"

    def get_absolute_url(self) -> str:
        return reverse("campaigns:item_detail", args=[self.pk])

    def audit_parent(self):
        return self.campaign

    @property
    def deadline(self) -> datetime.date:
        """The item's own date, else the end of its phase, else the end of the campaign."""
        if self.due_date is not None:
            return self.due_date
        return self.phase.end_date if self.phase is not None else self.campaign.end_date


class WorkItemPerson(ChangeLoggedModel):
    """A person of the 专班 for a work item: name, post and phone (masked for roles without unmask)."""

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="persons")
    name = models.CharField("姓名", max_length=40)
    post = models.CharField("职务", max_length=60, blank=True)
    phone = models.CharField("联系电话", max_length=20, blank=True)

    scope_code_field = "item__campaign__issuer_region__code"
    scope_read_ancestors = True
    personal_fields = {"phone": "phone"}

    class Meta:
        verbose_name = verbose_name_plural = "专班人员"
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return self.name

    def audit_parent(self):
        return self.item


class ProgressNote(models.Model):
    """One progress report on a work item by a unit: the lead unit (the county) or a township, with the state it
    reports. Notes are never edited; a unit's current state on an item is its latest note."""

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="notes")
    region = models.ForeignKey("regions.Region", verbose_name="报送单位", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("进展", max_length=12, choices=c.PROGRESS_CHOICES)
    text = models.TextField("进展情况")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    user_name = models.CharField("报送人", max_length=150)
    at = models.DateTimeField("时间", default=timezone.now)

    objects = RestrictedManager()
    scope_code_field = "region__code"
    scope_read_ancestors = True  # a township reads the lead unit's notes, not another township's

    class Meta:
        verbose_name = verbose_name_plural = "攻坚工作进展"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["item", "region"])]

    def __str__(self) -> str:
        return f"{self.get_state_display()}（{self.user_name}）"


# a link table, not issue_problem(source_model=…): problems already on the cycle join without work's rows being written
class CampaignProblem(models.Model):
    """A problem of the campaign's 问题排查台账: a problem on work's one life cycle, linked to the campaign.

    A link row rather than ``Problem.source_model``: a problem already on the cycle (work's demo, an imported list)
    joins the campaign without its row being written by another app; the problem's state stays work's alone.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="problem_links")
    problem = models.OneToOneField("work.Problem", on_delete=models.CASCADE, related_name="campaign_link")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "攻坚行动问题"

    def __str__(self) -> str:
        return f"{self.campaign} · {self.problem}"
