"""Issue 15, M2: behind a trusted proxy the client's own address is used (logs, lockout); a client cannot forge it."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from shoudi.core.clientip import client_ip


@pytest.fixture
def proxies(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1/32", "10.0.0.0/30"]


def request(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_the_client_behind_a_trusted_proxy(proxies):
    assert client_ip(request("127.0.0.1", "192.168.3.17")) == "192.168.3.17"
    assert client_ip(request("127.0.0.1", "192.168.3.17, 10.0.0.2")) == "192.168.3.17"  # two proxies of ours


def test_a_forged_header_is_ignored(proxies):
    assert client_ip(request("192.168.3.17", "1.2.3.4")) == "192.168.3.17"  # not from a trusted proxy
    assert client_ip(request("127.0.0.1", "6.6.6.6, 192.168.3.17")) == "192.168.3.17"  # the left part is the client's
    assert client_ip(request("127.0.0.1", "not-an-address")) == "127.0.0.1"


def test_without_trusted_proxies_the_header_means_nothing(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request("127.0.0.1", "192.168.3.17")) == "127.0.0.1"


@pytest.mark.django_db
def test_the_access_log_names_the_client_not_the_proxy(client_for, world):
    from shoudi.core.models import AccessLog

    client = client_for(world.admin)
    client.get(f"/users/{world.officer_a.pk}/phone/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="192.168.3.17")
    assert AccessLog.objects.filter(user=world.admin).values_list("ip", flat=True).get() == "192.168.3.17"
