"""A cadre records a visit on a phone-sized screen: pick the household, tick the checklist, save."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shoudi.accounts.testing import make_user, make_world
from shoudi.assistance.models import Cadre, GuaranteeProblem, Pairing, Visit
from shoudi.registry.testing import make_household

from .browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_cadre_records_a_visit_on_a_phone(live_server, browser):
    world = make_world()
    cadre_user = make_user("cadre_a", "cadre", world.village_a, name="帮扶干部甲")
    cadre = Cadre.objects.create(name="帮扶干部甲", unit="县农业农村局", region=world.village_a, user=cadre_user)
    home = make_household(world.village_a, household_no="A900", head="吴䶮", household_type="脱贫户", lifted_year=2019)
    Pairing.objects.create(household=home, cadre=cadre)
    make_household(world.village_a, household_no="A901", head="不是我的户")

    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
    )
    page = context.new_page()
    log_in(page, live_server.url, "cadre_a")
    page.goto(f"{live_server.url}/assistance/visit/")
    households = page.locator("#my-households a")
    expect(households).to_have_count(1)  # only his paired household
    households.first.click()
    page.locator("label[for='id_kind_0']").click()  # 入户
    for field in ("food_clothing_ok", "education_ok", "medical_ok", "water_ok"):
        page.locator(f"label[for='id_{field}_1']").click()  # 是
    page.locator("label[for='id_housing_ok_2']").click()  # 否: the house is not safe
    page.fill("#id_content", "房屋墙体开裂，已告知村委")
    page.set_input_files("#id_photo", files=[{"name": "house.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8"}])
    with page.expect_navigation():
        page.get_by_role("button", name="保存走访").click()
    expect(page.locator(".alert-success")).to_contain_text("发现 1 项保障问题")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    context.close()

    visit = Visit.objects.get(household=home)
    assert (visit.kind, visit.housing_ok, visit.water_ok, visit.cadre) == ("入户", False, True, cadre)
    assert visit.photos.count() == 1
    assert GuaranteeProblem.objects.get(household=home).kind == "住房安全有保障"
