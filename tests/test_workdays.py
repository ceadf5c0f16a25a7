"""The working-day calendar: National Day 2026 with its 调休 Saturday, the weekends-only fallback for 2027, the
command, the 节假日 page and the November warning."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from shoudi.core.models import Holiday
from shoudi.core.views.holidays import missing_next_year
from shoudi.core.workdays import add_workdays, is_workday, workdays_between

D = datetime.date
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_calendar")]


def test_national_day_2026_and_its_working_saturday():
    result = add_workdays(D(2026, 9, 30), 7)
    assert result.date == D(2026, 10, 15)
    assert not result.fallback
    assert is_workday(D(2026, 10, 10))  # a Saturday, worked in lieu (调休)
    assert is_workday(D(2026, 9, 20))  # a Sunday, worked in lieu
    assert not is_workday(D(2026, 10, 7))  # a Wednesday of the holiday
    assert not is_workday(D(2026, 10, 11))  # an ordinary Sunday
    # 10-08, 10-09, 10-10 (Saturday), 10-12 … 10-15: seven working days after 09-30
    assert workdays_between(D(2026, 9, 30), D(2026, 10, 15)).days == 7
    assert workdays_between(D(2026, 10, 15), D(2026, 9, 30)).days == -7


def test_2027_falls_back_to_weekends_and_says_so():
    result = add_workdays(D(2026, 12, 30), 5)
    # 12-31, then 2027: 01-01 (a Friday, 元旦 — not entered), 01-04, 01-05, 01-06
    assert result.date == D(2027, 1, 6)
    assert result.fallback_years == (2027,)
    count = workdays_between(D(2027, 1, 1), D(2027, 1, 31))
    assert count.days == 20 and count.fallback
    # once a county admin enters 元旦, 2027 is counted on the calendar
    Holiday.objects.create(date=D(2027, 1, 1), kind=Holiday.REST, name="元旦")
    result = add_workdays(D(2026, 12, 30), 5)
    assert result.date == D(2027, 1, 7) and not result.fallback


def test_a_county_row_overrides_the_national_calendar():
    Holiday.objects.create(region_code="520102", date=D(2026, 10, 10), kind=Holiday.REST, name="县里放假")
    assert add_workdays(D(2026, 9, 30), 7, region_code="520102001001").date == D(2026, 10, 16)
    assert add_workdays(D(2026, 9, 30), 7, region_code="520103").date == D(2026, 10, 15)


def test_the_command_prints_the_deadline_and_the_count():
    out, err = StringIO(), StringIO()
    call_command("workdays", "add", "2026-09-30", "7", stdout=out, stderr=err)
    assert out.getvalue().strip() == "2026-10-15" and err.getvalue() == ""
    out = StringIO()
    call_command("workdays", "between", "2026-09-30", "2026-10-15", stdout=out)
    assert out.getvalue().strip() == "7"
    out, err = StringIO(), StringIO()
    call_command("workdays", "between", "2027-01-01", "2027-01-31", stdout=out, stderr=err)
    assert out.getvalue().strip() == "20"
    assert "2027 年的节假日尚未录入" in err.getvalue()


def test_the_holiday_page_by_year(world, client_for):
    client = client_for(world.admin)
    page = client.get("/system/holidays/?year=2026")
    assert page.status_code == 200
    text = page.content.decode()
    assert "2026-10-10" in text and "国庆节" in text and "2025-10-01" not in text
    page = client.post("/system/holidays/add/", {"date": "2027-02-06", "kind": "work", "name": "春节"})
    assert page.status_code == 302
    row = Holiday.objects.get(date=D(2027, 2, 6))
    assert row.region_code == world.county.code[:6]
    # a weekday entered as 调休上班 is refused with its reason
    page = client.post("/system/holidays/add/", {"date": "2027-02-08", "kind": "work", "name": "春节"})
    assert "调休上班日应是周六或周日" in page.content.decode()
    assert client.post(f"/system/holidays/{row.pk}/delete/").status_code == 302
    assert not Holiday.objects.filter(pk=row.pk).exists()


def test_only_the_county_admin_edits_and_only_his_county(world, client_for):
    national = Holiday.objects.get(date=D(2026, 10, 1))
    other = Holiday.objects.create(region_code=world.other_county.code, date=D(2027, 1, 1), kind="rest", name="元旦")
    officer = client_for(world.officer_a)
    assert officer.get("/system/holidays/").status_code == 200
    assert officer.get("/system/holidays/add/").status_code == 403
    admin = client_for(world.admin)
    assert admin.get(f"/system/holidays/{other.pk}/edit/").status_code == 404  # another county's row
    assert admin.get(f"/system/holidays/{national.pk}/edit/").status_code == 403  # the national calendar: read only
    assert "元旦" not in admin.get("/system/holidays/?year=2027").content.decode()


def test_the_november_warning(world, client_for, monkeypatch):
    assert missing_next_year(D(2026, 10, 31)) is None
    assert missing_next_year(D(2026, 11, 1)) == 2027
    assert missing_next_year(D(2025, 11, 1)) is None  # 2026 is seeded
    monkeypatch.setattr("shoudi.core.views.holidays.timezone.localdate", lambda: D(2026, 11, 2))
    admin = client_for(world.admin)
    assert "2027 年的节假日和调休安排尚未录入" in admin.get("/").content.decode()
    assert "2027 年的节假日和调休安排尚未录入" in admin.get("/system/holidays/").content.decode()
    assert "尚未录入" not in client_for(world.officer_a).get("/").content.decode()
    admin = client_for(world.admin)
    assert "尚未录入" in admin.get("/").content.decode()
    Holiday.objects.create(region_code=world.county.code, date=D(2027, 1, 1), kind="rest", name="元旦")
    assert "尚未录入" not in admin.get("/").content.decode()
