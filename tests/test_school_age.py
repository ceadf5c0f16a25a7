"""School ages by the school year (控辍保学): a child starts school in the September after turning 6 by 31 August.

The one rule (``core.dates.SchoolAgeRule``, configured in 监测参数) serves the 控辍保学 ledger and the 教育 matching
rule; asserted on the rule itself, on the ledger's rows and on the findings of a run.
"""

from __future__ import annotations

import datetime

import pytest

from shoudi.accounts.testing import make_region
from shoudi.core.dates import SchoolAgeRule, age_on, school_year_start
from shoudi.matching.testing import accept_any_coverage, findings_of, run_list
from shoudi.monitoring.models import MonitoringSettings
from shoudi.monitoring.policy import school_age_rule
from shoudi.registry.testing import make_household, make_member
from tests.test_ledgers import build

D = datetime.date
RULE = SchoolAgeRule()


# --- the rule ------------------------------------------------------------------------------------------------------


def test_the_school_year_begins_on_1_september():
    assert school_year_start(D(2026, 7, 15)) == D(2025, 9, 1)
    assert school_year_start(D(2026, 8, 31)) == D(2025, 9, 1)
    assert school_year_start(D(2026, 9, 1)) == D(2026, 9, 1)
    assert school_year_start(D(2026, 12, 1)) == D(2026, 9, 1)


def test_the_age_that_counts_is_the_age_on_31_august_of_the_school_year():
    november = D(2020, 11, 8)
    assert RULE.age(november, D(2026, 12, 1)) == 5 and age_on(november, D(2026, 12, 1)) == 6
    assert not RULE.applies(november, D(2026, 12, 1))  # 6 after 31 August: school from September 2027
    assert RULE.applies(november, D(2027, 9, 1))
    assert RULE.applies(D(2020, 8, 31), D(2026, 12, 1))  # 6 on 31 August itself
    # July still belongs to the school year that began the September before
    assert not RULE.applies(D(2020, 8, 31), D(2026, 7, 31))
    assert RULE.age(D(2020, 8, 31), D(2026, 7, 31)) == 5
    # at the top: 16 on 31 August stays of school age through the school year, 17 does not
    assert RULE.applies(D(2009, 9, 1), D(2027, 3, 1)) and age_on(D(2009, 9, 1), D(2027, 3, 1)) == 17
    assert not RULE.applies(D(2009, 8, 31), D(2026, 9, 1))
    assert not RULE.applies(None, D(2026, 9, 1))


def test_children_born_on_29_february():
    leap = D(2020, 2, 29)
    assert RULE.age(leap, D(2026, 9, 1)) == 6
    assert RULE.age(leap, D(2026, 7, 1)) == 5
    # the cut-off day lies in the year the school year begins: with 28 February, a child born on the 29th is not
    # yet 6 on 28 February 2026 (a common year) and starts school in September 2027
    end_of_february = SchoolAgeRule(cutoff_month=2, cutoff_day=28)
    assert end_of_february.cutoff(D(2026, 9, 1)) == D(2026, 2, 28)
    assert end_of_february.age(leap, D(2026, 9, 1)) == 5
    assert end_of_february.age(leap, D(2027, 9, 1)) == 6
    assert not end_of_february.applies(leap, D(2026, 9, 1)) and end_of_february.applies(leap, D(2027, 9, 1))
    # a cut-off of 29 February is 28 February in a common year
    leap_cutoff = SchoolAgeRule(cutoff_month=2, cutoff_day=29)
    assert leap_cutoff.cutoff(D(2027, 9, 1)) == D(2027, 2, 28)
    assert leap_cutoff.cutoff(D(2028, 9, 1)) == D(2028, 2, 29)
    assert leap_cutoff.age(D(2022, 2, 28), D(2028, 9, 1)) == 6
    assert leap_cutoff.age(D(2022, 3, 1), D(2028, 9, 1)) == 5
    assert leap_cutoff.age(leap, D(2026, 9, 1)) == 5  # 28 February 2026 stands for the 29th: not yet 6


