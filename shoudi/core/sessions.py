"""Sessions and caching for pages full of personal data.

- ``PollAwareSessionMiddleware``: an idle session expires (``SESSION_SAVE_EVERY_REQUEST`` counts the age from the
  last request), but a page left open polls a job's progress every second; a poll (header ``X-Shoudi-Poll``, sent by
  the polling elements) must not keep the session alive forever, so it does not refresh it.
- ``NoStoreMiddleware``: what a signed-in user receives (pages with names, unmasked numbers, exports) is never kept
  by the browser's or a proxy's cache (``Cache-Control: no-store``); static files are served before it.
"""

from __future__ import annotations

from django.contrib.sessions.middleware import SessionMiddleware
from django.utils.cache import patch_cache_control

__all__ = ["POLL_HEADER", "NoStoreMiddleware", "PollAwareSessionMiddleware"]

POLL_HEADER = "X-Shoudi-Poll"


class PollAwareSessionMiddleware(SessionMiddleware):
    def process_response(self, request, response):
        if request.headers.get(POLL_HEADER) and not request.session.modified:
            return response  # neither saved nor its cookie renewed: polling is not activity
        return super().process_response(request, response)


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
