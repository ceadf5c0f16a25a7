import django_tables2 as tables
from django.utils.html import format_html

from shoudi.core.tables import BaseTable

from .models import Assignment

__all__ = ["AssignmentTable", "due_text"]


def due_text(record) -> str:
    text = f"{record.due_date:%Y-%m-%d}"
    if record.due_fallback:
        text += "（未按节假日计算）"
    return text


class AssignmentTable(BaseTable):
    title = tables.Column(
        verbose_name="任务",
        accessor="task__title",
        linkify=lambda record: record.get_absolute_url(),
        attrs={"td": {"class": "text-wrap"}},
    )
    task_list = tables.Column(verbose_name="任务清单", accessor="task__task_list__title", default="—")
    issuer = tables.Column(verbose_name="下发单位", accessor="task__issuer_region__name")
    period = tables.Column(verbose_name="周期", accessor="period_start", orderable=False)
    recipient = tables.Column(verbose_name="承办方", accessor="region__name", order_by=("region__code", "unit"))
    result_kind = tables.Column(verbose_name="成果形式", accessor="task__result_kind")
    due_date = tables.DateColumn(format="Y-m-d")

    class Meta(BaseTable.Meta):
        model = Assignment
        fields = ("title", "task_list", "issuer", "period", "recipient", "result_kind", "due_date", "state")

    def render_period(self, record):
        return record.period_label or "—"

    def value_period(self, record):
        return record.period_label

    def render_recipient(self, record):
        return record.recipient_name

    def value_recipient(self, record):
        return record.recipient_name

    def render_result_kind(self, record):
        return record.task.get_result_kind_display()

    def value_result_kind(self, record):
        return record.task.get_result_kind_display()

    def render_due_date(self, record, value):
        if record.is_overdue:
            return format_html('<span class="text-danger">{} 已逾期</span>', due_text(record))
        return due_text(record)

    def value_due_date(self, record, value):
        return due_text(record)

    def render_state(self, record):
        label = record.get_state_display()
        return f"{label}（已退回）" if record.returned_reason and record.state == "in_progress" else label
