"""One household from clue to identified through four different users, in Chromium."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from shoudi.accounts.testing import make_user, make_world
from shoudi.assistance.models import Cadre, Pairing
from shoudi.monitoring.models import MonitoringCase, MonitoringLine
from shoudi.registry.testing import make_household

from .browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def as_user(browser, live_server, username):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url, username)
    return context, page


def submit_step(page, action):
    with page.expect_navigation():
        page.locator(f"form[action$='/act/{action}/'] button[type=submit]").click()


def test_clue_to_identified_through_four_users(live_server, browser, tmp_path):
    world = make_world()
    cadre_user = make_user("cadre_a", "cadre", world.village_a, name="帮扶干部甲")
    MonitoringLine.objects.create(region=world.county, year=2025, amount=Decimal("8000"))
    home = make_household(world.village_a, household_no="A800", head="周𠮷祥")
    cadre = Cadre.objects.create(name="帮扶干部甲", unit="县农业农村局", region=world.village_a, user=cadre_user)
    Pairing.objects.create(household=home, cadre=cadre)
    today = datetime.date.today()

    # 1. the village officer raises a clue from the household page
    ctx, page = as_user(browser, live_server, "officer_a")
    page.goto(f"{live_server.url}/registry/households/{home.pk}/")
    page.get_by_role("link", name="提出监测线索").click()
    page.select_option("#id_source", "农户自主申报")
    page.fill("#id_note", "户主突发重病，医疗支出大")
    with page.expect_navigation():
        page.get_by_role("button", name="提交线索").click()
    expect(page.locator("#case-step")).to_have_text("入户核实")
    case_url = page.url
    ctx.close()

    # 2. the paired cadre verifies at home, with the signed authorisation
    ctx, page = as_user(browser, live_server, "cadre_a")
    page.goto(case_url)
    page.fill("#id_verification-findings", "情况属实，已签承诺授权书")
    page.set_input_files(
        "#id_verification-authorization_file",
        files=[{"name": "承诺授权书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}],
    )
    submit_step(page, "verification")
    expect(page.locator("#case-step")).to_have_text("村级研判/民主评议")
    ctx.close()

    # 3. the village reviews, publicises and submits after the publicity
    ctx, page = as_user(browser, live_server, "officer_a")
    page.goto(case_url)
    page.fill("#id_village_review-participants", "村两委、驻村工作队、村民代表")
    page.select_option("#id_village_review-category", "突发严重困难户")
    page.check("input[name='village_review-risk_types'][value='因病']")
    submit_step(page, "village_review")
    expect(page.locator("#case-step")).to_have_text("公示")
    page.fill("#id_publicity-start", str(today - datetime.timedelta(days=8)))
    page.fill("#id_publicity-end", str(today - datetime.timedelta(days=2)))
    submit_step(page, "publicity")
    with page.expect_navigation():
        page.click("#submit-publicity")
    expect(page.locator("#case-step")).to_have_text("乡镇审核")
    ctx.close()

    # 4. the township reviewer approves in the batch page
    ctx, page = as_user(browser, live_server, "reviewer_a")
    page.goto(f"{live_server.url}/monitoring/review/")
    page.check("input[name='case']")
    page.select_option("#id_approve", "1")
    with page.expect_navigation():
        page.get_by_role("button", name="提交审核").click()
    expect(page.locator("#review-results")).to_contain_text("通过")
    ctx.close()

    # 5. the county admin approves on the case page
    ctx, page = as_user(browser, live_server, "admin")
    page.goto(case_url)
    page.select_option("#id_county_review-approve", "1")
    submit_step(page, "county_review")
    expect(page.locator("#case-step")).to_have_text("已识别（帮扶中）")
    expect(page.locator("#timeline li")).to_have_count(7)  # clue, 入户核实, 研判, 公示, 报审, 乡镇, 县级
    ctx.close()

    case = MonitoringCase.objects.get(household=home)
    assert case.identified_on == today and case.category == "突发严重困难户" and case.risk_types == ["因病"]
    assert {e.user_name for e in case.events.all()} == {"甲村信息员", "帮扶干部甲", "甲镇审核员", "县管理员"}
