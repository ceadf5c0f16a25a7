import django_tables2 as tables

from shoudi.core.tables import BaseTable

from .models import MonitoringCase, MonitoringLine, MonitoringSettings


class CaseTable(BaseTable):
    household = tables.Column(
        verbose_name="户编号", accessor="household__household_no", linkify=lambda record: record.get_absolute_url()
    )
    head_name = tables.Column(verbose_name="户主", accessor="head_name", orderable=False)
    village = tables.Column(verbose_name="行政村", accessor="household__village__name")
    step = tables.Column(verbose_name="当前环节", accessor="step_label", order_by=("chain", "step"))
    risk_types = tables.Column(verbose_name="风险类型")

    class Meta(BaseTable.Meta):
        model = MonitoringCase
        fields = (
            "household",
            "head_name",
            "village",
            "category",
            "risk_types",
            "source",
            "clue_date",
            "step",
            "identified_on",
            "eliminated_on",
        )

    def render_risk_types(self, value):
        return "、".join(value or [])

    def value_risk_types(self, value):
        return "、".join(value or [])


class MonitoringLineTable(BaseTable):
    edit = tables.TemplateColumn(
        "<a href=\"{% url 'monitoring:monitoringline_edit' record.pk %}\">修改</a>", verbose_name="", orderable=False
    )

    class Meta(BaseTable.Meta):
        model = MonitoringLine
        fields = ("year", "region", "amount", "document_no", "document_date")


class MonitoringSettingsTable(BaseTable):
    edit = tables.TemplateColumn(
        "<a href=\"{% url 'monitoring:monitoringsettings_edit' record.pk %}\">修改</a>",
        verbose_name="",
        orderable=False,
    )

    class Meta(BaseTable.Meta):
        model = MonitoringSettings
        fields = (
            "region",
            "year",
            "publicity_days",
            "identification_days",
            "min_months_before_elimination",
            "edge_factor",
            "low_income_floor",
            "income_drop_percent",
            "medical_threshold_lifted",
            "medical_threshold_other",
            "school_age_cutoff_month",
            "school_age_cutoff_day",
            "school_age_min",
            "school_age_max",
        )
