"""The deadlines of S001 39 and 42 on the working-day calendar (issue 21 §4): 预算执行 within 15 working days of
下达 across the Spring Festival, 竣工验收 within 7 working days across National Day, 确权移交 within three months;
a year without entered holidays flagged; overdue items on the home page and in the 待办 badge."""

from __future__ import annotations

import datetime

import pytest

from shoudi.core.worklist import todo_count
from shoudi.projects import choices as c
from shoudi.projects import selectors, services
from shoudi.projects.testing import advance, propose

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_calendar")]
D = datetime.date


@pytest.fixture
def planned(world):
    return advance(
        propose(world.officer_a, world.village_a),
        c.PLANNED,
        reviewer=world.reviewer_a,
        admin=world.admin,
        start=D(2026, 1, 5),
    )


def test_budget_execution_is_due_15_working_days_after_allocation_across_the_spring_festival(world, planned):
    # 2026 春节: 2-15…2-23 off, Saturdays 2-14 and 2-28 worked (调休)
    allocation = services.allocate(
        project=planned, user=world.admin, source="central", amount="50000", allocated_on=D(2026, 2, 10)
    )
    assert allocation.execution_due == D(2026, 3, 9)  # 15 weekdays alone would give 2026-03-03
    assert not allocation.execution_due_fallback
    step = planned.steps.get(action="资金下达")
    assert "预算执行期限 2026-03-09（15 个工作日）" in step.text

    def due(today):
        return list(selectors.execution_due(world.admin, today=today, soon=False))

    assert due(D(2026, 3, 4)) == [] and due(D(2026, 3, 9)) == []
    assert due(D(2026, 3, 10)) == [allocation]
    assert list(selectors.execution_due(world.admin, today=D(2026, 3, 6))) == [allocation]  # due within 3 days
    assert list(selectors.execution_due(world.officer_a, today=D(2026, 3, 10))) == []  # the village does not execute

    services.start_execution(allocation=allocation, user=world.admin, started_on=D(2026, 3, 11))
    allocation.refresh_from_db()
    assert allocation.started_late
    assert "超过期限 2 个工作日" in planned.steps.get(action="预算执行").text
    assert due(D(2026, 3, 20)) == []


def test_acceptance_is_due_7_working_days_after_completion(world, planned):
    project = services.start_works(project=planned, user=world.officer_a, started_on=D(2026, 6, 1))
    project = services.complete(project=project, user=world.officer_a, completed_on=D(2026, 9, 30))
    assert project.acceptance_due == D(2026, 10, 15)  # National Day 10-01…10-07 off, Saturday 10-10 worked
    assert list(selectors.acceptance_due(world.reviewer_a, today=D(2026, 10, 15), soon=False)) == []
    assert list(selectors.acceptance_due(world.reviewer_a, today=D(2026, 10, 16), soon=False)) == [project]
    project = services.accept(project=project, user=world.reviewer_a, accepted_on=D(2026, 10, 16), text="合格")
    assert project.accepted_late
    assert "超过验收期限（2026-10-15）1 个工作日" in project.steps.get(action="竣工验收").text
    assert list(selectors.acceptance_due(world.reviewer_a, today=D(2026, 10, 20), soon=False)) == []


def test_assets_are_transferred_within_three_months_of_acceptance(world):
    project = advance(
        propose(world.officer_a, world.village_a), c.ACCEPTED, reviewer=world.reviewer_a, admin=world.admin
    )
    project.accepted_on = D(2026, 5, 31)
    project.save()
    asset = services.register_asset(
        project=project, user=world.officer_a, name="甲村冷库", kind="经营性", value="80000", region=world.village_a
    )
    assert asset.transfer_due == D(2026, 8, 31)
    assert list(selectors.transfer_due(world.officer_a, today=D(2026, 8, 31), soon=False)) == []
    assert list(selectors.transfer_due(world.officer_a, today=D(2026, 9, 1), soon=False)) == [asset]
    assert list(selectors.transfer_due(world.officer_b, today=D(2026, 9, 1), soon=False)) == []  # not his village
    services.transfer_asset(
        asset=asset,
        user=world.reviewer_a,
        owner_region=world.village_a,
        owner_name="甲村股份经济合作社",
        transferred_on=D(2026, 9, 2),
        sanzi_no="SZ-2026-001",
    )
    asset.refresh_from_db()
    assert asset.state == c.TRANSFERRED and asset.transferred_late and asset.sanzi_no == "SZ-2026-001"
    assert "超过确权移交期限 2026-08-31" in project.steps.get(action="确权移交").text
    assert list(selectors.transfer_due(world.officer_a, today=D(2026, 9, 3), soon=False)) == []

    project.accepted_on = D(2026, 11, 30)
    project.save()
    later = services.register_asset(
        project=project, user=world.officer_a, name="甲村大棚", kind="经营性", value="20000", region=world.village_a
    )
    assert later.transfer_due == D(2027, 2, 28)  # 30 November + 3 months: the last day of February


def test_a_deadline_in_a_year_without_entered_holidays_is_flagged(world, planned):
    allocation = services.allocate(
        project=planned, user=world.admin, source="central", amount="1000", allocated_on=D(2026, 12, 21)
    )
    assert allocation.execution_due == D(2027, 1, 11) and allocation.execution_due_fallback
    assert "2027 年节假日尚未录入" in planned.steps.get(action="资金下达").text
    page = _page(world.admin, f"/projects/{planned.pk}/")
    assert "未按节假日计算" in page


def _page(user, url):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.get(url).content.decode()


def test_overdue_items_reach_the_worklist_the_home_page_and_the_badge(world, planned):
    services.allocate(project=planned, user=world.admin, source="central", amount="1000", allocated_on=D(2026, 2, 10))
    home = _page(world.admin, "/")
    assert "预算执行已逾期（下达后15个工作日） 1 项" in home
    assert "?todo=project_execution_overdue" in home
    listed = _page(world.admin, "/projects/?todo=project_execution_overdue")
    assert planned.name in listed and 'id="row-count">1<' in listed
    worklist = _page(world.admin, "/assistance/todo/")
    assert 'href="/projects/?todo=project_execution_overdue"' in worklist
    assert todo_count(world.admin) >= 1
    assert "项目资金资产" not in _page(world.officer_b, "/")  # nothing of his
    assert 'id="row-count">0<' in _page(world.officer_a, "/projects/?todo=project_execution_overdue")  # not his work
