"""Template tags of the problem pages."""

from __future__ import annotations

from django import template
from django.apps import apps

from shoudi.core.registry import registry
from shoudi.core.scope import user_can

register = template.Library()


@register.inclusion_tag("work/_problem_lists.html", takes_context=True)
def other_problem_lists(context) -> dict:
    """Links to the kinds of problem on the one life cycle kept in tables of their own (the ``problem_lists``
    store), those the user may view."""
    user = context["request"].user
    entries = registry.entries("problem_lists")
    return {"lists": [entry for entry in entries if user_can(user, apps.get_model(entry.model), "view")]}
