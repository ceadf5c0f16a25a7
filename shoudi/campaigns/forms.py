"""The forms of the campaign pages: a campaign with its phases, a work item with its persons, a progress report, and
登记问题 (work's issue form, the source fixed to 专项排查)."""

from __future__ import annotations

import itertools
import re

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory

from shoudi.core.forms import ScopedModelForm, StyledForm, date_widget
from shoudi.work.forms import IssueForm

from . import choices as c
from .models import Campaign, Phase, WorkItem, WorkItemPerson

__all__ = [
    "CampaignForm",
    "CampaignIssueForm",
    "ItemForm",
    "PersonFormSet",
    "ProgressForm",
    "phase_formset",
]

PHONE = re.compile(r"^[0-9][0-9-]{6,19}$")


class CampaignForm(ScopedModelForm):
    class Meta:
        model = Campaign
        fields = ("name", "document_no", "start_date", "end_date", "goal")
        widgets = {
            "start_date": date_widget(),
            "end_date": date_widget(),
            "goal": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "结束日期不能早于开始日期")
        return cleaned


class _Styled:
    """Bootstrap classes on the widgets of a formset's row forms."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = "form-check-input" if name == "DELETE" else "form-control form-control-sm"
            field.widget.attrs.setdefault("class", css)


class PhaseForm(_Styled, forms.ModelForm):
    class Meta:
        model = Phase
        fields = ("name", "start_date", "end_date")
        widgets = {"start_date": date_widget(), "end_date": date_widget()}

    def has_changed(self) -> bool:
        # a phase proposed from S004 (a new row's initial values) is kept as shown unless its row is deleted
        return (bool(self.initial) and self.instance.pk is None) or super().has_changed()


class BasePhaseFormSet(BaseInlineFormSet):
    """The phases in order, inside the campaign's dates, none overlapping another; at least one."""

    def clean(self):
        super().clean()
        if any(form.errors for form in self.forms):
            return
        campaign = self.instance
        kept = []
        for n, form in enumerate(self.forms, start=1):
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            name, start, end = data.get("name"), data.get("start_date"), data.get("end_date")
            where = f"第 {n} 行阶段「{name}」"
            if start is None or end is None:
                raise forms.ValidationError(f"{where}：请填写开始和结束日期")
            if end < start:
                raise forms.ValidationError(f"{where}：结束日期早于开始日期")
            first, last = campaign.start_date, campaign.end_date
            if first and last and (start < first or end > last):
                raise forms.ValidationError(f"{where}：应在行动期间（{first:%Y-%m-%d} 至 {last:%Y-%m-%d}）内")
            kept.append((start, end, where))
        if not kept:
            raise forms.ValidationError("请至少填写一个阶段")
        kept.sort()
        for (_, end, where), (start, _, after) in itertools.pairwise(kept):
            if start <= end:
                raise forms.ValidationError(f"{after}与{where}的日期重叠")


def phase_formset(*args, instance: Campaign, **kwargs) -> BasePhaseFormSet:
    """The phase rows: a new campaign is offered S004's three phases of its year, an existing one a spare row."""
    year = kwargs.pop("year", None)
    if instance.pk is None:
        year = instance.start_date.year if instance.start_date else year
        initial = [{"name": n, "start_date": s, "end_date": e} for n, s, e in c.s004_phases(year)]
        return _phases(len(initial) + 1)(*args, instance=instance, initial=initial, prefix="phases", **kwargs)
    return _phases(1)(*args, instance=instance, prefix="phases", **kwargs)


def _phases(extra: int):
    return inlineformset_factory(
        Campaign, Phase, form=PhaseForm, formset=BasePhaseFormSet, extra=extra, can_delete=True
    )


class ItemForm(ScopedModelForm):
    class Meta:
        model = WorkItem
        fields = (
            "number",
            "task",
            "lead_unit",
            "cooperating_units",
            "townships_report",
            "phase",
            "due_date",
            "content",
        )
        widgets = {"due_date": date_widget(), "content": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "lead_unit": "一项任务有几个牵头单位的，每个牵头单位登记一行（序号相同）",
            "townships_report": "勾选后各乡镇分别报送本乡镇的进展",
            "due_date": "不填则为所属阶段（或行动）的结束日期",
        }

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["phase"].queryset = campaign.phases.all()
        self.fields["phase"].empty_label = "（不限）"

    def clean_due_date(self):
        due = self.cleaned_data.get("due_date")
        if due and not self.campaign.start_date <= due <= self.campaign.end_date:
            raise forms.ValidationError(
                f"完成时限应在行动期间（{self.campaign.start_date:%Y-%m-%d} 至 {self.campaign.end_date:%Y-%m-%d}）内"
            )
        return due


class PersonForm(_Styled, forms.ModelForm):
    class Meta:
        model = WorkItemPerson
        fields = ("name", "post", "phone")

    def clean_phone(self):
        phone = re.sub(r"\s", "", self.cleaned_data.get("phone") or "")
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(f"联系电话“{phone}”格式不正确：手机号 11 位，座机如 0739-1234567")
        return phone


PersonFormSet = inlineformset_factory(WorkItem, WorkItemPerson, form=PersonForm, extra=2, can_delete=True)


class ProgressForm(StyledForm):
    region = forms.TypedChoiceField(label="报送单位", coerce=int)
    state = forms.ChoiceField(label="进展", choices=c.PROGRESS_CHOICES, initial=c.ONGOING)
    text = forms.CharField(label="进展情况", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)

    def __init__(self, *args, regions, item: WorkItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions = {r.pk: r for r in regions}
        county = item.campaign.issuer_region_id
        self.fields["region"].choices = [
            (r.pk, f"{item.lead_unit}（牵头单位）" if r.pk == county else r.name) for r in regions
        ]

    def clean_region(self):
        return self.regions[self.cleaned_data["region"]]


class CampaignIssueForm(IssueForm):
    """work's 下发 form without the source: a problem a campaign finds is always 专项排查."""

    def __init__(self, *args, campaign: Campaign, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["source"]
        self.fields["document_no"].initial = campaign.document_no
        region = self.fields["region"]
        region.queryset = region.queryset.filter(code__startswith=campaign.issuer_region.code)
