from django import forms

from shoudi.core.forms import ScopedModelForm

from .models import QualitySettings
from .rules import all_rules

__all__ = ["SettingsForm"]


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
