"""The cadre picker (core.picker): the active cadres the user may pair households with."""

from __future__ import annotations

from django.db.models import Q

from shoudi.core.masking import mask_phone
from shoudi.core.picker import PickerOption, PickerSource, picker_view, use_picker

from .models import Cadre

__all__ = ["CADRES", "cadre_picker", "cadres_for", "pick_cadre"]


def cadres_for(user):
    return Cadre.objects.restrict(user, "view").filter(active=True).select_related("region")


def search_cadres(queryset, text: str):
    """By name, unit or position, or the last digits of the phone."""
    if not text:
        return queryset.order_by("name", "pk")
    condition = Q(name__contains=text) | Q(unit__contains=text) | Q(position__contains=text)
    if text.isdigit() and len(text) >= 4:
        condition |= Q(phone__endswith=text)
    return queryset.filter(condition).order_by("name", "pk")


def cadre_option(cadre: Cadre) -> PickerOption:
    detail = " · ".join(part for part in (cadre.position, cadre.region.name, mask_phone(cadre.phone)) if part)
    return PickerOption(cadre.pk, str(cadre), detail)


CADRES = PickerSource(
    url_name="assistance:cadre_picker",
    queryset=cadres_for,
    search=search_cadres,
    option=cadre_option,
    placeholder="干部姓名、单位或电话后四位",
)

cadre_picker = picker_view(CADRES, model=Cadre)


def pick_cadre(form, name: str, user) -> None:
    """The form's cadre field as the picker over the user's active cadres (its validation uses the same rows)."""
    field = form.fields[name]
    field.queryset = cadres_for(user)
    use_picker(field, CADRES)
