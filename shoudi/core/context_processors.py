"""The base layout's context; higher apps add to it through the registry's ``shell_context`` store (the regions app
adds the region picker)."""

from .menu import menu_for
from .registry import registry
from .worklist import todo_count


def shell(request):
    """What the base layout needs: the menu, the user's region path, the 待办 badge, and what apps add."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached = getattr(request, "_shoudi_shell", None)
    if cached is not None:  # every render_to_string(request=…) of a page's panels runs this again
        return cached
    region = getattr(user, "region", None)
    context = {
        "nav_groups": menu_for(user, request.path),
        "user_region_path": [*region.ancestors(), region] if region else [],
        "todo_count": todo_count(user),
    }
    for fn in registry.entries("shell_context"):
        context.update(fn(request))
    request._shoudi_shell = context
    return context
