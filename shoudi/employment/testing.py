"""Factories for employment tests: a scenario with something on every employment card of the dashboards."""

from __future__ import annotations

import datetime
from decimal import Decimal

from shoudi.core.jobs.runner import execute_job
from shoudi.registry.testing import make_household, make_member

from . import services
from .models import Attendance, EmploymentSettings, Placement, Post

__all__ = ["build_scenario", "lifted_person", "started_round"]


def started_round(user, county, year: int, reference_date: datetime.date):
    """A confirmed round whose rows' job has run here and now (as the worker runs it)."""
    round_ = services.start_round(user=user, county=county, year=year, reference_date=reference_date)
    execute_job(round_.job_id)
    round_.refresh_from_db()
    return round_


def lifted_person(village, name: str, *, birth: str = "19800101", **fields):
    """The head of a new 脱贫户 of the village, of labour (普通劳动力)."""
    home = make_household(village, household_type="脱贫户", head="")
    return make_member(home, name=name, relation="户主", birth=birth, labour_skill="普通劳动力", **fields)


def build_scenario(world, today: datetime.date | None = None) -> dict:
    """On the three-user world: a zero-employment 脱贫户 in 甲村 and one in 乙村, this year's verification round with
    one person verified, and a 公益性岗位 in 甲村 whose subsidy last month was one fen under the floor."""
    today = today or datetime.date.today()
    EmploymentSettings.objects.get_or_create(region=world.county, defaults={"minimum_wage": Decimal("1930.00")})
    idle_a = lifted_person(world.village_a, "甲村待就业")
    idle_b = lifted_person(world.village_b, "乙村待就业")
    round_ = started_round(world.admin, world.county, today.year, datetime.date(today.year, 12, 31))
    services.verify(user=world.officer_b, verification=round_.rows.get(member=idle_b), employed=False)
    post = Post.objects.create(name="保洁员", region=world.village_a, employer="甲村村委会", monthly_subsidy=965)
    holder = lifted_person(world.village_a, "甲村保洁员")
    placement = services.save_placement(
        placement=Placement(post=post, member=holder, start_date=today - datetime.timedelta(days=60))
    )
    low = Attendance.objects.create(
        placement=placement, month=today.replace(day=1), days=20, subsidy_paid=Decimal("964.99")
    )
    return {"idle": [idle_a, idle_b], "round": round_, "post": post, "low": low}
