"""The lists of the employment app (a table on a desk, cards on a phone); ID numbers masked."""

from __future__ import annotations

import django_tables2 as tables

from shoudi.core.tables import BaseTable
from shoudi.registry.models import Household
from shoudi.registry.tables import CARDS, MaskedColumn

from .models import Attendance, EmploymentSettings, Post, TransportSubsidy, Verification, Workshop

__all__ = [
    "AttendanceTable",
    "PostTable",
    "SettingsTable",
    "TransportSubsidyTable",
    "VerificationTable",
    "WorkshopTable",
    "ZeroEmploymentTable",
]

MEMBER_VILLAGE = {"verbose_name": "村", "accessor": "member__household__village__name"}


class ZeroEmploymentTable(BaseTable):
    head = tables.Column(verbose_name="户主", accessor="head_name", linkify=lambda record: record.get_absolute_url())
    household_no = tables.Column(verbose_name="户编号")
    township = tables.Column(verbose_name="乡镇", accessor="village__parent__name")
    village = tables.Column(verbose_name="村", accessor="village__name")
    household_type = tables.Column(verbose_name="户类型")
    labour = tables.Column(verbose_name="劳动力（人）", accessor="labour_count")
    members = tables.Column(verbose_name="在册人口", accessor="member_count")

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = Household
        fields = ()
        sequence = ("head", "household_no", "township", "village", "household_type", "labour", "members")


class VerificationTable(BaseTable):
    name = tables.Column(verbose_name="姓名", accessor="member__name")
    id_number = MaskedColumn(verbose_name="证件号码", accessor="member__id_number", kind="id_number")
    relation = tables.Column(verbose_name="与户主关系", accessor="member__relation")
    labour = tables.Column(verbose_name="劳动技能", accessor="member__labour_skill")
    state = tables.Column(verbose_name="核实", accessor="verified_at", empty_values=())
    verify = tables.TemplateColumn(
        "{% if can_verify %}<a href=\"{% url 'employment:verify' record.pk %}\">核实</a>{% endif %}",
        verbose_name="",
        orderable=False,
    )

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = Verification
        fields = ("name", "id_number", "relation", "group", "age", "labour", "state", "employed", "work_place")
        sequence = ("name", "id_number", "relation", "group", "age", "labour", "state", "employed", "work_place")
        export_exclude = ("verify",)

    def render_state(self, value):
        return "已核实" if value else "待核实"

    def value_state(self, value):
        return "已核实" if value else "待核实"


class PostTable(BaseTable):
    name = tables.Column(linkify=True)
    region = tables.Column(verbose_name="所在区划", accessor="region__name")
    holders = tables.Column(verbose_name="在岗人数", accessor="holder_count")
    edit = tables.TemplateColumn(
        "<a href=\"{% url 'employment:post_edit' record.pk %}\">修改</a>", verbose_name="", orderable=False
    )

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = Post
        fields = ("name", "region", "employer", "monthly_subsidy", "holders")
        export_exclude = ("edit",)


class AttendanceTable(BaseTable):
    name = tables.Column(verbose_name="姓名", accessor="placement__member__name")
    village = tables.Column(verbose_name="村", accessor="placement__member__household__village__name")
    post = tables.Column(verbose_name="岗位", accessor="placement__post__name")
    month = tables.DateColumn(format="Y-m")
    floor = tables.Column(verbose_name="补贴下限（元）", accessor="floor")
    flagged = tables.Column(verbose_name="低于下限", accessor="subsidy_paid", empty_values=(), orderable=False)
    edit = tables.TemplateColumn(
        "<a href=\"{% url 'employment:attendance_edit' record.pk %}\">修改</a>", verbose_name="", orderable=False
    )

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = Attendance
        fields = ("name", "village", "post", "month", "days", "subsidy_paid", "floor", "flagged")
        export_exclude = ("edit",)

    def render_floor(self, value):
        return f"{value:.2f}"

    def value_floor(self, value):
        return f"{value:.2f}"

    def render_flagged(self, record):
        return "是" if record.subsidy_paid < record.floor else ""

    def value_flagged(self, record):
        return self.render_flagged(record)


class WorkshopTable(BaseTable):
    name = tables.Column(linkify=True)
    region = tables.Column(verbose_name="所在区划", accessor="region__name")
    employees = tables.Column(verbose_name="吸纳脱贫人口（人次）", accessor="employee_count")
    edit = tables.TemplateColumn(
        "<a href=\"{% url 'employment:workshop_edit' record.pk %}\">修改</a>", verbose_name="", orderable=False
    )

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = Workshop
        fields = ("name", "region", "operator", "contact", "employees")
        export_exclude = ("edit",)


class TransportSubsidyTable(BaseTable):
    name = tables.Column(verbose_name="姓名", accessor="member__name")
    id_number = MaskedColumn(verbose_name="证件号码", accessor="member__id_number", kind="id_number")
    township = tables.Column(verbose_name="乡镇", accessor="member__household__village__parent__name")
    village = tables.Column(**MEMBER_VILLAGE)
    edit = tables.TemplateColumn(
        "<a href=\"{% url 'employment:transportsubsidy_edit' record.pk %}\">修改</a>", verbose_name="", orderable=False
    )

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = TransportSubsidy
        fields = ("name", "id_number", "township", "village", "year", "destination", "amount", "paid_on")
        export_exclude = ("edit",)


class SettingsTable(BaseTable):
    edit = tables.TemplateColumn(
        "<a href=\"{% url 'employment:employmentsettings_edit' record.pk %}\">修改</a>",
        verbose_name="",
        orderable=False,
    )

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = EmploymentSettings
        fields = (
            "region",
            "minimum_wage",
            "subsidy_share",
            "verify_from_age",
            "verify_to_age",
            "workshop_months",
            "workshop_income",
            "workshop_subsidy",
        )
        export_exclude = ("edit",)
