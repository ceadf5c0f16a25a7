"""A village officer uploads the national export in Chromium, reads the preview, commits, opens a household."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shoudi.accounts.testing import make_world
from shoudi.registry.models import Household
from shoudi.registry.synthetic import generate_rows, write_national_xlsx

from .browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def immediate_jobs(settings):
    # the job runs inside the request that starts it (on commit): no worker process needed for the test
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_upload_preview_commit_open(live_server, page, tmp_path, immediate_jobs):
    world = make_world()
    path = tmp_path / "甲村农户.xlsx"
    write_national_xlsx(
        path,
        generate_rows([world.village_a], households=5, seed=7, year=2025),
        title="测试县2025年度农户信息",
        details="导出时间：2026-03-01",
    )
    log_in(page, live_server.url, "officer_a")
    page.goto(f"{live_server.url}/registry/households/")
    page.get_by_role("link", name="导入").click()
    page.set_input_files("#id_file", str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并检查").click()
    expect(page.locator("#import-status")).to_have_text("待确认")
    expect(page.locator("#import-summary")).to_contain_text("新增 5 户")
    expect(page.locator("#village-counts")).to_contain_text("甲镇甲村")
    assert not Household.objects.exists()  # the preview wrote nothing
    with page.expect_navigation():
        page.get_by_role("button", name="确认导入").click()
    expect(page.locator("#import-status")).to_have_text("已导入")
    page.click("#to-households")
    rows = page.locator("#object-list table tbody tr")
    expect(rows).to_have_count(5)
    rows.first.locator("a").first.click()
    expect(page.locator("h1")).to_contain_text("一户一档")
    expect(page.locator("#members tbody tr").first).to_contain_text("户主")
