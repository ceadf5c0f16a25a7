"""The dashboard cards of projects, funds and assets (issue 21 §4): what they say in 元 beside the counts their links
list, for the county and for a village."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from shoudi.dashboards.views import cards_for
from shoudi.projects.testing import build_scenario
from shoudi.registry.testing import make_household

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("national_calendar")]


def _cards(user, region) -> dict:
    request = RequestFactory().get("/")
    request.user = user
    return {card.key: data for card, data in cards_for(request, region)}


def test_the_cards_count_projects_and_assets_and_tell_the_amounts(world):
    for n in range(3):
        make_household(world.village_a, household_no=f"H-{n}")
    build_scenario(world)
    cards = _cards(world.admin, world.county)
    states = cards["project_states"]
    assert dict(zip(states.categories, states.series[0].values, strict=True)) == {"待乡镇审核": 1, "已结算报账": 2}
    funds = cards["project_funds"]
    assert sum(funds.series[0].values) == 2 and sum(funds.series[1].values) == 2
    assert funds.notes[0] == "近12个月下达 200,000.00 元，拨付 200,000.00 元，支付进度 100.0%"
    transfer = cards["asset_transfer"]
    assert transfer.series[0].values == [1, 1]  # the shed within its three months, the road overdue
    income = cards["asset_income"]
    assert income.series[0].values == [2, 1, 1]
    assert income.notes[1] == "已分配到户 2,000.00 元，集体留存 1,000.00 元，待分配 500.00 元"

    village_b = _cards(world.officer_b, world.village_b)
    assert village_b["project_states"].series[0].values == [1]
    assert "asset_income" not in village_b and "project_funds" not in village_b
