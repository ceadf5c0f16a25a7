"""Sections that higher apps add to the case page (the paired cadre, measures, assessments …), registered in the
``case_panels`` store as ``fn(request, case) -> str | None``."""

from shoudi.core.registry import registry

__all__ = ["case_panels"]


def case_panels(request, case) -> list[str]:
    rendered = [fn(request, case) for fn in registry.entries("case_panels")]
    return [html for html in rendered if html]
