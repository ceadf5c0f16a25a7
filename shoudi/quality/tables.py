import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from shoudi.core.tables import BaseTable
from shoudi.registry.tables import HouseholdColumn, HouseholdExportColumns

from .display import may_see_details, message_for, status_label
from .models import Hit, QualitySettings

__all__ = ["HitTable", "SettingsTable"]


class HitTable(HouseholdExportColumns):
    rule = tables.Column(verbose_name="规则", order_by=("rule", "village__code"))
    village = tables.Column(verbose_name="行政村", accessor="village__name", order_by=("village__code",))
    household = HouseholdColumn()
    member = tables.Column(verbose_name="姓名", accessor="member__name", default="")
    message = tables.Column(verbose_name="问题", empty_values=(), orderable=False, attrs={"td": {"class": "text-wrap"}})
    state = tables.Column(verbose_name="状态")
    found_at = tables.DateTimeColumn(verbose_name="发现时间", format="Y-m-d")
    problem = tables.Column(verbose_name="整改问题", empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        model = Hit
        fields = ("rule", "village", "household", "member", "message", "state", "found_at", "problem")

    def _details(self) -> bool:
        if not hasattr(self, "_may_see"):
            self._may_see = may_see_details(self.request.user) if getattr(self, "request", None) else False
        return self._may_see

    def render_rule(self, record):
        rule = record.rule_object
        return format_html(
            '<a href="{}">{}</a><div class="small text-body-secondary">{}</div>',
            record.get_absolute_url(),
            record.rule,
            rule.title if rule else "",
        )

    def value_rule(self, record):
        rule = record.rule_object
        return f"{record.rule} {rule.title}" if rule else record.rule

    def render_message(self, record):
        return message_for(record, self.request.user, details=self._details())

    def value_message(self, record):
        return self.render_message(record)

    def render_state(self, record):
        return status_label(record)

    def value_state(self, record):
        return self.render_state(record)

    def render_problem(self, record):
        if not record.problem_id:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("work:problem_detail", args=[record.problem_id]), "查看")

    def value_problem(self, record):
        return record.problem_id or ""


class SettingsTable(BaseTable):
    edit = tables.TemplateColumn(
        "<a href=\"{% url 'quality:qualitysettings_edit' record.pk %}\">修改</a>", verbose_name="", orderable=False
    )

    class Meta(BaseTable.Meta):
        model = QualitySettings
        fields = (
            "region",
            "due_workdays",
            "working_age_min",
            "working_age_max",
            "income_drop_percent",
            "income_tolerance",
            "disabled_rules",
        )
