"""The lists of the teams app (a table on a desk, cards on a phone); phones and ID numbers masked."""

from __future__ import annotations

import django_tables2 as tables
from django.utils import timezone
from django.utils.html import format_html

from shoudi.core.tables import BaseTable
from shoudi.registry.tables import CARDS, MaskedColumn, TextColumn

from .models import (
    Absence,
    CheckIn,
    Evaluation,
    Meeting,
    SupportUnit,
    Team,
    TeamMember,
    TeamSettings,
    Training,
    UnitFund,
    UnitVisit,
    WorkLog,
)

__all__ = [
    "AbsenceTable",
    "CheckInTable",
    "EvaluationTable",
    "MeetingTable",
    "MemberTable",
    "SettingsTable",
    "SupportUnitTable",
    "TeamTable",
    "TrainingTable",
    "UnitFundTable",
    "UnitVisitTable",
    "WorkLogTable",
]

VILLAGE = {"verbose_name": "驻村", "accessor": "team__village__name"}
TOWNSHIP = {"verbose_name": "乡镇", "accessor": "team__village__parent__name"}


class SupportUnitTable(BaseTable):
    name = tables.Column(linkify=True)
    phone = MaskedColumn(kind="phone")
    teams = tables.Column(verbose_name="驻点村数", accessor="team_count")

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = SupportUnit
        fields = ("name", "level", "main_leader", "deputy_leader", "contact", "phone", "teams")


class TeamTable(BaseTable):
    village = tables.Column(verbose_name="驻村", linkify=lambda record: record.get_absolute_url())
    township = tables.Column(verbose_name="乡镇", accessor="village__parent__name")
    unit = tables.Column(verbose_name="后盾单位", accessor="unit__name")
    members = tables.Column(verbose_name="在岗队员", accessor="member_count")

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = Team
        fields = ("village", "township", "unit", "members", "formed_on", "address")


class MemberTable(BaseTable):
    name = tables.Column(linkify=True)
    village = tables.Column(**VILLAGE)
    township = tables.Column(**TOWNSHIP)
    unit = tables.Column(verbose_name="派出单位", accessor="unit__name")
    phone = MaskedColumn(kind="phone")
    id_number = MaskedColumn(kind="id_number", visible=False)
    end_date = tables.Column(verbose_name="状态", empty_values=())

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = TeamMember
        fields = ("name", "post", "village", "township", "unit", "position", "phone", "id_number", "start_date")
        sequence = (*fields, "end_date")

    def render_end_date(self, record):
        if record.end_date is None:
            return f"在岗（任期至 {record.term_ends_on:%Y-%m-%d}）"
        return f"已于 {record.end_date:%Y-%m-%d} 结束"

    def value_end_date(self, record):
        return self.render_end_date(record)


class CheckInTable(BaseTable):
    day = tables.DateColumn(format="Y-m-d")
    at = tables.Column(verbose_name="登记时间")
    member = tables.Column(
        verbose_name="队员", accessor="member__name", linkify=lambda record: record.member.get_absolute_url()
    )
    village = tables.Column(verbose_name="驻村", accessor="member__team__village__name")
    night_of = tables.BooleanColumn(verbose_name="住宿", yesno="✔,")
    distance = tables.Column(verbose_name="距驻村地点", empty_values=())
    flag_note = tables.Column(verbose_name="存疑", empty_values=())

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = CheckIn
        fields = ("day", "at", "member", "village", "kind", "night_of", "distance", "accuracy", "flag_note")

    def render_at(self, value):
        return f"{timezone.localtime(value):%H:%M}"

    def render_distance(self, record):
        if record.distance is None:
            return "—" if record.latitude is None else "未设置驻村地点"
        return f"{record.distance / 1000:.1f} 公里" if record.distance >= 1000 else f"{record.distance} 米"

    def render_flag_note(self, record):
        if record.flagged:
            return format_html('<span class="text-danger">{}</span>', record.flag_note)
        return record.reason or ""

    def value_flag_note(self, record):
        return record.flag_note if record.flagged else record.reason


