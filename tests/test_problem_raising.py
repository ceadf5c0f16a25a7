"""Problems raised and closed by a check, in bulk (ADR 0011; what the data-quality checks call): one problem per
object, raised again only when the one cycle says so, closed by the system naming the fixing change, and a
不是问题 waiver confirmed by the township that holds until the data change."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shoudi.core.models import ObjectChange
from shoudi.registry.testing import make_household
from shoudi.work import lifecycle as lc
from shoudi.work import services
from shoudi.work.models import Problem
from shoudi.work.raising import Raised, close_by_system, issue_problems_bulk, open_sources

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_calendar")]
D = datetime.date
RULE = "quality.rule"


def raise_(rows, **extra):
    fields = {"source_model": RULE, "source": "数据质量", "category": "数据质量", "due_date": D(2030, 1, 31)}
    return issue_problems_bulk(problems=rows, **{**fields, **extra})


def row(world, pk, *, fingerprint="v1", households=(), region=None):
    return Raised(
        source_pk=pk,
        region_id=(region or world.village_a).pk,
        title=f"证件号码校验位错误：{pk}",
        description="第 18 位应为 X",
        fingerprint=fingerprint,
        household_ids=tuple(h.pk for h in households),
    )


def test_a_check_raises_one_problem_per_object_and_raises_none_twice(world):
    home = make_household(world.village_a, household_no="Q1", head="赵一")
    first = raise_([row(world, "id:1", households=[home]), row(world, "id:2"), row(world, "id:2")], note="数据质量检查")
    assert len(first.raised) == 2  # the object named twice gets one problem
    problem = Problem.objects.get(source_pk="id:1")
    assert problem.state == lc.ISSUED and problem.issuer_region == world.township_a  # the village's township
    assert problem.issuer is None and problem.source == "数据质量" and list(problem.households.all()) == [home]
    step = problem.steps.get()
    assert step.action == "下发" and step.user_name == "系统" and step.text == "数据质量检查。整改期限 2030-01-31"
    logged = ObjectChange.objects.filter(content_type__model="problem", object_id=str(problem.pk)).get()
    assert logged.action == ObjectChange.CREATE and logged.region_code == world.village_a.code
    assert logged.object_repr == problem.title and logged.after["source_pk"] == "id:1"
    # the next run finds the same: nothing new, both carried on
    again = raise_([row(world, "id:1"), row(world, "id:2")])
    assert again.raised == [] and sorted(again.carried) == ["id:1", "id:2"]
    assert open_sources(source_model=RULE) == {"id:1", "id:2"}
    assert open_sources(source_model=RULE, region_code=world.township_b.code) == set()
    # the village and the township see it on their list
    assert services.allowed_actions(problem, world.officer_a) >= {"progress", "apply", "waive"}


def test_the_system_closes_what_the_next_run_no_longer_finds(world):
    raise_([row(world, "id:1"), row(world, "id:2"), row(world, "id:3")])
    suspended = Problem.objects.get(source_pk="id:3")
    services.request_extension(problem=suspended, user=world.officer_a, until=D(2030, 3, 1), reason="等户主回村")
    services.suspend(problem=suspended, user=world.reviewer_a, reason="户主外出")
    closed = close_by_system(
        source_model=RULE,
        source_pks=["id:1", "id:3", "id:9"],
        reason="数据质量复查：已不再命中规则",
        changes={"id:1": "2026-12-03 甲村信息员 修改了 证件号码"},
    )
    assert closed == 2  # id:9 has no problem
    fixed = Problem.objects.get(source_pk="id:1")
    assert fixed.state == lc.CLOSED and fixed.outcome == lc.RECTIFIED and fixed.closed_on is not None
    assert fixed.state_label == "已销号"
    step = fixed.steps.last()
    assert step.action == "自动销号"
    assert step.text == "数据质量复查：已不再命中规则：2026-12-03 甲村信息员 修改了 证件号码"
    suspended.refresh_from_db()
    assert suspended.state == lc.CLOSED and suspended.suspended_from == "" and suspended.extension_to is None
    change = ObjectChange.objects.filter(content_type__model="problem", object_id=str(fixed.pk), action="update").get()
    assert change.before["state"] == lc.ISSUED and change.after["state"] == lc.CLOSED
    assert Problem.objects.get(source_pk="id:2").state == lc.ISSUED
    with pytest.raises(lc.TransitionRefused, match="请说明销号理由"):
        close_by_system(source_model=RULE, source_pks=["id:2"], reason=" ")
    # found again after 已整改: a new problem
    assert len(raise_([row(world, "id:1")]).raised) == 1
    assert Problem.objects.filter(source_pk="id:1").count() == 2


def test_a_waiver_confirmed_by_the_township_holds_until_the_data_change(world):
    raise_([row(world, "id:1", fingerprint="birth=1990-01-01")])
    problem = Problem.objects.get(source_pk="id:1")
    services.request_waiver(problem=problem, user=world.officer_a, reason="户口簿上的号码即如此，公安已确认")
    with pytest.raises(lc.TransitionRefused, match="下发单位"):
        services.decide_closure(problem=problem, user=world.admin, approve=True)  # the county did not issue it
    services.decide_closure(problem=problem, user=world.reviewer_a, approve=True, text="确认")
    problem.refresh_from_db()
    assert problem.state == lc.CLOSED and problem.outcome == lc.NOT_A_PROBLEM
    # the next run on the same data raises nothing; once the data change, it raises a new problem
    same = raise_([row(world, "id:1", fingerprint="birth=1990-01-01")])
    assert same.raised == [] and same.waived == ["id:1"]
    changed = raise_([row(world, "id:1", fingerprint="birth=1990-01-02")])
    assert len(changed.raised) == 1
    # nor does the system close a waived problem again
    assert close_by_system(source_model=RULE, source_pks=["id:0"], reason="复查") == 0


def test_working_day_deadlines_and_refusals(world):
    result = raise_([row(world, "id:1")], due_date=None, due_workdays=7, issued_on=D(2026, 9, 30))
    problem = Problem.objects.get(pk=result.raised[0])
    assert problem.due_date == D(2026, 10, 15) and problem.due_workdays == 7 and not problem.due_fallback
    assert "（7 个工作日）" in problem.steps.get().text
    with pytest.raises(lc.TransitionRefused, match="下级乡镇或村"):
        raise_([row(world, "id:2", region=world.county)])  # nobody above the county to review it
    with pytest.raises(lc.TransitionRefused, match="不在清单中"):
        raise_([row(world, "id:3")], source="随便")
    assert not Problem.objects.filter(source_pk__in=["id:2", "id:3"]).exists()


def test_raising_is_set_based(world):
    """Ten times the problems cost a few more statements, never a few per problem."""
    homes = [make_household(world.village_a, household_no=f"S{n}", head=f"户主{n}") for n in range(3)]

    def queries(n: int, prefix: str) -> int:
        rows = [row(world, f"{prefix}:{i}", households=homes) for i in range(n)]
        with CaptureQueriesContext(connection) as captured:
            assert len(raise_(rows).raised) == n
        return len(captured)

    small, large = queries(40, "a"), queries(400, "b")
    assert large <= small + 15
    assert Problem.objects.filter(source_pk__startswith="b:").count() == 400
    assert Problem.households.through.objects.filter(problem__source_pk__startswith="b:").count() == 1200
    with CaptureQueriesContext(connection) as captured:
        assert close_by_system(source_model=RULE, source_pks=[f"b:{i}" for i in range(400)], reason="复查") == 400
    assert len(captured) <= 20
