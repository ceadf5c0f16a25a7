"""Sections that higher apps add to the household page (一户一档): monitoring cases, measures, visits …

An app registers ``fn(request, household) -> str | None`` (rendered HTML) in the ``household_panels`` store from its
wiring.py; the registry imports none of them.
"""

from shoudi.core.registry import registry

__all__ = ["household_panels"]


def household_panels(request, household) -> list[str]:
    rendered = [fn(request, household) for fn in registry.entries("household_panels")]
    return [html for html in rendered if html]
