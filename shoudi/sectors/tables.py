"""The 送教上门 list (a table on a desk, cards on a phone): the child by name, his village, school and teacher, and
this month's visits against the two required."""

from __future__ import annotations

import django_tables2 as tables
from django.utils.html import format_html

from shoudi.core.tables import BaseTable
from shoudi.registry.tables import CARDS, TextColumn

from .models import HomeTeaching, HomeTeachingVisit
from .selectors import MIN_VISITS_A_MONTH

__all__ = ["HomeTeachingTable", "VisitTable"]


class HomeTeachingTable(BaseTable):
    child = tables.Column(
        verbose_name="姓名", accessor="member__name", linkify=lambda record: record.get_absolute_url()
    )
    township = tables.Column(verbose_name="乡镇", accessor="member__household__village__parent__name")
    village = tables.Column(verbose_name="村", accessor="member__household__village__name")
    disability = tables.Column(verbose_name="残疾类别等级", accessor="member__disability_text", orderable=False)
    month_visits = tables.Column(verbose_name="本月送教次数", orderable=False)

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = HomeTeaching
        fields = ("child", "township", "village", "disability", "school", "teacher", "start_date", "end_date")
        sequence = ("child", "township", "village", "disability", "school", "teacher", "month_visits", "...")

    def render_month_visits(self, value, record):
        if record.end_date is not None:
            return format_html('<span class="text-body-secondary">{}</span>', value)
        if value < MIN_VISITS_A_MONTH:
            return format_html(
                '<span class="badge text-bg-warning">{} 次（不足{}次）</span>', value, MIN_VISITS_A_MONTH
            )
        return f"{value} 次"

    def value_month_visits(self, value, record):
        return value


class VisitTable(BaseTable):
    content = TextColumn(verbose_name="送教内容", length=40)

    class Meta(BaseTable.Meta):
        model = HomeTeachingVisit
        fields = ("taught_on", "teacher", "content", "hours", "recorded_by")
        orderable = False
