"""A data-quality run: one problem per rule and subject on the common life cycle, given to the village by the rule's
level; fixed data closes it as 已整改 naming the change; a 不是问题 waiver needs a reason and the township, and is
not raised again until the data changes; a run that finds nothing new writes nothing."""

from __future__ import annotations

import pytest

from shoudi.core.context import acting_as
from shoudi.core.models import Job, ObjectChange
from shoudi.quality import services
from shoudi.quality.engine import run
from shoudi.quality.models import Hit, QualitySettings
from shoudi.quality.testing import clean_family
from shoudi.registry.models import Member
from shoudi.work import choices as wc
from shoudi.work import services as work
from shoudi.work.models import Problem, ProblemStep


def _spoil(member: Member, **fields) -> None:
    Member.objects.filter(pk=member.pk).update(**fields)


def _working_pupil(world, village=None):
    """A household whose pupil is registered as working (3_01_010, a township rule)."""
    household, members = clean_family(village or world.village_a)
    _spoil(members[2], employed=True, work_months=6)
    return household, members


def _counts() -> tuple[int, ...]:
    return (
        Hit.objects.count(),
        Problem.objects.count(),
        ProblemStep.objects.count(),
        ObjectChange.objects.count(),
        Problem.households.through.objects.count(),
    )


def test_a_run_raises_one_problem_per_rule_and_subject_given_to_the_village(world):
    household, members = _working_pupil(world)
    _spoil(members[0], id_number=members[0].id_number[:17] + ("0" if members[0].id_number[17] != "0" else "1"))
    result = run(region=world.county)
    assert result.counts["3_01_010"].new == 1 and result.counts["1_01_020"].new == 1
    pupil = Problem.objects.get(source_model="quality.hit", title__contains="在校生有务工信息")
    assert (pupil.source, pupil.category, pupil.state) == ("数据质量", "数据质量", wc.ISSUED)
    assert pupil.region == world.village_a
    assert pupil.issuer_region == world.township_a  # the township issues, reviews and confirms a waiver
    assert list(pupil.households.all()) == [household]
    assert pupil.due_date > pupil.issued_on and pupil.due_workdays == 10
    assert [step.action for step in pupil.steps.all()] == ["下发"]
    hit = Hit.objects.get(rule="3_01_010")
    assert (hit.problem, hit.member, hit.state, hit.active) == (pupil, members[2], Hit.OPEN, True)
    assert pupil.source_pk == f"3_01_010:{members[2].pk}" and pupil.fingerprint == hit.fingerprint
    identity = Problem.objects.get(title__contains="校验位")
    assert identity.issuer_region == world.township_a  # a county rule's problem too
    # the description is read by whoever may see the problem: the ID number is masked in it
    assert members[0].id_number not in identity.description and "********" in identity.description


def test_a_second_run_with_nothing_changed_writes_nothing(world):
    _working_pupil(world)
    _working_pupil(world, world.village_b)
    first = run(region=world.county)
    assert first.written > 0
    before = _counts()
    fingerprints = list(Hit.objects.order_by("pk").values_list("pk", "fingerprint", "state", "active"))
    second = run(region=world.county)
    assert second.written == 0
    assert sum(c.new + c.fixed + c.updated for c in second.counts.values()) == 0
    assert _counts() == before
    assert list(Hit.objects.order_by("pk").values_list("pk", "fingerprint", "state", "active")) == fingerprints


def test_fixed_data_closes_the_problem_as_rectified_naming_the_change(world):
    _, members = _working_pupil(world)
    run(region=world.county)
    pupil = Member.objects.get(pk=members[2].pk)
    with acting_as(world.officer_a, source="web"):
        pupil.employed, pupil.work_months = False, None
        pupil.save()
    change = ObjectChange.objects.filter(object_id=str(pupil.pk), action="update").latest("time")
    result = run(region=world.county)
    assert result.counts["3_01_010"].fixed == 1
    hit = Hit.objects.get(rule="3_01_010")
    assert (hit.state, hit.active, hit.fixed_change) == (Hit.FIXED, False, change)
    problem = hit.problem
    problem.refresh_from_db()
    assert (problem.state, problem.outcome) == (wc.CLOSED, wc.RECTIFIED) and problem.closed_on is not None
    step = problem.steps.last()
    assert step.action == "自动销号" and step.user_name == "系统" and "已整改" in step.text
    assert "甲村信息员" in step.text and pupil.name in step.text and "是否已务工" in step.text
    assert hit.closed_note.startswith("已整改：") and "甲村信息员" in hit.closed_note
    assert run(region=world.county).written == 0  # closed once


def test_fixed_without_a_change_log_entry_says_so(world):
    _, members = _working_pupil(world)
    run(region=world.county)
    _spoil(members[2], employed=False, work_months=None)  # written around the change log (a bulk tool)
    run(region=world.county)
    assert "未找到对应的变更记录" in Hit.objects.get(rule="3_01_010").problem.steps.last().text


