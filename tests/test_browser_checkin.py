"""A stationed member checks in on a phone-sized screen (390×844): the page asks the phone for its position, one tap
records it at the server's time, a second tap is not a second check-in, and a position far from the village is
flagged for the township to check."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shoudi.accounts.testing import make_world
from shoudi.teams.models import CheckIn
from shoudi.teams.testing import make_member, make_team

from .browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEAR = {"latitude": 26.5835, "longitude": 106.7072, "accuracy": 25}  # about 60 m from the team's 村部
FAR = {"latitude": 26.6900, "longitude": 106.7070, "accuracy": 30}  # about 12 km north


def _phone(browser, position):
    return browser.new_context(
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation=position,
        permissions=["geolocation"],
    )


def test_a_member_checks_in_with_one_tap_on_a_phone(live_server, browser):
    world = make_world()
    team = make_team(world.village_a)
    member = make_member(team, "驻村队员甲", username="zhucun_a")

    context = _phone(browser, NEAR)
    page = context.new_page()
    log_in(page, live_server.url, "zhucun_a")
    page.goto(f"{live_server.url}/teams/checkin/")
    expect(page.locator("#location-text")).to_contain_text("已定位（精度约 25 米）")
    button = page.get_by_role("button", name="签到")
    assert button.bounding_box()["width"] > 300  # one big button, easy to hit
    with page.expect_navigation():
        button.click()
    expect(page.locator(".alert-success")).to_contain_text("已签到")
    expect(page.locator("#today-checkins")).to_contain_text("手机签到")
    expect(page.locator("#month-summary")).to_contain_text("在村 1 天")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone

    with page.expect_navigation():  # a second tap a moment later
        page.get_by_role("button", name="签到").click()
    expect(page.locator(".alert-info")).to_contain_text("刚刚已签到")
    context.close()

    checkin = CheckIn.objects.get(member=member)
    assert (float(checkin.latitude), float(checkin.longitude), checkin.accuracy) == (26.5835, 106.7072, 25)
    assert not checkin.flagged and checkin.distance < 100


def test_a_check_in_far_from_the_village_says_it_will_be_checked(live_server, browser):
    world = make_world()
    team = make_team(world.village_a)
    member = make_member(team, "驻村队员乙", username="zhucun_b")

    context = _phone(browser, FAR)
    page = context.new_page()
    log_in(page, live_server.url, "zhucun_b")
    page.goto(f"{live_server.url}/teams/checkin/")
    expect(page.locator("#location-text")).to_contain_text("已定位")
    with page.expect_navigation():
        page.get_by_role("button", name="签到").click()
    expect(page.locator(".alert-warning")).to_contain_text("位置存疑：距驻村地点 11.9 公里")
    expect(page.locator("#today-checkins")).to_contain_text("存疑")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()

    checkin = CheckIn.objects.get(member=member)
    assert checkin.flagged and checkin.distance > 11_000
