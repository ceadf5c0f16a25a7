"""Findings and guarantee problems on the one problem life cycle (issue 17 §1, ADR 0011): every step of a finding,
a guarantee problem and a rectification problem is allowed or refused by ``work.lifecycle``; the engine carries a
finding's state into next month's by the cycle's rule; the 问题整改 list links to both lists."""

from __future__ import annotations

import datetime

import pytest

from shoudi.assistance import services as assistance
from shoudi.assistance.models import GuaranteeProblem
from shoudi.matching import choices as mc
from shoudi.matching import engine
from shoudi.matching import services as matching
from shoudi.matching.models import Finding
from shoudi.matching.testing import run_list
from shoudi.registry.testing import make_household, make_member
from shoudi.work import lifecycle as lc

pytestmark = pytest.mark.django_db
HEADERS = ["姓名", "证件号码", "合规自付费用"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def costly(world, tmp_path):
    """A 脱贫户 member with a high out-of-pocket cost: one 待核实 finding in 甲村."""
    home = make_household(world.village_a, household_no="L1", head="甲", household_type="脱贫户")
    person = make_member(home, name="丙")
    rows = [["甲", home.members.get(relation="户主").id_number, "100"], ["丙", person.id_number, "12000"]]
    run = run_list(tmp_path, "medical_insurance", HEADERS, rows, user=world.admin)
    return Finding.objects.get(run=run, rule="high_medical")


# --- the one table --------------------------------------------------------------------------------------------


def test_each_kind_takes_only_the_steps_of_its_cycle():
    # a finding is verified and closed by its village: nobody reviews it, nobody suspends it
    assert lc.FINDINGS.actions == {lc.CONFIRM, lc.WAIVE, lc.CLOSE}
    assert lc.GUARANTEES.actions == {lc.CLOSE}
    assert {lc.APPROVE, lc.REJECT, lc.APPLY_WAIVER, lc.SYSTEM_CLOSE} <= lc.PROBLEMS.actions
    with pytest.raises(lc.TransitionRefused, match="比对结果没有“挂起”这一步"):
        lc.check(lc.FINDINGS, lc.SUSPEND, state=lc.ISSUED, acting={lc.REVIEWER}, text="等")
    # who acts: the issuer's level reviews, the responsible side rectifies
    with pytest.raises(lc.TransitionRefused, match="此操作由下发单位办理"):
        lc.check(lc.PROBLEMS, lc.APPROVE, state=lc.APPLIED, acting={lc.RESPONSIBLE})
    with pytest.raises(lc.TransitionRefused, match="驳回时请填写理由"):
        lc.check(lc.PROBLEMS, lc.REJECT, state=lc.APPLIED, acting={lc.REVIEWER}, text="  ")
    move = lc.check(lc.PROBLEMS, lc.APPROVE, state=lc.APPLIED, acting={lc.REVIEWER}, outcome=lc.NOT_A_PROBLEM)
    assert (move.state, move.outcome, move.step) == (lc.CLOSED, lc.NOT_A_PROBLEM, "销号")
    back = lc.check(lc.PROBLEMS, lc.RESUME, state=lc.SUSPENDED, acting={lc.REVIEWER}, suspended_from=lc.APPLIED)
    assert back.state == lc.APPLIED


def test_a_findings_statuses_are_the_cycles_states():
    assert {status: mc.STATE_OF[status] for status, _ in mc.FINDING_STATUSES} == {
        "待核实": (lc.ISSUED, ""),
        "属实": (lc.RECTIFYING, ""),
        "不属实": (lc.CLOSED, lc.NOT_A_PROBLEM),
        "已处理": (lc.CLOSED, lc.RECTIFIED),
    }
    assert mc.OPEN == ("待核实", "属实") and mc.CLOSED == ("不属实", "已处理")


@pytest.mark.parametrize("status", [s for s, _ in mc.FINDING_STATUSES])
@pytest.mark.parametrize("same_figures", [True, False])
def test_the_engine_carries_a_finding_by_the_cycles_rule(status, same_figures):
    """The SQL that carries last month's state (``engine.carry_sql``) says what ``lifecycle.raised_again`` says."""
    from django.db import connection

    state, outcome = mc.STATE_OF[status]
    with connection.cursor() as cursor:
        sql = engine.carry_sql("p", "%s").replace("%%", "%")
        cursor.execute(
            f"SELECT CASE WHEN {sql} THEN 1 ELSE 0 END FROM (SELECT %s AS status, %s AS fingerprint) p",  # noqa: S608
            ["A" if same_figures else "B", status, "A"],
        )
        carried = bool(cursor.fetchone()[0])
    assert carried is not lc.raised_again(state=state, outcome=outcome, same_data=same_figures)


# --- findings -------------------------------------------------------------------------------------------------


def test_a_finding_is_verified_and_closed_through_the_cycle(world, costly):
    with pytest.raises(matching.FindingRefused, match="当前状态为「待核实」"):  # not confirmed yet: nothing to close
        matching.resolve_finding(finding=costly, user=world.officer_a, action="registry", note="已更正")
    with pytest.raises(lc.TransitionRefused, match="请填写核实情况说明"):  # 不属实 needs the reason
        matching.verify_finding(finding=costly, user=world.officer_a, confirmed=False, note=" ")
    matching.verify_finding(finding=costly, user=world.officer_a, confirmed=True, note="住院两次")
    costly.refresh_from_db()
    assert costly.status == "属实" and costly.state == lc.RECTIFYING
    with pytest.raises(matching.FindingRefused, match="当前状态为「属实」"):  # once real, it is not waived
        matching.verify_finding(finding=costly, user=world.officer_a, confirmed=False, note="其实不是")
    matching.resolve_finding(finding=costly, user=world.officer_a, action="registry", note="已更正")
    costly.refresh_from_db()
    assert costly.status == "已处理" and costly.state == lc.CLOSED


def test_a_village_page_says_why_a_second_verification_is_refused(world, costly, client_for):
    client = client_for(world.officer_a)
    client.post(f"/matching/findings/{costly.pk}/verify/", {"result": "属实"})
    page = client.post(f"/matching/findings/{costly.pk}/verify/", {"result": "不属实", "note": "不是"}, follow=True)
    assert "当前状态为「属实」" in page.content.decode()
    costly.refresh_from_db()
    assert costly.status == "属实"


def test_a_finding_opening_a_guarantee_problem_joins_the_open_one_of_its_kind(world, tmp_path):
    home = make_household(world.village_a, household_no="L2", head="甲", household_type="脱贫户")
    head = home.members.get(relation="户主")
    visit_problem = assistance.open_guarantee_problem(household=home, kind="住房安全有保障", description="走访发现漏雨")
    run = run_list(tmp_path, "housing", ["户主姓名", "户主身份证号", "鉴定等级"], [["甲", head.id_number, "D级"]])
    finding = Finding.objects.get(run=run)
    matching.verify_finding(finding=finding, user=world.officer_a, confirmed=True)
    matching.resolve_finding(finding=finding, user=world.officer_a, action="problem", note="已报危改")
    finding.refresh_from_db()
    assert finding.problem == visit_problem and GuaranteeProblem.objects.filter(household=home).count() == 1


# --- guarantee problems ---------------------------------------------------------------------------------------


def test_a_guarantee_problem_is_resolved_once(world, client_for):
    home = make_household(world.village_a, household_no="L3", head="孙安")
    problem = assistance.open_guarantee_problem(household=home, kind="饮水安全有保障", description="季节性断水")
    assert problem.state == lc.RECTIFYING
    client = client_for(world.officer_a)
    client.post(f"/assistance/problems/{problem.pk}/resolve/", {"resolution": "已接通自来水"})
    page = client.post(f"/assistance/problems/{problem.pk}/resolve/", {"resolution": "再次解决"}, follow=True)
    assert "当前状态为「已解决」" in page.content.decode()
    problem.refresh_from_db()
    assert problem.resolution == "已接通自来水" and problem.state == lc.CLOSED
    # resolved, the same kind found on the next visit is a new problem (已整改 is raised again)
    again = assistance.open_guarantee_problem(household=home, kind="饮水安全有保障", description="又断水")
    assert again.pk != problem.pk and again.state == lc.RECTIFYING


# --- the 问题整改 list ------------------------------------------------------------------------------------------


def test_the_problem_list_links_to_findings_and_guarantee_problems(world, client_for):
    html = client_for(world.officer_a).get("/work/problems/").content.decode()
    assert 'href="/matching/findings/"' in html and "部门比对结果" in html
    assert 'href="/assistance/problems/"' in html and "保障问题" in html


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_a_problem_waived_by_the_village_is_closed_by_the_township(world):
    from shoudi.work import services
    from shoudi.work.models import Problem

    problem = services.issue_problem(
        user=world.reviewer_a,
        source="自查自纠",
        category="收入",
        title="1户收入低于监测线",
        region=world.village_a,
        due_date=datetime.date(2030, 1, 31),
    )
    officer, township = _client(world.officer_a), _client(world.reviewer_a)
    url = f"/work/problems/{problem.pk}/"
    assert "申请认定不是问题" in officer.get(url).content.decode()
    officer.post(url + "waive/", {"waive-reason": "该户已外出务工，收入已核实高于监测线"})
    problem.refresh_from_db()
    assert problem.state == lc.APPLIED and problem.outcome == lc.NOT_A_PROBLEM
    page = township.get(url).content.decode()
    assert "申请认定不是问题" in page and "确认不是问题，销号" in page
    township.post(url + "review/", {"review-text": "请附务工证明", "decision": "reject"})
    problem.refresh_from_db()
    assert problem.state == lc.RECTIFYING and problem.outcome == "" and problem.returned_reason == "请附务工证明"
    officer.post(url + "waive/", {"waive-reason": "已附务工证明", "waive-evidence": "劳务合同"})
    township.post(url + "review/", {"review-text": "", "decision": "approve"})
    problem = Problem.objects.get(pk=problem.pk)
    assert problem.state == lc.CLOSED and problem.outcome == lc.NOT_A_PROBLEM and problem.closed_on is not None
    assert "已销号（不是问题）" in officer.get(url).content.decode()
    assert list(problem.steps.values_list("action", flat=True)) == [
        "下发",
        "申请认定不是问题",
        "驳回",
        "申请认定不是问题",
        "销号",
    ]
