"""The forms of the projects pages, by topic: the project and its steps, assets and distribution plans."""

from .assets import *  # noqa: F403
from .assets import __all__ as _assets
from .project import *  # noqa: F403
from .project import __all__ as _project

__all__ = [*_project, *_assets]
