"""The ledgers of projects, funds and assets (issue 21 §5) as a user reads their files: 项目库, 年度项目计划,
衔接资金台账, the asset ledgers of county, township and village, 收益分配台账 and the 公告公示 records — each within
the user's scope."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from shoudi.accounts.roles import TOWNSHIP_REVIEWER
from shoudi.accounts.testing import make_user
from shoudi.projects import choices as c
from shoudi.projects import services
from shoudi.projects.testing import advance, propose
from shoudi.registry.testing import make_household

from .test_ledgers import build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_calendar")]
D = datetime.date


@pytest.fixture
def county(world):
    """甲村's settled road with a 公示 objection and two assets (one transferred to 甲村, one to 甲镇, with an income
    paid out to its two households), and a library project of 乙村."""
    households = [make_household(world.village_a, household_no=f"H-{n}", head=f"户主{n}", size=n) for n in (1, 3)]
    project = propose(
        world.officer_a,
        world.village_a,
        name="甲村光伏电站",
        beneficiaries=households,
        budget_province=Decimal("20000"),
    )
    project = advance(project, c.ASSESSED, reviewer=world.reviewer_a, admin=world.admin)
    publicity = services.publicize(
        project=project,
        user=world.officer_a,
        stage="入库公示",
        start=D(2026, 3, 2),
        end=D(2026, 3, 8),
        place="甲村公开栏",
    )
    objection = services.add_objection(
        publicity=publicity, user=world.officer_a, content="选址离居民区太近", received_on=D(2026, 3, 4)
    )
    services.resolve_objection(objection=objection, user=world.officer_a, upheld=False, resolution="距离符合规范")
    project = services.enter_library(project=project, user=world.admin, today=D(2026, 3, 10))
    project = advance(project, c.SETTLED, reviewer=world.reviewer_a, admin=world.admin, start=D(2026, 3, 16))
    solar = services.register_asset(
        project=project, user=world.admin, name="甲村光伏", kind="经营性", value="100000", region=world.village_a
    )
    services.transfer_asset(
        asset=solar,
        user=world.admin,
        owner_region=world.village_a,
        owner_name="甲村股份经济合作社",
        transferred_on=project.accepted_on,
        sanzi_no="SZ-9",
    )
    hall = services.register_asset(
        project=project, user=world.admin, name="甲镇配电房", kind="公益性", value="5000", region=world.village_a
    )
    services.transfer_asset(
        asset=hall,
        user=world.admin,
        owner_region=world.township_a,
        owner_name="甲镇人民政府",
        transferred_on=project.accepted_on,
    )
    income = services.record_income(
        asset=solar, user=world.officer_a, year=2026, amount="999.99", received_on=D(2026, 11, 1)
    )
    plan = services.draft_plan(income=income, user=world.officer_a, household_amount="999.99", method="people")
    services.decide_plan(plan=plan, user=world.officer_a, decided_on=D(2026, 11, 2), record="四议两公开")
    services.approve_plan(plan=plan, user=world.reviewer_a, approve=True)
    services.file_plan(plan=plan, user=world.admin, filed_on=D(2026, 11, 3))
    services.record_payouts(plan=plan, user=world.officer_a, paid_on=D(2026, 11, 4))
    other = propose(world.officer_b, world.village_b, name="乙村茶园", project_type="产业发展", subtype="种植业基地")
    reviewer_b = make_user("reviewer_b", TOWNSHIP_REVIEWER, world.township_b, name="乙镇审核员")
    advance(other, c.LIBRARY, reviewer=reviewer_b, admin=world.admin)
    return world


def test_the_library_and_the_plan(county, tmp_path):
    sheet = build("project-library", county.admin, tmp_path, year="2026")
    assert sheet.title == "巩固拓展脱贫攻坚成果和乡村振兴项目库"
    assert sheet.column("项目名称") == ["甲村光伏电站", "乙村茶园"]
    row = sheet.row_of("项目名称", "甲村光伏电站")
    assert (row["乡镇"], row["行政村"], row["中央衔接资金"], row["省级衔接资金"]) == ("甲镇", "甲村", 100000, 20000)
    assert (row["总投资"], row["受益户数"], row["状态"]) == (120000, 2, "已结算报账")
    officer = build("project-library", county.officer_a, tmp_path, year="2026")
    assert officer.column("项目名称") == ["甲村光伏电站"]
    plan = build("project-plan", county.admin, tmp_path, year="2026")
    assert plan.column("项目名称") == ["甲村光伏电站"]
    assert plan.row_of("项目名称", "甲村光伏电站")["已下达"] == 100000


def test_the_linkage_funds_ledger(county, tmp_path):
    sheet = build("linkage-funds", county.admin, tmp_path, year="2026")
    row = sheet.row_of("项目名称", "甲村光伏电站")
    assert (row["本年下达中央衔接资金"], row["本年下达合计"], row["累计拨付"], row["结余"]) == (
        100000,
        100000,
        100000,
        0,
    )
    assert row["支付进度"] == "100.0%" and row["下达文号及预算执行"] == "无文号：按期"
    assert build("linkage-funds", county.admin, tmp_path, year="2025").rows == []


def test_asset_ledgers_at_three_levels(county, tmp_path):
    county_sheet = build("assets-county", county.admin, tmp_path)
    assert county_sheet.column("资产名称") == ["甲村光伏", "甲镇配电房"]
    village = build("assets-village", county.officer_a, tmp_path)
    assert village.title == "村级扶贫资产台账" and village.column("资产名称") == ["甲村光伏"]
    row = village.row_of("资产名称", "甲村光伏")
    assert (row["产权单位"], row["三资平台登记编号"], row["累计收益"], row["累计分配到户"]) == (
        "甲村股份经济合作社",
        "SZ-9",
        999.99,
        999.99,
    )
    township = build("assets-township", county.reviewer_a, tmp_path)
    assert township.column("资产名称") == ["甲镇配电房"] and township.column("权属层级") == ["乡镇级"]
    assert build("assets-village", county.officer_b, tmp_path).rows == []


def test_the_distribution_ledger_sums_to_the_income(county, tmp_path):
    sheet = build("income-distribution", county.reviewer_a, tmp_path, year="2026")
    assert sheet.column("户编号") == ["H-1", "H-3"]
    assert sheet.column("分配金额") == [250.0, 749.99]  # 999.99 in 1:3 → 249.9975 and 749.9925: the fen to H-1
    assert sheet.total[sheet.header.index("分配金额")] == 999.99
    assert sheet.column("户主姓名") == ["户主1", "户主3"]


def test_the_publicity_records(county, tmp_path):
    sheet = build("project-publicity", county.admin, tmp_path, year="2026")
    row = sheet.row_of("公示类型", "入库公示")
    assert row["项目名称"] == "甲村光伏电站" and row["公示天数"] == 7
    assert row["异议（件）"] == 1 and row["异议及处理"] == "选址离居民区太近（不成立：距离符合规范）"
    assert sheet.column("项目名称") == ["甲村光伏电站", "乙村茶园"]
    assert build("project-publicity", county.officer_b, tmp_path, year="2026").column("项目名称") == ["乙村茶园"]
