"""The forms of the team pages: units, teams, members, the check-in, 补录, leave and 公出, logs and meetings."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from shoudi.accounts.models import User
from shoudi.accounts.roles import TEAM_MEMBER
from shoudi.core.forms import ScopedModelForm, StyledForm, date_widget
from shoudi.core.idnumbers import IdNumberError, validate_id_number
from shoudi.core.uploads import LimitedFileField
from shoudi.regions.models import Region

from . import choices as c
from .models import Evaluation, Meeting, SupportUnit, Team, TeamMember, TeamSettings, Training, UnitFund, UnitVisit

__all__ = [
    "AbsenceForm",
    "CheckInForm",
    "DecisionForm",
    "EndForm",
    "EvaluationForm",
    "MakeUpForm",
    "MeetingForm",
    "MemberForm",
    "ReturnForm",
    "SupportUnitForm",
    "TeamForm",
    "TeamSettingsForm",
    "TrainingForm",
    "UnitFundForm",
    "UnitVisitForm",
    "WorkLogForm",
]


def _phone(value: str) -> str:
    value = (value or "").strip().replace(" ", "").replace("-", "")
    if value and not (value.isdigit() and len(value) in (7, 8, 11, 12)):
        raise forms.ValidationError("应为 11 位手机号或座机号码")
    return value


class SupportUnitForm(ScopedModelForm):
    class Meta:
        model = SupportUnit
        fields = ("name", "level", "main_leader", "deputy_leader", "contact", "phone", "region")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = self.fields["region"].queryset.filter(level="county")

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])


class TeamForm(ScopedModelForm):
    class Meta:
        model = Team
        fields = ("village", "unit", "formed_on", "address", "latitude", "longitude", "note")
        widgets = {"formed_on": date_widget(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = self.fields["village"].queryset.filter(level="village").order_by("code")
        self.fields["latitude"].help_text = "用于核对签到位置，如 26.583000"


class MemberForm(ScopedModelForm):
    """A member's own details; the team, the dates and the login are set when he is appointed."""

    login = forms.CharField(
        label="登录账号（用户名）",
        max_length=150,
        required=False,
        help_text="队员本人签到、写日志用的账号：角色为驻村工作队员，所属区划为驻村的村",
    )
    pairing_cadre = forms.BooleanField(label="兼任本村结对帮扶干部", required=False)

    class Meta:
        model = TeamMember
        fields = ("team", "name", "post", "unit", "position", "phone", "id_number", "start_date", "term_years")
        widgets = {"start_date": date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # the assignment itself does not change: end it and appoint anew
            for name in ("team", "start_date", "login", "pairing_cadre"):
                del self.fields[name]
        else:
            team = self.fields["team"]
            team.queryset = team.queryset.select_related("village").order_by("village__code")

    def clean_login(self):
        username = self.cleaned_data["login"].strip()
        if not username:
            return None
        # a login of the member role only, named exactly: the service checks it is the team's village
        login = User.objects.filter(username=username, role=TEAM_MEMBER).first()
        if login is None:
            raise forms.ValidationError(f"没有角色为驻村工作队员、用户名为“{username}”的账号")
        return login

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])

    def clean_id_number(self):
        value = self.cleaned_data["id_number"]
        if not value:
            return ""
        try:
            return validate_id_number(value)
        except IdNumberError as exc:
            raise forms.ValidationError(str(exc)) from None


class EndForm(StyledForm):
    end_date = forms.DateField(label="结束日期", widget=date_widget(), initial=timezone.localdate)
    reason = forms.CharField(label="结束原因", max_length=200, help_text="如：任期届满、工作调整")


