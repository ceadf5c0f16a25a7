"""The forms of the 一户一画像 and the 收入预估 (the services check again what these check)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from shoudi.core.forms import StyledForm, date_widget

from . import choices as c
from .estimates import MONEY_FIELDS
from .models import IncomeEstimate, Portrait, Visit

__all__ = ["EstimateForm", "PortraitForm"]


def _money(label: str) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=12, decimal_places=2, min_value=0, initial=Decimal("0"))


def _style(form: forms.Form) -> None:
    """Bootstrap classes on the fields added after ``StyledForm.__init__`` styled the declared ones."""
    for f in form.fields.values():
        w = f.widget
        if isinstance(w, forms.CheckboxInput):
            w.attrs.setdefault("class", "form-check-input")
        else:
            w.attrs.setdefault("class", "form-select" if isinstance(w, forms.Select) else "form-control")


class PortraitForm(StyledForm):
    group = forms.ChoiceField(label="群体类别", choices=c.PORTRAIT_GROUPS)
    made_on = forms.DateField(label="画像日期", initial=timezone.localdate, widget=date_widget())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in c.FIVE_LOOKS.items():
            self.fields[name] = forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": 2}))
        self.fields["medical_out_of_pocket"] = _money("医疗自付支出（元/年）")
        self.fields["schooling_cost"] = _money("上学支出（元/年）")
        self.fields["spending_note"] = forms.CharField(
            label="刚性支出说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
        )
        for name, label in c.FIVE_PREVENTS.items():
            self.fields[name] = forms.BooleanField(label=label, required=False)
        self.fields["at_risk"] = forms.BooleanField(
            label=Portrait._meta.get_field("at_risk").verbose_name,
            required=False,
            help_text="有风险的须按程序提出监测线索，不得以纳入低保为由不识别",
        )
        self.fields["conclusion"] = forms.CharField(label="画像结论", widget=forms.Textarea(attrs={"rows": 3}))
        _style(self)

    @property
    def look_fields(self):
        return [self[name] for name in c.FIVE_LOOKS]

    @property
    def prevent_fields(self):
        return [self[name] for name in c.FIVE_PREVENTS]

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            "group": d["group"],
            "made_on": d["made_on"],
            "looks": {name: d[name] for name in c.FIVE_LOOKS},
            "prevents": {name: d[name] for name in c.FIVE_PREVENTS},
            "medical_out_of_pocket": d["medical_out_of_pocket"],
            "schooling_cost": d["schooling_cost"],
            "spending_note": d["spending_note"],
            "at_risk": d["at_risk"],
            "conclusion": d["conclusion"],
        }


class EstimateForm(StyledForm):
    year = forms.TypedChoiceField(label="预估年度", coerce=int)
    household_size = forms.IntegerField(label="计算人口数", min_value=1)
    visit = forms.ModelChoiceField(label="填报于走访", queryset=Visit.objects.none(), required=False)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, household, user, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].choices = [(today.year, f"{today.year}年"), (today.year - 1, f"{today.year - 1}年")]
        for name in MONEY_FIELDS:
            self.fields[name] = _money(IncomeEstimate._meta.get_field(name).verbose_name)
        recent = Visit.objects.restrict(user, "view").filter(household=household).values_list("pk", flat=True)[:12]
        self.fields["visit"].queryset = Visit.objects.filter(pk__in=list(recent))
        order = ["year", *MONEY_FIELDS, "household_size", "visit", "note"]
        self.fields = {name: self.fields[name] for name in order}
        _style(self)
