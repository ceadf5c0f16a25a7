"""The form a county admin keeps his own copy of a standard ledger with: name, columns (which, in what order),
filters and grouping."""

from __future__ import annotations

from django import forms

from shoudi.core.forms import StyledForm

from .engine import Column, LedgerDefinition
from .models import SavedLedger

__all__ = ["LedgerForm"]


class LedgerForm(StyledForm):
    """Columns come as a pair of fields each (``col_<key>`` include, ``pos_<key>`` order); filters as one field each
    (``f_<key>``: a checkbox for a toggle, a select for a choice)."""

    title = forms.CharField(label="台账名称", max_length=100)
    grouped = forms.BooleanField(label="按村分组并小计", required=False)

    def __init__(
        self,
        *args,
        definition: LedgerDefinition,
        columns: list[str],
        filters: dict,
        region,
        instance: SavedLedger | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.definition, self.region, self.instance = definition, region, instance
        chosen = [k for k in columns if definition.column(k) is not None]
        rest = [c.key for c in definition.columns if c.key not in chosen]
        self.column_order = chosen + rest
        for position, key in enumerate(self.column_order, start=1):
            column = definition.column(key)
            self.fields[f"col_{key}"] = forms.BooleanField(label=column.label, required=False, initial=key in chosen)
            self.fields[f"pos_{key}"] = forms.IntegerField(
                label=f"“{column.label}”的顺序", min_value=1, max_value=999, initial=position
            )
        for f in definition.filters:
            value = filters.get(f.key, f.default)
            if f.is_choice:
                field = forms.ChoiceField(
                    label=f.label, required=False, choices=[("", "全部"), *f.choices], initial=value
                )
            else:
                field = forms.BooleanField(label=f.label, required=False, initial=bool(value))
            self.fields[f"f_{f.key}"] = field
        for name, field in self.fields.items():
            if name.startswith(("col_", "f_")) and isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")
            elif name.startswith("pos_"):
                field.widget.attrs.setdefault("class", "form-control form-control-sm sd-w-5")
            elif name.startswith("f_"):
                field.widget.attrs.setdefault("class", "form-select")

    # --- for the template -----------------------------------------------------------------------------------------
    def column_rows(self) -> list[tuple[Column, forms.BoundField, forms.BoundField]]:
        return [(self.definition.column(k), self[f"col_{k}"], self[f"pos_{k}"]) for k in self.column_order]

    def filter_rows(self) -> list[tuple[object, forms.BoundField]]:
        return [(f, self[f"f_{f.key}"]) for f in self.definition.filters]

    # --- validation -----------------------------------------------------------------------------------------------
    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        clash = SavedLedger.objects.filter(region=self.region, title=title)
        if self.instance is not None and self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("本县已有同名台账，请换一个名称")
        return title

    def clean(self):
        data = super().clean()
        if not self.selected_columns():
            raise forms.ValidationError("请至少选择一列")
        groups: dict[str, bool] = {}
        for f in self.definition.filters:
            if f.group:
                groups[f.group] = groups.get(f.group, False) or bool(data.get(f"f_{f.key}"))
        for group, any_on in groups.items():
            if not any_on:
                labels = "、".join(f.label for f in self.definition.filters if f.group == group)
                raise forms.ValidationError(f"以下条件至少选择一项：{labels}")
        return data

    def selected_columns(self) -> list[str]:
        """The chosen column keys in the chosen order (ties keep the standard order)."""
        data = getattr(self, "cleaned_data", {})
        picked = []
        for index, key in enumerate(self.column_order):
            if data.get(f"col_{key}"):
                position = data.get(f"pos_{key}") or 999
                picked.append((position, index, key))
        return [key for _, _, key in sorted(picked)]

    def filter_values(self) -> dict:
        return {f.key: f.clean(self.cleaned_data.get(f"f_{f.key}")) for f in self.definition.filters}
