"""Early warning: each rule on a crafted registry, idempotent screening, the CLI's counts."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from shoudi.monitoring.models import MonitoringCase, MonitoringLine, MonitoringSettings
from shoudi.monitoring.national import import_national_cases
from shoudi.monitoring.screening import screen
from shoudi.registry.testing import make_household, make_income


@pytest.fixture
def registry(world):
    MonitoringLine.objects.create(region=world.county, year=2025, amount=Decimal("8000"))
    v = world.village_a

    def home(no, per_capita_2025, *, prev=None, medical=0, kind="一般农户", labour="普通劳动力", **extra):
        h = make_household(
            v,
            household_no=no,
            head=f"户主{no}",
            household_type=kind,
            lifted_year=2018 if kind == "脱贫户" else None,
            **extra,
        )
        h.members.update(labour_skill=labour)
        if per_capita_2025 is not None:
            make_income(h, 2025, size=1, wage=per_capita_2025, compliant_medical=medical)
        if prev is not None:
            make_income(h, 2024, size=1, wage=prev)
        return h

    return {
        "below": home("H1", 7000),  # below the line (and below 1 万)
        "lifted_below": home("H2", 7500, kind="脱贫户"),
        "edge": home("H3", 11000),  # 8000 ≤ x < 12000
        "floor_only": home("H4", 9000, prev=9100),  # edge too (< 12000)
        "drop": home("H5", 20000, prev=30000),  # -33 %
        "small_drop": home("H6", 20000, prev=21000),  # -4.8 %: no hit
        "medical": home("H7", 25000, medical=25000),
        "lifted_medical": home("H8", 25000, medical=12000, kind="脱贫户"),
        "no_labour": home("H9", 30000, labour="无劳动力"),
        "no_labour_flagged": home("H10", 30000, labour="无劳动力", no_labour_guarantee=True),
        "fine": home("H11", 30000),
        "other_village": make_household(world.village_b, household_no="B1", head="乙户"),
    }


def rules_of(home):
    return MonitoringCase.objects.get(household=home).clue_rules


def test_each_rule_hits_the_right_households(registry):
    result = screen(year=2025)
    r = registry
    assert set(rules_of(r["below"])) == {"below_line", "below_floor"}
    assert set(rules_of(r["lifted_below"])) == {"below_line", "below_floor", "lifted_below_line"}
    assert set(rules_of(r["edge"])) == {"edge"}
    assert set(rules_of(r["floor_only"])) == {"edge", "below_floor"}
    assert rules_of(r["drop"]) == ["income_drop"]
    assert rules_of(r["medical"]) == ["medical"]  # 25000 > 20000 for an ordinary household
    assert rules_of(r["lifted_medical"]) == ["medical"]  # 12000 > 10000 for a lifted household
    assert rules_of(r["no_labour"]) == ["no_labour"]
    for quiet in ("small_drop", "no_labour_flagged", "fine", "other_village"):
        assert not MonitoringCase.objects.filter(household=r[quiet]).exists(), quiet
    assert result.clues == 8
    assert result.hits["below_line"] == 2 and result.hits["medical"] == 2
    case = MonitoringCase.objects.get(household=r["lifted_below"])
    assert case.source == "部门筛查预警" and case.step == "verification"
    assert case.clue_figures["year"] == 2025
    assert case.clue_figures["人均纯收入低于监测线"] == {"人均纯收入": "7500.00", "监测线": "8000.00"}


def test_screening_twice_adds_nothing(registry):
    first = screen(year=2025)
    second = screen(year=2025)
    assert first.clues == 8 and second.clues == 0 and second.skipped_open == 8
    assert MonitoringCase.objects.count() == 8


def test_thresholds_are_configuration(registry, world):
    MonitoringSettings.objects.create(
        region=world.county,
        edge_factor=Decimal("1.2"),
        income_drop_percent=40,
        medical_threshold_other=Decimal("30000"),
    )
    screen(year=2025)
    assert not MonitoringCase.objects.filter(household=registry["edge"]).exists()  # 11000 ≥ 8000 × 1.2
    assert set(rules_of(registry["floor_only"])) == {"edge", "below_floor"}  # 9000 < 9600
    assert not MonitoringCase.objects.filter(household=registry["drop"]).exists()  # -33 % < 40 %
    assert not MonitoringCase.objects.filter(household=registry["medical"]).exists()  # 25000 ≤ 30000


def test_region_limits_the_screening(registry, world):
    result = screen(year=2025, region=world.village_b)
    assert result.clues == 0


def test_missing_line_is_reported(world):
    h = make_household(world.village_a, household_no="X1", head="某")
    make_income(h, 2030, size=1, wage=100)
    result = screen(year=2030)
    assert "520102" in result.missing_line and result.hits["below_line"] == 0 and result.hits["below_floor"] == 1


def test_cli_prints_counts_per_rule(registry):
    out = io.StringIO()
    call_command("screen", "--year", "2025", stdout=out)
    text = out.getvalue()
    assert "人均纯收入低于监测线：2 户" in text and "新增线索 8 户" in text


def test_national_cases_become_identified_or_eliminated(world):
    monitored = make_household(world.village_a, household_no="N1", head="甲")
    monitored.national_data = {
        "category": "边缘易致贫户",
        "identified_on": "2024-05-01",
        "risk1": "因病",
        "risk2": "务工就业不稳",
        "eliminated": "否",
    }
    monitored.save()
    done = make_household(world.village_a, household_no="N2", head="乙")
    done.national_data = {
        "category": "脱贫不稳定户",
        "identified_on": "2022-03-01",
        "risk1": "因学",
        "eliminated": "是",
        "elimination_type": "帮扶消除",
        "eliminated_on": "2023-06-01",
    }
    done.save()
    undated = make_household(world.village_a, household_no="N3", head="丙")
    undated.national_data = {"category": "突发严重困难户", "identified_on": "2023-01-01", "eliminated": "是"}
    undated.save()
    counts = import_national_cases([monitored.pk, done.pk, undated.pk])
    assert counts["created"] == 3
    c = MonitoringCase.objects.get(household=undated)
    assert (c.step, c.is_open, c.eliminated_on, c.risk_types, c.events.get().decision) == (
        "eliminated",
        False,
        None,
        [],
        "已消除",
    )
    a = MonitoringCase.objects.get(household=monitored)
    assert (a.step, a.is_open, str(a.identified_on), a.risk_types) == (
        "monitoring",
        True,
        "2024-05-01",
        ["因病", "因务工就业不稳"],
    )
    b = MonitoringCase.objects.get(household=done)
    assert (b.step, b.is_open, str(b.eliminated_on), b.elimination_type) == (
        "eliminated",
        False,
        "2023-06-01",
        "帮扶消除",
    )
    # each with its timeline entry: who (导入), the decision and the national dates
    assert [(e.action, e.decision, e.user_name, e.data) for e in a.events.all()] == [
        ("国家系统导入", "已识别", "导入", {"identified_on": "2024-05-01", "eliminated_on": ""})
    ]
    assert [(e.action, e.decision, e.data) for e in b.events.all()] == [
        ("国家系统导入", "已消除", {"identified_on": "2022-03-01", "eliminated_on": "2023-06-01"})
    ]
    assert (a.chain, a.imported, a.clue_date, b.chain, b.imported) == (
        "identification",
        True,
        a.identified_on,
        "elimination",
        True,
    )
    assert import_national_cases([monitored.pk, done.pk])["created"] == 0  # a second import duplicates nothing
    monitored.national_data |= {"eliminated": "是", "eliminated_on": "2025-01-01", "elimination_type": "自然消除"}
    monitored.save()
    assert import_national_cases([monitored.pk])["updated"] == 1
    a.refresh_from_db()
    assert a.step == "eliminated" and str(a.eliminated_on) == "2025-01-01"


def test_many_clues_are_written_in_batches(world):
    """More clues than one insert batch holds (1,000 on PostgreSQL, fewer on SQLite): every one, once, with its
    event."""
    from shoudi.monitoring.models import CaseEvent
    from shoudi.registry.models import Household, IncomeRecord

    MonitoringLine.objects.create(region=world.county, year=2025, amount=Decimal("8000"))
    homes = Household.objects.bulk_create(
        [Household(household_no=f"M{i:05d}", village=world.village_a, household_type="一般农户") for i in range(1050)]
    )
    IncomeRecord.objects.bulk_create(
        [
            IncomeRecord(
                household=h, year=2025, household_size=1, per_capita=Decimal("5000"), net_income=Decimal("5000")
            )
            for h in homes
        ]
    )
    result = screen(year=2025)
    assert result.clues == 1050
    cases = MonitoringCase.objects.filter(household__household_no__startswith="M")
    assert cases.count() == 1050 and cases.values("household").distinct().count() == 1050
    assert CaseEvent.objects.filter(case__in=cases, action="预警生成线索").count() == 1050
    assert all(set(rules) == {"below_line", "below_floor"} for rules in cases.values_list("clue_rules", flat=True))
