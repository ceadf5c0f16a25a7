"""Request-wide context: who acts (for the change log) and a login wall in front of every page."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import resolve_url

from .context import acting_as

OPEN_PATHS = ("/login/", "/static/", "/healthz")


class CurrentUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user if request.user.is_authenticated else None
        with acting_as(user, source="web", ip=request.META.get("REMOTE_ADDR")):
            return self.get_response(request)


class LoginRequiredMiddleware:
    """Every page needs a login, except the login page itself and static files."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.user.is_authenticated and not request.path.startswith(OPEN_PATHS):
            if request.htmx:
                from django.http import HttpResponse

                response = HttpResponse(status=401)
                response["HX-Redirect"] = resolve_url(settings.LOGIN_URL)
                return response
            return redirect_to_login(request.get_full_path())
        return self.get_response(request)
