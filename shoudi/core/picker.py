"""The one autocomplete picker for choosing a household, a member or a cadre (any row of a large, scoped table).

A form field keeps its ``ModelChoiceField`` (so validation stays on the server, against the user's scoped queryset:
a posted id outside it is refused); only its widget changes. The widget renders a hidden input holding the id and a
text box that asks the picker's endpoint (htmx, ``?q=``) for at most ``LIMIT`` matches as the user types. The
endpoint lives with the model (``registry:household_picker``, ``assistance:cadre_picker``) and is built here by
``picker_view``; the app says how to search and how to name a row with a ``PickerSource``. Core knows no domain
model. The keyboard (↑ ↓ Enter Esc) is handled by ``static/shoudi/picker.js``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from .scope import user_can

__all__ = ["LIMIT", "PickerOption", "PickerSource", "PickerWidget", "picker_view", "use_picker"]

LIMIT = 20  # matches shown at most; the user types more to narrow them


@dataclass(frozen=True)
class PickerOption:
    """One match as the picker shows it: a label (what the text box shows once chosen) and a second line."""

    pk: int
    label: str
    detail: str = ""


@dataclass(frozen=True)
class PickerSource:
    """What one picker chooses from.

    ``queryset(user)``: every row the user may choose (already ``restrict(user, "view")``-ed and narrowed, e.g. to
    active cadres); ``search(queryset, text)``: the rows matching what was typed, best first; ``option(row)``:
    how a row reads; ``url_name``: the endpoint's URL name. The form field's queryset should be ``queryset(user)``
    too, so that what the picker offers and what the form accepts are the same rows.

    A picker may depend on other fields of its form (the responsible person on the chosen region): ``include``
    names them (a CSS selector; htmx sends their values with the search) and ``narrow(queryset, params, user)``
    keeps the rows that fit them. The form must check the same fit when it validates.
    """

    url_name: str
    queryset: Callable[..., QuerySet]
    search: Callable[[QuerySet, str], QuerySet]
    option: Callable[[object], PickerOption]
    placeholder: str = "输入姓名、编号或电话后四位"
    include: str = ""
    narrow: Callable[[QuerySet, Mapping, object], QuerySet] | None = None

    def options(self, user, text: str, limit: int = LIMIT, params: Mapping | None = None):
        """At most ``limit`` matches for ``text`` (and the ``include``-d fields' ``params``) and whether there were
        more."""
        rows = self.queryset(user)
        if self.narrow is not None:
            rows = self.narrow(rows, params or {}, user)
        rows = list(self.search(rows, text.strip())[: limit + 1])
        return [self.option(row) for row in rows[:limit]], len(rows) > limit


class PickerWidget(forms.Widget):
    """A hidden id plus a search box; the chosen row is named by ``source.option`` (looked up in ``queryset``)."""

    template_name = "core/_picker.html"

    def __init__(self, source: PickerSource, queryset: QuerySet | None = None, attrs=None):
        super().__init__(attrs)
        self.source = source
        self.queryset = queryset

    def chosen(self, value) -> PickerOption | None:
        if value in (None, "") or self.queryset is None:
            return None
        try:
            row = self.queryset.filter(pk=value).first()
        except (TypeError, ValueError):
            return None
        return self.source.option(row) if row is not None else None

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        chosen = self.chosen(value)
        widget = context["widget"]
        widget["value"] = str(chosen.pk) if chosen else ""
        widget.update(
            chosen=chosen,
            url=reverse(self.source.url_name),
            placeholder=self.source.placeholder,
            include=self.source.include,
            list_id=f"{widget['attrs'].get('id') or name}-options",
        )
        return context

    def _render(self, template_name, context, renderer=None):
        # the project's templates (the form renderer's own engine knows only Django's widget templates)
        return mark_safe(render_to_string(template_name, context))  # noqa: S308 - a rendered template

    def value_from_datadict(self, data, files, name):
        return data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return name not in data


def use_picker(field: forms.ModelChoiceField, source: PickerSource) -> forms.ModelChoiceField:
    """Swap a model choice field's dropdown for the picker; the field (and its scoped queryset) validates as
    before. Call after the queryset is restricted to the user."""
    widget = PickerWidget(source, field.queryset, attrs={k: v for k, v in field.widget.attrs.items() if k != "class"})
    widget.is_required = field.required
    field.widget = widget
    return field


def picker_view(source: PickerSource, *, model=None, action: str = "view"):
    """The endpoint: ``GET ?q=…`` answers the options fragment (htmx), at most ``LIMIT`` rows of the user's
    scope. ``model``: refuse roles that may not ``action`` that model at all (403)."""

    def view(request):
        if model is not None and not user_can(request.user, model, action):
            raise PermissionDenied("您的角色无权查看" if action == "view" else "您的角色无权进行此操作")
        text = request.GET.get("q", "")
        options, more = source.options(request.user, text, params=request.GET)
        list_id = request.GET.get("list", "picker")
        return render(
            request,
            "core/_picker_options.html",
            {"options": options, "more": more, "q": text.strip(), "list_id": list_id, "limit": LIMIT},
        )

    return view
