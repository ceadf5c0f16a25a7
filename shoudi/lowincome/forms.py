"""The forms of the register: a category on a household, ending it, the 民政 list upload, a 分类帮扶 action and its
decision, a 关爱 record, and the visit settings."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from shoudi.core.forms import ScopedModelForm, StyledForm, date_widget
from shoudi.core.uploads import LimitedFileField
from shoudi.registry.models import Member

from . import choices as c
from .models import LowIncomeSettings

__all__ = ["ActionForm", "CareForm", "DecideForm", "DesignationForm", "EndForm", "ImportForm", "SettingsForm"]


def _members(household):
    return Member.objects.filter(household=household).order_by("pk")


class DesignationForm(StyledForm):
    category = forms.ChoiceField(label="类别", choices=c.CATEGORIES)
    member = forms.ModelChoiceField(
        label="家庭成员（按人认定时选择）", queryset=Member.objects.none(), required=False, empty_label="整户"
    )
    since = forms.DateField(label="起始日期", widget=date_widget(), initial=timezone.localdate)
    note = forms.CharField(label="备注", max_length=200, required=False)

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = _members(household)


class EndForm(StyledForm):
    until = forms.DateField(label="终止日期", widget=date_widget(), initial=timezone.localdate)
    reason = forms.CharField(label="终止原因", max_length=200)


class ImportForm(StyledForm):
    file = LimitedFileField(label="民政名单（Excel 或 CSV）")


class ActionForm(StyledForm):
    kind = forms.ChoiceField(label="帮扶事项", choices=c.ACTION_KINDS)
    content = forms.CharField(label="情况说明", widget=forms.Textarea(attrs={"rows": 2}))
    applied_on = forms.DateField(label="申请日期", widget=date_widget(), initial=timezone.localdate)


class DecideForm(StyledForm):
    decision = forms.CharField(label="意见", max_length=300, required=False)


class CareForm(StyledForm):
    member = forms.ModelChoiceField(label="关爱对象", queryset=Member.objects.none(), empty_label="请选择")
    kind = forms.ChoiceField(label="关爱行动", choices=c.CARE_KINDS)
    served_on = forms.DateField(label="服务日期", widget=date_widget(), initial=timezone.localdate)
    server = forms.CharField(label="服务人员", max_length=50, help_text="如公益岗位人员姓名")
    server_post = forms.CharField(label="服务人员岗位", max_length=50, required=False, initial="光伏扶贫公益岗位")
    content = forms.CharField(label="服务内容", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, household, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = _members(household)


class SettingsForm(ScopedModelForm):
    class Meta:
        model = LowIncomeSettings
        exclude = ("created_at", "updated_at")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = self.fields["region"].queryset.filter(level="county")
        if self.user is not None and not self.user.is_superuser:
            self.fields["region"].required = True

    def clean_visit_months(self):
        months = self.cleaned_data["visit_months"]
        if not 1 <= months <= 12:
            raise forms.ValidationError("走访间隔应为 1 到 12 个月")
        return months
