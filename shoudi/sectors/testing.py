"""Factories for the dashboard and other tests: a severely disabled child enrolled for 送教上门 with no visit this
month, and the 卫健 findings of an unsigned and an under-served chronic patient."""

from __future__ import annotations

from django.utils import timezone

from shoudi.matching.models import DepartmentList, Finding, MatchRun
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
    today = timezone.localdate()
    home = make_household(world.village_a, household_no="SEC1", head="送教户主", household_type="脱贫户")
    enrolment = make_enrolment(home)
    period = f"{today:%Y-%m}"
    dlist = DepartmentList.objects.create(department="health", period=period, file_name="health.csv")
    run = MatchRun.objects.create(list=dlist, department="health", period=period)
    patients = {}
    for n, (village, rule, label) in enumerate(
        (
            (world.village_a, "chronic_not_signed", "慢病患者未签约家庭医生"),
            (world.village_b, "chronic_few_services", "慢病签约年度服务不足4次"),
        )
    ):
        household = make_household(village, household_no=f"SEC{n + 2}", head=f"慢病{n}", household_type="脱贫户")
        head = household.members.get(relation="户主")
        patients[rule] = Finding.objects.create(
            run=run,
            department="health",
            period=period,
            rule=rule,
            rule_label=label,
            village=village,
            household=household,
            member=head,
            name=head.name,
            id_number=head.id_number,
            subject=head.id_number,
        )
    return {"enrolment": enrolment, "findings": patients}
