"""数据看板 in Chromium: each role's home draws its charts; a township's bar opens that township's dashboard; a
card switches to its table and saves its chart as a PNG."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shoudi.accounts.roles import CADRE, DEPARTMENT
from shoudi.accounts.testing import make_user, make_world
from shoudi.dashboards.refresh import rebuild
from shoudi.dashboards.testing import build_scenario

from .browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAR_CENTRE = """() => {
  const box = document.querySelector('[data-chart="children"]');
  const chart = window.echarts.getInstanceByDom(box);
  const point = chart.convertToPixel({seriesIndex: 0}, [0, 1]);
  const rect = box.getBoundingClientRect();
  return [rect.x + point[0], rect.y + point[1]];
}"""


@pytest.fixture
def county(live_server):
    world = make_world()
    build_scenario(world)
    make_user("yibao", DEPARTMENT, world.county, name="医保局", department="medical_insurance")
    make_user("cadre_a", CADRE, world.village_a, name="帮扶干部甲")
    rebuild()
    return world


def _home(browser, live_server, username):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    log_in(page, live_server.url, username)
    page.goto(f"{live_server.url}/")
    expect(page.locator("#dashboard")).to_be_visible()
    page.wait_for_function("document.querySelectorAll('#dashboard .sd-chart canvas').length > 0")
    charts = page.locator("#dashboard .sd-chart")
    assert charts.count() > 0
    assert page.locator("#dashboard .sd-chart canvas").count() >= charts.count()  # every chart drew
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366  # nothing wider than the screen
    return context, page


@pytest.mark.parametrize("username", ["admin", "reviewer_a", "inspector", "yibao"])
def test_the_dashboard_is_the_home_of_county_township_inspector_and_department(county, live_server, browser, username):
    context, page = _home(browser, live_server, username)
    assert page.evaluate(
        "document.body.innerHTML.indexOf('id=\"dashboard\"') < document.body.innerHTML.indexOf('id=\"todo\"')"
    )
    expect(page.locator("#board-as-of")).to_contain_text("数据截至")
    context.close()


@pytest.mark.parametrize("username", ["officer_a", "cadre_a"])
def test_village_users_keep_their_worklist_with_their_villages_figures_below(county, live_server, browser, username):
    context, page = _home(browser, live_server, username)
    expect(page.locator("#board-region")).to_have_text("甲村")
    assert page.evaluate(
        "document.body.innerHTML.indexOf('id=\"todo\"') < document.body.innerHTML.indexOf('id=\"dashboard\"')"
    )
    context.close()


def test_a_townships_bar_opens_its_dashboard(county, live_server, browser):
    context, page = _home(browser, live_server, "admin")
    page.locator("#card-children").scroll_into_view_if_needed()
    x, y = page.evaluate(BAR_CENTRE)
    with page.expect_navigation():
        page.mouse.click(x, y)
    assert page.url.endswith(f"/dashboard/region/{county.township_a.pk}/")
    expect(page.locator("#board-region")).to_have_text("甲镇")
    page.wait_for_function("document.querySelectorAll('#dashboard .sd-chart canvas').length > 0")
    context.close()


def test_a_card_shows_its_table_and_saves_its_picture(county, live_server, browser):
    context, page = _home(browser, live_server, "admin")
    card = page.locator("#card-case_categories")
    card.get_by_role("button", name="表格").click()
    table = card.locator(".sd-card-table")
    expect(table).to_be_visible()
    expect(card.locator(".sd-chart")).to_be_hidden()
    expect(table.get_by_role("link", name="1").first).to_be_visible()
    card.get_by_role("button", name="图表").click()
    expect(card.locator(".sd-chart")).to_be_visible()
    with page.expect_download() as download:
        card.get_by_role("button", name="图片").click()
    assert download.value.suggested_filename == "监测对象类别.png"
    assert download.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    context.close()


def test_the_print_layout_leaves_out_the_navigation_and_the_buttons(county, live_server, browser):
    context, page = _home(browser, live_server, "admin")
    page.emulate_media(media="print")
    assert not page.locator("#sd-sidebar").is_visible()
    assert not page.locator("[data-board-action=print]").is_visible()
    assert not page.locator("#card-funnel [data-card-action=table]").is_visible()
    expect(page.locator("#card-funnel .sd-chart canvas")).to_be_visible()
    context.close()
