"""Campaigns (issue 17 §4, 百日攻坚 after S004 三): the phase of the day, the 工作专班 items with their persons and
progress, the problems found (work's one life cycle, source 专项排查) and the progress per township — on the page
and in the 百日攻坚进度 ledger — for each scope, and the demo county's campaign with problems in every state."""

from __future__ import annotations

import datetime
import io
import re

import pytest
from django.test import Client

from shoudi.accounts.models import User
from shoudi.accounts.roles import VILLAGE_OFFICER
from shoudi.accounts.testing import make_user
from shoudi.campaigns import choices as c
from shoudi.campaigns import services
from shoudi.campaigns.models import Campaign, Phase, ProgressNote, WorkItem, WorkItemPerson
from shoudi.campaigns.selectors import township_progress
from shoudi.core.crawl import foreign_words, visible_text
from shoudi.core.models import AccessLog
from shoudi.ledgers import engine
from shoudi.work import choices as wc
from shoudi.work import services as work
from shoudi.work.models import Problem

from .test_ledgers import read_sheet

pytestmark = pytest.mark.django_db
D = datetime.date
FAR = D(2030, 1, 31)


def make_campaign(world, *, year: int = 2026, name: str = "2026年百日攻坚", **dates) -> Campaign:
    campaign = Campaign.objects.create(
        name=name,
        document_no="测农发〔2026〕5号",
        issuer_region=world.county,
        start_date=dates.get("start", D(year, 7, 1)),
        end_date=dates.get("end", D(year, 10, 31)),
    )
    for phase, start, end in dates.get("phases", c.s004_phases(year)):
        Phase.objects.create(campaign=campaign, name=phase, start_date=start, end_date=end)
    return campaign


def found(campaign, world, *, region=None, by=None, title="问题", steps=(), overdue=False) -> Problem:
    """A problem registered on the campaign, then taken through ``steps`` by the village's officer and the issuer."""
    region = region or world.village_a
    issuer = by or world.admin
    issued = D(2026, 8, 10)
    problem = services.register_problem(
        campaign=campaign,
        user=issuer,
        category="帮扶",
        title=title,
        region=region,
        issued_on=issued,
        due_date=D(2026, 9, 10) if overdue else FAR,
    )
    # the responsible side: the village's officer (甲二村's is made here), or the township's reviewer
    actor = User.objects.filter(region=region, role=VILLAGE_OFFICER).first() or world.reviewer_a
    if actor == world.reviewer_a and region.level == "village":
        actor = make_user(f"officer_{region.code}", VILLAGE_OFFICER, region)
    for step in steps:
        if step == "progress":
            work.record_progress(problem=problem, user=actor, text="整改中")
        elif step == "apply":
            work.apply_closure(problem=problem, user=actor, text="完成")
        elif step == "close":
            work.decide_closure(problem=problem, user=issuer, approve=True)
        elif step == "reject":
            work.decide_closure(problem=problem, user=issuer, approve=False, text="佐证不足")
        elif step == "suspend":
            work.suspend(problem=problem, user=issuer, reason="等待政策")
    return problem


def item(campaign, number: int, *, townships: bool = True, **fields) -> WorkItem:
    fields.setdefault("task", f"任务{number}")
    fields.setdefault("lead_unit", "县农业农村局")
    return WorkItem.objects.create(campaign=campaign, number=number, townships_report=townships, **fields)


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def cells(html: str, township_code: str) -> list[str]:
    """The cells of a township's row of the progress table, as text."""
    row = re.search(rf'<tr data-township="{township_code}">(.*?)</tr>', html, re.S)
    assert row is not None, f"no row for {township_code}"
    return [re.sub(r"<[^>]+>|\s+", "", cell) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)]