class CheckInForm(StyledForm):
    """The phone's position (filled by checkin.js) and an optional photo; the time is the server's."""

    latitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput)
    longitude = forms.DecimalField(max_digits=9, decimal_places=6, required=False, widget=forms.HiddenInput)
    accuracy = forms.DecimalField(min_value=0, max_digits=9, decimal_places=1, required=False, widget=forms.HiddenInput)
    photo = LimitedFileField(
        label="现场照片（可不拍）",
        required=False,
        size_only=True,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            data["latitude"] = data["longitude"] = data["accuracy"] = None
        return data


class MakeUpForm(StyledForm):
    day = forms.DateField(label="在村日期", widget=date_widget())
    night = forms.BooleanField(label="当晚住在村里", required=False)
    reason = forms.CharField(label="补录原因", max_length=200, help_text="如：手机无信号未能签到，经村两委核实")


class AbsenceForm(StyledForm):
    category = forms.ChoiceField(label="类别", choices=c.CATEGORIES, widget=forms.RadioSelect, initial=c.LEAVE)
    kind = forms.ChoiceField(
        label="事由类型",
        choices=[("请假", c.LEAVE_TYPES), ("公出", c.OFFICIAL_TYPES)],
        help_text="公出（会议、培训、公务）须在出发前报备，计入在村天数",
    )
    start_date = forms.DateField(label="开始日期", widget=date_widget())
    end_date = forms.DateField(label="结束日期", widget=date_widget())
    reason = forms.CharField(label="事由", max_length=300)
    destination = forms.CharField(label="去向", max_length=100, required=False)

    def clean(self):
        data = super().clean()
        category, kind = data.get("category"), data.get("kind")
        if category and kind and kind not in c.TYPES[category]:
            self.add_error("kind", f"「{category}」的事由类型应为：{'、'.join(c.TYPES[category])}")
        return data


class DecisionForm(StyledForm):
    opinion = forms.CharField(label="审批意见（不批准时必填）", max_length=300, required=False)


class ReturnForm(StyledForm):
    returned_on = forms.DateField(label="回村日期", widget=date_widget(), initial=timezone.localdate)


class TeamSettingsForm(ScopedModelForm):
    class Meta:
        model = TeamSettings
        exclude = ("created_at", "updated_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = self.fields["region"].queryset.exclude(level="village")
        if self.user is not None and not self.user.is_superuser:
            self.fields["region"].required = True


class WorkLogForm(StyledForm):
    day = forms.DateField(label="日期", widget=date_widget(), initial=timezone.localdate)
    work_done = forms.CharField(label="当日工作", widget=forms.Textarea(attrs={"rows": 4}))
    problems = forms.CharField(label="发现的问题", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    next_plan = forms.CharField(label="下步计划", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    households = forms.CharField(
        label="涉及农户（户编号，多个用逗号分隔）", required=False, help_text="当天走访过的农户会自动关联"
    )
    photo = LimitedFileField(
        label="照片（可不拍）",
        required=False,
        size_only=True,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )


class MeetingForm(ScopedModelForm):
    class Meta:
        model = Meeting
        fields = ("region", "kind", "held_on", "host", "attendees", "content", "decisions")
        widgets = {
            "held_on": date_widget(),
            "content": forms.Textarea(attrs={"rows": 4}),
            "decisions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = self.fields["region"].queryset.exclude(level="county").order_by("code")
        self.fields["region"].help_text = "周例会等填驻村的村；乡镇月度讲评填乡镇"

    def clean(self):
        data = super().clean()
        region, kind = data.get("region"), data.get("kind")
        if region is not None and kind:
            township = kind in c.TOWNSHIP_MEETINGS
            if township and region.level != "township":
                self.add_error("region", "乡镇月度讲评请选择乡镇")
            if not township and region.level != "village":
                self.add_error("region", f"{dict(c.MEETING_KINDS)[kind]}请选择驻村的村")
        return data

    def save(self, commit=True):
        if self.instance.pk is None and self.user is not None:
            self.instance.recorded_by = self.user
        return super().save(commit)


def _teams_field(form) -> None:
    form.fields["team"].queryset = form.fields["team"].queryset.select_related("village").order_by("village__code")


class UnitVisitForm(ScopedModelForm):
    class Meta:
        model = UnitVisit
        fields = ("team", "unit", "visited_on", "leader", "leader_post", "talk_held", "content")
        widgets = {"visited_on": date_widget(), "content": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _teams_field(self)


class UnitFundForm(ScopedModelForm):
    class Meta:
        model = UnitFund
        fields = ("team", "unit", "year", "amount", "paid_on", "purpose")
        widgets = {"paid_on": date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _teams_field(self)


def _members_field(form) -> None:
    field = form.fields["member"]
    field.queryset = field.queryset.select_related("team__village").order_by("team__village__code", "name")
    field.label_from_instance = lambda m: f"{m.team.village.name} · {m.name}（{m.get_post_display()}）"


class EvaluationForm(ScopedModelForm):
    class Meta:
        model = Evaluation
        fields = ("member", "kind", "year", "grade", "evaluated_on", "note")
        widgets = {"evaluated_on": date_widget(), "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _members_field(self)


class TrainingForm(ScopedModelForm):
    class Meta:
        model = Training
        fields = ("member", "title", "level", "organizer", "start_date", "days")
        widgets = {"start_date": date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _members_field(self)


class RegionChoiceForm(StyledForm):
    """The month and the township (or village) of the attendance page."""

    month = forms.CharField(label="月份", max_length=7, help_text="如 2026-05")
    area = forms.ModelChoiceField(
        label="区划", queryset=Region.objects.none(), required=False, empty_label="全部", to_field_name="code"
    )
    under = forms.BooleanField(label="只看不足规定天数的队员", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = Region.objects.restrict(user, "view").order_by("code")
