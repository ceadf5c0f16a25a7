"""One problem life cycle (issue 17 §1–2): a 暗访督导 problem from 下发 to 已销号 with its first 销号 rejected, a 延期,
挂起/恢复, working-day deadlines, scope, and the refusals."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shoudi.registry.testing import make_household
from shoudi.work import choices as c
from shoudi.work import services
from shoudi.work.models import Problem

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_calendar")]
D = datetime.date


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _issue(world, *, by=None, region=None, **extra):
    fields = {"source": "暗访督导", "category": "饮水", "title": "甲村3户饮水不达标", "due_date": D(2030, 1, 31)}
    return services.issue_problem(user=by or world.admin, region=region or world.village_a, **{**fields, **extra})


def test_an_undercover_inspection_problem_is_closed_after_one_rejection(world, client_for):
    household = make_household(world.village_a, household_no="H-1", head="张三")
    admin, officer = _client(world.admin), _client(world.officer_a)
    page = admin.post(
        "/work/problems/add/",
        {
            "source": "暗访督导",
            "document_no": "县督〔2026〕3号",
            "category": "饮水",
            "severity": "较重",
            "title": "甲村饮水不达标",
            "region": world.village_a.pk,
            "due_workdays": "7",
            "households": "H-1",
        },
    )
    assert page.status_code == 302
    problem = Problem.objects.get(title="甲村饮水不达标")
    assert problem.state == c.ISSUED and problem.issuer_region == world.county
    assert list(problem.households.all()) == [household]
    assert problem.due_workdays == 7 and problem.due_date > problem.issued_on

    url = f"/work/problems/{problem.pk}/"
    text = officer.get(url).content.decode()
    assert "申请销号" in text and "销号审核" not in text
    evidence = SimpleUploadedFile("照片.jpg", b"\xff\xd8\xff\xe0 photo", content_type="image/jpeg")
    page = officer.post(url + "progress/", {"progress-text": "已更换管道", "progress-file": evidence})
    assert page.status_code == 302
    officer.post(url + "apply/", {"apply-text": "整改完成", "apply-evidence": "水质检测合格"})
    problem.refresh_from_db()
    assert problem.state == c.APPLIED

    # the first 销号 is rejected with its reason, and goes back to 整改中
    assert "销号审核" in admin.get(url).content.decode()
    assert admin.post(url + "review/", {"review-text": "", "decision": "reject"}).status_code == 302
    problem.refresh_from_db()
    assert problem.state == c.APPLIED  # a rejection without a reason is refused
    admin.post(url + "review/", {"review-text": "缺水质检测报告", "decision": "reject"})
    problem.refresh_from_db()
    assert problem.state == c.RECTIFYING and problem.returned_reason == "缺水质检测报告"
    assert "已驳回：缺水质检测报告" in officer.get(url).content.decode()

    officer.post(url + "apply/", {"apply-text": "补充检测报告"})
    admin.post(url + "review/", {"review-text": "同意", "decision": "approve"})
    problem.refresh_from_db()
    assert problem.state == c.CLOSED and problem.closed_on is not None
    steps = list(problem.steps.values_list("action", flat=True))
    assert steps == ["下发", "整改", "申请销号", "驳回", "申请销号", "销号"]
    page = officer.get(url).content.decode()
    assert "申请销号" in page and 'id="form-apply"' not in page  # closed: no form is left
    # the evidence photo is served to whoever sees the problem, and to nobody else
    step = problem.steps.get(action="整改")
    assert officer.get(f"/system/files/problem_evidence/{step.pk}/").status_code == 200
    assert _client(world.officer_b).get(f"/system/files/problem_evidence/{step.pk}/").status_code == 404


def test_an_extension_is_asked_and_granted_by_the_issuer(world):
    problem = _issue(world, by=world.reviewer_a, due_date=D(2030, 1, 31))
    assert problem.issuer_region == world.township_a
    with pytest.raises(services.TransitionRefused, match="应晚于当前期限"):
        services.request_extension(problem=problem, user=world.officer_a, until=D(2030, 1, 1), reason="雨季")
    services.request_extension(problem=problem, user=world.officer_a, until=D(2030, 3, 31), reason="雨季施工困难")
    with pytest.raises(services.TransitionRefused, match="下发单位"):
        services.decide_extension(problem=problem, user=world.admin, approve=True)  # the county did not issue it
    services.decide_extension(problem=problem, user=world.reviewer_a, approve=True)
    problem.refresh_from_db()
    assert problem.due_date == D(2030, 3, 31) and problem.extension_to is None
    services.request_extension(problem=problem, user=world.officer_a, until=D(2030, 6, 30), reason="再延")
    services.decide_extension(problem=problem, user=world.reviewer_a, approve=False, text="不再延期")
    problem.refresh_from_db()
    assert problem.due_date == D(2030, 3, 31)
    assert list(problem.steps.values_list("action", flat=True)) == [
        "下发",
        "延期申请",
        "同意延期",
        "延期申请",
        "不同意延期",
    ]


def test_suspend_and_resume(world):
    problem = _issue(world)
    services.record_progress(problem=problem, user=world.officer_a, text="开始整改")
    services.suspend(problem=problem, user=world.admin, reason="等待水源工程")
    problem.refresh_from_db()
    assert problem.state == c.SUSPENDED and not problem.is_overdue
    with pytest.raises(services.TransitionRefused, match="挂起"):
        services.apply_closure(problem=problem, user=world.officer_a, text="完成")
    services.resume(problem=problem, user=world.admin)
    problem.refresh_from_db()
    assert problem.state == c.RECTIFYING


def test_a_deadline_in_working_days_across_national_day_and_into_2027(world):
    problem = _issue(world, due_date=None, due_workdays=7, issued_on=D(2026, 9, 30))
    assert problem.due_date == D(2026, 10, 15) and not problem.due_fallback
    problem = _issue(world, due_date=None, due_workdays=5, issued_on=D(2026, 12, 30))
    assert problem.due_date == D(2027, 1, 6) and problem.due_fallback
    assert "未按节假日计算" in problem.steps.get().text or "只扣除了周末" in problem.steps.get().text


def test_a_village_sees_its_own_problems_and_a_township_its_villages(world, client_for):
    own = _issue(world, title="甲村的问题")
    _issue(world, region=world.village_a2, title="甲二村的问题")
    _issue(world, region=world.village_b, title="乙村的问题")
    text = _client(world.officer_a).get("/work/problems/").content.decode()
    assert "甲村的问题" in text and "甲二村的问题" not in text and "乙村的问题" not in text
    text = _client(world.reviewer_a).get("/work/problems/").content.decode()
    assert "甲村的问题" in text and "甲二村的问题" in text and "乙村的问题" not in text
    assert _client(world.officer_b).get(f"/work/problems/{own.pk}/").status_code == 404
    text = _client(world.admin).get("/work/problems/?state=issued&source=暗访督导").content.decode()
    assert "乙村的问题" in text


def test_refusals(world, client_for):
    problem = _issue(world)
    officer = _client(world.officer_a)
    assert officer.get("/work/problems/add/").status_code == 403  # a village does not issue problems
    assert _client(world.inspector).post(f"/work/problems/{problem.pk}/apply/", {"apply-text": "x"}).status_code == 403
    # the responsible village may not review its own rectification
    services.apply_closure(problem=problem, user=world.officer_a, text="完成")
    assert officer.post(f"/work/problems/{problem.pk}/review/", {"decision": "approve"}).status_code == 403
    assert _client(world.officer_b).post(f"/work/problems/{problem.pk}/review/", {}).status_code == 404
    with pytest.raises(services.TransitionRefused, match="下级乡镇或村"):
        _issue(world, by=world.reviewer_a, region=world.township_a)  # nobody below would answer for it
    with pytest.raises(services.TransitionRefused, match="管辖范围"):
        services.issue_problem(
            user=world.reviewer_a,
            region=world.village_b,
            source="自查自纠",
            category="收入",
            title="越权下发",
            due_date=D(2030, 1, 1),
        )


def test_the_worklist_shows_overdue_and_awaiting_review(world, client_for):
    late = _issue(world, title="逾期问题", issued_on=D(2026, 1, 5), due_date=D(2026, 1, 20))
    assert late.is_overdue
    home = _client(world.officer_a).get("/").content.decode()
    assert "我负责的问题：逾期和即将到期 1 个" in home
    assert "逾期问题" in _client(world.officer_a).get("/work/problems/?todo=due").content.decode()
    assert "待我审核" not in _client(world.admin).get("/").content.decode()
    services.apply_closure(problem=late, user=world.officer_a, text="完成")
    assert "待我审核（申请销号、延期申请）1 个" in _client(world.admin).get("/").content.decode()
    assert "逾期问题" in _client(world.admin).get("/work/problems/?todo=review").content.decode()
    assert "逾期问题" not in _client(world.reviewer_a).get("/work/problems/?todo=review").content.decode()
