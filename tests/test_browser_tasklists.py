"""A county admin gives a task to every village of a township with the picker's 本镇全部村 box."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from shoudi.accounts.testing import make_world
from shoudi.tasklists.models import Task

from .browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_county_gives_a_task_to_all_villages_of_a_township(live_server, page, tmp_path):
    make_world()
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/tasklists/tasks/add/")
    page.fill("#id_title", "核实部门比对疑点")
    page.fill("#id_due_date", "2030-01-31")
    page.get_by_label("本镇全部村").first.check()  # 甲镇: 甲村 and 甲二村
    expect(page.get_by_label("甲二村")).to_be_checked()
    expect(page.get_by_label("乙村")).not_to_be_checked()
    page.screenshot(path=str(tmp_path / "task_add.png"), full_page=True)
    with page.expect_navigation():
        page.get_by_role("button", name="下发").click()
    expect(page.locator("#assignments")).to_contain_text("甲二村")
    task = Task.objects.get(title="核实部门比对疑点")
    assert sorted(task.assignments.values_list("region__name", flat=True)) == ["甲二村", "甲村"]
