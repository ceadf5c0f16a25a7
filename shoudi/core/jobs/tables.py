import django_tables2 as tables
from django.utils.html import format_html

from ..models import Job
from ..tables import BaseTable

__all__ = ["STATUS_BADGES", "JobTable"]

STATUS_BADGES = {
    Job.QUEUED: "text-bg-secondary",
    Job.RUNNING: "text-bg-primary",
    Job.SUCCEEDED: "text-bg-success",
    Job.FAILED: "text-bg-danger",
}


class JobTable(BaseTable):
    title = tables.Column(linkify=True)
    user = tables.Column(verbose_name="发起人")
    progress = tables.Column(verbose_name="进度", empty_values=(), orderable=False)
    created_at = tables.DateTimeColumn(format="Y-m-d H:i")
    finished_at = tables.DateTimeColumn(format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = Job
        fields = ("title", "status", "progress", "user", "created_at", "finished_at", "error")

    def render_status(self, record):
        return format_html(
            '<span class="badge {}">{}</span>', STATUS_BADGES[record.status], record.get_status_display()
        )

    def value_status(self, record):
        return record.get_status_display()

    def render_progress(self, record):
        counts = f"{record.done}/{record.total}" if record.total is not None else str(record.done)
        return f"{record.percent}%（{counts}）"

    def value_progress(self, record):
        return self.render_progress(record)

    def render_error(self, value):
        return value if len(value) <= 60 else value[:60] + "…"
