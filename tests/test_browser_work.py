"""Problem rectification in Chromium on a phone (390×844): the list and a problem's page, with its steps and forms,
are no wider than the screen; the county issues a problem and picks its responsible person among the users of
the region it chose."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from shoudi.accounts.testing import make_user, make_world
from shoudi.work import services
from shoudi.work.models import Problem

from .browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DAY = datetime.timedelta(days=1)
# the page itself, and every scrolling table box (tests/test_browser_crawl.py): a table scrolled inside its box hides
# its right-hand columns (状态, 整改期限) just as a page wider than the phone does
OVERFLOW = """() => [document.documentElement, ...document.querySelectorAll('.table-responsive')]
    .filter(el => el.scrollWidth > el.clientWidth + 1)
    .map(el => `${el === document.documentElement ? 'page' : 'table'} ${el.scrollWidth}px in ${el.clientWidth}px`)"""


def _phone(browser, live_server, username):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url, username)
    return context, page


def _fits(page) -> None:
    assert page.evaluate(OVERFLOW) == []


def test_the_problem_list_and_page_fit_a_phone(live_server, browser):
    world = make_world()
    today = timezone.localdate()
    long_title = "饮水安全：甲村三组、四组共十二户自来水季节性断水，蓄水池容量不足，需新建蓄水池并更换主管道"
    problem = services.issue_problem(
        user=world.admin,
        region=world.village_a,
        source="暗访督导",
        document_no="县攻坚办〔2026〕8号",
        category="两不愁三保障",
        title=long_title,
        description="暗访发现：" + "入户核实情况与台账记录不一致，" * 6,
        unit="甲村村民委员会（驻村工作队）",
        responsible=world.officer_a,
        issued_on=today - 40 * DAY,
        due_date=today - 10 * DAY,
    )
    for n in range(3):
        services.issue_problem(
            user=world.admin,
            region=world.village_a,
            source="12317 热线",
            category="帮扶",
            title=f"来电反映帮扶措施落实不到位{n}",
            due_date=today + (n + 1) * DAY,
        )
    services.record_progress(
        problem=problem, user=world.officer_a, text="已完成蓄水池选址，" * 5, evidence="现场照片三张、村民签字确认单"
    )
    context, page = _phone(browser, live_server, "officer_a")
    page.goto(f"{live_server.url}/work/problems/")
    expect(page.locator("#object-list")).to_contain_text("饮水安全")
    _fits(page)
    page.goto(f"{live_server.url}/work/problems/{problem.pk}/")
    expect(page.locator("h1")).to_contain_text("饮水安全")
    expect(page.locator("#problem-escalated")).to_have_text("已升级")
    expect(page.locator("#form-apply")).to_be_visible()
    _fits(page)
    context.close()


def test_the_county_picks_the_responsible_person_of_the_chosen_village(live_server, browser):
    world = make_world()
    make_user("officer_a2", "village_officer", world.village_a2, name="甲二村信息员")
    context, page = _phone(browser, live_server, "admin")
    page.goto(f"{live_server.url}/work/problems/add/")
    page.select_option("#id_source", "暗访督导")
    page.select_option("#id_category", "饮水")
    page.fill("#id_title", "甲二村饮水不达标")
    page.select_option("#id_region", label="甲二村")
    page.fill("#id_due_date", (timezone.localdate() + 30 * DAY).isoformat())
    box = page.locator("#id_responsible")
    box.click()
    box.press_sequentially("信息员", delay=30)
    options = page.locator("#id_responsible-options [role=option]")
    expect(options).to_have_count(1)  # not 甲村信息员: another village
    expect(options.first).to_contain_text("甲二村信息员")
    box.press("Enter")
    expect(box).to_have_value("甲二村信息员")
    _fits(page)
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("甲二村饮水不达标")
    context.close()
    assert Problem.objects.get().responsible.username == "officer_a2"
