"""Assets and their income (issue 21 §3): an operating asset's income distributed to its beneficiary households to the
fen, summing to the income, through 四议两公开, 乡镇审核, 县级备案 and the payout (withdrawable); the refusals; the
管护 of a public asset and disposal."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from shoudi.projects import choices as c
from shoudi.projects import services
from shoudi.projects.models import DistributionPlan
from shoudi.projects.testing import advance, propose
from shoudi.registry.testing import make_household

D = datetime.date


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def operating(world, national_calendar):
    """A 光伏 asset of village A with three beneficiary households of 1, 2 and 4 people and a 10,000.00 元 income."""
    households = [
        make_household(world.village_a, household_no=f"H-{n}", head=f"户主{n}", size=size, household_type="脱贫户")
        for n, size in ((1, 1), (2, 2), (3, 4))
    ]
    project = propose(world.officer_a, world.village_a, name="甲村光伏电站", beneficiaries=households)
    project = advance(project, c.ACCEPTED, reviewer=world.reviewer_a, admin=world.admin)
    asset = services.register_asset(
        project=project,
        user=world.officer_a,
        name="甲村村级光伏电站",
        kind="经营性",
        value="100000",
        region=world.village_a,
    )
    services.transfer_asset(
        asset=asset,
        user=world.officer_a,
        owner_region=world.village_a,
        owner_name="甲村股份经济合作社",
        transferred_on=project.accepted_on,
        sanzi_no="SZ-001",
    )
    services.add_contract(
        asset=asset,
        user=world.officer_a,
        operator="甲村股份经济合作社",
        operator_kind="村集体经济组织",
        start=D(2026, 5, 1),
        end=D(2036, 4, 30),
        annual_amount="10000",
    )
    income = services.record_income(
        asset=asset, user=world.officer_a, year=2026, amount="10000.00", received_on=D(2026, 11, 20)
    )
    return asset, income, households


def test_an_assets_income_is_distributed_to_its_beneficiary_households_summing_to_the_income(world, operating):
    asset, income, (h1, h2, h3) = operating
    officer = _client(world.officer_a)
    page = officer.post(
        f"/projects/assets/{asset.pk}/plan/",
        {
            "plan-income": income.pk,
            "plan-household_amount": "10000.00",
            "plan-retained_amount": "0",
            "plan-method": "household",
        },
    )
    plan = DistributionPlan.objects.get()
    assert page.status_code == 302 and page["Location"] == plan.get_absolute_url()
    shares = dict(plan.payouts.values_list("household__household_no", "amount"))
    assert shares == {"H-1": Decimal("3333.34"), "H-2": Decimal("3333.33"), "H-3": Decimal("3333.33")}
    assert sum(shares.values()) == income.amount

    # by people, part kept by the collective: 1000.00 in 1:2:4 is 142.857…, 285.714…, 571.428… → the two largest
    # remainders get the fen left over
    plan = services.redraft_plan(
        plan=plan,
        user=world.officer_a,
        household_amount="1000.00",
        retained_amount="9000.00",
        retained_use="村内小型公益事业",
        method="people",
    )
    shares = dict(plan.payouts.values_list("household__household_no", "amount"))
    assert shares == {"H-1": Decimal("142.86"), "H-2": Decimal("285.71"), "H-3": Decimal("571.43")}
    assert sum(shares.values()) + plan.retained_amount == income.amount
    text = officer.get(plan.get_absolute_url()).content.decode()
    assert 'id="payout-total">1,000.00<' in text or 'id="payout-total">1000.00<' in text

    # 四议两公开 → 乡镇审核 → 县级备案 → 兑付, each by its own level
    services.decide_plan(
        plan=plan, user=world.officer_a, decided_on=D(2026, 11, 25), record="提议、商议、审议、决议，已公开"
    )
    assert "approve" not in services.plan_actions(plan, world.officer_a)
    with pytest.raises(services.TransitionRefused, match="所在乡镇审核"):
        services.approve_plan(plan=plan, user=world.admin, approve=True)
    reviewer = _client(world.reviewer_a)
    reviewer.post(f"/projects/distribution/{plan.pk}/approve/", {"approve-text": "同意", "decision": "approve"})
    plan.refresh_from_db()
    assert plan.state == c.APPROVED
    with pytest.raises(services.TransitionRefused, match="县级"):
        services.file_plan(plan=plan, user=world.reviewer_a)
    services.file_plan(plan=plan, user=world.admin, filed_on=D(2026, 11, 28))
    officer.post(f"/projects/distribution/{plan.pk}/pay/", {"pay-paid_on": "2026-12-01"})
    plan.refresh_from_db()
    assert plan.state == c.PAID
    assert set(plan.payouts.values_list("paid_on", flat=True)) == {D(2026, 12, 1)}

    # recorded in error: withdrawn, the households unpaid again, then paid
    services.withdraw_payouts(plan=plan, user=world.officer_a, reason="兑付日期录错")
    plan.refresh_from_db()
    assert plan.state == c.FILED and set(plan.payouts.values_list("paid_on", flat=True)) == {None}
    services.record_payouts(plan=plan, user=world.officer_a, paid_on=D(2026, 12, 2))
    steps = list(asset.project.steps.filter(action__regex="收益|兑付").values_list("action", flat=True))
    assert steps == [
        "拟定收益分配方案",
        "收益分配方案决议",
        "乡镇审核收益分配方案",
        "收益分配方案备案",
        "收益兑付到户",
        "撤回兑付登记",
        "收益兑付到户",
    ]


def test_a_plan_whose_parts_do_not_add_up_is_refused(world, operating):
    asset, income, _ = operating
    with pytest.raises(services.TransitionRefused, match=r"之和应等于收益 10,000\.00 元"):
        services.draft_plan(
            income=income,
            user=world.officer_a,
            household_amount="9000",
            retained_amount="999.99",
            retained_use="公益岗位",
        )
    with pytest.raises(services.TransitionRefused, match="留存的用途"):
        services.draft_plan(income=income, user=world.officer_a, household_amount="9000", retained_amount="1000")
    plan = services.draft_plan(income=income, user=world.officer_a, household_amount="10000")
    with pytest.raises(services.TransitionRefused, match="已有分配方案"):
        services.draft_plan(income=income, user=world.officer_a, household_amount="10000")
    with pytest.raises(services.TransitionRefused, match="未兑付完毕"):
        services.dispose_asset(asset=asset, user=world.admin, method="报废", disposed_on=D(2026, 12, 1), reason="损毁")
    services.decide_plan(plan=plan, user=world.officer_a, decided_on=D(2026, 11, 25), record="四议两公开")
    services.approve_plan(plan=plan, user=world.reviewer_a, approve=False, text="受益户名单需更新")
    plan.refresh_from_db()
    assert plan.state == c.DRAFT and plan.returned_reason == "受益户名单需更新"
    assert "乡镇退回：受益户名单需更新" in _client(world.officer_a).get(plan.get_absolute_url()).content.decode()
    assert _client(world.officer_b).get(plan.get_absolute_url()).status_code == 404


@given(
    fen=st.integers(min_value=0, max_value=10**9),
    weights=st.lists(st.integers(min_value=1, max_value=12), min_size=1, max_size=40),
)
def test_largest_remainder_shares_always_sum_to_the_total(fen, weights):
    total = Decimal(fen) / 100
    shares = services.split_amount(total, list(enumerate(weights)))
    assert sum(shares.values()) == total
    whole = sum(weights)
    for key, weight in enumerate(weights):
        quota = Decimal(fen * weight) / whole / 100
        assert abs(shares[key] - quota) < Decimal("0.01")
        assert shares[key] == shares[key].quantize(Decimal("0.01"))


def test_a_public_assets_custody_and_disposal(world, national_calendar):
    project = advance(
        propose(world.officer_a, world.village_a), c.SETTLED, reviewer=world.reviewer_a, admin=world.admin
    )
    asset = services.register_asset(
        project=project, user=world.officer_a, name="甲村产业路", kind="公益性", value="100000", region=world.village_a
    )
    with pytest.raises(services.TransitionRefused, match="只有经营性资产"):
        services.record_income(asset=asset, user=world.officer_a, year=2026, amount="1", received_on=D(2026, 6, 1))
    officer = _client(world.officer_a)
    officer.post(
        f"/projects/assets/{asset.pk}/custodian/",
        {"custodian-custodian": "甲村村民委员会", "custodian-person": "王护路"},
    )
    officer.post(
        f"/projects/assets/{asset.pk}/maintenance/",
        {"maintenance-done_on": "2026-06-10", "maintenance-content": "清理边沟", "maintenance-cost": "300"},
    )
    asset.refresh_from_db()
    assert asset.custodian == "甲村村民委员会" and asset.maintenance.get().content == "清理边沟"
    services.dispose_asset(
        asset=asset, user=world.admin, method="报废", disposed_on=D(2026, 11, 1), reason="村民代表会议决议报废"
    )
    asset.refresh_from_db()
    assert asset.state == c.DISPOSED
    assert services.asset_actions(asset, world.admin) == set()
    assert "已处置" in officer.get(f"/projects/assets/{asset.pk}/").content.decode()
