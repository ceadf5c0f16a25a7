"""Playwright on Debian's Chromium: a pytest plugin, loaded from tests/conftest.py (``pytest_plugins``).

Playwright never downloads a browser here; pytest-playwright's fixtures (``page``, ``context`` …) launch the
Debian binary with the arguments this machine needs. Without Chromium the browser tests are skipped, unless
SHOUDI_REQUIRE_BROWSER=1 (set by `make test` when CI=true), where they fail.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

__all__ = ["chromium_path", "log_in"]

# The wrapper /usr/bin/chromium prints a harmless warning; the binary behind it does not.
CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",  # the closed network refuses Chromium's own connections
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return shutil.which("chromium")


def browser_required() -> bool:
    return os.environ.get("SHOUDI_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's launch arguments (--headed, --slowmo …) plus Debian's Chromium."""
    path = chromium_path()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install chromium chromium-driver; make test does)"
        if browser_required():
            pytest.fail(f"SHOUDI_REQUIRE_BROWSER is set: {message}", pytrace=False)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": path,
        "args": [*browser_type_launch_args.get("args", []), *CHROMIUM_ARGS],
    }


def log_in(page, base_url: str, username: str, password: str | None = None) -> None:
    """Log in through the login form, as a person would (default password: the test helpers' PASSWORD)."""
    if password is None:
        from shoudi.accounts.testing import PASSWORD  # not at import: plugins load before Django is set up

        password = PASSWORD
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.locator("form [type=submit]").first.click()
    assert "/login/" not in page.url, f"login as {username} failed: still on {page.url}"
