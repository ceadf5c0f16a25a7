"""The foundation as a person meets it in Chromium: log in, filter the region list, export it, on a phone too."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect
from python_calamine import CalamineWorkbook

from shoudi.accounts.testing import make_world

from .browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALL_IN_COUNTY = 6  # the county, two townships, three villages; the neighbouring county's rows stay out
TOWNSHIP_A_TREE = {"520102001": "甲镇", "520102001001": "甲村", "520102001002": "甲二村"}


def table_codes(page) -> list[str]:
    return page.locator("#object-list table tbody tr td:first-child").all_inner_texts()


def filter_regions(page, text: str) -> None:
    """Type into 名称或代码 and press 筛选 (htmx swaps the list in place and pushes the URL)."""
    page.fill("#id_q", text)
    page.locator("#filter-form [type=submit]").click()


def export_rows(page, tmp_path) -> tuple[list, dict[str, str]]:
    """Click 导出 Excel and read the file: (header, {code: name})."""
    with page.expect_download() as download_info:
        page.click("#export-xlsx")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    xlsx = tmp_path / download.suggested_filename
    download.save_as(xlsx)
    title, _subtitle, header, *data = CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_index(0).to_python()
    assert title[0] == "行政区划"
    return [str(h) for h in header if h != ""], {str(row[0]): row[1] for row in data}


def test_login_filter_export_and_phone_layout(live_server, page, tmp_path):
    make_world()
    broken_static = []
    page.on("response", lambda r: broken_static.append(r.url) if r.status >= 400 and "/static/" in r.url else None)

    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/regions/")
    expect(page.locator("#object-list table tbody tr")).to_have_count(ALL_IN_COUNTY)
    assert "520103" not in table_codes(page)

    filter_regions(page, "甲")
    expect(page.locator("#object-list table tbody tr")).to_have_count(3)
    assert sorted(table_codes(page)) == sorted(TOWNSHIP_A_TREE)
    expect(page.locator("#row-count")).to_have_text("3")
    assert "q=" in page.url  # the filter is in the address bar: a reload or a shared link keeps it

    page.reload()
    expect(page.locator("#object-list table tbody tr")).to_have_count(3)
    on_screen_header = [t.strip() for t in page.locator("#object-list table thead th").all_inner_texts()]
    header, rows = export_rows(page, tmp_path)
    assert header == on_screen_header
    assert rows == TOWNSHIP_A_TREE

    # A phone: still laid out by Bootstrap, whose CSS and JS come from our own static files.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/regions/?q=甲")
    expect(page.locator("#object-list table tbody tr")).to_have_count(3)
    assert page.evaluate("typeof window.bootstrap") == "object"
    assert page.evaluate("typeof window.htmx") == "object"
    assert page.locator(".navbar-toggler").is_visible(), "the menu button shows on a phone"
    assert not page.locator("#sd-sidebar").is_visible(), "the sidebar is an off-canvas menu on a phone"
    shots = Path(os.environ.get("SHOUDI_SCREENSHOT_DIR") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "regions-phone.png"), full_page=True)
    page.locator(".navbar-toggler").click()
    # Bootstrap's JS slides the menu in; wait for the end of the slide before looking.
    # (polled from the test, not with wait_for_function: a string evaluated in the page is refused by the CSP)
    deadline = time.monotonic() + 5
    while page.locator("#sd-sidebar").bounding_box()["x"] < 0 and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert page.locator("#sd-sidebar").bounding_box()["x"] >= 0
    expect(page.locator("#sd-sidebar").get_by_role("link", name="行政区划")).to_be_visible()
    page.screenshot(path=str(shots / "regions-phone-menu.png"))
    assert broken_static == []


def test_export_right_after_filtering_has_only_the_filtered_rows(live_server, page, tmp_path):
    make_world()
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/regions/")
    filter_regions(page, "甲")
    expect(page.locator("#object-list table tbody tr")).to_have_count(3)
    _, rows = export_rows(page, tmp_path)
    assert rows == TOWNSHIP_A_TREE
