"""In Chromium: the village officer takes a household from the clue to 公示 on a phone (390×844), and the township
reviewer's 批量审核 with errors approves nothing."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from shoudi.accounts.testing import make_world
from shoudi.monitoring import choices as c
from shoudi.monitoring.models import MonitoringCase, MonitoringLine
from shoudi.monitoring.testing import case_at
from shoudi.registry.testing import make_household, make_income

from .browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def submit_step(page, action):
    with page.expect_navigation():
        page.locator(f"form[action$='/act/{action}/'] button[type=submit]").click()


def stage(page, key):
    return page.locator(f"#progress-1 [data-stage='{key}']")


def fits_the_phone(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_village_officer_from_clue_to_publicity_on_a_phone(live_server, browser):
    world = make_world()
    MonitoringLine.objects.create(region=world.county, year=2025, amount=Decimal("8000"))
    home = make_household(world.village_a, household_no="A850", head="郑𠮷芳")
    today = datetime.date.today()
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url, "officer_a")

    # the clue, from the household page
    page.goto(f"{live_server.url}/registry/households/{home.pk}/")
    page.get_by_role("link", name="提出监测线索").click()
    page.select_option("#id_source", "农户自主申报")
    page.fill("#id_note", "户主突发重病住院")
    with page.expect_navigation():
        page.get_by_role("button", name="提交线索").click()
    expect(page.locator("#case-step")).to_have_text("入户核实")
    expect(stage(page, "clue")).to_have_class(re.compile("sd-step-done"))
    expect(stage(page, "verification")).to_have_attribute("aria-current", "step")
    assert fits_the_phone(page)

    # 入户核实 without the signed form: refused, the typed text stays and the error is where the officer looks
    findings = "户主住院三周，自付医疗费约四万元，家中无其他劳动力"
    page.fill("#id_verification-findings", findings)
    submit_step(page, "verification")
    errors = page.locator("#form-errors")
    expect(errors).to_contain_text("请上传农户签字的承诺授权书")
    expect(errors).to_be_in_viewport()
    expect(errors).to_be_focused()
    expect(page.locator("#id_verification-findings")).to_have_value(findings)
    expect(page.locator("#case-step")).to_have_text("入户核实")

    page.set_input_files(
        "#id_verification-authorization_file",
        files=[{"name": "承诺授权书.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}],
    )
    submit_step(page, "verification")
    expect(page.locator("#case-step")).to_have_text("村级研判/民主评议")

    # 村级研判
    page.fill("#id_village_review-participants", "村两委、驻村工作队、村民代表")
    page.select_option("#id_village_review-category", "突发严重困难户")
    page.check("input[name='village_review-risk_types'][value='因病']")
    submit_step(page, "village_review")
    expect(page.locator("#case-step")).to_have_text("公示")

    # 公示 for 5 days from today: registered, and 报乡镇审核 waits for its end, saying so
    page.fill("#id_publicity-start", str(today))
    page.fill("#id_publicity-end", str(today + datetime.timedelta(days=4)))
    submit_step(page, "publicity")
    expect(page.locator(".alert-success")).to_contain_text("已登记公示")
    expect(page.locator("#submit-publicity")).to_be_disabled()
    opens = today + datetime.timedelta(days=5)
    expect(page.locator("#submit-publicity-reason")).to_contain_text(f"{opens:%Y-%m-%d} 起可报乡镇审核")

    # the stepper: three steps done today, 公示 current, the rest to come, stacked for the phone
    for key in ("clue", "verification", "village_review"):
        expect(stage(page, key)).to_have_class(re.compile("sd-step-done"))
        expect(stage(page, key)).to_contain_text(f"{today:%Y-%m-%d}")
    expect(stage(page, "publicity")).to_have_attribute("aria-current", "step")
    expect(stage(page, "county_review")).to_have_class(re.compile("sd-step-todo"))
    first, second = (stage(page, k).bounding_box() for k in ("clue", "verification"))
    assert second["y"] > first["y"] and abs(second["x"] - first["x"]) < 2  # one under the other
    assert fits_the_phone(page)
    context.close()

    case = MonitoringCase.objects.get(household=home)
    assert case.step == c.PUBLICITY and case.publicity_end == today + datetime.timedelta(days=4)
    assert case.events.get(action="入户核实").note == findings


def test_township_reviewer_batch_review_with_errors_approves_nothing(live_server, browser):
    world = make_world()
    MonitoringLine.objects.create(region=world.county, year=2025, amount=Decimal("8000"))
    complete = case_at(make_household(world.village_a, household_no="A861", head="齐全户"), c.TOWNSHIP_REVIEW)
    make_income(complete.household, 2025, size=2, wage=9000)
    bare = case_at(
        make_household(world.village_a, household_no="A862", head="缺件户"), c.TOWNSHIP_REVIEW, materials=False
    )
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = context.new_page()
    log_in(page, live_server.url, "reviewer_a")
    page.goto(f"{live_server.url}/monitoring/review/")
    expect(page.locator(f"#review-row-{bare.pk}")).to_contain_text("缺少入户核实记录、公示记录、承诺授权书")
    expect(page.locator(f"#review-row-{complete.pk}")).to_contain_text("低于监测线")
    expect(page.locator("#id_approve")).to_have_value("")  # nothing preselected

    def submit():
        with page.expect_navigation():
            page.get_by_role("button", name="提交审核").click()

    # 退回 without a reason: refused, 退回 and both ticks kept
    page.check(f"input[name='case'][value='{complete.pk}']")
    page.check(f"input[name='case'][value='{bare.pk}']")
    page.select_option("#id_approve", "0")
    submit()
    expect(page.locator("#review-errors")).to_contain_text("退回须填写原因")
    expect(page.locator("#review-errors")).to_be_focused()
    expect(page.locator("#id_approve")).to_have_value("0")
    expect(page.locator(f"input[name='case'][value='{complete.pk}']")).to_be_checked()
    expect(page.locator(f"input[name='case'][value='{bare.pk}']")).to_be_checked()

    # switching to 通过 with the ticks still set: the case without materials stops the whole batch
    page.select_option("#id_approve", "1")
    page.fill("#id_note", "材料齐全，同意")
    submit()
    expect(page.locator("#review-errors")).to_contain_text("缺件户（A862）缺少入户核实记录、公示记录、承诺授权书")
    expect(page.locator("#id_approve")).to_have_value("1")
    expect(page.locator("#id_note")).to_have_value("材料齐全，同意")
    expect(page.locator("input[name='case']:checked")).to_have_count(2)
    expect(page.locator("#review-results")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    context.close()

    assert [MonitoringCase.objects.get(pk=x.pk).step for x in (complete, bare)] == [c.TOWNSHIP_REVIEW] * 2
    assert not MonitoringCase.objects.filter(events__action="乡镇审核").exists()
