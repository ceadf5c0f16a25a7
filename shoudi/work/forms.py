"""The forms of the problem pages: issuing a problem, and each step's form."""

from __future__ import annotations

from django import forms

from shoudi.accounts.models import User
from shoudi.core.forms import StyledForm, date_widget
from shoudi.core.uploads import LimitedFileField
from shoudi.regions.models import Region
from shoudi.registry.models import Household

from . import choices as c
from .pickers import pick_responsible

__all__ = ["ExtensionForm", "ImportForm", "IssueForm", "ReasonForm", "RectifyForm", "ReviewForm", "WaiverForm"]


class IssueForm(StyledForm):
    source = forms.ChoiceField(label="问题来源", choices=c.SOURCE_CHOICES)
    document_no = forms.CharField(label="文件编号", max_length=60, required=False)
    category = forms.ChoiceField(label="问题类别", choices=c.CATEGORY_CHOICES)
    severity = forms.ChoiceField(label="严重程度", choices=c.SEVERITY_CHOICES, initial="一般")
    title = forms.CharField(label="问题", max_length=200)
    description = forms.CharField(label="问题描述", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    region = forms.ModelChoiceField(label="责任区划", queryset=Region.objects.none())
    unit = forms.CharField(label="责任单位", max_length=100, required=False)
    responsible = forms.ModelChoiceField(
        label="责任人", queryset=User.objects.none(), required=False, help_text="责任区划（含下级）的用户，可不选"
    )
    due_date = forms.DateField(label="整改期限（日期）", widget=date_widget(), required=False)
    due_workdays = forms.IntegerField(
        label="或：下发后几个工作日内", min_value=1, max_value=3660, required=False, help_text="按节假日和调休计算"
    )
    households = forms.CharField(label="涉及农户（户编号，多个用逗号分隔）", required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        below = Region.objects.restrict(user, "view").exclude(pk=getattr(user, "region_id", None))
        self.fields["region"].queryset = below.order_by("code")
        pick_responsible(self, "responsible", user)

    def clean_households(self):
        numbers = [n.strip() for n in self.cleaned_data["households"].replace("，", ",").split(",") if n.strip()]
        found = {
            h.household_no: h for h in Household.objects.restrict(self.user, "view").filter(household_no__in=numbers)
        }
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(f"没有找到户编号：{'、'.join(missing)}（或不在您的管辖范围内）")
        return list(found.values())

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("due_date") and not cleaned.get("due_workdays"):
            self.add_error("due_date", "请填写整改期限，或填写下发后几个工作日内")
        region, responsible = cleaned.get("region"), cleaned.get("responsible")
        if region is not None and responsible is not None and not responsible.region.code.startswith(region.code):
            self.add_error("responsible", f"{responsible}不是{region.name}（含下级）的用户，请重新选择责任人")
        return cleaned


class RectifyForm(StyledForm):
    text = forms.CharField(label="整改措施 / 完成情况", widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(label="佐证说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    file = LimitedFileField(label="佐证材料（照片或文件）", required=False, size_only=True)


class WaiverForm(StyledForm):
    reason = forms.CharField(label="不是问题的理由", widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.CharField(label="佐证说明", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    file = LimitedFileField(label="佐证材料（照片或文件）", required=False, size_only=True)


class ReviewForm(StyledForm):
    text = forms.CharField(label="审核意见（驳回时必填）", widget=forms.Textarea(attrs={"rows": 2}), required=False)


class ExtensionForm(StyledForm):
    until = forms.DateField(label="申请延期至", widget=date_widget())
    reason = forms.CharField(label="延期理由", max_length=300)


class ReasonForm(StyledForm):
    text = forms.CharField(label="理由", max_length=300, required=False)


class ImportForm(StyledForm):
    file = LimitedFileField(label="问题清单（Excel 或 CSV）")
