import django_tables2 as tables

from .changes import attach_diffs
from .models import AccessLog, ObjectChange

__all__ = ["AccessLogTable", "BaseTable", "ObjectChangeTable"]


class BaseTable(tables.Table):
    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle"}
        export_exclude = ()


class ObjectChangeTable(BaseTable):
    time = tables.DateTimeColumn(format="Y-m-d H:i:s")
    content_type = tables.Column(verbose_name="对象类型", accessor="content_type__name")
    object_repr = tables.Column(attrs={"td": {"class": "text-wrap"}})
    # the changes wrap (the site's cells do not): a new household lists dozens of fields
    changed = tables.Column(
        verbose_name="变更内容", empty_values=(), orderable=False, attrs={"td": {"class": "text-wrap small"}}
    )

    class Meta(BaseTable.Meta):
        model = ObjectChange
        fields = ("time", "user_name", "source", "action", "content_type", "object_repr", "region_code", "changed")

    def before_render(self, request):
        """The readable values of the page's changes, with the names behind their foreign keys read at once."""
        if hasattr(self, "page"):
            attach_diffs(row.record for row in self.page.object_list)

    def render_changed(self, record):
        parts = [
            f"{label}：{b if b not in (None, '') else '（空）'} → {a if a not in (None, '') else '（空）'}"
            for label, b, a in record.diff()[:6]
        ]
        return "；".join(parts)

    def value_changed(self, record):
        return self.render_changed(record)


class AccessLogTable(BaseTable):
    time = tables.DateTimeColumn(format="Y-m-d H:i:s")

    class Meta(BaseTable.Meta):
        model = AccessLog
        fields = ("time", "user_name", "action", "object_repr", "field", "record_count", "detail", "ip")
