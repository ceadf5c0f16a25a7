"""Rows written in bulk: the national cases and measures are in the change log as if each had been saved on its own
(who, the region, the household they belong to, every value); the screening's clues carry their timeline event."""

from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from shoudi.assistance.models import Measure
from shoudi.assistance.national import measures_from_national
from shoudi.core.context import acting_as
from shoudi.core.models import ObjectChange
from shoudi.monitoring.models import MonitoringCase, MonitoringLine
from shoudi.monitoring.national import import_national_cases
from shoudi.monitoring.screening import screen
from shoudi.registry.models import Household
from shoudi.registry.testing import make_household, make_income


def creation_of(obj) -> ObjectChange:
    return ObjectChange.objects.get(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk), action=ObjectChange.CREATE
    )


def assert_logged_like_a_save(obj, *, user=None, source="web"):
    change = creation_of(obj)
    assert change.after == obj.audit_data()  # the same values, types and formats as a single save writes
    assert change.before is None and change.object_repr == str(obj)[:200]
    assert change.region_code == obj.audit_region_code()
    assert (change.parent_content_type, change.parent_object_id) == (
        ContentType.objects.get_for_model(Household),
        str(obj.household_id),
    )
    assert (change.user, change.source) == (user, source)


def test_screening_clues_carry_their_timeline_event_not_a_change_log_row_each(world):
    MonitoringLine.objects.create(region=world.county, year=2025, amount=Decimal("8000"))
    low = make_household(world.village_a, household_no="A1", head="低收入户")
    make_income(low, 2025, size=1, wage=6000)
    headless = make_household(world.village_a, household_no="A2", head="")
    make_income(headless, 2025, size=1, wage=5000)
    make_income(make_household(world.village_a, household_no="A3", head="富裕户"), 2025, size=1, wage=40000)

    with acting_as(world.admin, source="job"):
        result = screen(year=2025)

    assert result.clues == 2
    for case in MonitoringCase.objects.all():
        events = list(case.events.values_list("action", "user_name", "step", "note"))
        assert events == [("预警生成线索", "系统预警", case.step, case.clue_note)]
        assert case.clue_note.startswith("预警：")
    assert set(MonitoringCase.objects.values_list("household__household_no", flat=True)) == {"A1", "A2"}
    # each clue's record is its timeline event: a million households' clues would double the screening's time
    assert not ObjectChange.objects.filter(content_type__model="monitoringcase").exists()


def test_national_cases_and_measures_are_in_the_change_log(world):
    monitored = make_household(world.village_a, household_no="N1", head="甲")
    monitored.national_data = {
        "category": "边缘易致贫户",
        "identified_on": "2024-05-01",
        "risk1": "因病",
        "eliminated": "否",
        "measure_industry": "种植业，养殖业",
    }
    monitored.save()
    done = make_household(world.village_b, household_no="N2", head="乙")
    done.national_data = {
        "category": "脱贫不稳定户",
        "identified_on": "2022-03-01",
        "eliminated": "是",
        "elimination_type": "帮扶消除",
        "eliminated_on": "2023-06-01",
        "measure_health": "医疗救助",
    }
    done.save()

    with acting_as(None, source="cli"):
        assert import_national_cases([monitored.pk, done.pk])["created"] == 2
        assert measures_from_national(household_ids=[monitored.pk, done.pk]) == 3

    for obj in (*MonitoringCase.objects.all(), *Measure.objects.all()):
        assert_logged_like_a_save(obj, source="cli")
    assert creation_of(MonitoringCase.objects.get(household=done)).region_code == world.village_b.code
    assert creation_of(Measure.objects.get(household=done)).object_repr == "健康帮扶·医疗救助"
    # a second import writes nothing, and logs nothing
    before = ObjectChange.objects.count()
    import_national_cases([monitored.pk, done.pk])
    measures_from_national(household_ids=[monitored.pk, done.pk])
    assert ObjectChange.objects.count() == before
