"""One scoping call for every queryset a user reaches: ``Model.objects.restrict(user, action)``.

Core knows no roles. The accounts app registers the policy (role × action matrix, region scope) in the registry's
``scope_policy`` store, and higher apps may register narrower scopes for a role (a cadre sees his paired
households). A model says where its region code lives with ``scope_code_field`` (e.g. ``"village__code"``); a user
of region 520102003 then sees rows whose code starts with 520102003 — the 统计用区划代码 nests by prefix.
"""

from __future__ import annotations

from typing import Protocol

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from .registry import registry

__all__ = [
    "RestrictedManager",
    "RestrictedQuerySet",
    "ScopePolicy",
    "get_object_for",
    "get_policy",
    "user_can",
]

VIEW, ADD, CHANGE, DELETE, EXPORT, UNMASK, IMPORT = "view", "add", "change", "delete", "export", "unmask", "import"


class ScopePolicy(Protocol):
    def allows(self, user, model: type[models.Model], action: str) -> bool: ...

    def restrict(self, queryset: models.QuerySet, user, action: str) -> models.QuerySet: ...


def get_policy() -> ScopePolicy:
    """The registered policy (accounts' wiring sets it; ``LookupError`` before the apps are ready)."""
    return registry.one("scope_policy")


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user, action: str = VIEW) -> RestrictedQuerySet:
        """The rows ``user`` may ``action`` on: none at all if the role may not, else those in the user's scope."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return get_policy().restrict(self, user, action)


class RestrictedManager(models.Manager.from_queryset(RestrictedQuerySet)):
    pass


def user_can(user, model: type[models.Model], action: str) -> bool:
    """Whether the role may do ``action`` on this kind of object at all (scope aside)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return get_policy().allows(user, model, action)


def get_object_for(user, queryset_or_model, action: str = VIEW, **lookup):
    """The object for ``action``: 404 when it is outside the user's view scope, 403 when visible but not allowed."""
    qs = queryset_or_model._default_manager.all() if isinstance(queryset_or_model, type) else queryset_or_model
    try:
        obj = qs.restrict(user, VIEW).get(**lookup)
    except qs.model.DoesNotExist as exc:
        raise Http404("记录不存在或不在您的管辖范围内") from exc
    if action != VIEW and not qs.model._default_manager.restrict(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied("您的角色无权进行此操作")
    return obj


def in_scope(user, obj, action: str) -> bool:
    """Re-check after a create or edit: is the saved object still inside the user's scope for ``action``?"""
    return type(obj)._default_manager.restrict(user, action).filter(pk=obj.pk).exists()
