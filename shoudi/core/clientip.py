"""The real client address behind the proxies the deployment trusts (``TRUSTED_PROXIES``, e.g. the local nginx).

Behind nginx every request comes from 127.0.0.1: a lockout by address would lock everyone, and every log would name
the proxy. ``RealClientIPMiddleware`` runs first and puts the client's address in ``REMOTE_ADDR`` when — and only
when — the request came from a trusted proxy: the right-most ``X-Forwarded-For`` address that is not itself a
trusted proxy. A client cannot forge it by sending the header himself: an untrusted sender's header is ignored.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

__all__ = ["RealClientIPMiddleware", "client_ip"]


def _networks() -> list:
    return [ipaddress.ip_network(p, strict=False) for p in getattr(settings, "TRUSTED_PROXIES", ())]


def _trusted(address: str, networks: list) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    networks = _networks()
    if not networks or not _trusted(remote, networks):
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
    for address in reversed(forwarded):
        if not _trusted(address, networks):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return remote  # a malformed header: keep the proxy's address rather than trust it
    return remote


class RealClientIPMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META["REMOTE_ADDR"] = client_ip(request)
        return self.get_response(request)
