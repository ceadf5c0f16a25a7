"""A village officer prints his village's work cards from Chromium: the menu page, the print page with the print
stylesheet, red and green cards, and one A4 page per card when the browser prints it."""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from shoudi.accounts.testing import make_world

from .browser import log_in
from .test_workcards import RARE_HEAD, monitored_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_prints_his_village_cards_one_a_page(live_server, page):
    world = make_world()
    monitored_household(world.village_a, household_no="A001", head=RARE_HEAD)
    monitored_household(world.village_a, household_no="A002", head="赵绿", category="脱贫不稳定户", eliminated=True)
    monitored_household(world.village_b, household_no="B001", head="周乙")

    log_in(page, live_server.url, "officer_a")
    page.goto(f"{live_server.url}/ledgers/cards/")
    row = page.locator(f'tr[data-region="{world.village_a.code}"]')
    expect(row).to_contain_text("甲村")
    expect(page.locator('tr[data-region="520102002001"]')).to_have_count(0)

    page.goto(f"{live_server.url}/ledgers/cards/batch/?region={world.village_a.code}")
    cards = page.locator("section.card")
    expect(cards).to_have_count(2)
    expect(cards.first).to_contain_text(RARE_HEAD)
    expect(cards.first).to_contain_text("边缘易致贫户（√）")
    red = cards.nth(0).evaluate("e => getComputedStyle(e).borderTopColor")
    green = cards.nth(1).evaluate("e => getComputedStyle(e).borderTopColor")
    assert (red, green) == ("rgb(204, 0, 0)", "rgb(26, 127, 55)")  # print.css loaded: red card, green card

    page.emulate_media(media="print")
    expect(page.locator(".toolbar")).to_be_hidden()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 2  # one A4 page per card, as the browser prints it
