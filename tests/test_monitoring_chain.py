"""The identification and elimination chains: every step by the right role in scope, refusals, guards, returns,
reversal, time limits, and two reviewers approving at once."""

import datetime
import threading
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from shoudi.accounts.testing import make_user
from shoudi.core.models import ObjectChange
from shoudi.monitoring import choices as c
from shoudi.monitoring import services as s
from shoudi.monitoring.deadlines import case_deadlines
from shoudi.monitoring.models import MonitoringCase, MonitoringLine, MonitoringSettings
from shoudi.monitoring.policy import line_for
from shoudi.registry.testing import make_household, make_income, make_member

TODAY = datetime.date(2026, 11, 20)


def signed_form():
    return SimpleUploadedFile("承诺授权书.pdf", b"%PDF-1.4 signed", content_type="application/pdf")


@pytest.fixture
def setup(world):
    MonitoringLine.objects.create(region=world.county, year=2025, amount=Decimal("8000"), document_no="测发〔2025〕1号")
    MonitoringLine.objects.create(region=world.county, year=2024, amount=Decimal("7600"))
    home = make_household(
        world.village_a, household_no="A100", head="王大山", household_type="脱贫户", lifted_year=2018
    )
    make_member(home, name="王小山", relation="之子", birth="20000101", labour_skill="普通劳动力")
    home.members.filter(relation="户主").update(labour_skill="普通劳动力")
    make_income(home, 2025, size=2, wage=6000, transfer=2000)  # 4000 per person: below the line
    cadre = make_user("cadre_a", "cadre", world.village_a, name="帮扶干部甲")
    pair_with(cadre, home)
    other_home = make_household(world.village_b, household_no="B100", head="赵一")
    return world, home, cadre, other_home


def pair_with(cadre_user, household):
    """A cadre works on the households paired with him (his scope)."""
    from shoudi.assistance.models import Cadre, Pairing

    cadre = Cadre.objects.create(name=cadre_user.name, unit="县乡村振兴局", region=household.village, user=cadre_user)
    Pairing.objects.create(household=household, cadre=cadre)


def walk_to_identified(world, home, cadre, *, identified_on=TODAY):
    case = s.open_clue(household=home, user=world.officer_a, source="农户自主申报", note="家中有人生病")
    case = s.verify(
        case=case, user=cadre, visited_on=TODAY, findings="情况属实", signed=True, authorization_file=signed_form()
    )
    case = s.village_review(
        case=case,
        user=world.officer_a,
        held_on=TODAY,
        participants="村两委、驻村工作队",
        approve=True,
        category="脱贫不稳定户",
        risk_types=["因病", "缺劳动力"],
    )
    case = s.publicize(
        case=case,
        user=world.officer_a,
        start=TODAY - datetime.timedelta(days=7),
        end=TODAY - datetime.timedelta(days=3),
    )
    case = s.submit_after_publicity(case=case, user=world.officer_a, today=TODAY)
    case = s.township_review(case=case, user=world.reviewer_a, approve=True, note="同意")
    return s.county_review(case=case, user=world.admin, approve=True, decided_on=identified_on)


def test_clue_to_identified_through_four_users(setup):
    world, home, cadre, _ = setup
    case = walk_to_identified(world, home, cadre)
    assert case.step == c.MONITORING and case.identified_on == TODAY and case.is_open
    assert case.category == "脱贫不稳定户" and case.risk_types == ["因病", "缺劳动力"]
    actions = [(e.action, e.decision, e.user_name) for e in case.events.all()]
    assert actions[0] == ("提出线索", "", "甲村信息员")
    assert ("入户核实", "已签署承诺授权书", "帮扶干部甲") in actions
    assert ("乡镇审核", "审核通过", "甲镇审核员") in actions and ("县级审定", "审定纳入", "县管理员") in actions
    assert case.attachments.get().kind == "承诺授权书"
    # every step is in the change log with before/after
    steps = [
        ch.after["step"] for ch in ObjectChange.objects.filter(content_type__model="monitoringcase").order_by("id")
    ]
    assert steps == [
        c.VERIFICATION,
        c.VILLAGE_REVIEW,
        c.PUBLICITY,
        c.PUBLICITY,
        c.TOWNSHIP_REVIEW,
        c.COUNTY_REVIEW,
        c.MONITORING,
    ]


@pytest.mark.parametrize(
    ("step_user", "allowed"),
    [
        ("officer_a", False),
        ("reviewer_a", True),
        ("officer_b", False),
        ("admin", False),
        ("inspector", False),
    ],
)
def test_township_review_only_by_the_township_reviewer_in_scope(setup, step_user, allowed):
    world, home, cadre, _ = setup
    case = s.open_clue(household=home, user=world.officer_a, source="农户自主申报")
    case.step = c.TOWNSHIP_REVIEW
    case.save()
    if allowed:
        reviewed = s.township_review(case=case, user=getattr(world, step_user), approve=True, missing_confirmed=True)
        assert reviewed.step == c.COUNTY_REVIEW
    else:
        with pytest.raises(s.TransitionRefused):
            s.township_review(case=case, user=getattr(world, step_user), approve=True, missing_confirmed=True)
        case.refresh_from_db()
        assert case.step == c.TOWNSHIP_REVIEW


