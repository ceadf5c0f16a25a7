from django import forms
from django.utils import timezone

from shoudi.accounts.roles import DEPARTMENT
from shoudi.core.forms import ScopedModelForm, StyledForm
from shoudi.core.tabular import ALLOWED_EXTENSIONS
from shoudi.core.uploads import LimitedFileField

from . import choices as c
from .models import MatchingSettings
from .services import parse_period
from .sources import department_choices


def current_period() -> str:
    return f"{timezone.localdate():%Y-%m}"


class PeriodField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "比对期（年月）")
        kwargs.setdefault("max_length", 10)
        kwargs.setdefault("help_text", "如 2025-05")
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return f"{parse_period(value):%Y-%m}"
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class UploadForm(StyledForm):
    department = forms.ChoiceField(label="部门", choices=())
    period = PeriodField()
    file = LimitedFileField(label="名单文件", help_text="Excel（.xlsx、.xls）或 CSV，前 10 行内有表头")

    def __init__(self, *args, user=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("period", current_period())
        super().__init__(*args, **kwargs)
        choices = department_choices()
        if user is not None and not user.is_superuser and user.role == DEPARTMENT:
            choices = [(k, v) for k, v in choices if k == user.department]
        self.fields["department"].choices = choices
        self.fields["file"].widget.attrs["accept"] = ",".join(ALLOWED_EXTENSIONS)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith(ALLOWED_EXTENSIONS):
            raise forms.ValidationError("只支持 Excel（.xlsx、.xls）或 CSV 文件")
        return upload


class VerifyForm(StyledForm):
    result = forms.ChoiceField(
        label="核实结果", choices=[("属实", "属实"), ("不属实", "不属实")], widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="核实情况",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="不属实的须说明原因，如：已在外地参保、已在外县就读",
    )


class ResolveForm(StyledForm):
    action = forms.ChoiceField(label="处理方式", choices=c.ACTIONS)
    measure = forms.ModelChoiceField(
        label="帮扶措施", queryset=None, required=False, help_text="选择“已落实帮扶措施”时必选"
    )
    note = forms.CharField(label="处理说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, finding=None, user=None, actions=None, **kwargs):
        super().__init__(*args, **kwargs)
        from shoudi.assistance.models import Measure

        measures = Measure.objects.none()
        if finding is not None and finding.household_id and user is not None:
            measures = Measure.objects.restrict(user, "view").filter(household_id=finding.household_id)
        self.fields["measure"].queryset = measures
        if actions:
            self.fields["action"].choices = actions


class BaseExportForm(StyledForm):
    period = PeriodField()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("period", current_period())
        super().__init__(*args, **kwargs)


class SettingsForm(ScopedModelForm):
    class Meta:
        model = MatchingSettings
        fields = (
            "region",
            "verification_days",
            "rural_income",
            "medical_lifted_percent",
            "medical_other_percent",
            "absence_min_coverage_percent",
            "absence_min_village_percent",
        )
