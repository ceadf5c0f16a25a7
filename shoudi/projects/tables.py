"""The tables of the project, asset and 督查 lists."""

from __future__ import annotations

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from shoudi.core.tables import BaseTable

from . import choices as c
from .models import Asset, Inspection, Project

__all__ = ["AssetTable", "InspectionTable", "PlanCandidateTable", "ProjectTable"]


def _due(value, *, running: bool, fallback: bool = False) -> str:
    if value is None:
        return "—"
    text = f"{value:%Y-%m-%d}" + ("（未按节假日计算）" if fallback else "")
    if running and value < timezone.localdate():
        return format_html('<span class="text-danger">{} 已逾期</span>', text)
    return text


class ProjectTable(BaseTable):
    name = tables.Column(linkify=True, attrs={"td": {"class": "text-wrap"}})
    region = tables.Column(verbose_name="建设地点", accessor="region__name")
    budget = tables.Column(verbose_name="总投资（元）", empty_values=(), orderable=False)
    acceptance_due = tables.Column(verbose_name="验收期限")

    class Meta(BaseTable.Meta):
        model = Project
        fields = ("year", "name", "project_type", "subtype", "region", "implementing_unit", "budget", "state")
        sequence = (*fields, "acceptance_due")

    def render_budget(self, record):
        return f"{record.budget_total:,.2f}"

    def value_budget(self, record):
        return float(record.budget_total)

    def render_acceptance_due(self, record, value):
        return _due(value, running=record.state == c.COMPLETED, fallback=record.acceptance_due_fallback)


class PlanCandidateTable(ProjectTable):
    class Meta(ProjectTable.Meta):
        sequence = ("year", "name", "project_type", "subtype", "region", "implementing_unit", "budget", "state")
        exclude = ("acceptance_due",)


class AssetTable(BaseTable):
    name = tables.Column(linkify=True, attrs={"td": {"class": "text-wrap"}})
    region = tables.Column(verbose_name="所在区划", accessor="region__name")
    project = tables.Column(verbose_name="所属项目", accessor="project__name", attrs={"td": {"class": "text-wrap"}})
    value = tables.Column()
    transfer_due = tables.Column()

    class Meta(BaseTable.Meta):
        model = Asset
        fields = ("name", "kind", "category", "region", "project", "value", "transfer_due", "state", "owner_name")

    def render_value(self, value):
        return f"{value:,.2f}"

    def value_value(self, value):
        return float(value)

    def render_transfer_due(self, record, value):
        return _due(value, running=record.state == c.PENDING)


class InspectionTable(BaseTable):
    region = tables.Column(
        verbose_name="督查区划", accessor="region__name", linkify=lambda record: record.get_absolute_url()
    )

    class Meta(BaseTable.Meta):
        model = Inspection
        fields = ("year", "quarter", "region", "inspected_on", "inspectors", "findings", "rectification")