# --- phases --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "state"),
    [
        (D(2026, 6, 30), "未开始"),
        (D(2026, 7, 1), "进行中：动员部署"),
        (D(2026, 8, 1), "进行中：集中攻坚"),
        (D(2026, 9, 30), "进行中：集中攻坚"),
        (D(2026, 10, 31), "进行中：巩固提升"),
        (D(2026, 11, 1), "已结束"),
    ],
)
def test_the_state_and_phase_follow_the_date(world, day, state):
    assert make_campaign(world).state_on(day) == state


def test_the_page_highlights_the_current_phase(world, client_for):
    today = datetime.date.today()
    week = datetime.timedelta(days=7)
    phases = [("动员部署", today - 3 * week, today - week - D.resolution), ("集中攻坚", today - week, today + week)]
    campaign = make_campaign(world, start=today - 3 * week, end=today + 4 * week, phases=phases)
    html = client_for(world.officer_a).get(campaign.get_absolute_url()).content.decode()
    current = re.findall(r'<li class="list-group-item flex-fill active" aria-current="step">(.*?)</li>', html, re.S)
    assert len(current) == 1 and "集中攻坚" in current[0] and "当前阶段" in current[0]
    assert "进行中：集中攻坚" in html


# --- progress per township -----------------------------------------------------------------------------------------


@pytest.fixture
def crafted(world):
    """甲镇: in 甲村 one problem overdue, one 整改中, one 申请销号, one 已销号, one 挂起; in 甲二村 one 已销号 after a
    驳回; one at 甲镇 itself. 乙镇: one overdue, one 已销号. Not counted: a problem of 甲村 outside the campaign and one
    of another campaign. Work items: 甲镇 has done one and is doing the other; 乙镇 did one, then reopened it."""
    campaign = make_campaign(world)
    found(campaign, world, title="甲村逾期", overdue=True)
    found(campaign, world, title="甲村整改中", steps=("progress",))
    found(campaign, world, title="甲村申请销号", steps=("apply",))
    found(campaign, world, title="甲村已销号", steps=("apply", "close"))
    found(campaign, world, title="甲村挂起", steps=("suspend",))
    found(
        campaign, world, region=world.village_a2, title="甲二村驳回后销号", steps=("apply", "reject", "apply", "close")
    )
    found(campaign, world, region=world.township_a, title="甲镇本级问题")
    found(campaign, world, region=world.village_b, title="乙村逾期", overdue=True)
    found(campaign, world, region=world.village_b, title="乙村已销号", steps=("apply", "close"))
    work.issue_problem(
        user=world.admin, source="暗访督导", category="饮水", title="甲村暗访", region=world.village_a, due_date=FAR
    )
    other = make_campaign(world, name="另一行动")
    found(other, world, title="另一行动的问题")

    first, second = item(campaign, 1), item(campaign, 2)
    item(campaign, 3, townships=False)
    for it, state in ((first, c.DONE), (second, c.ONGOING)):
        services.report_progress(item=it, user=world.reviewer_a, state=state, text="甲镇报送")
    services.report_progress(item=first, user=world.admin, region=world.township_b, state=c.DONE, text="乙镇完成")
    services.report_progress(item=first, user=world.admin, region=world.township_b, state=c.ONGOING, text="乙镇返工")
    return campaign


