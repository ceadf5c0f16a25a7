"""驻村考勤 (issue 19): days in the village per month and the flag under 20, the weekly 住四晚干五天, 公出 reported in
advance, the manager's 补录, the leave chain by length, and the doubtful check-in far from the village."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from shoudi.accounts.roles import ORGANIZATION, TEAM_MANAGER
from shoudi.accounts.testing import make_user
from shoudi.ledgers import engine
from shoudi.teams import choices as c
from shoudi.teams import services
from shoudi.teams.attendance import month_rows
from shoudi.teams.models import Absence, CheckIn, TeamSettings
from shoudi.teams.testing import make_checkins, make_member, make_team

MAY = [datetime.date(2026, 5, d) for d in range(1, 32)]


@pytest.fixture
def team(world):
    return make_team(world.village_a)


@pytest.fixture
def manager(world):
    return make_user("manager_a", TEAM_MANAGER, world.township_a, name="甲镇驻村管理员")


@pytest.fixture
def organization(world):
    return make_user("zuzhibu", ORGANIZATION, world.county, name="县委组织部")


def _row(member, year=2026, month=5):
    return next(r for r in month_rows([member], year, month, today=datetime.date(2026, 6, 15)) if r.member == member)


# --- days per month ---------------------------------------------------------------------------------------------


def test_nineteen_days_in_the_village_are_flagged_and_twenty_are_not(team, world, client_for, manager):
    short = make_member(team, "少一天", username="short")
    enough = make_member(team, "刚够数", username="enough")
    make_checkins(short, MAY[:19])
    make_checkins(enough, MAY[:20])
    make_checkins(enough, MAY[:3])  # a second check-in on a day is still one day

    assert (_row(short).village_days, _row(short).under, _row(short).flag) == (19, True, "不足20天")
    assert (_row(enough).village_days, _row(enough).under, _row(enough).flag) == (20, False, "")

    out = io.StringIO()
    call_command("attendance", "--month", "2026-05", "--region", world.township_a.code, stdout=out)
    lines = {line.split("\t")[1]: line for line in out.getvalue().splitlines() if "\t" in line}
    assert "在村 19 天" in lines["少一天"] and lines["少一天"].endswith("不足20天")
    assert "在村 20 天" in lines["刚够数"] and "不足" not in lines["刚够数"]
    assert "不足规定天数 1 人" in out.getvalue()

    html = client_for(manager).get("/teams/attendance/", {"month": "2026-05"}).content.decode()
    assert html.count('class="table-danger"') == 1 and "不足20天" in html
    under = client_for(manager).get("/teams/attendance/", {"month": "2026-05", "under": "on"}).content.decode()
    assert 'id="row-count">1<' in under and "少一天" in under and "刚够数" not in under
    other = client_for(manager).get("/teams/attendance/", {"month": "2026-05", "area": world.village_a2.code})
    assert "少一天" not in other.content.decode()  # the area the dashboards link with: another village


def test_the_monthly_ledger_flags_the_member_under_twenty(team, world, manager, tmp_path):
    short = make_member(team, "少一天")
    enough = make_member(team, "刚够数")
    make_checkins(short, MAY[:19])
    make_checkins(enough, MAY[:20])
    ledger = engine.resolve("team-attendance")
    ctx = engine.make_context(ledger, manager, world.township_a.code, {"month": "2026-05-01"})
    header, rows = engine.preview(ledger, ctx)
    by_name = {row[header.index("姓名")]: row for row in rows}
    assert by_name["少一天"][header.index("在村天数")] == "19"
    assert by_name["少一天"][header.index("考勤情况")] == "不足20天"
    assert by_name["刚够数"][header.index("考勤情况")] == ""


def test_a_member_appointed_mid_month_owes_his_share_of_the_days(team):
    late = make_member(team, "月中到岗", start_date=datetime.date(2026, 5, 17))  # 15 of 31 days
    make_checkins(late, MAY[16:26])  # 10 days
    row = _row(late)
    assert (row.required, row.village_days, row.under) == (10, 10, False)


def test_the_minimum_is_configuration(team, world):
    TeamSettings.objects.create(region=world.county, min_days=22)
    member = make_member(team)
    make_checkins(member, MAY[:21])
    assert _row(member).flag == "不足22天"


# --- 住四晚干五天 and 公出 -----------------------------------------------------------------------------------------


def test_a_week_with_five_days_but_three_nights_is_short(team):
    member = make_member(team)
    monday = datetime.date(2026, 5, 4)
    week = [monday + datetime.timedelta(days=i) for i in range(5)]
    make_checkins(member, week[:3])  # three evenings
    make_checkins(member, week[3:], night=False)  # two days only
    weeks = {w.monday: w for w in _row(member).weeks}
    assert (weeks[monday].days, weeks[monday].nights, weeks[monday].ok) == (5, 3, False)
    make_checkins(member, [week[3]])  # a fourth night
    weeks = {w.monday: w for w in _row(member).weeks}
    assert weeks[monday].ok


def test_official_trips_reported_in_advance_count_as_days_in_the_village(team, world, manager, settings):
    member = make_member(team, username="traveller")
    today = timezone.localdate()
    start = today + datetime.timedelta(days=2)
    trip = services.report_absence(
        user=member.user,
        member=member,
        category=c.OFFICIAL,
        kind="培训",
        start_date=start,
        end_date=start + datetime.timedelta(days=2),
        reason="县委组织部驻村干部培训班",
    )
    assert trip.state == c.REPORTED and trip.days == 3
    later = start + datetime.timedelta(days=10)
    row = next(iter(month_rows([member], start.year, start.month, today=later)))
    assert row.official_days == 3 and row.village_days == 3 and row.leave_days == 0

    with pytest.raises(services.Refused, match="出发前报备"):
        services.report_absence(
            user=member.user,
            member=member,
            category=c.OFFICIAL,
            kind="会议",
            start_date=today - datetime.timedelta(days=1),
            end_date=today - datetime.timedelta(days=1),
            reason="事后补报",
        )


# --- 补录 --------------------------------------------------------------------------------------------------------


def test_a_manager_makes_up_a_day_with_a_reason_and_a_member_cannot(team, manager, client_for):
    member = make_member(team, username="forgetful")
    day = datetime.date(2026, 5, 6)
    with pytest.raises(services.Refused, match="补录原因"):
        services.make_up(user=manager, member=member, day=day, reason=" ")
    with pytest.raises(services.Refused, match="乡镇驻村管理员"):
        services.make_up(user=member.user, member=member, day=day, reason="忘记签到")

    response = client_for(manager).post(
        f"/teams/members/{member.pk}/makeup/",
        {"makeup-day": "2026-05-06", "makeup-night": "on", "makeup-reason": "手机无信号，经村两委核实"},
    )
    assert response.status_code == 302
    made = CheckIn.objects.get(member=member)
    assert (made.kind, made.day, made.night_of, made.entered_by) == (c.MAKE_UP, day, day, manager)
    assert _row(member).village_days == 1 and _row(member).nights == 1


# --- the leave chain --------------------------------------------------------------------------------------------


def _leave(member, days: int, start=datetime.date(2026, 5, 11)):
    return services.report_absence(
        user=member.user,
        member=member,
        category=c.LEAVE,
        kind="事假",
        start_date=start,
        end_date=start + datetime.timedelta(days=days - 1),
        reason="家中有事",
    )


def test_a_six_day_leave_needs_the_county_s_approval(team, manager, organization, client_for):
    member = make_member(team, username="away")
    leave = _leave(member, 6)
    assert (leave.days, leave.state) == (6, c.PENDING_TOWNSHIP)
    with pytest.raises(services.Refused, match="乡镇驻村管理员"):
        services.decide_absence(user=organization, absence=leave, approve=True)

    client = client_for(manager)
    page = client.get(f"/teams/absences/{leave.pk}/").content.decode()
    assert "同意，报县委组织部" in page
    assert 'id="todo-badge">1<' in page  # waiting for him
    client.post(f"/teams/absences/{leave.pk}/decide/", {"decision": "approve", "decide-opinion": "同意"})
    leave.refresh_from_db()
    assert leave.state == c.PENDING_COUNTY and leave.township_by == "甲镇驻村管理员"
    assert _row(member).leave_days == 0  # not leave until the county approves
    with pytest.raises(services.Refused, match="县委组织部审批"):
        services.decide_absence(user=manager, absence=leave, approve=True)
    assert "decide" not in services.allowed_actions(leave, manager)

    response = client_for(organization).post(f"/teams/absences/{leave.pk}/decide/", {"decision": "approve"})
    assert response.status_code == 302
    leave.refresh_from_db()
    assert (leave.state, leave.county_by) == (c.APPROVED, "县委组织部")
    assert _row(member).leave_days == 6


def test_a_five_day_leave_is_the_township_s_to_approve(team, manager):
    member = make_member(team, username="short_leave")
    leave = services.decide_absence(user=manager, absence=_leave(member, 5), approve=True)
    assert leave.state == c.APPROVED and leave.county_by == ""
    returned = services.return_from_leave(user=member.user, absence=leave, returned_on=datetime.date(2026, 5, 14))
    assert returned.state == c.RETURNED
    assert _row(member).leave_days == 3  # back on the 14th: the 11th to the 13th


def test_a_refusal_needs_an_opinion_and_overlapping_requests_are_refused(team, manager):
    member = make_member(team, username="busy")
    leave = _leave(member, 2)
    with pytest.raises(services.Refused, match="填写意见"):
        services.decide_absence(user=manager, absence=leave, approve=False)
    with pytest.raises(services.Refused, match="重叠"):
        _leave(member, 3, start=datetime.date(2026, 5, 12))
    services.decide_absence(user=manager, absence=leave, approve=False, opinion="近期有迎检任务")
    assert Absence.objects.get(pk=leave.pk).state == c.REJECTED


def test_a_member_of_another_village_cannot_request_leave_for_him(team, world):
    member = make_member(team, username="one")
    other = make_member(make_team(world.village_b), username="other")
    with pytest.raises(services.Refused, match="本人"):
        services.report_absence(
            user=other.user,
            member=member,
            category=c.LEAVE,
            kind="病假",
            start_date=datetime.date(2026, 5, 1),
            end_date=datetime.date(2026, 5, 2),
            reason="代请",
        )


# --- the check-in and its doubts ----------------------------------------------------------------------------------


def test_a_check_in_far_from_the_village_is_flagged(team, client_for):
    member = make_member(team, username="walker")
    client = client_for(member.user)
    near = {"latitude": "26.584000", "longitude": "106.707500", "accuracy": "30"}  # about 120 m from the 村部
    response = client.post("/teams/checkin/", near, follow=True)
    assert "已签到" in response.content.decode()
    first = CheckIn.objects.get(member=member)
    assert (first.flagged, first.accuracy) == (False, 30) and first.distance < 200
    assert timezone.now() - first.at < datetime.timedelta(minutes=1)  # the server's time

    later = timezone.now() + datetime.timedelta(hours=5)  # far enough in time not to be a jump
    far, _ = services.check_in(user=member.user, latitude="26.683000", longitude="106.707000", accuracy=50, now=later)
    assert far.flagged and "距驻村地点 11.1 公里" in far.flag_note
    assert far.distance == pytest.approx(11_120, abs=50)
    html = client_for(member.user).get("/teams/checkins/?flagged=true").content.decode()
    assert "距驻村地点 11.1 公里" in html


def test_an_improbable_jump_is_flagged_and_a_double_tap_is_one_check_in(team):
    member = make_member(team, username="jumper")
    team.latitude = team.longitude = None  # no place to compare with: only the jump can be judged
    team.save()
    now = timezone.now()
    first, new = services.check_in(user=member.user, latitude=26.583, longitude=106.707, accuracy=20, now=now)
    again, new_again = services.check_in(user=member.user, now=now + datetime.timedelta(seconds=20))
    assert new and not new_again and again == first
    jump, _ = services.check_in(
        user=member.user, latitude=27.0, longitude=106.707, accuracy=20, now=now + datetime.timedelta(minutes=10)
    )
    assert jump.flagged and "位置跳变异常" in jump.flag_note and jump.distance is None
    assert CheckIn.objects.filter(member=member).count() == 2


def test_a_check_in_without_a_position_is_kept_and_not_flagged(team):
    member = make_member(team, username="no_gps")
    checkin, _ = services.check_in(user=member.user)
    assert (checkin.latitude, checkin.flagged, checkin.distance) == (None, False, None)


def test_only_a_current_member_checks_in(team, world):
    member = make_member(team, username="gone")
    services.end_assignment(user=world.admin, member=member, end_date=datetime.date(2026, 5, 31), reason="任期届满")
    with pytest.raises(services.Refused, match="在岗"):
        services.check_in(user=member.user)


def test_a_late_evening_check_in_proves_that_night_and_an_early_one_the_night_before(team):
    member = make_member(team, username="night")
    evening = timezone.make_aware(datetime.datetime(2026, 5, 4, 21, 30))
    early = timezone.make_aware(datetime.datetime(2026, 5, 6, 5, 10))
    noon = timezone.make_aware(datetime.datetime(2026, 5, 7, 12, 0))
    a, _ = services.check_in(user=member.user, now=evening)
    b, _ = services.check_in(user=member.user, now=early)
    d, _ = services.check_in(user=member.user, now=noon)
    assert (a.day, a.night_of) == (datetime.date(2026, 5, 4), datetime.date(2026, 5, 4))
    assert (b.day, b.night_of) == (datetime.date(2026, 5, 6), datetime.date(2026, 5, 5))
    assert d.night_of is None


def test_decimal_positions_are_stored_as_given(team):
    member = make_member(team, username="precise")
    checkin, _ = services.check_in(user=member.user, latitude=Decimal("26.5830004"), longitude=Decimal("106.707"))
    assert checkin.latitude == Decimal("26.583000")


# --- the ledgers ----------------------------------------------------------------------------------------------------

TEAM_LEDGERS = ("team-members", "team-attendance", "team-attendance-year", "team-absences", "team-logs", "team-units")


def test_every_team_ledger_writes_its_file_with_ids_masked_for_a_reader_who_may_not_unmask(
    team, world, manager, tmp_path
):
    from .test_ledgers import read_sheet

    member = make_member(team, "王队员", username="wang", phone="13912345678", id_number="11010519491231002X")
    make_checkins(member, MAY[:19])
    services.decide_absence(user=manager, absence=_leave(member, 2), approve=True)
    params = {"month": "2026-05-01", "year": "2026"}
    for name in TEAM_LEDGERS:
        ledger = engine.resolve(name, manager)
        ctx = engine.make_context(ledger, manager, world.township_a.code, params)
        path = tmp_path / f"{name}.xlsx"
        count = engine.write_xlsx(ledger, ctx, path)
        sheet = read_sheet(path)
        assert count == len(sheet.rows) == 1, name
        assert sheet.title == ledger.title
    people = read_sheet(tmp_path / "team-members.xlsx").row_of("姓名", "王队员")
    assert people["身份证号"] == "11010519491231002X" and people["联系电话"] == "13912345678"  # the manager may unmask
    assert read_sheet(tmp_path / "team-absences.xlsx").row_of("姓名", "王队员")["状态"] == "已批准"
    assert read_sheet(tmp_path / "team-logs.xlsx").row_of("姓名", "王队员")["日志篇数"] == 0

    ledger = engine.resolve("team-members", world.reviewer_a)
    ctx = engine.make_context(ledger, world.reviewer_a, world.township_a.code, params)
    engine.write_xlsx(ledger, ctx, tmp_path / "reviewer.xlsx")
    masked = read_sheet(tmp_path / "reviewer.xlsx").row_of("姓名", "王队员")
    assert masked["身份证号"] == "110105********002X" and masked["联系电话"] == "139****5678"


def test_a_garbled_position_does_not_stop_the_check_in_and_a_photo_is_served_to_the_manager(
    team, manager, client_for, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path / "files"
    member = make_member(team, username="snapper")
    photo = SimpleUploadedFile("村部.jpg", b"\xff\xd8\xff\xe0 photo", content_type="image/jpeg")
    response = client_for(member.user).post("/teams/checkin/", {"latitude": "北纬", "longitude": "x", "photo": photo})
    assert response.status_code == 302
    checkin = CheckIn.objects.get(member=member)
    assert checkin.latitude is None and checkin.photo.name.endswith(".jpg")
    page = client_for(manager).get(f"/teams/members/{member.pk}/").content.decode()
    assert f"/system/files/checkin_photo/{checkin.pk}/" in page
    assert client_for(manager).get(f"/system/files/checkin_photo/{checkin.pk}/").status_code == 200
