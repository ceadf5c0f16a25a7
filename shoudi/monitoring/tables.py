import django_tables2 as tables

from shoudi.core.files import served_file_url
from shoudi.core.tables import BaseTable

from .models import MonitoringCase, MonitoringLine, MonitoringSettings, NoticeDelivery, NoticeDocument


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


class NoticeDocumentTable(BaseTable):
    title = tables.Column(linkify=lambda record: served_file_url("notice_document", record))
    edit = tables.TemplateColumn(
        "<a href=\"{% url 'monitoring:noticedocument_edit' record.pk %}\">修改</a>", verbose_name="", orderable=False
    )

    class Meta(BaseTable.Meta):
        model = NoticeDocument
        fields = ("title", "region", "audience", "issued_on", "active")


class NoticeDeliveryTable(BaseTable):
    household = tables.Column(
        verbose_name="户编号",
        accessor="household__household_no",
        linkify=lambda record: record.household.get_absolute_url(),
    )
    head_name = tables.Column(verbose_name="户主", accessor="head_name", orderable=False)
    village = tables.Column(verbose_name="行政村", accessor="household__village__name")
    title = tables.Column(verbose_name="文书", accessor="title", orderable=False)
    batch = tables.Column(
        verbose_name="整村发放", linkify=lambda record: record.batch.get_absolute_url() if record.batch_id else None
    )

    class Meta(BaseTable.Meta):
        model = NoticeDelivery
        fields = ("household", "head_name", "village", "title", "delivered_on", "delivered_by", "recipient", "way")

    def render_batch(self, value):
        return f"{value.delivered_on:%Y-%m-%d}批次"