def test_reviewer_of_another_township_is_refused(setup):
    world, home, _, other = setup
    reviewer_b = make_user("reviewer_b", "township_reviewer", world.township_b)
    case = s.open_clue(household=home, user=world.officer_a, source="农户自主申报")
    case.step = c.TOWNSHIP_REVIEW
    case.save()
    with pytest.raises(s.TransitionRefused, match="不在您的管辖范围内"):
        s.township_review(case=case, user=reviewer_b, approve=True)


def test_clue_out_of_scope_and_by_a_read_only_role_are_refused(setup):
    world, _, _, other = setup
    with pytest.raises(s.TransitionRefused, match="不在您的管辖范围内"):
        s.open_clue(household=other, user=world.officer_a, source="农户自主申报")
    with pytest.raises(s.TransitionRefused, match="不能提出监测线索"):
        s.open_clue(household=other, user=world.inspector, source="农户自主申报")


def test_one_open_case_per_household(setup):
    world, home, _, _ = setup
    s.open_clue(household=home, user=world.officer_a, source="农户自主申报")
    with pytest.raises(s.TransitionRefused, match="已有进行中的监测记录"):
        s.open_clue(household=home, user=world.reviewer_a, source="基层干部排查")
    assert MonitoringCase.objects.filter(household=home).count() == 1


def test_steps_out_of_order_are_refused(setup):
    world, home, cadre, _ = setup
    case = s.open_clue(household=home, user=world.officer_a, source="农户自主申报")
    with pytest.raises(s.TransitionRefused, match="当前环节为「入户核实」"):
        s.county_review(case=case, user=world.admin, approve=True)
    with pytest.raises(s.TransitionRefused, match="请上传农户签字的承诺授权书"):
        s.verify(case=case, user=cadre, visited_on=TODAY, findings="x", signed=True)


def test_refusal_to_sign_ends_the_case(setup):
    world, home, cadre, _ = setup
    case = s.open_clue(household=home, user=world.officer_a, source="农户自主申报")
    case = s.verify(case=case, user=cadre, visited_on=TODAY, findings="农户不愿签字", signed=False)
    assert case.step == c.REFUSED and not case.is_open and "未签署承诺授权书" in case.closed_reason
    # the household can be raised again later
    assert s.open_clue(household=home, user=world.officer_a, source="基层干部排查").is_open


def test_village_review_needs_category_and_one_to_five_risks(setup):
    world, home, cadre, _ = setup
    case = s.open_clue(household=home, user=world.officer_a, source="农户自主申报")
    case = s.verify(
        case=case, user=cadre, visited_on=TODAY, findings="属实", signed=True, authorization_file=signed_form()
    )
    with pytest.raises(s.TransitionRefused, match="1 至 5 项"):
        s.village_review(
            case=case,
            user=world.officer_a,
            held_on=TODAY,
            participants="村两委",
            approve=True,
            category="边缘易致贫户",
            risk_types=[],
        )
    with pytest.raises(s.TransitionRefused, match="最多填写 5 项"):
        s.village_review(
            case=case,
            user=world.officer_a,
            held_on=TODAY,
            participants="村两委",
            approve=True,
            category="边缘易致贫户",
            risk_types=c.RISK_VALUES[:6],
        )
    case = s.village_review(
        case=case,
        user=world.officer_a,
        held_on=TODAY,
        participants="村两委",
        approve=True,
        category="边缘易致贫户",
        risk_types=["务工就业不稳"],
    )
    assert case.risk_types == ["因务工就业不稳"]


