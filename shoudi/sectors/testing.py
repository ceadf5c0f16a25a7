"""Factories for the dashboard and other tests: a severely disabled child enrolled for 送教上门 with no visit this
month."""

from __future__ import annotations

from django.utils import timezone

from shoudi.registry.testing import make_household, make_member

from .models import HomeTeaching

__all__ = ["build_scenario", "make_enrolment"]


def make_enrolment(household, name: str = "送教儿童", *, age: int = 10, **fields) -> HomeTeaching:
    """A child of ``age`` (born on 1 January) with 智力一级 disability, enrolled from today."""
    today = timezone.localdate()
    child = make_member(
        household,
        name=name,
        birth=f"{today.year - age}0101",
        disability_category="5",
        disability_grade="1",
    )
    return HomeTeaching.objects.create(
        member=child, school=fields.pop("school", "中心小学"), teacher="刘老师", start_date=today, **fields
    )


def build_scenario(world) -> dict:
    """A 脱贫户 of village A with a child enrolled today (no visit this month: short of two)."""
    home = make_household(world.village_a, household_no="SEC1", head="送教户主", household_type="脱贫户")
    return {"enrolment": make_enrolment(home)}
