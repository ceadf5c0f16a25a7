import django_tables2 as tables
from django.utils.html import format_html

from shoudi.core.tables import BaseTable

from .models import Problem

__all__ = ["ProblemTable"]


# on a phone the list keeps 问题, 责任区划, 整改期限 and 状态; the rest shows from the tablet width up (and in the file)
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}


class ProblemTable(BaseTable):
    source = tables.Column(attrs=WIDE_ONLY)
    document_no = tables.Column(attrs=WIDE_ONLY)
    category = tables.Column(attrs=WIDE_ONLY)
    unit = tables.Column(attrs=WIDE_ONLY)
    title = tables.Column(linkify=True, attrs={"td": {"class": "text-wrap"}})
    region = tables.Column(verbose_name="责任区划", accessor="region__name")
    due_date = tables.DateColumn(format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = Problem
        fields = ("source", "document_no", "category", "title", "region", "unit", "due_date", "state")

    def render_due_date(self, record, value):
        text = f"{value:%Y-%m-%d}"
        if record.due_fallback:
            text += "（未按节假日计算）"
        if record.is_overdue:
            return format_html('<span class="text-danger">{} 已逾期</span>', text)
        return text

    def render_state(self, record):
        label = record.state_label
        if record.extension_to is not None:
            label += "（延期申请中）"
        if getattr(record, "escalated", False):
            return format_html('{} <span class="badge text-bg-danger">已升级</span>', label)
        return label