def test_progress_per_township_is_counted_in_one_grouped_query(world, crafted, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # townships, problems grouped, items per county, latest notes grouped
        rows = {row.township.name: row for row in township_progress(crafted, world.admin, today=D(2026, 12, 4))}
    a, b = rows["甲镇"], rows["乙镇"]
    assert (a.found, a.open, a.overdue, a.closed, a.suspended, a.closed_rate) == (7, 4, 1, 2, 1, 28.6)
    assert (b.found, b.open, b.overdue, b.closed, b.suspended, b.closed_rate) == (2, 1, 1, 1, 0, 50.0)
    assert (a.items, a.items_done, a.items_ongoing, a.items_rate) == (2, 1, 1, 50.0)
    assert (b.items, b.items_done, b.items_ongoing, b.items_rate) == (2, 0, 1, 0.0)  # the latest note counts


def test_the_campaign_page_shows_items_progress_and_problems(world, crafted, client_for):
    html = client_for(world.admin).get(crafted.get_absolute_url()).content.decode()
    assert foreign_words(visible_text(html)) == []
    assert cells(html, "520102001") == ["甲镇", "7", "4", "1", "2", "1", "28.6%", "1/2（推进中1）", "50.0%"]
    assert cells(html, "520102002") == ["乙镇", "2", "1", "1", "1", "0", "50.0%", "0/2（推进中1）", "0.0%"]
    assert re.search(r'id="progress-total"><td>合计</td><td>9</td><td>5</td><td>2</td><td>3</td>', html)
    assert "甲二村驳回后销号" in html and "甲村暗访" not in html and "另一行动的问题" not in html
    # the figures link to 问题整改's list of the campaign, which holds the same problems
    link = re.search(r'<td class="found"><a href="([^"]+)">7</a>', html).group(1).replace("&amp;", "&")
    listed = client_for(world.admin).get(link).content.decode()
    assert '<span id="row-count">7</span>' in listed and "甲村暗访" not in listed


def test_the_campaign_page_does_not_query_per_item_or_problem(world, crafted):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(world.admin)

    def queries() -> int:
        client.get(crafted.get_absolute_url())  # the badge and the menu are cached after the first page
        with CaptureQueriesContext(connection) as captured:
            assert client.get(crafted.get_absolute_url()).status_code == 200
        return len(captured)

    before = queries()
    for n in range(4, 8):
        more = item(crafted, n)
        WorkItemPerson.objects.create(item=more, name=f"人员{n}", phone="13700000000")
        services.report_progress(item=more, user=world.reviewer_a, state=c.DONE, text="完成")
        found(crafted, world, region=world.village_b, title=f"乙村问题{n}", steps=("apply",))
    assert queries() == before


def test_the_ledger_has_a_row_per_township(world, crafted, tmp_path):
    ledger = engine.resolve("campaign-progress", world.admin)
    ctx = engine.make_context(ledger, world.admin, "", {"year": "2026"})
    path = tmp_path / "progress.xlsx"
    assert engine.write_xlsx(ledger, ctx, path) == 2
    sheet = read_sheet(path)
    assert sheet.title == "百日攻坚进度" and "2026年百日攻坚" in sheet.subtitle and "另一行动" in sheet.subtitle
    jia = sheet.row_of("乡镇", "甲镇")
    assert (jia["发现问题"], jia["未销号"], jia["其中逾期"], jia["已销号"], jia["销号率（%）"]) == (8, 5, 1, 2, 25.0)
    assert (jia["工作任务（项）"], jia["已完成"], jia["完成率（%）"]) == (2, 1, 50.0)
    assert sheet.total[0] == "合计：2 个乡镇"
    assert engine.count_rows(ledger, engine.make_context(ledger, world.admin, "", {"year": "2025"})) == 0


# --- scope ---------------------------------------------------------------------------------------------------------


def test_a_township_sees_its_own_row_and_problems(world, crafted, client_for, tmp_path):
    html = client_for(world.reviewer_a).get(crafted.get_absolute_url()).content.decode()
    assert cells(html, "520102001")[:2] == ["甲镇", "7"]
    assert 'data-township="520102002"' not in html and "乙村逾期" not in html and "甲二村驳回后销号" in html
    html = client_for(world.officer_b).get(crafted.get_absolute_url()).content.decode()
    assert 'data-township="' not in html and "乙村逾期" in html and "甲村逾期" not in html
    ledger = engine.resolve("campaign-progress", world.reviewer_a)
    sheet = read_sheet(_write(ledger, world.reviewer_a, tmp_path))
    assert sheet.column("乡镇") == ["甲镇"]
    other = make_user_of_other_county(world)
    assert client_for(other).get(crafted.get_absolute_url()).status_code == 404


def _write(ledger, user, tmp_path):
    path = tmp_path / f"{user.username}.xlsx"
    engine.write_xlsx(ledger, engine.make_context(ledger, user, "", {"year": "2026"}), path)
    return path


def make_user_of_other_county(world):
    return make_user("other_admin", "county_admin", world.other_county)


# --- registering a problem -----------------------------------------------------------------------------------------


def test_registering_a_problem_from_the_campaign(world, client_for):
    campaign = make_campaign(world)
    url = f"/campaigns/{campaign.pk}/problems/add/"
    form = {
        "category": "帮扶",
        "severity": "一般",
        "title": "甲村监测户帮扶措施未录入",
        "region": world.village_a.pk,
        "due_date": "2030-01-31",
    }
    assert "登记问题" in client_for(world.admin).get(campaign.get_absolute_url()).content.decode()
    page = client_for(world.admin).post(url, form)
    problem = Problem.objects.get(title="甲村监测户帮扶措施未录入")
    assert page.status_code == 302 and page["Location"] == problem.get_absolute_url()
    assert problem.source == "专项排查" and problem.document_no == "测农发〔2026〕5号"
    assert problem.campaign_link.campaign == campaign and problem.issuer_region == world.county
    assert list(problem.steps.values_list("action", flat=True)) == ["下发"]
    # the township registers for its own villages, and reviews them itself
    page = client_for(world.reviewer_a).post(url, {**form, "title": "甲二村台账不全", "region": world.village_a2.pk})
    assert Problem.objects.get(title="甲二村台账不全").issuer_region == world.township_a
    assert "甲村监测户帮扶措施未录入" in client_for(world.officer_a).get(campaign.get_absolute_url()).content.decode()
    # a village does not register, and a campaign not yet begun takes none
    assert client_for(world.officer_a).get(url).status_code == 403
    later = make_campaign(world, year=2031, name="2031年攻坚")
    page = client_for(world.admin).post(f"/campaigns/{later.pk}/problems/add/", {**form, "title": "太早"})
    assert page.status_code == 422 and "此前发现的问题不能计入本行动" in page.content.decode()
    assert not Problem.objects.filter(title="太早").exists()


def test_only_a_special_inspection_problem_is_linked(world):
    campaign = make_campaign(world)
    inspection = work.issue_problem(
        user=world.admin, source="暗访督导", category="饮水", title="暗访", region=world.village_a, due_date=FAR
    )
    with pytest.raises(services.CampaignRefused, match="专项排查"):
        services.link_problem(campaign=campaign, problem=inspection, user=world.admin)
    special = work.issue_problem(
        user=world.admin, source="专项排查", category="饮水", title="排查", region=world.village_a, due_date=FAR
    )
    with pytest.raises(services.CampaignRefused, match="县级或下发该问题的单位"):
        services.link_problem(campaign=campaign, problem=special, user=world.officer_a)
    services.link_problem(campaign=campaign, problem=special, user=world.admin)
    with pytest.raises(services.CampaignRefused, match="已计入"):
        services.link_problem(campaign=make_campaign(world, name="另一行动"), problem=special, user=world.admin)


# --- the pages: a campaign, its items, their progress and persons ---------------------------------------------------


def test_a_campaign_is_started_with_the_s004_phases_offered(world, client_for):
    admin = client_for(world.admin)
    page = admin.get("/campaigns/add/").content.decode()
    assert foreign_words(visible_text(page)) == [] and 'value="集中攻坚"' in page
    data = {
        "name": "2026年百日攻坚",
        "document_no": "测农发〔2026〕5号",
        "start_date": "2026-07-01",
        "end_date": "2026-10-31",
        "phases-TOTAL_FORMS": "4",
        "phases-INITIAL_FORMS": "0",
        "phases-0-name": "动员部署",
        "phases-0-start_date": "2026-07-01",
        "phases-0-end_date": "2026-07-31",
        "phases-1-name": "集中攻坚",
        "phases-1-start_date": "2026-07-20",  # overlaps 动员部署
        "phases-1-end_date": "2026-09-30",
        "phases-2-name": "巩固提升",
        "phases-2-start_date": "2026-10-01",
        "phases-2-end_date": "2026-10-31",
    }
    page = admin.post("/campaigns/add/", data)
    assert (
        page.status_code == 422
        and "第 2 行阶段「集中攻坚」与第 1 行阶段「动员部署」的日期重叠" in page.content.decode()
    )
    assert not Campaign.objects.exists()
    page = admin.post("/campaigns/add/", {**data, "phases-1-start_date": "2026-08-01"})
    campaign = Campaign.objects.get()
    assert page.status_code == 302 and campaign.issuer_region == world.county
    assert [p.name for p in campaign.phases.all()] == ["动员部署", "集中攻坚", "巩固提升"]
    # edited: 巩固提升 dropped, the spare row left blank
    edit = {**data, "name": "2026年百日攻坚（调整）", "phases-INITIAL_FORMS": "3", "phases-1-start_date": "2026-08-01"}
    for n, phase in enumerate(campaign.phases.all()):
        edit[f"phases-{n}-id"] = phase.pk
        edit[f"phases-{n}-campaign"] = campaign.pk
    edit["phases-2-DELETE"] = "on"
    assert admin.post(f"/campaigns/{campaign.pk}/edit/", edit).status_code == 302
    campaign.refresh_from_db()
    assert campaign.name == "2026年百日攻坚（调整）"
    assert [p.name for p in campaign.phases.all()] == ["动员部署", "集中攻坚"]
    assert client_for(world.reviewer_a).get("/campaigns/add/").status_code == 403  # the county starts campaigns
    assert client_for(world.reviewer_a).get(f"/campaigns/{campaign.pk}/edit/").status_code == 403


def test_work_items_with_persons_progress_and_masked_phones(world, client_for):
    campaign = make_campaign(world)
    admin = _client(world.admin)
    data = {
        "number": "5",
        "task": "健康帮扶提升",
        "lead_unit": "县医保局",
        "cooperating_units": "各乡镇",
        "townships_report": "on",
        "phase": campaign.phases.get(name="集中攻坚").pk,
        "persons-TOTAL_FORMS": "2",
        "persons-INITIAL_FORMS": "0",
        "persons-0-name": "苏某",
        "persons-0-post": "分管负责人",
        "persons-0-phone": "13712345678",
        "persons-1-name": "陈某",
        "persons-1-phone": "1371234",
    }
    page = admin.post(f"/campaigns/{campaign.pk}/items/add/", {**data, "persons-1-phone": "电话"})
    assert page.status_code == 422 and "第 2 行联系电话" in page.content.decode()
    admin.post(f"/campaigns/{campaign.pk}/items/add/", data)
    health = WorkItem.objects.get(lead_unit="县医保局")
    assert health.deadline == D(2026, 9, 30) and health.persons.count() == 2

    # a township reports its own progress; the county reports the lead unit's
    reviewer = _client(world.reviewer_a)
    url = f"/campaigns/items/{health.pk}/report/"
    reviewer.post(url, {"region": world.township_b.pk, "state": c.DONE, "text": "冒报乙镇"})
    assert not ProgressNote.objects.exists()
    reviewer.post(url, {"region": world.township_a.pk, "state": c.DONE, "text": "甲镇全部完成"})
    admin.post(url, {"region": world.county.pk, "state": c.ONGOING, "text": "县医保局督导中"})
    health.refresh_from_db()
    assert health.state == c.ONGOING
    page = admin.get(health.get_absolute_url()).content.decode()
    assert foreign_words(visible_text(page)) == []
    assert re.search(r'data-township="520102001">.*?已完成', page, re.S) and "县医保局督导中" in page
    assert client_for(world.officer_a).post(url, {"state": c.DONE, "text": "村"}).status_code == 403

    # phones: masked on every page; the county admin asks for one, and the access log says so
    person = WorkItemPerson.objects.get(name="苏某")
    for reader in (world.inspector, world.reviewer_a, world.admin):
        page = client_for(reader).get(campaign.get_absolute_url()).content.decode()
        assert "137****5678" in page and "13712345678" not in page
    assert (
        f"/campaigns/persons/{person.pk}/phone/"
        not in client_for(world.inspector).get(health.get_absolute_url()).content.decode()
    )
    assert client_for(world.inspector).get(f"/campaigns/persons/{person.pk}/phone/").status_code == 403
    shown = admin.get(f"/campaigns/persons/{person.pk}/phone/")
    assert shown.status_code == 200 and "13712345678" in shown.content.decode()
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.field, log.object_id) == (world.admin, AccessLog.UNMASK, "phone", str(person.pk))