@pytest.mark.parametrize(
    "rule",
    [RULE, SchoolAgeRule(cutoff_month=2, cutoff_day=29), SchoolAgeRule(12, 31, 7, 15), SchoolAgeRule(2, 28, 6, 6)],
    ids=["default", "29-february", "31-december", "one-year"],
)
@pytest.mark.parametrize("day", [D(2026, 7, 1), D(2026, 9, 1), D(2028, 2, 29), D(2028, 3, 1), D(2029, 8, 31)])
def test_the_birth_bounds_of_a_query_say_the_same_as_the_rule(rule, day):
    born_after, born_by = rule.birth_bounds(day)
    born, last = D(2005, 1, 1), D(2024, 12, 31)
    while born <= last:
        assert (born_after < born <= born_by) == rule.applies(born, day), born
        born += datetime.timedelta(days=1)


def test_the_rule_in_words():
    assert RULE.describe() == "按学年计算，当学年8月31日前（含）满6周岁至16周岁"


# --- configuration (监测参数) ---------------------------------------------------------------------------------------


def test_the_rule_comes_from_the_monitoring_settings_of_the_school_year(world):
    assert school_age_rule(world.village_a.code, D(2026, 12, 1)) == RULE
    MonitoringSettings.objects.create(
        region=world.county, year=2026, school_age_cutoff_month=12, school_age_cutoff_day=31
    )
    # the row of 2026 governs the school year that begins in September 2026, until 31 August 2027
    assert school_age_rule(world.village_a.code, D(2026, 8, 31)) == RULE
    assert school_age_rule(world.village_a.code, D(2026, 9, 1)).cutoff(D(2026, 9, 1)) == D(2026, 12, 31)
    assert school_age_rule(world.village_a.code, D(2027, 8, 31)).cutoff_month == 12
    assert school_age_rule(world.other_county.code, D(2026, 12, 1)) == RULE


MONITORING = {
    "publicity_days": 5,
    "identification_days": 15,
    "min_months_before_elimination": 3,
    "warn_months_before_elimination": 6,
    "edge_factor": "1.5",
    "low_income_floor": "10000",
    "income_drop_percent": 20,
    "medical_threshold_lifted": "10000",
    "medical_threshold_other": "20000",
    "school_age_cutoff_month": 12,
    "school_age_cutoff_day": 31,
    "school_age_min": 6,
    "school_age_max": 15,
}


def test_the_county_admin_sets_the_cut_off_day_on_the_settings_page(world, client_for):
    client = client_for(world.admin)
    page = client.get("/monitoring/settings/add/").content.decode()
    assert "学龄截止日（月）" in page and "学龄截止日（日）" in page and "控辍保学最小年龄（周岁）" in page
    response = client.post("/monitoring/settings/add/", {**MONITORING, "region": world.county.pk})
    assert response.status_code == 302
    saved = MonitoringSettings.objects.get()
    assert saved.school_age_rule == SchoolAgeRule(12, 31, 6, 15)
    listing = client.get("/monitoring/settings/").content.decode()
    assert "学龄截止日（月）" in listing


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"school_age_cutoff_month": 2, "school_age_cutoff_day": 30}, "2月没有30日"),
        ({"school_age_cutoff_month": 13}, "确保该值小于或等于12"),
        ({"school_age_min": 10, "school_age_max": 9}, "最大年龄不能小于最小年龄"),
    ],
)
def test_a_cut_off_day_that_does_not_exist_or_a_range_upside_down_is_refused(world, client_for, changes, error):
    response = client_for(world.admin).post(
        "/monitoring/settings/add/", {**MONITORING, "region": world.county.pk, **changes}
    )
    assert response.status_code == 200 and error in response.content.decode()
    assert not MonitoringSettings.objects.exists()


