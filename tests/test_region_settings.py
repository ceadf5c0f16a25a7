"""Region settings (帮扶节奏参数, 监测参数, 比对参数): one default, the most specific region wins, the year second,
and the rhythm, the case deadlines and the matching rules read the settings in force."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from shoudi.accounts.testing import make_user
from shoudi.assistance.models import RhythmSettings
from shoudi.assistance.worklist import item_queryset
from shoudi.matching.models import MatchingSettings
from shoudi.matching.testing import findings_of, run_list
from shoudi.monitoring import choices as mc
from shoudi.monitoring.deadlines import case_deadlines
from shoudi.monitoring.models import MonitoringCase, MonitoringSettings
from shoudi.registry.testing import make_household, make_member

SETTINGS_MODELS = [RhythmSettings, MonitoringSettings, MatchingSettings]


@pytest.mark.parametrize("model", SETTINGS_MODELS, ids=lambda m: m.__name__)
def test_a_second_county_wide_default_is_refused_by_the_database(db, model):
    model.objects.create()
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create()
    assert model.objects.count() == 1


@pytest.mark.parametrize("model", SETTINGS_MODELS, ids=lambda m: m.__name__)
def test_a_second_row_for_the_same_region_is_refused(world, model):
    model.objects.create(region=world.county)
    model.objects.create(region=world.other_county)
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.create(region=world.county)


def test_the_monitoring_default_is_one_per_year(world):
    MonitoringSettings.objects.create(publicity_days=6)  # every year
    MonitoringSettings.objects.create(year=2026, publicity_days=7)
    MonitoringSettings.objects.create(year=2027, publicity_days=8)
    MonitoringSettings.objects.create(region=world.county, publicity_days=9)
    MonitoringSettings.objects.create(region=world.county, year=2026, publicity_days=10)
    for duplicate in ({}, {"year": 2026}, {"region": world.county}, {"region": world.county, "year": 2026}):
        with pytest.raises(IntegrityError), transaction.atomic():
            MonitoringSettings.objects.create(**duplicate)
    assert MonitoringSettings.objects.count() == 5


def test_the_most_specific_region_wins(world):
    RhythmSettings.objects.create(monitored_visit_months=6)
    RhythmSettings.objects.create(region=world.county, monitored_visit_months=5)
    RhythmSettings.objects.create(region=world.township_a, monitored_visit_months=4)
    RhythmSettings.objects.create(region=world.village_a, monitored_visit_months=3)
    RhythmSettings.objects.create(region=world.other_village, monitored_visit_months=2)

    def months(region):
        return RhythmSettings.for_region(region).monitored_visit_months

    assert months(world.village_a) == 3  # its own row
    assert months(world.village_a.code) == 3  # a code does as well as the region
    assert months(world.village_a2) == 4  # its township's
    assert months(world.village_b) == months(world.township_b) == months(world.county) == 5  # the county's
    assert months(world.other_county) == 6  # the default
    assert months(None) == 6


def test_the_default_applies_when_nothing_matches(world):
    assert RhythmSettings.for_region(world.village_a).pk is None  # nothing saved: the built-in S004 numbers
    assert RhythmSettings.for_region(world.village_a).monitored_visit_months == 1
    assert MonitoringSettings.for_region(world.village_a, 2026).publicity_days == 5
    assert MatchingSettings.for_region(world.village_a).verification_days == 15
    MatchingSettings.objects.create(region=world.other_county, verification_days=7)
    default = MatchingSettings.objects.create(verification_days=10)
    assert MatchingSettings.for_region(world.village_a) == default
    assert MatchingSettings.for_region("") == default


def test_monitoring_settings_region_first_then_year(world):
    MonitoringSettings.objects.create(identification_days=11)
    MonitoringSettings.objects.create(year=2026, identification_days=12)
    MonitoringSettings.objects.create(region=world.county, identification_days=13)
    MonitoringSettings.objects.create(region=world.county, year=2027, identification_days=14)

    def days(region, year):
        return MonitoringSettings.for_region(region, year).identification_days

    assert days(world.village_a, 2026) == 13  # the county's row for every year beats this year's default
    assert days(world.village_a, 2027) == 14  # the county's row for this year beats both
    assert days(world.other_village, 2026) == 12
    assert days(world.other_village, 2025) == 11
    assert days(world.other_village, None) == 11  # no year: only rows for every year


# --- the behaviour each model drives --------------------------------------------------------------------------


def test_the_rhythm_of_the_users_region_sets_the_cadre_deadline(world):
    """识别后落实帮扶干部: 15 days after identification a case without a cadre is late under a 10-day default,
    not under village A's township's 20 days."""
    RhythmSettings.objects.create(cadre_within_days=10)
    RhythmSettings.objects.create(region=world.township_a, cadre_within_days=20)
    home = make_household(world.village_a, household_no="R1", head="节奏户")
    MonitoringCase.objects.create(
        household=home,
        category="边缘易致贫户",
        risk_types=["因病"],
        source="农户自主申报",
        clue_date=datetime.date(2026, 11, 1),
        identified_on=datetime.date(2026, 11, 5),
        step=mc.MONITORING,
    )
    today = datetime.date(2026, 11, 20)
    assert home in item_queryset("no_cadre", world.admin, today)  # the county's admin: the default
    assert home not in item_queryset("no_cadre", world.officer_a, today)  # village A: its township's row


def test_the_case_deadline_reads_the_settings_of_its_village_and_year(world):
    MonitoringSettings.objects.create(identification_days=15)
    MonitoringSettings.objects.create(region=world.county, year=2026, identification_days=20)
    MonitoringSettings.objects.create(region=world.township_a, identification_days=25)
    clue = datetime.date(2026, 11, 1)

    def due(village, today):
        home = make_household(village, household_no=f"D{village.pk}{today.year}", head="时限户")
        case = MonitoringCase.objects.create(
            household=home, source="农户自主申报", clue_date=clue, step=mc.VERIFICATION
        )
        deadline = {d.kind: d for d in case_deadlines(case, today=today)}["identification"]
        return (deadline.due - clue).days

    assert due(world.village_a, datetime.date(2026, 11, 10)) == 25  # the township beats the county's year row
    assert due(world.village_b, datetime.date(2026, 11, 10)) == 20
    assert due(world.village_b, datetime.date(2027, 1, 10)) == 15  # the county set only 2026


def test_the_school_age_rule_reads_the_default_when_the_county_has_no_row(world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "files"
    MatchingSettings.objects.create(  # matching settings of its own, which take a one-row list as it is (issue 14)
        region=world.county, verification_days=10, absence_min_coverage_percent=0, absence_min_village_percent=0
    )
    MonitoringSettings.objects.create(school_age_min=7, school_age_max=15)
    MonitoringSettings.objects.create(region=world.other_county, school_age_min=6, school_age_max=16)
    home = make_household(world.village_a, household_no="E9", head="学九", household_type="脱贫户")
    six = make_member(home, name="六岁", relation="之子", birth="20180101")  # 6 on 2024-08-31
    fifteen = make_member(home, name="十五岁", relation="之子", birth="20090101")
    run = run_list(
        tmp_path,
        "education",
        ["姓名", "证件号码"],
        [["学九", home.members.get(relation="户主").id_number]],
        user=world.admin,
    )
    assert findings_of(run) == {("school_age_not_enrolled", fifteen.id_number)}
    assert six.id_number not in {i for _, i in findings_of(run)}


# --- the edit pages -------------------------------------------------------------------------------------------

RHYTHM = {
    "monitored_visit_months": 1,
    "monitored_assessment_months": 3,
    "stable_after_elimination_months": 6,
    "lifted_contact_months": 1,
    "lifted_visit_months": 3,
    "cadre_within_days": 10,
    "measure_within_days": 30,
}
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
    "school_age_cutoff_month": 8,
    "school_age_cutoff_day": 31,
    "school_age_min": 6,
    "school_age_max": 16,
}
MATCHING = {
    "verification_days": 10,
    "rural_income": "22000",
    "medical_lifted_percent": 50,
    "medical_other_percent": 100,
    "absence_min_coverage_percent": 50,
    "absence_min_village_percent": 80,
}


@pytest.mark.parametrize(
    ("url", "model", "data"),
    [
        ("/assistance/rhythm/add/", RhythmSettings, RHYTHM),
        ("/monitoring/settings/add/", MonitoringSettings, MONITORING),
        ("/matching/settings/add/", MatchingSettings, MATCHING),
    ],
    ids=["rhythm", "monitoring", "matching"],
)
def test_a_second_default_on_the_edit_page_is_a_form_error(world, client_for, url, model, data):
    model.objects.create()
    operator = make_user("operator", "county_admin", world.county, is_superuser=True)
    response = client_for(operator).post(url, {**data, "region": ""})
    assert response.status_code == 200
    assert "已有全县默认设置" in response.content.decode()
    assert model.objects.count() == 1
    response = client_for(world.admin).post(url, {**data, "region": world.county.pk})
    assert response.status_code == 302
    response = client_for(world.admin).post(url, {**data, "region": world.county.pk})
    assert response.status_code == 200 and "该区划已有" in response.content.decode()
    assert model.objects.count() == 2


def test_the_county_admin_leaving_the_region_blank_gets_a_form_error(world, client_for):
    MatchingSettings.objects.create()
    response = client_for(world.admin).post("/matching/settings/add/", {**MATCHING, "region": ""})
    assert response.status_code == 200 and "已有全县默认设置" in response.content.decode()
    assert MatchingSettings.objects.count() == 1
