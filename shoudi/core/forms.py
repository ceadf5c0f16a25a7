"""Base form for scoped edits: every choice of a related object comes from ``restrict(user, "view")``."""

from django import forms

from .scope import RestrictedQuerySet

__all__ = ["ScopedModelForm", "StyledForm", "date_widget"]


def date_widget() -> forms.DateInput:
    """A browser date picker; it needs ISO dates whatever format the language shows dates in."""
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ScopedModelForm(forms.ModelForm):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            qs = getattr(field, "queryset", None)
            if isinstance(qs, RestrictedQuerySet) and user is not None:
                field.queryset = qs.restrict(user, "view")
        for field in self.fields.values():
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            widget.attrs.setdefault("class", css)


class StyledForm(forms.Form):
    """A plain form whose widgets carry Bootstrap classes."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            w = f.widget
            if isinstance(w, forms.CheckboxInput):
                w.attrs.setdefault("class", "form-check-input")
            elif isinstance(w, forms.CheckboxSelectMultiple | forms.RadioSelect):
                pass
            else:
                w.attrs.setdefault("class", "form-select" if isinstance(w, forms.Select) else "form-control")
