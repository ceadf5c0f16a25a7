"""比对结果 at 1366 px in Chromium: the table fits, 状态 and 核实期限 are on screen; rows name the household by its
head, a short 户编号 and the village."""

from __future__ import annotations

import pytest

from shoudi.accounts.testing import make_world
from shoudi.matching.testing import accept_any_coverage, run_list
from shoudi.registry.testing import make_household, make_member

from .browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_findings_table_fits_1366_px(live_server, browser, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "files"
    world = make_world()
    accept_any_coverage()
    home = make_household(world.village_a, household_no="52010200100100017", head="欧阳𠮷祥", household_type="脱贫户")
    for n in range(3):
        make_member(home, name=f"欧阳小{n}", relation="之子")
    run_list(
        tmp_path,
        "medical_insurance",
        ["姓名", "证件号码", "合规自付费用"],
        [["欧阳𠮷祥", home.members.get(relation="户主").id_number, "35000.55"]],
        user=world.admin,
    )
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768})
    page = context.new_page()
    log_in(page, live_server.url, "officer_a")
    page.goto(f"{live_server.url}/matching/findings/")
    table = page.locator("#object-list table")
    assert table.locator("tbody tr").count() == 4
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for header in ("状态", "核实期限"):
        box = table.locator("th", has_text=header).first.bounding_box()
        assert box is not None and box["x"] + box["width"] <= width, header
    wrapper_overflow = page.evaluate(
        "(() => { const t = document.querySelector('#object-list table');"
        " const w = t.closest('.table-responsive') || t.parentElement; return w.scrollWidth - w.clientWidth; })()"
    )
    assert wrapper_overflow <= 0
    first = table.locator("tbody tr").first.inner_text()
    assert "欧阳𠮷祥户" in first and "…100017" in first and "甲村" in first
    context.close()