class AbsenceTable(BaseTable):
    member = tables.Column(verbose_name="队员", accessor="member__name")
    village = tables.Column(verbose_name="驻村", accessor="member__team__village__name")
    kind = tables.Column(linkify=True)
    start_date = tables.DateColumn(format="Y-m-d")
    end_date = tables.DateColumn(format="Y-m-d")

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = Absence
        fields = ("member", "village", "category", "kind", "start_date", "end_date", "days", "state")


class WorkLogTable(BaseTable):
    day = tables.DateColumn(format="Y-m-d", linkify=True)
    member = tables.Column(verbose_name="队员", accessor="member__name")
    village = tables.Column(verbose_name="驻村", accessor="member__team__village__name")
    work_done = TextColumn(length=30)
    problems = TextColumn(length=16)

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = WorkLog
        fields = ("day", "member", "village", "work_done", "problems")


class MeetingTable(BaseTable):
    region = tables.Column(verbose_name="区划", accessor="region__name")
    content = TextColumn(length=30)
    edit = tables.TemplateColumn(
        "<a href=\"{% url 'teams:meeting_edit' record.pk %}\">查看/修改</a>", verbose_name="", orderable=False
    )

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = Meeting
        fields = ("held_on", "region", "kind", "host", "content")
        export_exclude = ("edit",)


class UnitVisitTable(BaseTable):
    village = tables.Column(**VILLAGE)
    unit = tables.Column(verbose_name="后盾单位", accessor="unit__name")
    content = TextColumn(length=24)

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = UnitVisit
        fields = ("visited_on", "village", "unit", "leader", "leader_post", "talk_held", "content")


class UnitFundTable(BaseTable):
    village = tables.Column(**VILLAGE)
    unit = tables.Column(verbose_name="后盾单位", accessor="unit__name")
    paid_on = tables.Column(verbose_name="拨付日期", empty_values=())

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = UnitFund
        fields = ("year", "village", "unit", "amount", "paid_on", "purpose")

    def before_render(self, request):
        """Each shown row's due date, from the settings of its village (one read of the settings)."""
        from .attendance import SettingsResolver

        rules = SettingsResolver()
        for row in getattr(getattr(self, "page", None), "object_list", []):
            row.record.due = rules(row.record.team.village.code).fund_due(row.record.year)

    def render_paid_on(self, record):
        due = getattr(record, "due", None)
        if record.paid_on is None:
            late = due is not None and due < timezone.localdate()
            return format_html('<span class="text-danger">{}</span>', "未拨付（已过期限）") if late else "未拨付"
        text = f"{record.paid_on:%Y-%m-%d}"
        if due is not None and record.paid_on > due:
            return format_html('{} <span class="text-danger">（晚于 {}）</span>', text, f"{due:%m-%d}")
        return text

    def value_paid_on(self, record):
        return f"{record.paid_on:%Y-%m-%d}" if record.paid_on else "未拨付"


class EvaluationTable(BaseTable):
    member = tables.Column(verbose_name="队员", accessor="member__name")
    village = tables.Column(verbose_name="驻村", accessor="member__team__village__name")

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = Evaluation
        fields = ("year", "kind", "member", "village", "grade", "evaluated_on", "note")


class TrainingTable(BaseTable):
    member = tables.Column(verbose_name="队员", accessor="member__name")
    village = tables.Column(verbose_name="驻村", accessor="member__team__village__name")

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = Training
        fields = ("start_date", "member", "village", "title", "level", "organizer", "days")


class SettingsTable(BaseTable):
    edit = tables.TemplateColumn(
        "<a href=\"{% url 'teams:teamsettings_edit' record.pk %}\">修改</a>", verbose_name="", orderable=False
    )

    class Meta(BaseTable.Meta):
        template_name = CARDS
        model = TeamSettings
        fields = (
            "region",
            "min_days",
            "week_days",
            "week_nights",
            "township_leave_days",
            "far_metres",
            "max_speed_kmh",
            "fund_due_month",
            "fund_due_day",
        )
        export_exclude = ("edit",)
