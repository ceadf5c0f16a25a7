import django_tables2 as tables
from django.utils.html import format_html

from shoudi.core.tables import BaseTable
from shoudi.registry.tables import CARDS, HouseholdColumn, HouseholdExportColumns, MaskedColumn, TextColumn

from . import choices as c
from .models import Cadre, GuaranteeProblem, Measure, Pairing, RhythmSettings, Visit


class CadreTable(BaseTable):
    name = tables.Column(linkify=True)
    phone = MaskedColumn(kind="phone")
    households = tables.Column(verbose_name="结对户数", accessor="current_count")

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = Cadre
        fields = ("name", "unit", "position", "phone", "region", "households", "active")


class PairingTable(HouseholdExportColumns):
    household = HouseholdColumn()
    cadre = tables.Column(
        verbose_name="帮扶干部", accessor="cadre__name", linkify=lambda record: record.cadre.get_absolute_url()
    )
    unit = TextColumn(verbose_name="单位", accessor="cadre__unit", length=14)
    reason = TextColumn(length=14)
    end_reason = TextColumn(length=14)

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = Pairing
        fields = ("household", "cadre", "unit", "start_date", "end_date", "reason", "end_reason")


class MeasureTable(HouseholdExportColumns):
    household = HouseholdColumn()
    content = TextColumn(length=20)
    department = TextColumn(length=10)

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = Measure
        fields = (
            "household",
            "category",
            "sub_item",
            "content",
            "amount",
            "department",
            "planned_on",
            "implemented_on",
            "status",
        )


class VisitTable(HouseholdExportColumns):
    household = HouseholdColumn()
    content = TextColumn(length=24)
    checklist = tables.Column(verbose_name="两不愁三保障及饮水", empty_values=(), orderable=False)

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = Visit
        fields = ("visited_on", "household", "kind", "visitor", "content", "checklist")

    def render_checklist(self, record):
        answers = {field: getattr(record, field) for field in c.CHECKLIST}
        problems = [c.CHECKLIST[field] for field, answer in answers.items() if answer is False]
        if problems:
            return format_html('<span class="text-danger">{}：否</span>', "、".join(problems))
        blank = sum(answer is None for answer in answers.values())
        return "均有保障" if not blank else f"有保障，{blank} 项未填"

    def value_checklist(self, record):
        return "；".join(f"{label}：{_yes_no(getattr(record, field))}" for field, label in c.CHECKLIST.items())


class ProblemTable(HouseholdExportColumns):
    household = HouseholdColumn()
    description = TextColumn(length=20)
    resolution = TextColumn(length=16)

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = GuaranteeProblem
        fields = ("household", "kind", "description", "opened_on", "resolved_on", "resolution")


class RhythmTable(BaseTable):
    edit = tables.TemplateColumn(
        "<a href=\"{% url 'assistance:rhythmsettings_edit' record.pk %}\">修改</a>", verbose_name="", orderable=False
    )

    class Meta(BaseTable.Meta):
        template_name = CARDS
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


def _yes_no(answer) -> str:
    return "未填" if answer is None else ("是" if answer else "否")
