from django import forms
from django.utils import timezone

from shoudi.core.forms import ScopedModelForm, StyledForm, date_widget
from shoudi.core.uploads import LimitedFileField
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.pickers import pick_household

from . import choices as c
from .models import Cadre, Measure, RhythmSettings
from .pickers import pick_cadre

YES_NO = [("", "未检查"), ("1", "是"), ("0", "否")]


def _yes_no(value):
    return None if value in ("", None) else value == "1"


class CadreForm(ScopedModelForm):
    class Meta:
        model = Cadre
        fields = ("name", "unit", "position", "phone", "region", "user", "active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = self.fields["user"].queryset.filter(role="cadre")
        self.fields["user"].required = False


class CadreImportForm(StyledForm):
    file = LimitedFileField(
        label="帮扶干部名册（Excel 或 CSV）", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"})
    )


class MeasureForm(ScopedModelForm):
    class Meta:
        model = Measure
        fields = (
            "household",
            "case",
            "category",
            "sub_item",
            "content",
            "amount",
            "department",
            "planned_on",
            "implemented_on",
            "status",
        )
        widgets = {"planned_on": date_widget(), "implemented_on": date_widget()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        pick_household(self)
        # 监测记录: the cases of the household chosen (not every case of the county); none chosen yet, none offered
        household = self.data.get("household") if self.is_bound else self.initial.get("household")
        household = household or self.instance.household_id
        cases = self.fields["case"].queryset
        self.fields["case"].queryset = (
            cases.filter(household=household) if str(household or "").isdigit() else cases.none()
        )
        self.fields["case"].help_text = "留空时自动关联该户正在进行的监测记录"

    def clean(self):
        data = super().clean()
        category, sub_item = data.get("category"), data.get("sub_item")
        if category and sub_item and sub_item not in c.MEASURE_CATEGORIES[category]:
            self.add_error("sub_item", f"「{category}」的具体项目应为：{'、'.join(c.MEASURE_CATEGORIES[category])}")
        if data.get("status") == "已落实" and not data.get("implemented_on"):
            self.add_error("implemented_on", "已落实的措施请填写落实日期")
        case, household = data.get("case"), data.get("household")
        if case and household and case.household_id != household.pk:
            self.add_error("case", "监测记录与农户不一致")
        if household and not case and not self.instance.pk:
            data["case"] = (
                MonitoringCase.objects.filter(household=household, is_open=True).order_by("-clue_date").first()
            )
        return data


class VisitForm(StyledForm):
    visited_on = forms.DateField(label="走访日期", initial=timezone.localdate, widget=date_widget())
    kind = forms.ChoiceField(label="方式", choices=c.VISIT_KINDS, widget=forms.RadioSelect)
    content = forms.CharField(label="走访内容", widget=forms.Textarea(attrs={"rows": 3}))
    photo = LimitedFileField(
        label="照片",
        size_only=True,
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )
    latitude = forms.DecimalField(required=False, widget=forms.HiddenInput)
    longitude = forms.DecimalField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field, label in c.CHECKLIST.items():
            self.fields[field] = forms.TypedChoiceField(
                label=label, choices=YES_NO, coerce=_yes_no, required=False, empty_value=None, widget=forms.RadioSelect
            )
        self.fields["kind"].initial = "入户"

    def clean(self):
        data = super().clean()
        if all(data.get(field) is None for field in c.CHECKLIST):
            self.add_error(None, c.CHECKLIST_BLANK)
        return data

    def checklist(self) -> dict:
        return {field: self.cleaned_data.get(field) for field in c.CHECKLIST}


class AssessmentForm(StyledForm):
    assessed_on = forms.DateField(label="评估日期", initial=timezone.localdate, widget=date_widget())
    measures_effective = forms.TypedChoiceField(
        label="帮扶措施是否有效", choices=[("1", "有效"), ("0", "效果不明显")], coerce=lambda v: v == "1"
    )
    income_trend = forms.ChoiceField(label="收入趋势", choices=c.INCOME_TRENDS)
    risk_status = forms.ChoiceField(label="风险状况", choices=c.RISK_STATUS)
    note = forms.CharField(label="评估意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PairForm(StyledForm):
    cadre = forms.ModelChoiceField(label="帮扶干部", queryset=Cadre.objects.none())
    reason = forms.CharField(label="原因（调整时必填）", required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        pick_cadre(self, "cadre", user)


class HandoverForm(StyledForm):
    to_cadre = forms.ModelChoiceField(label="移交给", queryset=Cadre.objects.none())
    reason = forms.CharField(label="移交原因")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        pick_cadre(self, "to_cadre", user)


class ResolveProblemForm(StyledForm):
    resolution = forms.CharField(label="解决情况")


class RhythmSettingsForm(ScopedModelForm):
    class Meta:
        model = RhythmSettings
        exclude = ("created_at", "updated_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = self.fields["region"].queryset.filter(level="county")
        if self.user is not None and not self.user.is_superuser:
            self.fields["region"].required = True
