"""Factories for project tests and the demo: a proposal, and a project taken along its chain to a state."""

from __future__ import annotations

import datetime
from decimal import Decimal

from . import choices as c
from . import services

__all__ = ["ORDER", "START", "advance", "build_scenario", "propose"]

D = datetime.date
# the states a project passes through, in order, and the date each step is taken on
START = D(2026, 3, 2)
ORDER = [c.PROPOSED, c.REVIEWED, c.ASSESSED, c.LIBRARY, c.PLANNED, c.IMPLEMENTING, c.COMPLETED, c.ACCEPTED, c.SETTLED]


def propose(user, region, *, name: str = "甲村产业路硬化", budget: Decimal = Decimal("100000.00"), **fields):
    """A project proposed by ``user`` at ``region``, funded by 中央衔接资金 (``budget``)."""
    values = {
        "name": name,
        "project_type": "基础设施",
        "subtype": "农村道路",
        "region": region,
        "implementing_unit": "县交通运输局",
        "year": 2026,
        "budget_central": budget,
        "linkage": "优先聘用脱贫劳动力务工",
    }
    return services.propose_project(user=user, **{**values, **fields})


def advance(project, to: str, *, reviewer, admin, start: D = START):
    """Take ``project`` along its chain up to the state ``to``: each step on a working day after ``start``, its 公示
    over, its funds allocated in full and paid as far as the state allows."""
    day = start
    while ORDER.index(project.state) < ORDER.index(to):
        state = project.state
        if state == c.PROPOSED:
            project = services.township_review(project=project, user=reviewer, decision="approve", text="同意")
        elif state == c.REVIEWED:
            project = services.county_assess(project=project, user=admin, decision="approve", text="论证可行")
        elif state == c.ASSESSED:
            services.publicize(
                project=project,
                user=admin,
                stage="入库公示",
                start=day,
                end=day + datetime.timedelta(days=6),
                place="村务公开栏",
            )
            day += datetime.timedelta(days=8)
            project = services.enter_library(project=project, user=admin, today=day)
        elif state == c.LIBRARY:
            services.select_into_plan(projects=[project], user=admin, year=day.year)
            project.refresh_from_db()
        elif state == c.PLANNED:
            allocation = services.allocate(
                project=project, user=admin, source="central", amount=project.budget_central, allocated_on=day
            )
            services.start_execution(allocation=allocation, user=admin, started_on=day + datetime.timedelta(days=2))
            project = services.start_works(project=project, user=admin, started_on=day + datetime.timedelta(days=3))
        elif state == c.IMPLEMENTING:
            day += datetime.timedelta(days=30)
            project = services.complete(project=project, user=admin, completed_on=day)
        elif state == c.COMPLETED:
            project = services.accept(project=project, user=admin, accepted_on=project.acceptance_due, text="合格")
        elif state == c.ACCEPTED:
            amount = services.allocated_total(project)
            services.record_payment(
                project=project, user=admin, kind="结算款", amount=amount, paid_on=project.accepted_on
            )
            project = services.settle(
                project=project, user=admin, settled_on=project.accepted_on, kind="报账", amount=amount
            )
    return project


def build_scenario(world, today: D | None = None) -> dict:
    """Something on every projects card of the dashboards, on the three-user world: 甲村's road settled ~7 months
    ago (its asset overdue for transfer), 甲村's solar plant settled ~2 months ago (one asset transferred with this
    year's income paid out, one within its transfer period with income still undistributed), 乙村's proposal."""
    from django.utils import timezone

    today = today or timezone.localdate()
    make = services.register_asset
    road = propose(world.officer_a, world.village_a, name="甲村产业路")
    road = advance(road, c.SETTLED, reviewer=world.reviewer_a, admin=world.admin, start=today - datetime.timedelta(220))
    make(project=road, user=world.admin, name="甲村产业路", kind="公益性", value="100000", region=world.village_a)
    solar = propose(
        world.officer_a, world.village_a, name="甲村光伏电站", beneficiaries=list(world.village_a.households.all()[:3])
    )
    solar = advance(
        solar, c.SETTLED, reviewer=world.reviewer_a, admin=world.admin, start=today - datetime.timedelta(120)
    )
    plant = make(
        project=solar, user=world.admin, name="甲村光伏电站", kind="经营性", value="90000", region=world.village_a
    )
    services.transfer_asset(
        asset=plant,
        user=world.admin,
        owner_region=world.village_a,
        owner_name="甲村股份经济合作社",
        transferred_on=solar.accepted_on,
    )
    income = services.record_income(
        asset=plant, user=world.officer_a, year=today.year, amount="3000", received_on=today
    )
    households = plant.beneficiaries.exists()  # a world without households keeps the whole income
    shares = {"household_amount": "2000" if households else "0", "retained_amount": "1000" if households else "3000"}
    plan = services.draft_plan(income=income, user=world.officer_a, retained_use="公益岗位", **shares)
    services.decide_plan(plan=plan, user=world.officer_a, decided_on=today, record="四议两公开")
    services.approve_plan(plan=plan, user=world.reviewer_a, approve=True)
    services.file_plan(plan=plan, user=world.admin, filed_on=today)
    services.record_payouts(plan=plan, user=world.officer_a, paid_on=today)
    shed = make(
        project=solar, user=world.admin, name="甲村光伏运维房", kind="经营性", value="10000", region=world.village_a
    )
    services.record_income(asset=shed, user=world.officer_a, year=today.year, amount="500", received_on=today)
    tea = propose(world.officer_b, world.village_b, name="乙村茶园", project_type="产业发展", subtype="种植业基地")
    return {"road": road, "solar": solar, "plant": plant, "shed": shed, "tea": tea}
