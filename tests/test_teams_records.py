"""What a team records besides attendance (issue 19): the coverage of every household of its village (with and
without 一般农户, the team's own visits counted once through the member's cadre record), work logs and the days
missing, meetings and 讲评, the 后盾单位's visits and funds, and members' personal data masked."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from shoudi.accounts.roles import ORGANIZATION, TEAM_MANAGER, TEAM_MEMBER
from shoudi.accounts.testing import make_user
from shoudi.assistance.models import Cadre, Visit
from shoudi.core.models import AccessLog
from shoudi.ledgers import engine
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.testing import make_household
from shoudi.teams import choices as c
from shoudi.teams import services
from shoudi.teams.coverage import coverage_for, not_visited
from shoudi.teams.logs import missing_log_days, missing_logs_queryset, record_log
from shoudi.teams.models import Absence, Meeting, TeamMember, UnitFund, UnitVisit, WorkLog
from shoudi.teams.testing import make_checkins, make_member, make_team

TODAY = timezone.localdate()


@pytest.fixture
def team(world):
    return make_team(world.village_a)


@pytest.fixture
def manager(world):
    return make_user("manager_a", TEAM_MANAGER, world.township_a, name="甲镇驻村管理员")


def _monitored(village, no):
    household = make_household(village, household_no=no, household_type="一般农户")
    MonitoringCase.objects.create(
        household=household,
        category="边缘易致贫户",
        source="农户自主申报",
        clue_date=TODAY - datetime.timedelta(days=90),
        identified_on=TODAY - datetime.timedelta(days=80),
        step=mc.MONITORING,
    )
    return household


def _visit(household, day=TODAY, cadre=None, kind="入户"):
    return Visit.objects.create(
        household=household, visited_on=day, kind=kind, visitor="走访人", content="走访", cadre=cadre
    )


# --- coverage --------------------------------------------------------------------------------------------------


def test_coverage_is_counted_with_and_without_ordinary_households(team, world, client_for):
    member = make_member(team, "第一书记", post=c.FIRST_SECRETARY)
    member.cadre = Cadre.objects.create(name="第一书记", unit="县农业农村局", region=world.village_a)
    member.save()
    watched = [_monitored(world.village_a, f"M{n}") for n in range(2)]
    lifted = [make_household(world.village_a, household_no=f"L{n}", household_type="脱贫户") for n in range(2)]
    ordinary = [make_household(world.village_a, household_no=f"O{n}", household_type="一般农户") for n in range(4)]
    make_household(world.village_b, household_no="B0", household_type="一般农户")  # another village: not counted
    _visit(watched[0])
    _visit(lifted[0], kind="电话")  # a household away: a call counts
    _visit(ordinary[0], cadre=member.cadre)  # the team's own visit
    _visit(ordinary[1], day=TODAY.replace(year=TODAY.year - 1))  # last year's: not this year's coverage

    row = next(r for r in coverage_for(world.admin, today=TODAY) if r.team == team)
    assert {kind: (n.total, n.visited_year) for kind, n in row.kinds.items()} == {
        "监测户": (2, 1),
        "脱贫户": (2, 1),
        "一般农户": (4, 1),
    }
    assert row.coverage(ordinary=True) == (3, 8) and row.with_ordinary == "37.5%"
    assert row.coverage(ordinary=False) == (2, 4) and row.without_ordinary == "50.0%"
    assert row.by_team == 1

    left = not_visited(world.admin, team, today=TODAY)
    assert sorted(h.household_no for h in left) == ["L1", "M1", "O1", "O2", "O3"]
    assert sorted(h.household_no for h in not_visited(world.admin, team, kind="一般农户", today=TODAY)) == [
        "O1",
        "O2",
        "O3",
    ]

    html = client_for(world.reviewer_a).get("/teams/coverage/").content.decode()
    assert "37.5%" in html and "50.0%" in html
    assert "37.5%" not in client_for(world.admin).get(f"/teams/coverage/?area={world.township_b.code}").content.decode()
    page = client_for(world.reviewer_a).get(f"/teams/coverage/{team.pk}/?kind=一般农户").content.decode()
    assert "共 3 户" in page
    households = client_for(world.admin).get("/registry/households/", {"team_coverage": "not_visited:一般农户"})
    assert 'id="row-count">3<' in households.content.decode()  # the list behind a coverage figure
    visited = client_for(world.admin).get("/registry/households/", {"team_coverage": "visited:监测户"})
    assert 'id="row-count">1<' in visited.content.decode()


def test_a_member_who_is_a_pairing_cadre_records_the_visit_once_and_it_counts_for_the_team(team, world, client_for):
    login = make_user("firstsec", TEAM_MEMBER, world.village_a, name="李书记")
    member = services.appoint_member(
        user=world.admin,
        team=team,
        name="李书记",
        unit=team.unit,
        post=c.FIRST_SECRETARY,
        login=login,
        pairing_cadre=True,
    )
    assert member.cadre is not None and member.cadre.user == login and member.cadre.region == world.village_a
    home = make_household(world.village_a, household_no="A1", household_type="一般农户")
    response = client_for(login).post(
        f"/assistance/visit/{home.pk}/",
        {"visited_on": TODAY.isoformat(), "kind": "入户", "content": "全覆盖走访", "water_ok": "1"},
    )
    assert response.status_code == 302
    visit = Visit.objects.get(household=home)
    assert visit.cadre == member.cadre  # one visit: the cadre's and the team's
    row = next(r for r in coverage_for(login, today=TODAY) if r.team == team)
    assert (row.kinds["一般农户"].visited_year, row.by_team) == (1, 1)

    log = record_log(user=login, day=TODAY, work_done="全覆盖走访一般农户")
    assert list(log.visits.all()) == [visit] and list(log.households.all()) == [home]


def test_the_organisation_sees_coverage_counts_but_not_the_household_names(team, world, client_for):
    organization = make_user("zuzhibu", ORGANIZATION, world.county)
    make_household(world.village_a, household_no="A1", household_type="脱贫户")
    client = client_for(organization)
    assert "未走访名单" not in client.get("/teams/coverage/").content.decode()
    assert client.get(f"/teams/coverage/{team.pk}/").status_code == 403


# --- work logs ------------------------------------------------------------------------------------------------------


def test_a_log_is_owed_for_every_day_in_the_village_and_every_working_day_not_away(team, manager):
    member = make_member(team, username="writer")
    june = {d: datetime.date(2026, 6, d) for d in range(8, 15)}  # Monday 8 to Sunday 14: no holiday
    make_checkins(member, [june[8], june[9], june[13]])  # Saturday the 13th in the village too
    WorkLog.objects.create(member=member, day=june[8], work_done="入户走访")
    leave = services.report_absence(
        user=member.user,
        member=member,
        category=c.LEAVE,
        kind="事假",
        start_date=june[11],
        end_date=june[11],
        reason="家中有事",
    )
    services.decide_absence(user=manager, absence=leave, approve=True)
    missing = missing_log_days([member], june[8], june[14])
    assert missing[member.pk] == [june[9], june[10], june[12], june[13]]


def test_missing_logs_are_the_member_s_own_work_in_the_worklist(team, world):
    june = datetime.date(2026, 6, 1)
    member = make_member(team, username="late_writer", start_date=june)
    other = make_member(team, username="diligent", start_date=june)
    today = datetime.date(2026, 6, 12)  # Friday
    make_checkins(member, [datetime.date(2026, 6, d) for d in (8, 9)])
    for d in range(1, 12):
        WorkLog.objects.create(member=other, day=datetime.date(2026, 6, d), work_done="工作")
    assert list(missing_logs_queryset(member.user, today)) == [member]
    assert list(missing_logs_queryset(other.user, today)) == []
    assert set(missing_logs_queryset(world.admin, today)) == {member}


def test_the_worklist_and_the_dashboards_link_to_the_members_owing_logs(team, world, manager, client_for):
    start = TODAY - datetime.timedelta(days=5)
    member = make_member(team, "欠日志", username="owing", start_date=start)
    other = make_member(team, "不欠", username="owing_not", start_date=start)
    make_checkins(member, [TODAY - datetime.timedelta(days=2)])
    for n in range(1, 6):
        WorkLog.objects.create(member=other, day=TODAY - datetime.timedelta(days=n), work_done="工作")
    todo = client_for(member.user).get("/assistance/todo/").content.decode()
    assert "近30天缺少驻村工作日志" in todo
    listing = (
        client_for(manager).get(f"/teams/members/?area={world.township_a.code}&todo=missing_logs").content.decode()
    )
    assert "欠日志" in listing and "不欠" not in listing
    assert "欠日志" not in client_for(manager).get(f"/teams/members/?area={world.village_a2.code}").content.decode()


def test_a_log_belongs_to_its_member_and_one_a_day(team, world):
    member = make_member(team, username="author")
    log = record_log(user=member.user, day=TODAY, work_done="召开周例会")
    with pytest.raises(services.Refused, match="已有工作日志"):
        record_log(user=member.user, day=TODAY, work_done="又写一篇")
    intruder = make_member(team, username="intruder")
    with pytest.raises(services.Refused, match="本人"):
        record_log(user=intruder.user, day=TODAY, work_done="改别人的", log=log)
    with pytest.raises(services.Refused, match="户编号"):
        record_log(user=member.user, day=TODAY - datetime.timedelta(days=1), work_done="走访", household_numbers=["X"])
    assert WorkLog.objects.count() == 1


def test_the_phone_log_form_keeps_what_was_typed_when_refused(team, client_for):
    member = make_member(team, username="typist")
    response = client_for(member.user).post(
        "/teams/logs/add/", {"day": TODAY.isoformat(), "work_done": "走访五户", "households": "不存在的户"}
    )
    html = response.content.decode()
    assert response.status_code == 422 and "没有找到户编号：不存在的户" in html and "走访五户" in html


# --- meetings ----------------------------------------------------------------------------------------------------


def test_the_township_review_is_the_township_s_and_a_weekly_meeting_the_village_s(team, world, manager, client_for):
    client = client_for(manager)
    data = {"kind": "乡镇月度讲评", "held_on": TODAY.isoformat(), "host": "党委书记", "content": "讲评"}
    refused = client.post("/teams/meetings/add/", {**data, "region": world.village_a.pk})
    assert refused.status_code == 200 and "乡镇月度讲评请选择乡镇" in refused.content.decode()
    assert client.post("/teams/meetings/add/", {**data, "region": world.township_a.pk}).status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.region, meeting.recorded_by) == (world.township_a, manager)


# --- the 后盾单位 -------------------------------------------------------------------------------------------------


def test_the_units_ledger_shows_missed_quarters_and_late_funds(team, world, settings):
    other = make_team(world.village_b)
    year = TODAY.year - 1  # a whole year past: four quarters judged
    UnitVisit.objects.create(
        team=team,
        unit=team.unit,
        visited_on=datetime.date(year, 2, 1),
        leader="王局长",
        leader_post="主要领导",
        content="指导",
    )
    UnitFund.objects.create(
        team=team, unit=team.unit, year=year, amount=Decimal("50000"), paid_on=datetime.date(year, 7, 1)
    )
    UnitFund.objects.create(
        team=other, unit=other.unit, year=year, amount=Decimal("30000"), paid_on=datetime.date(year, 9, 5)
    )
    ledger = engine.resolve("team-units")
    ctx = engine.make_context(ledger, world.admin, world.county.code, {"year": str(year)})
    header, rows = engine.preview(ledger, ctx)
    by_village = {row[header.index("驻点村")]: row for row in rows}
    assert by_village["甲村"][header.index("未到村指导的季度")] == "3"
    assert by_village["甲村"][header.index("拨付情况")] == "按期拨付"
    assert by_village["乙村"][header.index("拨付情况")] == "逾期拨付（期限 08-31）"


# --- personal data and scope ---------------------------------------------------------------------------------------


def test_a_member_s_phone_and_id_are_masked_and_showing_them_is_logged(team, manager, client_for):
    member = make_member(team, "王队员", phone="13912345678", id_number="11010519491231002X")
    client = client_for(manager)
    listing = client.get("/teams/members/").content.decode()
    assert "139****5678" in listing and "13912345678" not in listing
    page = client.get(f"/teams/members/{member.pk}/").content.decode()
    assert "110105********002X" in page and "11010519491231002X" not in page
    shown = client.get(f"/teams/members/{member.pk}/show/id_number/").content.decode()
    assert "11010519491231002X" in shown
    assert AccessLog.objects.filter(action=AccessLog.UNMASK, field="id_number").count() == 1


def test_a_member_sees_his_own_village_only(team, world, client_for):
    member = make_member(team, username="local")
    elsewhere = make_member(make_team(world.village_b), "乙村队员")
    leave = Absence.objects.create(
        member=elsewhere, kind="事假", start_date=TODAY, end_date=TODAY, days=1, reason="事", state=c.PENDING_TOWNSHIP
    )
    client = client_for(member.user)
    assert client.get(f"/teams/members/{elsewhere.pk}/").status_code == 404
    assert client.get(f"/teams/absences/{leave.pk}/").status_code == 404
    names = client.get("/teams/members/").content.decode()
    assert "张队员" in names and "乙村队员" not in names
    assert TeamMember.objects.restrict(member.user, "view").count() == 1


# --- the figures a dashboard card shows --------------------------------------------------------------------------


def test_the_dashboard_figures_count_the_rows_their_lists_show(team, world, manager, client_for):
    from shoudi.teams.attendance import month_bounds
    from shoudi.teams.figures import coverage_figures, missing_log_figures, under_minimum_figures
    from shoudi.teams.selectors import previous_month

    year, month = previous_month(TODAY)
    first, last = month_bounds(year, month)
    short = make_member(team, "少天数", start_date=first - datetime.timedelta(days=30))
    enough = make_member(team, "够天数", start_date=first - datetime.timedelta(days=30))
    make_checkins(short, [first + datetime.timedelta(days=n) for n in range(19)])
    make_checkins(enough, [first + datetime.timedelta(days=n) for n in range(20)])
    code = world.village_a.code
    figures = {(c, b): v for c, b, v in under_minimum_figures([code], TODAY)}
    assert figures == {(code, "members"): 2, (code, "under"): 1}
    page = client_for(manager).get("/teams/attendance/", {"month": f"{year}-{month:02d}"}).content.decode()
    assert page.count('class="table-danger"') == 1

    logs = {(c, b): v for c, b, v in missing_log_figures(None, TODAY)}
    listing = client_for(manager).get("/teams/members/?todo=missing_logs").content.decode()
    assert logs[(code, "members")] == 2 and "少天数" in listing and "够天数" in listing

    make_household(world.village_a, household_no="A1", household_type="脱贫户")
    _visit(make_household(world.village_a, household_no="A2", household_type="一般农户"))
    cover = {(c, b): v for c, b, v in coverage_figures([code], TODAY)}
    assert (cover[(code, "total:脱贫户")], cover[(code, "visited:一般农户")], cover[(code, "total:一般农户")]) == (
        1,
        1,
        1,
    )
    assert list(coverage_figures([world.village_b.code], TODAY)) == []
