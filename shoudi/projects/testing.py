"""Factories for project tests and the demo: a proposal, and a project taken along its chain to a state."""

from __future__ import annotations

import datetime
from decimal import Decimal

from . import choices as c
from . import services

__all__ = ["ORDER", "START", "advance", "propose"]

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