def test_the_pages_render_in_chinese(world, crafted, client_for):
    first = crafted.items.first()
    for user in (world.admin, world.reviewer_a, world.officer_a, world.inspector):
        for url in ("/campaigns/", crafted.get_absolute_url(), first.get_absolute_url()):
            page = client_for(user).get(url)
            assert page.status_code == 200, (user, url)
            assert foreign_words(visible_text(page.content.decode())) == [], (user, url)
    for url in (
        f"/campaigns/{crafted.pk}/edit/",
        f"/campaigns/{crafted.pk}/items/add/",
        f"/campaigns/items/{first.pk}/edit/",
    ):
        page = client_for(world.admin).get(url)
        assert page.status_code == 200 and foreign_words(visible_text(page.content.decode())) == []
    listed = client_for(world.admin).get("/campaigns/?state=已结束").content.decode()
    assert "2026年百日攻坚" in listed
    assert "2026年百日攻坚" not in client_for(world.admin).get("/campaigns/?state=未开始").content.decode()


# --- the demo county -----------------------------------------------------------------------------------------------


def test_the_demo_campaign_has_problems_in_every_state(db):
    from shoudi.accounts import demo as accounts_demo
    from shoudi.campaigns import demo
    from shoudi.core.democounty import DemoContext
    from shoudi.regions import demo as regions_demo
    from shoudi.work import demo as work_demo

    ctx = DemoContext(seed=2026, stdout=io.StringIO())
    for module in (regions_demo, accounts_demo, work_demo, demo, demo):  # the second run adds nothing
        module.build(ctx)
    campaign = Campaign.objects.get()
    assert [p.name for p in campaign.phases.all()] == ["动员部署", "集中攻坚", "巩固提升"]
    assert campaign.state_on(D(2026, 8, 15)) == "进行中：集中攻坚"
    assert campaign.items.count() == 15 and WorkItemPerson.objects.filter(item__campaign=campaign).count() == 31
    assert set(campaign.items.values_list("state", flat=True)) == {c.NOT_STARTED, c.ONGOING, c.DONE}
    problems = Problem.objects.filter(campaign_link__campaign=campaign)
    assert problems.count() == 20 and set(problems.values_list("source", flat=True)) == {"专项排查"}
    assert set(problems.values_list("state", flat=True)) == {s for s, _ in wc.STATE_CHOICES}
    assert problems.filter(extension_to__isnull=False, state__in=wc.RUNNING_STATES).exists()
    assert problems.filter(state=wc.CLOSED, steps__action="驳回").exists()
    assert any(p.is_overdue for p in problems)
    assert all(p.steps.filter(action="下发").exists() for p in problems)
    assert problems.filter(document_no=work_demo.DOCUMENT).count() == 8  # work's demo problems, linked
    rows = township_progress(campaign, None)
    assert len(rows) == 8 and sum(r.found for r in rows) == 20 and rows[0].closed >= 3
