"""The picker in a browser: typed into, chosen with the keyboard on a phone; and the assistance lists at 1366 px."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from shoudi.accounts.testing import make_world
from shoudi.assistance.models import Cadre, Pairing, Visit
from shoudi.registry.models import IncomeRecord
from shoudi.registry.testing import make_household

from .browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_picks_a_household_with_the_keyboard_on_a_phone(live_server, browser):
    world = make_world()
    make_household(world.village_a, household_no="52010200100100017", head="王建国", phone="13512345678")
    make_household(world.village_a, household_no="52010200100100018", head="王建军")
    make_household(world.village_b, household_no="52010200200100017", head="王乙村")
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    log_in(page, live_server.url, "officer_a")
    page.goto(f"{live_server.url}/registry/incomes/add/")
    box = page.get_by_role("combobox")
    box.click()
    box.press_sequentially("5678", delay=30)  # the phone's last four digits
    options = page.get_by_role("option")
    expect(options).to_have_count(1)
    expect(options.first).to_contain_text("王建国 · 甲村 · 00017")
    box.press("Backspace")
    box.press("Backspace")
    box.press("Backspace")
    box.press("Backspace")
    box.press_sequentially("王建", delay=30)
    expect(options).to_have_count(2)  # not 王乙村: another village
    box.press("ArrowDown")
    box.press("Enter")  # chooses 王建军, and does not submit the form
    expect(box).to_have_value("王建军 · 甲村 · 00018")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.fill("#id_year", "2025")
    page.fill("#id_wage", "9000")
    page.fill("#id_household_size", "1")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    expect(page.locator("h1")).to_contain_text("王建军")
    context.close()
    assert IncomeRecord.objects.get().household.household_no == "52010200100100018"


def test_assistance_lists_fit_a_laptop_screen(live_server, browser):
    world = make_world()
    cadre = Cadre.objects.create(name="帮扶干部甲", unit="县农业农村局乡村振兴服务中心", region=world.township_a)
    for n in range(5):
        home = make_household(world.village_a, household_no=f"5201020010010{n:04d}", head=f"欧阳建{n}")
        Pairing.objects.create(household=home, cadre=cadre, reason="首次结对，按乡镇统一安排的结对方案落实到户")
        Visit.objects.create(
            household=home,
            visited_on=datetime.date(2026, 11, 2),
            visitor="帮扶干部甲",
            content="了解家庭收入、务工、就学、就医和住房情况，宣传防止返贫监测帮扶政策，" * 3,
            housing_ok=False,
        )
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    log_in(page, live_server.url, "reviewer_a")
    for path in ("/assistance/pairings/", "/assistance/visits/", "/registry/members/", "/registry/households/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("#object-list")).to_contain_text("欧阳建0")
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366, path
        widths = page.evaluate(
            "[...document.querySelectorAll('.table-responsive')].map(e => [e.scrollWidth, e.clientWidth])"
        )
        assert all(scroll <= client for scroll, client in widths), (path, widths)
    context.close()
