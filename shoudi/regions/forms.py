from django import forms

from shoudi.core.forms import ScopedModelForm
from shoudi.core.uploads import LimitedFileField

from .models import Region, level_for_code


class RegionForm(ScopedModelForm):
    class Meta:
        model = Region
        fields = ("code", "name", "parent")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(level="village")
        self.fields["code"].help_text = "县 6 位、乡镇 9 位、村 12 位；下级代码以上级代码开头"

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if self.instance.pk and code != self.instance.code and self.instance.children.exists():
            raise forms.ValidationError("该区划已有下级区划，不能修改代码")
        return code

    def clean(self):
        data = super().clean()
        code = data.get("code")
        if code:
            self.instance.level = level_for_code(code) or ""
        return data


class RegionImportForm(forms.Form):
    file = LimitedFileField(
        label="区划文件（Excel 或 CSV：代码、名称、上级代码）",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx,.xls,.csv"}),
    )
