"""The employment ledgers: 公益性岗位考勤与补贴 (the flag at the floor), 帮扶车间 (稳岗补贴 at its boundaries), 交通补贴
and 零就业家庭 — rows a user of the region sees, totals, masked IDs."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from shoudi.employment.models import (
    Attendance,
    EmploymentSettings,
    Placement,
    Post,
    TransportSubsidy,
    Workshop,
    WorkshopEmployee,
)
from shoudi.registry.testing import make_household, make_member

from .test_ledgers import build

pytestmark = pytest.mark.django_db


def _person(village, name, **fields):
    home = make_household(village, household_type="脱贫户", head="")
    return make_member(home, name=name, relation="户主", labour_skill="普通劳动力", **fields)


@pytest.fixture
def county(world):
    EmploymentSettings.objects.create(region=world.county, minimum_wage=Decimal("1930.00"))
    post = Post.objects.create(name="护路员", region=world.village_a, employer="甲镇交通站", monthly_subsidy=965)
    a = Placement.objects.create(post=post, member=_person(world.village_a, "甲护路员"), start_date="2026-01-01")
    b = Placement.objects.create(post=post, member=_person(world.village_b, "乙护路员"), start_date="2026-01-01")
    for placement, paid in ((a, "965.00"), (b, "964.99")):
        Attendance.objects.create(placement=placement, month=datetime.date(2026, 3, 1), days=20, subsidy_paid=paid)
    Attendance.objects.create(placement=a, month=datetime.date(2025, 3, 1), days=20, subsidy_paid=500)
    shop = Workshop.objects.create(name="竹编车间", region=world.village_a, operator="竹编合作社")
    for name, months, income in (("六月六千", 6, "6000"), ("五个月", 5, "8000"), ("差一分", 9, "5999.99")):
        WorkshopEmployee.objects.create(
            workshop=shop, member=_person(world.village_a, name), year=2026, months=months, income=Decimal(income)
        )
    TransportSubsidy.objects.create(
        member=_person(world.village_a, "外出务工"), year=2026, destination="浙江", amount=500, paid_on="2026-02-01"
    )
    idle = _person(world.village_a, "零就业户主")
    _person(world.village_a, "有工作户主", employed=True)
    return {"idle": idle}


def test_the_attendance_ledger_flags_one_fen_under(world, county, tmp_path):
    sheet = build("public-post-attendance", world.admin, tmp_path, year=2026)
    assert sorted(sheet.names()) == ["乙护路员", "甲护路员"]
    assert sheet.row_of("姓名", "甲护路员")["低于下限"] == "否"
    assert sheet.row_of("姓名", "乙护路员")["低于下限"] == "是"
    assert sheet.row_of("姓名", "乙护路员")["补贴下限（元）"] == 965
    township = build("public-post-attendance", world.reviewer_a, tmp_path, year=2026)
    assert township.names() == ["甲护路员"]  # his township only
    inspector = build("public-post-attendance", world.inspector, tmp_path, year=2026)
    assert "*" in inspector.rows[0][inspector.header.index("证件号码")]  # masked for a role without 显示


def test_the_workshop_ledger_computes_the_subsidy(world, county, tmp_path):
    sheet = build("workshop-employees", world.admin, tmp_path, year=2026)
    eligible = {name: sheet.row_of("姓名", name)["符合稳岗补贴条件"] for name in sheet.names()}
    assert eligible == {"六月六千": "是", "五个月": "否", "差一分": "否"}
    i = sheet.header.index("稳岗补贴（元）")
    assert sheet.total[i] == 2000


def test_the_transport_and_zero_employment_ledgers(world, county, tmp_path):
    transport = build("transport-subsidies", world.admin, tmp_path, year=2026)
    assert transport.names() == ["外出务工"] and transport.total[transport.header.index("补贴金额（元）")] == 500
    zero = build("zero-employment", world.admin, tmp_path)
    heads = zero.column("户主姓名")
    assert "零就业户主" in heads and "有工作户主" not in heads
    assert "甲护路员" in heads  # placed without the service (no 公益性岗位 on the member): still zero-employment
