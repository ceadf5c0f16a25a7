"""Task lists (issue 17 §3): a township's task to two villages from 下发 to 已完成 with one 退回, a task that recurs
weekly across National Day 2026 (made once per week, not twice), monthly due days, scope, the refusals, the
reminders and the issuer's progress, the 一月一清单 page and the 任务清单 ledger."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shoudi.accounts.roles import COUNTY_ADMIN, DEPARTMENT
from shoudi.accounts.testing import make_user
from shoudi.core.crawl import foreign_words, inline_code, visible_text
from shoudi.core.registry import registry
from shoudi.core.worklist import todo_count
from shoudi.ledgers import engine
from shoudi.tasklists import choices as c
from shoudi.tasklists import selectors, services
from shoudi.tasklists.models import Assignment, Task

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_calendar")]
D = datetime.date


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _issue(world, *, by=None, regions=None, **extra) -> Task:
    fields = {"title": "核实监测户收入", "due_date": D(2030, 1, 31)}
    regions = regions if regions is not None else [world.village_a]
    return services.issue_task(user=by or world.reviewer_a, regions=regions, **{**fields, **extra})


def _weekly(world, **extra) -> Task:
    fields = {
        "title": "每周走访情况报送",
        "recurrence": c.WEEKLY,
        "starts_on": D(2026, 9, 21),
        "issued_on": D(2026, 9, 21),
        "regions": [world.village_a, world.village_a2],
    }
    return services.issue_task(user=world.reviewer_a, **{**fields, **extra})


def _due_dates(task: Task) -> dict:
    rows = task.assignments.order_by("period_start", "region__code")
    return {(a.period_start, a.region.name): a.due_date for a in rows}


def test_a_township_task_to_two_villages_is_returned_then_approved(world):
    reviewer, officer = _client(world.reviewer_a), _client(world.officer_a)
    page = reviewer.get("/tasklists/tasks/add/").content.decode()
    assert "甲村" in page and "甲二村" in page and "乙村" not in page  # the picker offers the township's villages
    page = reviewer.post(
        "/tasklists/lists/add/", {"title": "2026年10月工作清单", "month": "2026-10", "document_no": "甲镇〔2026〕5号"}
    )
    assert page.status_code == 302
    task_list = world.township_a.issued_task_lists.get()
    assert task_list.month == D(2026, 10, 1)
    page = reviewer.post(
        "/tasklists/tasks/add/",
        {
            "task_list": task_list.pk,
            "title": "上传民主评议会议记录",
            "result_kind": "file",
            "result_description": "会议记录扫描件",
            "regions": [world.village_a.pk, world.village_a2.pk],
            "due_workdays": "7",
        },
    )
    assert page.status_code == 302
    task = Task.objects.get(title="上传民主评议会议记录")
    assert task.issuer_region == world.township_a and task.task_list == task_list
    assert sorted(task.assignments.values_list("region__name", "state")) == [("甲二村", "issued"), ("甲村", "issued")]
    mine = task.assignments.get(region=world.village_a)
    assert mine.due_date > task.issued_on and mine.due_workdays == 7

    url = f"/tasklists/assignments/{mine.pk}/"
    text = officer.get(url).content.decode()
    assert "报告进展" in text and "报送完成" in text and 'id="form-review"' not in text
    # a file task is not done without its file
    officer.post(url + "submit/", {"submit-text": "已开会"})
    mine.refresh_from_db()
    assert mine.state == c.ISSUED
    photo = SimpleUploadedFile("会议照片.jpg", b"\xff\xd8\xff\xe0 photo", content_type="image/jpeg")
    officer.post(url + "progress/", {"progress-text": "已召开评议会", "progress-figure": "12", "progress-file": photo})
    mine.refresh_from_db()
    assert mine.state == c.IN_PROGRESS
    record = SimpleUploadedFile("会议记录.pdf", b"%PDF-1.4 record", content_type="application/pdf")
    officer.post(url + "submit/", {"submit-text": "会议记录已上传", "submit-file": record})
    mine.refresh_from_db()
    assert mine.state == c.SUBMITTED and mine.submitted_on is not None

    # returned with its reason (a return without one is refused), then reported again and approved
    assert 'id="form-review"' in reviewer.get(url).content.decode()
    reviewer.post(url + "review/", {"review-text": "", "decision": "reject"})
    mine.refresh_from_db()
    assert mine.state == c.SUBMITTED
    reviewer.post(url + "review/", {"review-text": "缺少参会人员签字", "decision": "reject"})
    mine.refresh_from_db()
    assert mine.state == c.IN_PROGRESS and mine.returned_reason == "缺少参会人员签字"
    assert "已退回：缺少参会人员签字" in officer.get(url).content.decode()
    officer.post(url + "submit/", {"submit-text": "已补充签字"})  # the file reported before still counts
    reviewer.post(url + "review/", {"review-text": "同意", "decision": "approve"})
    mine.refresh_from_db()
    assert mine.state == c.DONE and mine.done_on is not None and mine.result_text == "已补充签字"
    actions = list(mine.steps.values_list("action", flat=True))
    assert actions == ["下发", "进展", "报送", "退回", "报送", "通过"]
    assert 'id="form-submit"' not in officer.get(url).content.decode()  # done: no form is left

    # the issuer follows both villages; the other village is untouched
    page = reviewer.get(f"/tasklists/tasks/{task.pk}/").content.decode()
    assert "已完成 1/2" in page and "甲二村" in page
    assert task.assignments.get(region=world.village_a2).state == c.ISSUED
    # the photo is served to whoever sees the assignment, and to nobody else
    step = mine.steps.get(action="进展")
    assert step.figure == Decimal(12)
    assert officer.get(f"/system/files/task_report/{step.pk}/").status_code == 200
    assert reviewer.get(f"/system/files/task_report/{step.pk}/").status_code == 200
    assert _client(world.officer_b).get(f"/system/files/task_report/{step.pk}/").status_code == 404


def test_a_weekly_task_is_made_once_a_week_across_national_day(world):
    task = _weekly(world)  # 周五, moved to the next working day when it is a holiday
    assert task.due_weekday == 5
    # the week of 中秋 (Friday 09-25 is a holiday): due the next working day, Monday 09-28
    assert _due_dates(task) == {(D(2026, 9, 21), "甲村"): D(2026, 9, 28), (D(2026, 9, 21), "甲二村"): D(2026, 9, 28)}
    assert services.generate_due(D(2026, 9, 28)) == 2  # the nightly step of Monday: next week's assignments
    assert services.generate_due(D(2026, 9, 28)) == 0  # run again: nothing twice
    assert services.generate_due(D(2026, 9, 30)) == 0  # later in the same week
    assert services.generate_due(D(2026, 10, 5)) == 2
    dates = _due_dates(task)
    assert dates[(D(2026, 9, 28), "甲村")] == D(2026, 10, 8)  # Friday 10-02 is National Day: Thursday 10-08
    assert dates[(D(2026, 10, 5), "甲二村")] == D(2026, 10, 9)  # an ordinary Friday
    assert task.assignments.count() == 6
    week = task.assignments.filter(period_start=D(2026, 9, 28)).first()
    assert week.period_label == "2026年第40周（9月28日—10月4日）" and not week.due_fallback
    assert list(week.steps.values_list("user_name", flat=True)) == ["系统"]

    # the Nth working day of the week: 调休 Saturday 10-10 is the third working day of the week of 10-05
    by_workdays = _weekly(world, title="每周第三个工作日报送", due_workdays=3, regions=[world.village_a])
    services.generate_due(D(2026, 10, 5))
    assert _due_dates(by_workdays) == {
        (D(2026, 9, 21), "甲村"): D(2026, 9, 23),
        (D(2026, 10, 5), "甲村"): D(2026, 10, 10),
    }  # the week of 09-28 was never run for it: the nightly step makes the current week only


def test_the_nightly_step_and_the_issuer_make_a_period_once(world):
    begun = timezone.localdate() - datetime.timedelta(days=14)
    reviewer = _client(world.reviewer_a)
    form = {
        "title": "每周走访情况报送",
        "result_kind": "figure",
        "regions": [world.village_a.pk, world.village_a2.pk],
        "recurrence": "weekly",
        "due_weekday": "5",
        "starts_on": f"{begun:%Y-%m-%d}",
    }
    assert reviewer.post("/tasklists/tasks/add/", form).status_code == 302
    task = Task.objects.get(title="每周走访情况报送")
    assert task.due_rule() == "每周周五（遇节假日顺延）"
    assert task.assignments.count() == 2  # this week's, at once
    older = _weekly(world, title="每周例会纪要", starts_on=begun, issued_on=begun, regions=[world.village_a])
    step = registry.keyed("nightly_steps")["task_periods"]
    assert step.run() == "重复任务新生成 1 项"  # the older task's week, as the worker runs it after 02:00
    assert step.run() == ""
    assert older.assignments.count() == 2 and task.assignments.count() == 2
    url = f"/tasklists/tasks/{task.pk}/"
    assert 'id="form-generate"' in reviewer.get(url).content.decode()
    before = task.assignments.count()
    assert reviewer.post(url + "generate/", {"generate-which": "next"}).status_code == 302
    assert task.assignments.count() == before + 2
    page = reviewer.post(url + "generate/", {"generate-which": "next"}, follow=True).content.decode()
    assert "该期任务已全部生成，没有新增" in page and task.assignments.count() == before + 2
    assert 'id="form-generate"' not in _client(world.officer_a).get(url).content.decode()
    assert _client(world.officer_a).post(url + "generate/", {}).status_code == 403
    reviewer.post(url + "stop/", {})
    task.refresh_from_db()
    made = task.assignments.count()
    services.generate_due(task.ends_on + datetime.timedelta(days=7))
    assert task.assignments.count() == made  # stopped: no later week


def test_monthly_due_days_move_off_holidays_and_2027_is_flagged(world):
    task = services.issue_task(
        user=world.reviewer_a,
        title="每月报送监测对象动态调整情况",
        regions=[world.village_a],
        recurrence=c.MONTHLY,
        due_monthday=1,
        starts_on=D(2026, 10, 1),
        issued_on=D(2026, 10, 1),
    )
    for day in (D(2026, 11, 3), D(2026, 12, 2), D(2027, 1, 1), D(2027, 1, 20)):
        services.generate_due(day)
    rows = {a.period_start: (a.due_date, a.due_fallback) for a in task.assignments.all()}
    assert rows == {
        D(2026, 10, 1): (D(2026, 10, 8), False),  # 10-01…10-07 National Day
        D(2026, 11, 1): (D(2026, 11, 2), False),  # a Sunday
        D(2026, 12, 1): (D(2026, 12, 1), False),
        D(2027, 1, 1): (D(2027, 1, 1), True),  # 2027 not entered: weekends only, and flagged
    }
    assert "每月1日（遇节假日顺延）" in _client(world.officer_a).get(f"/tasklists/tasks/{task.pk}/").content.decode()
    flagged = task.assignments.get(period_start=D(2027, 1, 1))
    assert "未按节假日计算" in _client(world.officer_a).get(f"/tasklists/assignments/{flagged.pk}/").content.decode()


def test_a_village_sees_its_own_a_township_its_villages_and_another_county_nothing(world):
    task = _issue(world, by=world.admin, title="县级任务", regions=[world.village_a, world.village_a2, world.village_b])
    own = task.assignments.get(region=world.village_a)
    stranger = make_user("other_admin", COUNTY_ADMIN, world.other_county, name="邻县管理员")

    def recipients(user):
        text = _client(user).get("/tasklists/assignments/").content.decode()
        return [name for name in ("甲村", "甲二村", "乙村") if f"<td >{name}</td>" in text]

    assert recipients(world.officer_a) == ["甲村"]
    assert recipients(world.reviewer_a) == ["甲村", "甲二村"]
    assert recipients(world.officer_b) == ["乙村"]
    assert recipients(world.admin) == ["甲村", "甲二村", "乙村"]
    assert recipients(stranger) == []
    assert _client(world.officer_b).get(f"/tasklists/assignments/{own.pk}/").status_code == 404
    assert _client(stranger).get(f"/tasklists/tasks/{task.pk}/").status_code == 404
    # the task page shows each user the recipients he sees
    page = _client(world.officer_a).get(f"/tasklists/tasks/{task.pk}/").content.decode()
    assert "甲村" in page and "已完成 0/1" in page
    assert "已完成 0/2" in _client(world.reviewer_a).get(f"/tasklists/tasks/{task.pk}/").content.decode()


def test_refusals(world):
    task = _issue(world, result_kind=c.FIGURE)
    own = task.assignments.get()
    officer = _client(world.officer_a)
    assert officer.get("/tasklists/tasks/add/").status_code == 403  # a village does not issue tasks
    assert officer.get("/tasklists/lists/add/").status_code == 403
    with pytest.raises(services.TransitionRefused, match="管辖范围"):
        _issue(world, regions=[world.village_b])
    with pytest.raises(services.TransitionRefused, match="本级承办单位"):
        _issue(world, regions=[world.township_a])
    with pytest.raises(services.TransitionRefused, match="承办的乡镇、村"):
        _issue(world, regions=[])
    with pytest.raises(services.TransitionRefused, match="不能下发"):
        _issue(world, by=world.officer_a)
    with pytest.raises(services.TransitionRefused, match="「已下发」"):
        services.review(assignment=own, user=world.reviewer_a, approve=True)  # not reported yet
    with pytest.raises(services.TransitionRefused, match="要求报送数字"):
        services.submit(assignment=own, user=world.officer_a, text="完成")
    with pytest.raises(services.TransitionRefused, match="承办单位或责任人"):
        services.submit(assignment=own, user=world.reviewer_a, figure=Decimal(3))  # the issuer does not report
    services.submit(assignment=own, user=world.officer_a, figure=Decimal(3))
    with pytest.raises(services.TransitionRefused, match="待审核"):
        services.report_progress(assignment=own, user=world.officer_a, text="再报")
    assert officer.post(f"/tasklists/assignments/{own.pk}/review/", {"decision": "approve"}).status_code == 403
    with pytest.raises(services.TransitionRefused, match="下发单位"):
        services.review(assignment=own, user=world.admin, approve=True)  # the county did not issue it
    assert _client(world.inspector).post(f"/tasklists/assignments/{own.pk}/progress/", {}).status_code == 403
    assert _client(world.officer_b).post(f"/tasklists/assignments/{own.pk}/review/", {}).status_code == 404
    with pytest.raises(services.TransitionRefused, match="不重复"):
        services.generate_period(task=task, user=world.reviewer_a)
    with pytest.raises(services.TransitionRefused, match="下发单位"):
        services.generate_period(task=_weekly(world), user=world.admin)
    page = _client(world.reviewer_a).post("/tasklists/tasks/add/", {"title": "缺承办方"})
    assert page.status_code == 422 and "请选择承办的乡镇、村或本级单位" in page.content.decode()


def test_a_unit_of_the_county_reports_to_the_county(world):
    medical = make_user("yibao", DEPARTMENT, world.county, name="医保局经办人", department="medical_insurance")
    page = _client(world.admin).post(
        "/tasklists/tasks/add/",
        {"title": "报送脱贫人口参保数据", "result_kind": "text", "units": [medical.pk], "due_date": "2030-01-10"},
    )
    assert page.status_code == 302
    own = Assignment.objects.get(task__title="报送脱贫人口参保数据")
    assert own.recipient_name == "测试县 · 医保" and own.responsible == medical
    with pytest.raises(services.TransitionRefused, match="承办单位或责任人"):
        services.submit(assignment=own, user=world.admin, text="x")  # the county reviews, the unit reports
    with pytest.raises(services.TransitionRefused, match="不能办理"):
        services.submit(assignment=own, user=world.inspector, text="x")
    services.submit(assignment=own, user=medical, text="已报送")
    services.review(assignment=own, user=world.admin, approve=True)
    own.refresh_from_db()
    assert own.state == c.DONE


def test_reminders_and_the_issuers_progress(world):
    late = _issue(world, title="逾期任务", issued_on=D(2026, 1, 5), due_date=D(2026, 1, 20)).assignments.get()
    _issue(world, title="远期任务", regions=[world.village_a2])
    assert late.is_overdue
    home = _client(world.officer_a).get("/").content.decode()
    assert "我承办的任务：逾期和即将到期 1 项" in home and "已逾期 1 项" in home
    assert todo_count(world.officer_a) >= 1
    assert "逾期任务" in _client(world.officer_a).get("/tasklists/assignments/?todo=due").content.decode()
    home = _client(world.reviewer_a).get("/").content.decode()
    assert "我下发的任务：未完成 2 项" in home and "逾期 1 项" in home
    services.submit(assignment=late, user=world.officer_a, text="完成")
    assert "待我审核（已报送）1 项" in _client(world.reviewer_a).get("/").content.decode()
    page = _client(world.reviewer_a).get("/tasklists/assignments/?todo=review").content.decode()
    assert "逾期任务" in page and "远期任务" not in page
    page = _client(world.reviewer_a).get("/tasklists/assignments/?todo=issued").content.decode()
    assert "逾期任务" in page and "远期任务" in page
    assert "待我审核" not in _client(world.admin).get("/").content.decode()  # the county did not issue it


def test_an_assignment_long_overdue_escalates_to_the_township_and_both_are_worklist_lines(world, settings):
    settings.SHOUDI_PROBLEM_ESCALATION_WORKDAYS = 5
    today = timezone.localdate()
    days = datetime.timedelta
    dated = {"by": world.admin, "issued_on": today - days(40)}
    late = _issue(world, title="逾期很久", due_date=today - days(30), **dated).assignments.get()
    recent = _issue(world, title="刚逾期", due_date=today - days(1), **dated).assignments.get()
    assert list(selectors.escalated_to(world.reviewer_a)) == [late]
    assert not selectors.escalated_to(world.officer_a).exists()  # the village's own line is 任务已逾期
    assert set(selectors.overdue(world.officer_a)) == {late, recent}
    page = _client(world.reviewer_a).get("/tasklists/assignments/?todo=task_escalated").content.decode()
    assert "逾期很久" in page and "刚逾期" not in page
    page = _client(world.officer_a).get("/tasklists/assignments/?todo=task_overdue").content.decode()
    assert "逾期很久" in page and "刚逾期" in page
    assert todo_count(world.officer_a) >= 2
    settings.SHOUDI_PROBLEM_ESCALATION_WORKDAYS = 0  # never
    assert not selectors.escalated_to(world.reviewer_a).exists()


def test_the_month_page_groups_the_month_by_week_with_the_focus_first(world):
    task_list = services.create_task_list(user=world.reviewer_a, title="十月清单", month=D(2026, 10, 1))
    for title, due, focus in (
        ("核实疑点信息", D(2026, 10, 9), False),
        ("集中排查", D(2026, 10, 9), True),
        ("更新台账", D(2026, 10, 30), False),
        ("十一月的任务", D(2026, 11, 3), False),
    ):
        _issue(world, task_list=task_list, title=title, due_date=due, focus=focus, issued_on=D(2026, 10, 1))
    page = _client(world.officer_a).get("/tasklists/month/?month=2026-10").content.decode()
    week = page[page.index('id="week-2"') : page.index('id="week-3"')]
    assert "第2周（10月5日—10月11日）" in week and "本周重点：集中排查" in week
    assert week.index("集中排查") < week.index("核实疑点信息")
    assert "更新台账" in page[page.index('id="week-5"') :] and "十一月的任务" not in page
    assert "本月我承办的任务 3 项" in page and "十月清单" in page
    page = _client(world.officer_b).get("/tasklists/month/?month=2026-10").content.decode()
    assert "集中排查" not in page
    listed = _client(world.officer_a).get("/tasklists/assignments/?month=2026-10").content.decode()
    assert "集中排查" in listed and "十一月的任务" not in listed


def test_the_pages_speak_chinese(world):
    task = _issue(world, task_list=services.create_task_list(user=world.reviewer_a, title="清单"), focus=True)
    weekly = _weekly(world)
    own = task.assignments.get()
    services.report_progress(assignment=own, user=world.officer_a, text="进行中", figure=Decimal(2))
    pages = [
        "/tasklists/assignments/",
        "/tasklists/assignments/?todo=issued&overdue=true&month=2026-10",
        "/tasklists/month/",
        f"/tasklists/lists/{task.task_list_id}/",
        "/tasklists/lists/add/",
        "/tasklists/tasks/add/",
        f"/tasklists/tasks/{task.pk}/",
        f"/tasklists/tasks/{weekly.pk}/",
        f"/tasklists/assignments/{own.pk}/",
        "/",
    ]
    for user in (world.reviewer_a, world.officer_a):
        client = _client(user)
        for url in pages:
            response = client.get(url)
            if response.status_code == 403:
                continue
            assert response.status_code == 200, url
            html = response.content.decode()
            assert foreign_words(visible_text(html)) == [], url
            assert inline_code(html) == [], url


def test_the_task_ledger(world, tmp_path):
    task = _issue(world, by=world.admin, regions=[world.village_a, world.village_b], issued_on=D(2026, 3, 2))
    task.task_list = services.create_task_list(user=world.admin, title="三月清单", month=D(2026, 3, 1))
    task.save()
    services.submit(assignment=task.assignments.get(region=world.village_a), user=world.officer_a, text="已核实")
    ledger = engine.resolve("tasks")
    ctx = engine.make_context(ledger, world.reviewer_a, params={"year": "2030"})
    header = [column.label for column in ledger.visible_columns(ctx)]
    rows = [dict(zip(header, row, strict=True)) for row in engine.iter_cells(ledger, ctx)]
    assert [(r["任务清单"], r["任务"], r["承办方"], r["状态"], r["报送成果"]) for r in rows] == [
        ("三月清单", "核实监测户收入", "甲村", "待审核", "已核实")
    ]  # the township's ledger: its own village, not 乙村
    assert rows[0]["下发单位"] == "测试县" and rows[0]["完成时限"] == D(2030, 1, 31)
    assert engine.count_rows(ledger, engine.make_context(ledger, world.admin, params={"year": "2030"})) == 2
    assert engine.count_rows(ledger, engine.make_context(ledger, world.admin, params={"year": "2026"})) == 0
    grouped = engine.Ledger.standard(ledger.definition)
    grouped.grouped = True  # a county's copy 按村分组并小计: by recipient
    engine.write_xlsx(grouped, engine.make_context(grouped, world.admin, params={"year": "2030"}), tmp_path / "t.xlsx")
    sheet = CalamineWorkbook.from_path(str(tmp_path / "t.xlsx")).get_sheet_by_index(0).to_python()
    labels = [row[0] for row in sheet[3:] if isinstance(row[0], str) and row[0]]
    assert labels[:3] == ["甲镇甲村小计：1 项", "乙镇乙村小计：1 项", "合计：2 项"]
    page = _client(world.reviewer_a).get("/ledgers/view/tasks/?year=2030").content.decode()
    assert "任务清单台账" in page and 'id="ledger-count">1<' in page


def test_the_list_page_and_the_month_page_do_not_query_per_row(world, django_assert_max_num_queries):
    task_list = services.create_task_list(user=world.admin, title="清单", month=timezone.localdate())
    for n in range(12):
        _issue(
            world,
            by=world.admin,
            task_list=task_list,
            title=f"任务{n}",
            regions=[world.village_a, world.village_a2, world.village_b],
            due_date=timezone.localdate() + datetime.timedelta(days=n % 3),
        )
    client = _client(world.admin)
    client.get("/tasklists/assignments/")  # the session and the menu's first counts
    with django_assert_max_num_queries(12):
        assert "任务11" in client.get("/tasklists/assignments/").content.decode()
    with django_assert_max_num_queries(11):
        assert "任务11" in client.get("/tasklists/month/").content.decode()


def test_the_demo_county_has_a_month_list_in_every_state_and_a_weekly_task():
    import io

    from shoudi.accounts import demo as accounts_demo
    from shoudi.core.democounty import DemoContext
    from shoudi.regions import demo as regions_demo
    from shoudi.tasklists import demo

    ctx = DemoContext(seed=2026, stdout=io.StringIO())
    regions_demo.build(ctx)
    accounts_demo.build(ctx)
    demo.build(ctx)
    demo.build(ctx)  # a second run adds nothing
    assert "跳过" in ctx.stdout.getvalue()
    month = Assignment.objects.filter(task__task_list__document_no=demo.DOCUMENT, region__code="520199001001")
    states = {(a.task.title, a.state, bool(a.returned_reason)) for a in month}
    assert {state for _, state, _ in states} == {c.ISSUED, c.IN_PROGRESS, c.SUBMITTED, c.DONE}
    assert ("上传民主评议会议记录", c.IN_PROGRESS, True) in states  # returned
    weekly = Task.objects.get(title=demo.WEEKLY_TITLE)
    assert weekly.assignments.count() == 12  # four weeks, three villages
    assert weekly.assignments.filter(state=c.DONE).count() == 1
