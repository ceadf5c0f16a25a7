"""The crawl's pages in Chromium at 1366×768: no page is wider than the window (a table that overflows hides its
last columns — 状态, 核实期限 — behind a scroll bar nobody sees).

A sample of the crawl keeps it quick: every menu entry of every demo role and one detail page per list, each kind of
page (URL name) opened once, by the first role that reaches it.
"""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client

from shoudi.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from shoudi.accounts.models import User
from shoudi.core.crawl import walk
from shoudi.core.menu import menu_for
from shoudi.registry import demo as registry_demo

from .browser import log_in
from .test_crawl import DEMO_HOUSEHOLDS, open_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}
# the page itself, and every scrolling table box: Bootstrap's .table-responsive keeps the page narrow by scrolling the
# table inside it, which hides its right-hand columns just the same
OVERFLOW = """() => [document.documentElement, ...document.querySelectorAll('.table-responsive')]
    .filter(el => el.scrollWidth > el.clientWidth + 1)
    .map(el => `${el === document.documentElement ? 'page' : 'table'} ${el.scrollWidth}px in ${el.clientWidth}px`)"""


def sampled_pages() -> list[tuple[str, str]]:
    """(username, url): every menu entry and every detail page one click away from it, each URL name once."""
    seen, pages = set(), []
    for username, *_ in DEMO_USERS:
        user = User.objects.get(username=username)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        menu = [item["url"] for _group, items in menu_for(user) for item in items]
        for page in walk(open_page(client), menu, depth=1):
            sampled = page.via == "menu" or page.name.endswith("_detail")
            if page.status == 200 and page.is_html and sampled and page.name not in seen:
                seen.add(page.name)
                pages.append((username, page.url))
    return pages


def test_no_page_is_wider_than_a_1366_pixel_window(live_server, page):
    with mock.patch.object(registry_demo, "HOUSEHOLDS", DEMO_HOUSEHOLDS):
        call_command("demo", stdout=io.StringIO())
    pages = sampled_pages()
    assert len(pages) > 30

    page.set_viewport_size(DESKTOP)
    wide, current = [], None
    for username, url in pages:
        if username != current:
            page.context.clear_cookies()
            log_in(page, live_server.url, username, DEMO_PASSWORD)
            current = username
        page.goto(f"{live_server.url}{url}")
        if overflowing := page.evaluate(OVERFLOW):
            wide.append(f"{username} {url}: {'; '.join(overflowing)}")
    assert not wide, f"{len(wide)} of {len(pages)} pages overflow at 1366×768:\n" + "\n".join(wide)
