"""The demo county's employment assistance: the settings, this year's 务工 verification round with half of 青山镇's
first village verified, 公益性岗位 with three months of attendance (one month paid under the floor, one post whose
standard is under it), a 帮扶车间 with eligible and ineligible 脱贫 workers, and 一次性交通补贴."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from shoudi.accounts.models import User
from shoudi.core.context import acting_as
from shoudi.core.jobs.runner import execute_job
from shoudi.regions.models import Region
from shoudi.registry.selectors import LABOUR

from . import services
from .models import (
    Attendance,
    EmploymentSettings,
    Placement,
    Post,
    TransportSubsidy,
    VerificationRound,
    Workshop,
    WorkshopEmployee,
)
from .selectors import covered_members

__all__ = ["build", "has_data"]

COUNTY_CODE = "520199"
TOWNSHIP_CODE = COUNTY_CODE + "001"
VERIFY_AT_MOST = 60  # half of the first village, kept short: the demo loads in the tests
POSTS = [  # name, employer, monthly subsidy (the floor: 1930 × 50 % = 965)
    ("保洁员", "村民委员会", "965.00"),
    ("护林员", "县林业局", "1000.00"),
    ("护路员", "乡镇交通站", "900.00"),
]
WORKERS = [(8, "9600.00"), (6, "6000.00"), (5, "7500.00"), (7, "5999.99")]  # two eligible, two not
PLACES = ["浙江省义乌市", "广东省东莞市", "湖南省长沙市", "福建省晋江市", "江苏省苏州市"]


def has_data() -> bool:
    return VerificationRound.objects.filter(county__code=COUNTY_CODE).exists()


def _first_of(day: datetime.date, back: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - back
    return datetime.date(index // 12, index % 12 + 1, 1)


def build(ctx) -> None:
    if has_data():
        ctx.say("就业帮扶：演示县已有务工信息核实，跳过。")
        return
    county = Region.objects.filter(code=COUNTY_CODE, level="county").first()
    users = {u.username: u for u in User.objects.filter(username__in=("admin", "shenhe"))}
    villages = list(Region.objects.filter(code__startswith=TOWNSHIP_CODE, level="village").order_by("code"))
    if county is None or len(users) < 2 or not villages:
        ctx.say("就业帮扶：没有演示县的用户或村，跳过。")
        return
    rng = random.Random(ctx.seed + 20)  # noqa: S311 - demo data
    today = timezone.localdate()
    admin, reviewer = users["admin"], users["shenhe"]
    EmploymentSettings.objects.get_or_create(region=county, defaults={"minimum_wage": Decimal("1930.00")})
    with acting_as(admin, source="cli"):
        round_ = services.start_round(
            user=admin, county=county, year=today.year, reference_date=datetime.date(today.year, 12, 31)
        )
    execute_job(round_.job_id)  # the worker's run, here (a worker that takes the task later finds it done)
    round_.refresh_from_db()
    verified = _verify_half(rng, round_, villages[0], reviewer)
    people = list(
        covered_members()
        .filter(LABOUR, household__village__code__startswith=TOWNSHIP_CODE)
        .exclude(employed=True)
        .filter(public_welfare_job="")
        .select_related("household__village")
        .order_by("household__village__code", "pk")[:12]
    )
    with acting_as(admin, source="cli"):
        placed = _posts(people[:3], villages, today)
        workers = _workshop(people[3:7], villages[0], today)
        subsidies = _transport(rng, today)
    ctx.say(
        f"就业帮扶：{round_.persons} 人待核实（已核实 {verified} 人），{placed} 个公益性岗位，"
        f"帮扶车间 {workers} 人，交通补贴 {subsidies} 人。"
    )


def _verify_half(rng, round_, village, user) -> int:
    rows = list(round_.rows.filter(village=village).select_related("member").order_by("pk"))
    done = 0
    with acting_as(user, source="cli"):
        for row in rows[: min(len(rows) // 2, VERIFY_AT_MOST)]:
            member = row.member
            employed = bool(member.employed) or rng.random() < 0.3
            place = member.work_place or rng.choice(PLACES)
            services.verify(
                user=user,
                verification=row,
                employed=employed,
                work_place=place if employed else "",
                work_months=(member.work_months or rng.randint(3, 12)) if employed else None,
                work_type=("县内务工" if "县" in place else "省外务工") if employed else "",
            )
            done += 1
    return done


def _posts(people, villages, today) -> int:
    for (name, employer, subsidy), person in zip(POSTS, people, strict=False):
        post = Post.objects.create(
            name=name, region=person.household.village, employer=employer, monthly_subsidy=Decimal(subsidy)
        )
        placement = services.save_placement(
            placement=Placement(post=post, member=person, start_date=_first_of(today, 6))
        )
        for back in (3, 2, 1):
            # one month of the 保洁员 paid under the floor (a day's deduction booked against the subsidy)
            paid = Decimal("930.00") if (name == "保洁员" and back == 2) else Decimal(subsidy)
            Attendance.objects.create(placement=placement, month=_first_of(today, back), days=22, subsidy_paid=paid)
    return min(len(POSTS), len(people))


def _workshop(people, village, today) -> int:
    workshop = Workshop.objects.create(
        name=f"{village.name}竹编帮扶车间",
        region=village,
        operator=f"{village.name}竹编专业合作社",
        contact="车间负责人",
    )
    for person, (months, income) in zip(people, WORKERS, strict=False):
        WorkshopEmployee.objects.create(
            workshop=workshop, member=person, year=today.year, months=months, income=Decimal(income)
        )
    return min(len(people), len(WORKERS))


def _transport(rng, today) -> int:
    away = list(
        covered_members()
        .filter(household__village__code__startswith=COUNTY_CODE, employed=True)
        .order_by("household__village__code", "pk")[:6]
    )
    for n, member in enumerate(away):
        TransportSubsidy.objects.create(
            member=member,
            year=today.year,
            destination=member.work_place or rng.choice(PLACES),
            amount=Decimal(rng.choice(("300", "500", "800"))),
            paid_on=_first_of(today, 2) + datetime.timedelta(days=n) if n % 3 else None,
        )
    return len(away)
