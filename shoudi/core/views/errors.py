"""The error pages (403, 404, 500, a refused form submission), in Chinese and inside the layout with its menu.

Django's own 403 and 404 views already render with the request; the 500 page tries to as well, and falls back to
the layout without a menu when building the menu is what failed (a database that does not answer, say).
"""

from __future__ import annotations

import logging

from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

__all__ = ["csrf_failure", "server_error"]

logger = logging.getLogger(__name__)


def server_error(request, template_name: str = "500.html"):
    try:
        return render(request, template_name, status=500)
    except Exception:  # the menu or the badge needs the database: the page without them
        logger.exception("the 500 page could not be rendered with the request; rendered without it")
        return HttpResponseServerError(loader.get_template(template_name).render())


def csrf_failure(request, reason: str = ""):
    """A form refused by the CSRF check: most often a page left open past the session, or cookies turned off."""
    return render(request, "403_csrf.html", status=403)