def test_29_february_is_a_cut_off_day(world, client_for):
    data = {**MONITORING, "region": world.county.pk, "school_age_cutoff_month": 2, "school_age_cutoff_day": 29}
    assert client_for(world.admin).post("/monitoring/settings/add/", data).status_code == 302


# --- the 控辍保学 ledger ------------------------------------------------------------------------------------------


@pytest.fixture
def preschool(world):
    """Two 脱贫户 children in 学前教育: one 6 on 31 August 2026, one 6 in November 2026."""
    home = make_household(world.village_a, household_no="S1", head="学前户", household_type="脱贫户")
    august = make_member(home, name="八月生", birth="20200831", student_status="学前教育")
    november = make_member(home, name="十一月生", birth="20201108", student_status="学前教育")
    return august, november


def test_dropout_ledger_counts_the_school_year_age(world, preschool, tmp_path):
    sheet = build("dropout", world.admin, tmp_path, reference=D(2026, 12, 1))
    assert sheet.names() == ["八月生"]  # 十一月生 turned 6 after 31 August: school from next September
    assert sheet.row_of("姓名", "八月生")["学年年龄（周岁）"] == 6
    assert (
        "口径：按学年计算，当学年8月31日前（含）满6周岁至16周岁；在校生状况为空、学龄前儿童或学前教育" in sheet.subtitle
    )
    assert build("dropout", world.admin, tmp_path, reference=D(2027, 9, 1)).names() == ["八月生", "十一月生"]


def test_dropout_ledger_follows_the_configured_cut_off(world, preschool, tmp_path):
    MonitoringSettings.objects.create(region=world.county, school_age_cutoff_month=12, school_age_cutoff_day=31)
    sheet = build("dropout", world.admin, tmp_path, reference=D(2026, 12, 1))
    assert sheet.names() == ["八月生", "十一月生"]
    assert "当学年12月31日前（含）满6周岁至16周岁" in sheet.subtitle


def test_dropout_ledger_takes_each_county_by_its_own_rule(world, preschool, tmp_path):
    MonitoringSettings.objects.create(region=world.other_county, school_age_cutoff_month=12, school_age_cutoff_day=31)
    make_region("520103001", "邻镇")
    neighbour = make_household(make_region("520103001001", "邻村"), household_no="S2", head="邻户")
    make_member(neighbour, name="邻县十一月生", birth="20201108", student_status="学前教育")
    sheet = build("dropout", None, tmp_path, reference=D(2026, 12, 1))  # the command line: every county
    assert sheet.names() == ["八月生", "邻县十一月生"]
    assert sheet.row_of("姓名", "邻县十一月生")["学年年龄（周岁）"] == 6
    assert "各县按本县监测参数" in sheet.subtitle


# --- the 教育 matching rule -----------------------------------------------------------------------------------------


def _enrolment_run(world, tmp_path, name="list.xlsx"):
    other = make_household(world.village_a, household_no="S9", head="在读户", household_type="脱贫户")
    pupil = make_member(other, name="在读生", birth="20150101")
    accept_any_coverage()  # a one-pupil list: the absence rule would otherwise hold back (issue 14)
    return run_list(
        tmp_path,
        "education",
        ["学生姓名", "身份证号", "学籍状态"],
        [["在读生", pupil.id_number, "在读"]],
        period="2026-12",
        user=world.admin,
        name=name,
    )


def test_education_matching_counts_the_school_year_age(world, preschool, tmp_path):
    august, november = preschool
    run = _enrolment_run(world, tmp_path)
    assert findings_of(run, rule="school_age_not_enrolled") == {("school_age_not_enrolled", august.id_number)}


def test_education_matching_follows_the_configured_cut_off(world, preschool, tmp_path):
    august, november = preschool
    MonitoringSettings.objects.create(region=world.county, school_age_cutoff_month=12, school_age_cutoff_day=31)
    run = _enrolment_run(world, tmp_path)
    assert findings_of(run, rule="school_age_not_enrolled") == {
        ("school_age_not_enrolled", august.id_number),
        ("school_age_not_enrolled", november.id_number),
    }
