"""Factories for tests of the 低收入人口 register: designations, and a small register on the three-user world."""

from __future__ import annotations

import datetime

from django.utils import timezone

from shoudi.assistance.models import Visit
from shoudi.registry.testing import make_household

from .models import Designation

__all__ = ["build_scenario", "designate"]


def designate(household, category: str = "农村低保", *, member=None, since: datetime.date | None = None, **fields):
    return Designation.objects.create(
        household=household, member=member, category=category, since=since or datetime.date(2025, 1, 1), **fields
    )


def build_scenario(world, today: datetime.date | None = None) -> dict:
    """Something on the register's card in both townships: 甲村 a 低保 household visited this month and a 留守儿童
    household not yet visited; 乙村 a 特困 household not visited."""
    today = today or timezone.localdate()
    dibao = make_household(world.village_a, household_no="LI-A1", head="低保户主")
    designate(dibao)
    Visit.objects.create(household=dibao, visited_on=today.replace(day=1), visitor="专班", content="每月走访")
    child_home = make_household(world.village_a, household_no="LI-A2", head="留守户主")
    designate(child_home, "留守儿童", member=child_home.head)
    tekun = make_household(world.village_b, household_no="LI-B1", head="特困户主")
    designate(tekun, "特困供养（分散）")
    return {"dibao": dibao, "child_home": child_home, "tekun": tekun}