def test_publicity_length_and_objections(setup):
    world, home, cadre, _ = setup
    case = s.open_clue(household=home, user=world.officer_a, source="农户自主申报")
    case = s.verify(
        case=case, user=cadre, visited_on=TODAY, findings="属实", signed=True, authorization_file=signed_form()
    )
    case = s.village_review(
        case=case,
        user=world.officer_a,
        held_on=TODAY,
        participants="村两委",
        approve=True,
        category="边缘易致贫户",
        risk_types=["因病"],
    )
    with pytest.raises(s.TransitionRefused, match="公示期不少于 5 天（本次 4 天）"):
        s.publicize(case=case, user=world.officer_a, start=TODAY, end=TODAY + datetime.timedelta(days=3))
    MonitoringSettings.objects.create(region=world.county, publicity_days=7)
    with pytest.raises(s.TransitionRefused, match="不少于 7 天"):
        s.publicize(case=case, user=world.officer_a, start=TODAY, end=TODAY + datetime.timedelta(days=5))
    case = s.publicize(case=case, user=world.officer_a, start=TODAY, end=TODAY + datetime.timedelta(days=6))
    with pytest.raises(s.TransitionRefused, match="期满后方可报乡镇审核"):
        s.submit_after_publicity(case=case, user=world.officer_a, today=TODAY + datetime.timedelta(days=6))
    objection = s.add_objection(case=case, user=world.officer_a, content="邻居反映该户有车")
    with pytest.raises(s.TransitionRefused, match="未处理的公示异议"):
        s.submit_after_publicity(case=case, user=world.officer_a, today=TODAY + datetime.timedelta(days=7))
    s.resolve_objection(objection=objection, user=world.officer_a, resolution="经核实车辆为亲戚所有")
    case = s.submit_after_publicity(case=case, user=world.officer_a, today=TODAY + datetime.timedelta(days=7))
    assert case.step == c.TOWNSHIP_REVIEW


def test_a_returned_case_goes_back_one_step_with_the_reason(setup):
    world, home, cadre, _ = setup
    case = s.open_clue(household=home, user=world.officer_a, source="农户自主申报")
    case.step = c.COUNTY_REVIEW
    case.save()
    with pytest.raises(s.TransitionRefused, match="退回须填写原因"):
        s.county_review(case=case, user=world.admin, approve=False)
    case = s.county_review(case=case, user=world.admin, approve=False, note="缺少会议记录")
    assert case.step == c.TOWNSHIP_REVIEW and case.returned_reason == "县级审定退回：缺少会议记录"
    case = s.township_review(case=case, user=world.reviewer_a, approve=False, note="请补充公示照片")
    assert case.step == c.PUBLICITY and "请补充公示照片" in case.returned_reason


def test_reject_at_any_step_closes_as_not_included(setup):
    world, home, cadre, _ = setup
    case = s.open_clue(household=home, user=world.officer_a, source="农户自主申报")
    with pytest.raises(s.TransitionRefused):
        s.reject(case=case, user=world.admin, reason="x")  # 入户核实 is the village's step
    case = s.reject(case=case, user=cadre, reason="收入稳定，无风险")
    assert case.step == c.REJECTED and not case.is_open and case.closed_reason == "收入稳定，无风险"


def test_line_of_the_right_year_and_place(setup):
    world, home, _, _ = setup
    assert line_for(home.village.code, 2025) == Decimal("8000")
    assert line_for(home.village.code, 2024) == Decimal("7600")
    assert line_for("520103001001", 2025) is None
    MonitoringLine.objects.create(region=None, year=2025, amount=Decimal("7000"))
    assert line_for("520103001001", 2025) == Decimal("7000")  # the province line where no county line
    assert line_for(home.village.code, 2025) == Decimal("8000")  # the county's own line wins


# --- elimination ----------------------------------------------------------------------------------------------


@pytest.fixture
def identified(setup):
    world, home, cadre, other = setup
    case = walk_to_identified(world, home, cadre, identified_on=datetime.date(2026, 5, 10))
    return world, home, cadre, case


def fresh(case):
    return MonitoringCase.objects.get(pk=case.pk)


def make_eligible(home):
    from shoudi.assistance.models import Measure

    home.incomes.update(per_capita=Decimal("12000"))
    Measure.objects.create(
        household=home,
        category="产业帮扶",
        sub_item="种植业",
        content="种植辣椒",
        status="已落实",
        implemented_on=datetime.date(2026, 6, 1),
    )


def test_elimination_guards_each_say_why(identified):
    world, home, cadre, case = identified
    check = s.elimination_check(case, today=datetime.date(2026, 7, 1))
    assert any("识别监测不足 3 个月" in r for r in check.blocking)
    assert "尚无已落实的帮扶措施" in check.blocking
    assert "2025 年人均纯收入 4000.00 元未高于监测线 8000.00 元" in check.blocking
    home.water_secure = False
    home.save()
    check = s.elimination_check(fresh(case), today=TODAY)
    assert "“三保障”或饮水安全存在问题：饮水安全" in check.blocking
    home.water_secure = True
    home.save()
    make_eligible(home)
    check = s.elimination_check(fresh(case), today=datetime.date(2026, 9, 10))
    assert check.blocking == [] and any("不足 6 个月" in w for w in check.warnings)
    assert s.elimination_check(fresh(case), today=TODAY).warnings == []


