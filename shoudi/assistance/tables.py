import django_tables2 as tables

from shoudi.core.tables import BaseTable
from shoudi.registry.tables import MaskedColumn

from .models import Cadre, GuaranteeProblem, Measure, Pairing, RhythmSettings, Visit

HOUSEHOLD_LINK = {"linkify": lambda record: record.household.get_absolute_url()}


class CadreTable(BaseTable):
    name = tables.Column(linkify=True)
    phone = MaskedColumn(kind="phone")
    households = tables.Column(verbose_name="结对户数", accessor="current_count")

    class Meta(BaseTable.Meta):
        model = Cadre
        fields = ("name", "unit", "position", "phone", "region", "households", "active")


class PairingTable(BaseTable):
    household = tables.Column(verbose_name="户编号", accessor="household__household_no", **HOUSEHOLD_LINK)
    village = tables.Column(verbose_name="行政村", accessor="household__village__name")
    cadre = tables.Column(verbose_name="帮扶干部", accessor="cadre__name")
    unit = tables.Column(verbose_name="单位", accessor="cadre__unit")

    class Meta(BaseTable.Meta):
        model = Pairing
        fields = ("household", "village", "cadre", "unit", "start_date", "end_date", "reason", "end_reason")


class MeasureTable(BaseTable):
    household = tables.Column(verbose_name="户编号", accessor="household__household_no", **HOUSEHOLD_LINK)
    village = tables.Column(verbose_name="行政村", accessor="household__village__name")

    class Meta(BaseTable.Meta):
        model = Measure
        fields = (
            "household",
            "village",
            "category",
            "sub_item",
            "content",
            "amount",
            "department",
            "planned_on",
            "implemented_on",
            "status",
        )


class VisitTable(BaseTable):
    household = tables.Column(verbose_name="户编号", accessor="household__household_no", **HOUSEHOLD_LINK)
    village = tables.Column(verbose_name="行政村", accessor="household__village__name")

    class Meta(BaseTable.Meta):
        model = Visit
        fields = (
            "visited_on",
            "household",
            "village",
            "kind",
            "visitor",
            "content",
            "food_clothing_ok",
            "education_ok",
            "medical_ok",
            "housing_ok",
            "water_ok",
        )


class ProblemTable(BaseTable):
    household = tables.Column(verbose_name="户编号", accessor="household__household_no", **HOUSEHOLD_LINK)
    village = tables.Column(verbose_name="行政村", accessor="household__village__name")

    class Meta(BaseTable.Meta):
        model = GuaranteeProblem
        fields = ("household", "village", "kind", "description", "opened_on", "resolved_on", "resolution")


class RhythmTable(BaseTable):
    edit = tables.TemplateColumn(
        "<a href=\"{% url 'assistance:rhythmsettings_edit' record.pk %}\">修改</a>", verbose_name="", orderable=False
    )

    class Meta(BaseTable.Meta):
        model = RhythmSettings
        fields = (
            "region",
            "monitored_visit_months",
            "monitored_assessment_months",
            "stable_after_elimination_months",
            "lifted_contact_months",
            "lifted_visit_months",
            "cadre_within_days",
            "measure_within_days",
        )
