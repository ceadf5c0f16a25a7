"""The forms of the employment app: a round's year and date, one person's verification, and the records (posts,
placements, attendance, workshops and their workers, transport subsidies, the settings)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from shoudi.core.forms import ScopedModelForm, StyledForm, date_widget
from shoudi.regions.models import Region
from shoudi.registry.pickers import pick_member

from . import choices as c
from .models import Attendance, EmploymentSettings, Placement, Post, TransportSubsidy, Workshop, WorkshopEmployee
from .selectors import covered_members

__all__ = [
    "AttendanceForm",
    "EmploymentSettingsForm",
    "PlacementForm",
    "PostForm",
    "RoundForm",
    "TransportSubsidyForm",
    "VerifyForm",
    "WorkshopEmployeeForm",
    "WorkshopForm",
]

YES_NO = [("1", "已务工"), ("0", "未务工")]


def _local_regions(form, name: str = "region") -> None:
    """A post or workshop is in a township or a village the user sees."""
    field = form.fields[name]
    field.queryset = field.queryset.filter(level__in=("township", "village")).order_by("code")


class RoundForm(StyledForm):
    year = forms.IntegerField(label="核实年度", min_value=2000, max_value=2100)
    reference_date = forms.DateField(label="年龄计算基准日", widget=date_widget(), help_text="按该日的周岁确定核实对象")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        self.fields["reference_date"].initial = datetime.date(today.year, 12, 31)

    def clean(self):
        data = super().clean()
        year, day = data.get("year"), data.get("reference_date")
        if year and day and day.year != year:
            self.add_error("reference_date", "基准日应在核实年度内")
        return data


class VerifyForm(StyledForm):
    employed = forms.TypedChoiceField(
        label="是否务工", choices=YES_NO, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )
    work_place = forms.CharField(label="务工地点", max_length=100, required=False)
    work_months = forms.IntegerField(label="务工时间（月）", min_value=0, max_value=12, required=False)
    work_type = forms.ChoiceField(label="务工类型", choices=[("", "—"), *c.WORK_TYPES], required=False)

    def clean(self):
        data = super().clean()
        if data.get("employed"):
            if not (data.get("work_place") or "").strip():
                self.add_error("work_place", "已务工的请填写务工地点")
            if data.get("work_months") in (None, 0):
                self.add_error("work_months", "已务工的请填写务工月数（1—12）")
            if not data.get("work_type"):
                self.add_error("work_type", "已务工的请选择务工类型")
        return data


class EmploymentSettingsForm(ScopedModelForm):
    class Meta:
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = self.fields["region"].queryset.filter(level="county")
        self.fields["region"].required = True


class PostForm(ScopedModelForm):
    class Meta:
        model = Post
        fields = ("name", "region", "employer", "monthly_subsidy", "note")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _local_regions(self)


class PlacementForm(ScopedModelForm):
    class Meta:
        model = Placement
        fields = ("post", "member", "start_date", "end_date")
        widgets = {"start_date": date_widget(), "end_date": date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pick_member(self)

    def save(self, commit=True):
        from .services import save_placement

        placement = super().save(commit=False)
        return save_placement(placement=placement) if commit else placement


class AttendanceForm(ScopedModelForm):
    class Meta:
        model = Attendance
        fields = ("placement", "month", "days", "subsidy_paid")
        widgets = {"month": date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["placement"]
        field.queryset = field.queryset.select_related("member", "post__region")

    def clean_month(self):
        month = self.cleaned_data["month"]
        return month.replace(day=1) if month else month


class WorkshopForm(ScopedModelForm):
    class Meta:
        model = Workshop
        fields = ("name", "region", "operator", "contact")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _local_regions(self)


class WorkshopEmployeeForm(ScopedModelForm):
    class Meta:
        model = WorkshopEmployee
        fields = ("workshop", "member", "year", "months", "income")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pick_member(self)
        if not self.instance.pk:
            self.fields["year"].initial = timezone.localdate().year

    def clean_member(self):
        member = self.cleaned_data["member"]
        if member is not None and not covered_members().filter(pk=member.pk).exists():
            raise forms.ValidationError(f"{member.name}不是脱贫人口或监测对象，不计入帮扶车间吸纳人数")
        return member


class TransportSubsidyForm(ScopedModelForm):
    class Meta:
        model = TransportSubsidy
        fields = ("member", "year", "destination", "amount", "paid_on")
        widgets = {"paid_on": date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pick_member(self)
        if not self.instance.pk:
            self.fields["year"].initial = timezone.localdate().year

    def clean_member(self):
        member = self.cleaned_data["member"]
        if member is not None and not covered_members().filter(pk=member.pk).exists():
            raise forms.ValidationError(f"{member.name}不是脱贫人口或监测对象，不享受一次性交通补贴")
        return member


def county_of(user) -> Region | None:
    """The county a user starts rounds for: his own region's county."""
    region = getattr(user, "region", None)
    if region is None:
        return None
    return Region.objects.filter(code=region.code[:6], level="county").first()
