"""收入预估 (S004 (七)): the estimate entered at a visit and the three lists read from it — 不增反降 (lower than last
year's recorded per capita), 低于 1 万元 (the configurable floor) and below the year's line — at their boundaries,
in scope."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shoudi.assistance import estimates as est
from shoudi.assistance.models import IncomeEstimate, Visit
from shoudi.core.models import AccessLog
from shoudi.monitoring.models import MonitoringLine, MonitoringSettings
from shoudi.registry.testing import make_household, make_income

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def estimate(household, user, wage, *, size=1, **amounts):
    return est.record_estimate(
        household=household,
        user=user,
        year=YEAR,
        amounts={"wage": Decimal(wage), **{k: Decimal(v) for k, v in amounts.items()}},
        household_size=size,
    )


def heads(user, key, region_code=""):
    return {e.head_name for e in est.list_rows(user, key, YEAR, region_code)}


@pytest.fixture
def village(world):
    """Households of village A with last year's income and this year's estimate (per capita, 元)."""
    cases = {
        "floor": (None, "10000.00"),  # exactly the floor: not under it
        "under_floor": (None, "9999.99"),
        "same": ("12000.00", "12000.00"),  # equal to last year: not 不增反降
        "fen_lower": ("12000.00", "11999.99"),
        "line": (None, "8000.00"),
        "under_line": (None, "7999.99"),
        "rising": ("9000.00", "15000.00"),
    }
    for name, (last_year, this_year) in cases.items():
        home = make_household(world.village_a, household_no=f"E-{name}", head=name)
        if last_year is not None:
            make_income(home, YEAR - 1, size=1, wage=last_year)
        estimate(home, world.officer_a, this_year)
    MonitoringLine.objects.create(year=YEAR, amount=Decimal("8000"))
    return cases


def test_the_lists_at_their_boundaries(world, village):
    assert heads(world.officer_a, est.DROPPED) == {"fen_lower"}
    assert heads(world.officer_a, est.BELOW_FLOOR) == {"under_floor", "line", "under_line"}
    assert heads(world.officer_a, est.BELOW_LINE) == {"under_line"}
    assert est.estimate_lists(world.officer_a, YEAR) == {"dropped": 1, "below_floor": 3, "below_line": 1}


def test_the_floor_is_the_monitoring_settings(world, village):
    MonitoringSettings.objects.create(region=world.county, low_income_floor=Decimal("12000"))
    assert heads(world.officer_a, est.BELOW_FLOOR) == {"floor", "under_floor", "fen_lower", "line", "under_line"}


def test_a_later_estimate_replaces_the_earlier_one(world, village):
    home = IncomeEstimate.objects.get(household__household_no="E-fen_lower").household
    again = estimate(home, world.officer_a, "12000.01")
    assert IncomeEstimate.objects.filter(household=home).count() == 1 and again.per_capita == Decimal("12000.01")
    assert heads(world.officer_a, est.DROPPED) == set()


def test_per_capita_is_net_income_over_the_persons(world):
    home = make_household(world.village_a, household_no="E-3", head="三口")
    made = estimate(home, world.officer_a, "20000", size=3, business="9000", business_cost="2000", transfer="3000")
    assert made.net_income == Decimal("30000.00") and made.per_capita == Decimal("10000.00")


def test_scope_and_bad_input_are_refused(world, client_for, village):
    home = IncomeEstimate.objects.get(household__household_no="E-line").household
    with pytest.raises(PermissionDenied):
        estimate(home, world.officer_b, "5000")
    with pytest.raises(ValidationError, match="工资性收入不能为负数"):
        estimate(home, world.officer_a, "-1")
    with pytest.raises(ValidationError, match="只能预估"):
        est.record_estimate(household=home, user=world.officer_a, year=YEAR - 3, amounts={}, household_size=1)
    assert heads(world.officer_b, est.BELOW_FLOOR) == set()  # village B sees none of village A's
    assert client_for(world.officer_b).get(f"/assistance/households/{home.pk}/estimate/").status_code == 404
    page = client_for(world.officer_b).get("/assistance/estimates/?list=below_floor").content.decode()
    assert "under_floor" not in page and "没有符合条件的农户" in page


def test_the_page_has_three_tabs_and_exports(world, client_for, village):
    client = client_for(world.reviewer_a)
    page = client.get("/assistance/estimates/?list=below_floor").content.decode()
    assert "不增反降" in page and "低于1万元" in page and "低于监测线" in page
    assert "under_floor" in page and "9999.99" in page and ">floor<" not in page
    assert "10,000.00 元" in page and "8,000.00 元/人·年" in page
    page = client.get("/assistance/estimates/?list=dropped").content.decode()
    assert "fen_lower" in page and "11999.99" in page and "12000.00" in page and ">same<" not in page
    response = client.get("/assistance/estimates/export/?list=below_line")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()[3:]
    assert [(r[3], r[12]) for r in rows] == [("under_line", 7999.99)]
    assert AccessLog.objects.filter(user=world.reviewer_a, action="export", record_count=1).exists()


def test_the_cadre_enters_it_from_the_visit_page(world, client_for):
    home = make_household(world.village_a, household_no="E-visit", head="走访户")
    visit = Visit.objects.create(household=home, visitor="甲村信息员", content="入户走访")
    client = client_for(world.officer_a)
    page = client.get(f"/assistance/visit/{home.pk}/").content.decode()
    assert f"/assistance/households/{home.pk}/estimate/?visit={visit.pk}" in page
    form = client.get(f"/assistance/households/{home.pk}/estimate/?visit={visit.pk}")
    assert form.status_code == 200
    response = client.post(
        f"/assistance/households/{home.pk}/estimate/",
        {
            "year": YEAR,
            "wage": "8000",
            "business": "1000",
            "property_income": "0",
            "transfer": "999.98",
            "business_cost": "0",
            "household_size": "1",
            "visit": visit.pk,
            "note": "务工收入减少",
        },
    )
    assert response.status_code == 302
    made = IncomeEstimate.objects.get(household=home, year=YEAR)
    assert made.per_capita == Decimal("9999.98") and made.visit == visit and made.entered_by == world.officer_a
    assert heads(world.officer_a, est.BELOW_FLOOR) == {"走访户"}
    refused = client.post(f"/assistance/households/{home.pk}/estimate/", {"year": YEAR, "household_size": "0"})
    assert refused.status_code == 422 and "计算人口数" in refused.content.decode()


def test_the_ledger_lists_the_three_groups(world, village, tmp_path):
    from tests.test_ledgers import build

    sheet = build("income-estimates", world.admin, tmp_path, year=YEAR)
    assert sorted(sheet.column("户主姓名")) == sorted(["fen_lower", "under_floor", "line", "under_line"])
    row = sheet.row_of("户主姓名", "fen_lower")
    assert row["上年人均纯收入"] == 12000 and row["预估人均纯收入"] == 11999.99
    assert row["重点人群"] == "收入不增反降"
    assert sheet.row_of("户主姓名", "under_line")["重点人群"] == "低于监测线、低于10,000元"
    assert build("income-estimates", world.officer_b, tmp_path, year=YEAR).rows == []


def test_before_the_years_line_is_published_the_last_one_applies(world):
    MonitoringLine.objects.create(year=YEAR - 1, amount=Decimal("7600"))
    for name, per_capita in (("old_line", "7599.99"), ("at_old_line", "7600.00")):
        estimate(make_household(world.village_a, household_no=f"E-{name}", head=name), world.officer_a, per_capita)
    assert heads(world.officer_a, est.BELOW_LINE) == {"old_line"}
    assert (
        est.thresholds(world.officer_a, YEAR)["line"] == f"7,600.00 元/人·年（{YEAR} 年监测线未公布，按 {YEAR - 1} 年）"
    )
    MonitoringLine.objects.create(year=YEAR, amount=Decimal("8000"))
    assert heads(world.officer_a, est.BELOW_LINE) == {"old_line", "at_old_line"}
