import django_tables2 as tables
from django.utils.html import format_html

from shoudi.core.tables import BaseTable
from shoudi.registry.tables import MaskedColumn

from .models import Finding, MatchingSettings, MatchRun
from .selectors import short_household_no


class RunTable(BaseTable):
    period = tables.Column(linkify=lambda record: record.get_absolute_url())
    department = tables.Column()
    file_name = tables.Column(verbose_name="文件", accessor="list__file_name")
    rows = tables.Column(verbose_name="载入行数", accessor="list__rows_loaded")
    findings = tables.Column(verbose_name="比对结果", accessor="summary", orderable=False)
    comparison = tables.Column(verbose_name="与上期相比", accessor="summary", orderable=False, empty_values=())
    started_by = tables.Column(verbose_name="发起人")
    created_at = tables.DateTimeColumn(verbose_name="时间", format="Y-m-d H:i")

    class Meta(BaseTable.Meta):
        model = MatchRun
        fields = (
            "period",
            "department",
            "file_name",
            "rows",
            "status",
            "findings",
            "comparison",
            "started_by",
            "created_at",
        )

    def render_findings(self, value):
        return (value or {}).get("findings", "—")

    def value_findings(self, value):
        return (value or {}).get("findings", "")

    def render_comparison(self, record):
        s = record.summary or {}
        if "new" not in s:
            return "—"
        return f"新增 {s['new']} · 连续 {s['recurring']} · 消失 {s['resolved']}"

    def value_comparison(self, record):
        return self.render_comparison(record)


class FindingTable(BaseTable):
    """Fits 1366 px: the household named by its head, a short 户编号 and the village in one cell, the figures cut
    to a line (whole on the finding's page and in the export)."""

    period = tables.Column(verbose_name="比对期")
    rule_label = tables.Column(verbose_name="问题类型", linkify=lambda record: record.get_absolute_url())
    household = tables.Column(
        verbose_name="农户", accessor="household__household_no", order_by=("village__code", "household__household_no")
    )
    village = tables.Column(verbose_name="行政村", accessor="village__name", order_by=("village__code",))
    name = tables.Column()
    id_number = MaskedColumn(kind="id_number")
    figures = tables.Column(verbose_name="比对数据", accessor="figures_text", orderable=False)
    status = tables.Column()
    due_on = tables.DateColumn(format="Y-m-d")
    recurring = tables.Column(verbose_name="上期", accessor="previous__period", orderable=False)

    class Meta(BaseTable.Meta):
        model = Finding
        fields = (
            "period",
            "rule_label",
            "household",
            "village",
            "name",
            "id_number",
            "figures",
            "status",
            "due_on",
            "recurring",
        )

    def render_period(self, record, value):
        return format_html('{}<div class="small text-body-secondary">{}</div>', value, record.get_department_display())

    def value_period(self, record, value):
        return f"{value} {record.get_department_display()}"

    def render_household(self, record, value):
        head = getattr(record, "head_name", None) or "（无户主）"
        return format_html(
            '{}户<div class="small text-body-secondary text-nowrap">{}</div>', head, short_household_no(value)
        )

    def value_household(self, record, value):
        return value

    def render_village(self, record, value):
        township = record.village.parent.name if record.village.parent_id else ""
        return format_html('{}<div class="small text-body-secondary">{}</div>', value, township)

    def value_village(self, record, value):
        return value

    def render_figures(self, value):
        return format_html(
            '<span class="d-inline-block text-truncate align-bottom sd-mw-10" title="{}">{}</span>',
            value,
            value,
        )

    def value_figures(self, value):
        return value

    def render_status(self, record, value):
        css = {
            "待核实": "text-bg-danger" if record.is_overdue else "text-bg-warning",
            "属实": "text-bg-primary",
            "不属实": "text-bg-secondary",
            "已处理": "text-bg-success",
        }.get(value, "text-bg-light")
        label = f"{value}（已逾期）" if record.is_overdue else value
        return format_html('<span class="badge {}">{}</span>', css, label)

    def value_status(self, record, value):
        return f"{value}（已逾期）" if record.is_overdue else value


class SettingsTable(BaseTable):
    edit = tables.TemplateColumn(
        "<a href=\"{% url 'matching:matchingsettings_edit' record.pk %}\">修改</a>", verbose_name="", orderable=False
    )

    class Meta(BaseTable.Meta):
        model = MatchingSettings
        fields = (
            "region",
            "verification_days",
            "rural_income",
            "medical_lifted_percent",
            "medical_other_percent",
            "absence_min_coverage_percent",
            "absence_min_village_percent",
        )
