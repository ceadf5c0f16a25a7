"""Login lockout at two tiers (issue 15), on django-axes' database handler.

- one account from one address: ``AXES_FAILURE_LIMIT`` failures (default 5) lock that pair only — the same person
  can still log in from another address, and a colleague from the same office can log in;
- one address alone, whatever the usernames: ``SHOUDI_IP_FAILURE_LIMIT`` failures (default 20) lock the address,
  which stops guessing across many accounts.

The address is the real client's (``core.clientip.RealClientIPMiddleware`` puts it in ``REMOTE_ADDR``). axes
compares one number with one limit, so ``get_failures`` reports the pair's count, raised to the pair limit when
the address has reached its own. A successful login clears the pair's failures, not the address's: an attacker
who owns one account cannot wipe his address's count by logging in with it.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum

__all__ = ["LOCKOUT_PARAMETERS", "TwoTierLockoutHandler", "client_ip_address", "ip_failure_limit"]

# the order get_failures relies on: the pair first, the address second
LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]


def ip_failure_limit() -> int:
    return int(getattr(settings, "SHOUDI_IP_FAILURE_LIMIT", 20))


def client_ip_address(request) -> str | None:
    """axes' ``AXES_CLIENT_IP_CALLABLE``: the address the middleware resolved (never a header read again here)."""
    return request.META.get("REMOTE_ADDR")


def _sum(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class TwoTierLockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        pair, address = self.get_user_attempts(request, credentials)
        failures = _sum(pair)
        if _sum(address) >= ip_failure_limit():
            return max(failures, settings.AXES_FAILURE_LIMIT)
        return failures

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        pair, _address = self.filter_user_attempts(request, credentials)
        count, _ = pair.delete()
        return count
