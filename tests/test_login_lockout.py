"""Issue 15: login lockout at two tiers by the real client address — an account from one address after 5 failures,
an address whatever the usernames after 20 — and the lockout records name the client, not the proxy."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings

from shoudi.accounts.testing import PASSWORD

PROXY = "127.0.0.1"  # the local nginx, trusted by default
A, B = "192.168.3.17", "192.168.3.18"


def log_in(client, username: str, password: str, address: str):
    return client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address
    )


@pytest.fixture
def fresh(client):
    def new():
        client.cookies.clear()
        return client

    return new


def test_an_account_locked_at_one_address_still_logs_in_from_another(world, fresh):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(fresh(), "admin", "wrong-password", A)
    locked = log_in(fresh(), "admin", PASSWORD, A)
    assert locked.status_code == 429 and "账号已暂时锁定" in locked.content.decode()

    assert log_in(fresh(), "admin", PASSWORD, B).status_code == 302  # the same person, from his other office
    assert log_in(fresh(), "officer_a", PASSWORD, A).status_code == 302  # a colleague at A is not locked


def test_an_address_guessing_many_usernames_is_locked(world, fresh):
    limit = settings.SHOUDI_IP_FAILURE_LIMIT
    assert limit > settings.AXES_FAILURE_LIMIT
    for n in range(limit):
        log_in(fresh(), f"guess{n}", "wrong-password", A)  # one failure each: no account reaches its limit

    assert log_in(fresh(), "officer_a", PASSWORD, A).status_code == 429  # the whole address is locked
    assert log_in(fresh(), "officer_a", PASSWORD, B).status_code == 302


def test_one_failure_short_of_the_address_limit_is_not_a_lockout(world, fresh, settings):
    settings.SHOUDI_IP_FAILURE_LIMIT = 8
    for n in range(7):
        log_in(fresh(), f"guess{n}", "wrong-password", A)
    assert log_in(fresh(), "officer_a", PASSWORD, A).status_code == 302


def test_logging_in_with_ones_own_account_does_not_clear_the_address(world, fresh, settings):
    settings.SHOUDI_IP_FAILURE_LIMIT = 8
    for n in range(7):
        log_in(fresh(), f"guess{n}", "wrong-password", A)
    assert log_in(fresh(), "officer_b", PASSWORD, A).status_code == 302  # the attacker's own account
    log_in(fresh(), "guess7", "wrong-password", A)
    assert log_in(fresh(), "officer_a", PASSWORD, A).status_code == 429


def test_the_lockout_records_name_the_client_behind_the_proxy(world, fresh):
    log_in(fresh(), "admin", "wrong-password", A)
    log_in(fresh(), "officer_a", "wrong-password", B)
    assert set(AccessAttempt.objects.values_list("username", "ip_address")) == {("admin", A), ("officer_a", B)}
    assert log_in(fresh(), "admin", PASSWORD, B).status_code == 302
    assert AccessLog.objects.get(username="admin").ip_address == B
