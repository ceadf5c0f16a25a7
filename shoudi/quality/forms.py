from django import forms

from shoudi.core.forms import ScopedModelForm, StyledForm

from .models import QualitySettings
from .rules import all_rules

__all__ = ["DecisionForm", "SettingsForm", "WaiverForm"]


class WaiverForm(StyledForm):
    reason = forms.CharField(label="不是问题的理由", max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(StyledForm):
    text = forms.CharField(label="意见", max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SettingsForm(ScopedModelForm):
    disabled_rules = forms.MultipleChoiceField(
        label="停用的规则", required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )

    class Meta:
        model = QualitySettings
        fields = (
            "region",
            "due_workdays",
            "working_age_min",
            "working_age_max",
            "income_drop_percent",
            "income_tolerance",
            "disabled_rules",
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disabled_rules"].choices = [(rule.code, rule.label) for rule in all_rules()]

    def clean(self):
        data = super().clean()
        low, high = data.get("working_age_min"), data.get("working_age_max")
        if low is not None and high is not None and low > high:
            self.add_error("working_age_max", "上限不能小于下限")
        if data.get("income_drop_percent") is not None and not 0 < data["income_drop_percent"] < 100:
            self.add_error("income_drop_percent", "应在 1 到 99 之间")
        return data