def test_no_labour_household_gets_the_guarantee_flag_instead(identified):
    world, home, cadre, case = identified
    make_eligible(home)
    home.members.update(labour_skill="丧失劳动力")
    check = s.elimination_check(fresh(case), today=TODAY)
    assert check.offer_no_labour_flag and any("整户无劳动能力兜底保障户" in r for r in check.blocking)
    with pytest.raises(s.TransitionRefused, match="家庭成员均无劳动能力"):
        s.apply_elimination(case=case, user=cadre, today=TODAY)
    s.mark_no_labour_guarantee(household=home, user=world.officer_a)
    home.refresh_from_db()
    assert home.no_labour_guarantee


def test_dibao_household_needs_the_delayed_exit_confirmation(identified):
    world, home, cadre, case = identified
    make_eligible(home)
    home.members.filter(relation="之子").update(dibao="农村低保")
    with pytest.raises(s.TransitionRefused, match="缓退"):
        s.apply_elimination(case=case, user=cadre, today=TODAY)
    case = s.apply_elimination(case=case, user=cadre, today=TODAY, delayed_exit_confirmed=True)
    assert case.chain == c.ELIMINATION and case.step == c.VERIFICATION


def test_elimination_chain_to_eliminated_and_reversal(identified):
    world, home, cadre, case = identified
    make_eligible(home)
    with pytest.raises(s.TransitionRefused, match="帮扶干部或村级"):
        s.apply_elimination(case=case, user=world.reviewer_a, today=TODAY)
    case = s.apply_elimination(case=case, user=cadre, today=TODAY, elimination_type="帮扶消除")
    with pytest.raises(s.TransitionRefused, match="签字认可"):
        s.verify(case=case, user=cadre, visited_on=TODAY, findings="x", signed=False, checklist={})
    case = s.verify(
        case=case,
        user=cadre,
        visited_on=TODAY,
        findings="稳定",
        signed=True,
        checklist=dict.fromkeys(s.ELIMINATION_CHECKLIST, True),
    )
    case = s.village_review(case=case, user=world.officer_a, held_on=TODAY, participants="村民代表", approve=True)
    case = s.publicize(
        case=case,
        user=world.officer_a,
        start=TODAY - datetime.timedelta(days=10),
        end=TODAY - datetime.timedelta(days=5),
    )
    case = s.submit_after_publicity(case=case, user=world.officer_a, today=TODAY)
    case = s.township_review(case=case, user=world.reviewer_a, approve=True)
    case = s.county_review(case=case, user=world.admin, approve=True, decided_on=TODAY)
    assert case.step == c.ELIMINATED and case.eliminated_on == TODAY and not case.is_open
    assert case.elimination_type == "帮扶消除"
    new = s.reverse_elimination(case=case, user=world.officer_a, note="突发大病", risk_types=["因病"])
    assert new.previous_case == case and new.is_open and new.step == c.VERIFICATION and new.risk_types == ["因病"]
    assert new.clue_note == "返贫：突发大病"


def test_failed_elimination_check_keeps_the_household_monitored(identified):
    world, home, cadre, case = identified
    make_eligible(home)
    case = s.apply_elimination(case=case, user=cadre, today=TODAY)
    checklist = dict.fromkeys(s.ELIMINATION_CHECKLIST, True) | {"rigid_costs_resolved": False}
    case = s.verify(case=case, user=cadre, visited_on=TODAY, findings="医药费仍高", signed=True, checklist=checklist)
    assert case.step == c.MONITORING and case.is_open and "刚性支出问题已解决" in case.returned_reason


def test_time_limits_are_computed(setup):
    world, home, _, _ = setup
    case = s.open_clue(
        household=home, user=world.officer_a, source="农户自主申报", clue_date=datetime.date(2026, 11, 1)
    )
    kinds = {d.kind: d for d in case_deadlines(case, today=datetime.date(2026, 11, 20))}
    assert kinds["identification"].overdue and kinds["identification"].due == datetime.date(2026, 11, 16)
    assert not {d.kind: d for d in case_deadlines(case, today=datetime.date(2026, 11, 10))}["identification"].overdue


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_approving_at_once_one_wins(world):
    home = make_household(world.village_a, household_no="A900", head="并发户")
    case = s.open_clue(household=home, user=world.officer_a, source="农户自主申报")
    case.step = c.TOWNSHIP_REVIEW
    case.save()
    second = make_user("reviewer_a2", "township_reviewer", world.township_a, name="甲镇审核员二")
    outcomes = []
    barrier = threading.Barrier(2)

    def approve(user):
        try:
            barrier.wait()
            s.township_review(
                case=MonitoringCase.objects.get(pk=case.pk), user=user, approve=True, missing_confirmed=True
            )
            outcomes.append("ok")
        except s.TransitionRefused as exc:
            outcomes.append(str(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (world.reviewer_a, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes)[0] == "ok"
    assert outcomes.count("ok") == 1
    assert "可能已被他人处理" in next(o for o in outcomes if o != "ok")
    assert case.events.filter(action="乡镇审核").count() == 1