def test_a_waiver_needs_a_reason_and_the_townships_confirmation(world):
    _, members = _working_pupil(world)
    run(region=world.county)
    hit = Hit.objects.get(rule="3_01_010")
    problem = hit.problem
    with pytest.raises(work.TransitionRefused, match="理由"):
        work.request_waiver(problem=problem, user=world.officer_a, reason="  ")
    with pytest.raises(work.TransitionRefused):
        work.request_waiver(problem=problem, user=world.officer_b, reason="数据无误")  # another village's
    work.request_waiver(problem=problem, user=world.officer_a, reason="该生寒暑假打零工，数据属实")
    hit = Hit.objects.select_related("problem").get(pk=hit.pk)
    assert hit.waiver_pending and hit.is_open  # still open until the township decides
    for who in (world.officer_a, world.admin):
        with pytest.raises(work.TransitionRefused, match="下发单位"):
            work.decide_closure(problem=problem, user=who, approve=True)
    work.decide_closure(problem=problem, user=world.reviewer_a, approve=True, text="核实无误")
    problem.refresh_from_db()
    assert (problem.state, problem.outcome) == (wc.CLOSED, wc.NOT_A_PROBLEM)
    assert [s.action for s in problem.steps.all()] == ["下发", "申请认定不是问题", "销号"]

    # not raised again while the data stays as it is: nothing written
    assert run(region=world.county).written == 0
    assert Problem.objects.filter(source_model="quality.hit").count() == 1
    hit.refresh_from_db()
    assert (hit.active, hit.is_open) == (True, False)

    # the figures change (the months worked): raised again, as a new hit and a new problem of the same object
    _spoil(members[2], work_months=9)
    result = run(region=world.county)
    assert result.counts["3_01_010"].new == 1
    hit.refresh_from_db()
    assert (hit.state, hit.active) == (Hit.WAIVED, False)
    fresh = Hit.objects.select_related("problem").get(rule="3_01_010", active=True)
    assert fresh.problem.state == wc.ISSUED and fresh.problem != problem
    assert fresh.problem.source_pk == problem.source_pk


def test_a_refused_waiver_leaves_the_problem_to_rectify(world):
    _working_pupil(world)
    run(region=world.county)
    problem = Hit.objects.get(rule="3_01_010").problem
    work.request_waiver(problem=problem, user=world.officer_a, reason="数据无误")
    with pytest.raises(work.TransitionRefused, match="理由"):
        work.decide_closure(problem=problem, user=world.reviewer_a, approve=False, text="")
    work.decide_closure(problem=problem, user=world.reviewer_a, approve=False, text="该生未务工，请改正")
    problem.refresh_from_db()
    assert problem.state == wc.RECTIFYING and problem.steps.last().action == "驳回"
    assert run(region=world.county).written == 0  # still the same open problem


def test_a_problem_closed_by_hand_while_the_data_stays_wrong_is_raised_again(world):
    _working_pupil(world)
    run(region=world.county)
    problem = Hit.objects.get(rule="3_01_010").problem
    work.apply_closure(problem=problem, user=world.officer_a, text="已核实")
    work.decide_closure(problem=problem, user=world.reviewer_a, approve=True)
    result = run(region=world.county)
    assert result.counts["3_01_010"].new == 1
    old = Hit.objects.get(problem=problem)
    assert (old.state, old.active) == (Hit.CLOSED, False)
    assert Problem.objects.filter(source_model="quality.hit", state=wc.ISSUED).count() == 1
    assert run(region=world.county).written == 0


def test_a_run_of_a_township_keeps_to_it(world):
    _working_pupil(world)  # 甲镇
    _, members = _working_pupil(world, world.village_b)  # 乙镇
    run(region=world.county)
    _spoil(members[2], employed=False, work_months=None)
    result = run(region=world.township_a)
    assert result.counts["3_01_010"].fixed == 0  # 乙镇's fix waits for a run that covers it
    assert Hit.objects.filter(rule="3_01_010", active=True).count() == 2
    assert run(region=world.township_b).counts["3_01_010"].fixed == 1


def test_a_county_may_switch_a_rule_off(world):
    _working_pupil(world)
    QualitySettings.objects.create(region=world.county, disabled_rules=["3_01_010"])
    result = run(region=world.county)
    assert result.counts["3_01_010"].skipped == "本县已停用"
    assert not Hit.objects.filter(rule="3_01_010").exists()


def test_the_run_job_logs_the_counts_per_rule(world, run_now):
    _working_pupil(world)
    job = run_now(kind="quality.run", user=world.admin, params={"region_code": world.county.code})
    assert job.status == Job.SUCCEEDED, job.error
    assert "3_01_010 在校生有务工信息：1 个（新增 1，已整改 0）" in job.log
    assert job.result["新增（个）"] >= 1 and job.percent == 100


def test_a_run_is_queued_after_an_import_and_every_night_once_per_county(world, settings, tmp_path):
    household, _ = _working_pupil(world)
    result = services.after_import(household_ids=[household.pk], user=world.admin)
    assert result == {"排队检查的县": 1}
    assert services.after_import(household_ids=[household.pk], user=world.admin) == {"排队检查的县": 0}
    job = Job.objects.get(kind="quality.run")
    assert (job.params["region_code"], job.user, job.status) == ("520102", world.admin, Job.QUEUED)
    text = services.nightly()
    assert "已排队 1 个县" in text  # the other county (520103); 520102 is queued already
    assert Job.objects.filter(kind="quality.run").count() == 2


def test_the_import_runs_the_step(world):
    from shoudi.core.registry import registry

    step = registry.keyed("post_import_steps")["quality_run"]
    assert step.run is services.after_import and step.title == "排队数据质量检查"
    assert registry.keyed("nightly_steps")["quality_run"].run is services.nightly
