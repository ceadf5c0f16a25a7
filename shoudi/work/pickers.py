"""The responsible-person picker (core.picker) of the problem issue form: the users of the chosen responsible
region (and below it) whose role rectifies problems, inside the issuer's own area."""

from __future__ import annotations

from django.db.models import Q

from shoudi.accounts.models import User
from shoudi.core.picker import PickerOption, PickerSource, picker_view, use_picker
from shoudi.core.registry import registry
from shoudi.regions.models import Region

from .models import Problem

__all__ = ["RESPONSIBLE", "pick_responsible", "rectifying_roles", "responsible_candidates", "responsible_picker"]


def rectifying_roles() -> list[str]:
    """The roles that may change (rectify) problems: a responsible person of another role could not act."""
    rows = registry.keyed("permissions")["work.problem"].rows
    return [role for role, actions in rows.items() if "change" in actions]


def responsible_candidates(user):
    """Active users of the issuer's area below his own region whose role rectifies problems."""
    users = User.objects.filter(is_active=True, role__in=rectifying_roles()).select_related("region")
    if user.is_superuser:
        return users
    if not getattr(user, "region_id", None):
        return users.none()
    return users.filter(region__code__startswith=user.region.code).exclude(region=user.region_id)


def in_region(users, params, user):
    """Only the users of the region chosen on the form (none until one is chosen)."""
    pk = str(params.get("region") or "")
    region = Region.objects.restrict(user, "view").filter(pk=pk).first() if pk.isdigit() else None
    if region is None:
        return users.none()
    return users.filter(region__code__startswith=region.code)


def search_users(users, text: str):
    """By name or login name."""
    if text:
        users = users.filter(Q(name__contains=text) | Q(username__contains=text))
    return users.order_by("region__code", "name", "pk")


def responsible_option(user: User) -> PickerOption:
    return PickerOption(user.pk, str(user), " · ".join(p for p in (user.role_label, user.region.name) if p))


RESPONSIBLE = PickerSource(
    url_name="work:responsible_picker",
    queryset=responsible_candidates,
    search=search_users,
    option=responsible_option,
    placeholder="先选责任区划，再输入责任人姓名",
    include="#id_region",
    narrow=in_region,
)

responsible_picker = picker_view(RESPONSIBLE, model=Problem, action="add")


def pick_responsible(form, name: str, user) -> None:
    """The form's responsible field as the picker (its validation takes the same users; the form checks the
    region)."""
    field = form.fields[name]
    field.queryset = responsible_candidates(user)
    use_picker(field, RESPONSIBLE)
