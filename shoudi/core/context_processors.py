from collections.abc import Callable

from .menu import menu_for
from .worklist import todo_count

_contributors: list[Callable] = []


def register_shell_context(fn: Callable) -> None:
    """Higher apps add to the layout's context (the regions app adds the region picker)."""
    _contributors.append(fn)


def shell(request):
    """What the base layout needs: the menu, the user's region path, the 待办 badge, and what apps add."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    region = getattr(user, "region", None)
    context = {
        "nav_groups": menu_for(user, request.path),
        "user_region_path": [*region.ancestors(), region] if region else [],
        "todo_count": todo_count(user),
    }
    for fn in _contributors:
        context.update(fn(request))
    return context
