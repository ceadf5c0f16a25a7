"""低收入人口台账 (issue 20 §9): one row per household of the register on the reference date, with its categories,
the year's visits and whether this period's is done, the 分类帮扶 actions and the 关爱 services; a village officer's
ledger holds his village alone."""

from __future__ import annotations

import datetime

import pytest

from shoudi.assistance.models import Visit
from shoudi.lowincome.models import CareRecord, Designation, SupportAction
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.testing import make_household, make_member

from .test_ledgers import build

pytestmark = [pytest.mark.django_db]
REFERENCE = "2026-03-15"


@pytest.fixture
def county(world):
    dibao = make_household(world.village_a, household_no="A-1", head="低保户主")
    Designation.objects.create(household=dibao, category="农村低保", since=datetime.date(2025, 1, 1))
    child = make_member(dibao, name="留守娃", relation="之孙子", birth="20170101")
    Designation.objects.create(household=dibao, member=child, category="留守儿童", since=datetime.date(2025, 9, 1))
    for day in (datetime.date(2025, 12, 20), datetime.date(2026, 1, 10), datetime.date(2026, 3, 1)):
        Visit.objects.create(household=dibao, visited_on=day, visitor="专班", content="走访")
    SupportAction.objects.create(
        household=dibao, kind="申请低保", content="收入低", applied_on=datetime.date(2026, 2, 1), status="已批准"
    )
    CareRecord.objects.create(
        household=dibao,
        member=child,
        kind="留守儿童关爱",
        served_on=datetime.date(2026, 2, 2),
        server="李阿姨",
        content="辅导",
    )
    eliminated = make_household(world.village_a, household_no="A-2", head="消除户主")
    MonitoringCase.objects.create(
        household=eliminated,
        clue_date=datetime.date(2025, 1, 1),
        identified_on=datetime.date(2025, 2, 1),
        eliminated_on=datetime.date(2025, 11, 1),
        step=mc.ELIMINATED,
        chain=mc.ELIMINATION,
        is_open=False,
    )
    Visit.objects.create(household=eliminated, visited_on=datetime.date(2026, 2, 28), visitor="专班", content="走访")
    ended = make_household(world.village_a, household_no="A-3", head="退出户主")
    Designation.objects.create(
        household=ended, category="低保边缘", since=datetime.date(2025, 1, 1), until=datetime.date(2026, 1, 31)
    )
    later = make_household(world.village_a, household_no="A-4", head="新纳入户主")
    Designation.objects.create(household=later, category="残疾人家庭", since=datetime.date(2026, 6, 1))
    tekun = make_household(world.village_b, household_no="B-1", head="特困户主")
    Designation.objects.create(household=tekun, category="特困供养（分散）", since=datetime.date(2025, 1, 1))
    return world


def test_the_ledger_lists_the_register_on_the_reference_date(county, tmp_path):
    sheet = build("lowincome", county.admin, tmp_path, reference=REFERENCE)
    assert "低收入人口台账" in sheet.title
    assert sheet.column("户编号") == ["A-1", "A-2", "B-1"]
    dibao = sheet.row_of("户编号", "A-1")
    assert dibao["低收入人口类别"] == "农村低保、留守儿童"
    assert dibao["本年走访次数"] == 2  # December's visit was last year
    assert str(dibao["最近走访日期"])[:10] == "2026-03-01"
    assert dibao["本期已走访"] == "是"
    assert dibao["分类帮扶事项"] == "2026-02-01 申请低保（已批准）"
    assert dibao["本年关爱服务"] == "留守儿童关爱 1 次"
    eliminated = sheet.row_of("户编号", "A-2")
    assert eliminated["低收入人口类别"] == "风险消除户"
    assert eliminated["本期已走访"] == "否"  # the last day of February is not March


def test_a_village_officers_ledger_holds_his_village(county, tmp_path):
    sheet = build("lowincome", county.officer_a, tmp_path, reference=REFERENCE)
    assert sheet.column("户编号") == ["A-1", "A-2"]
