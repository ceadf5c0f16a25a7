"""The demo county's 送教上门: a few severely disabled children of 6–15 in the demo township (青山镇), enrolled three
months ago through the real service, taught two or three times in each past month, and this month some twice, some
once, some not yet — so that 我的待办 shows 本月送教上门不足2次 and the ledger has both.

Idempotent: nothing is done when an enrolment exists. When the township has too few severely disabled children, a
few children of the demo village are given a disability first (logged, as any edit)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from shoudi.accounts.models import User
from shoudi.core.context import acting_as
from shoudi.registry.models import Member

from . import services
from .models import HomeTeaching
from .selectors import month_bounds, of_age

__all__ = ["build"]

TOWNSHIP = "520199001"
VILLAGE = "520199001001"
CHILDREN = 6
SCHOOLS = ("青山镇中心小学", "青山镇中学", "县特殊教育学校")
CONTENTS = (
    "认识数字1—10，练习书写",
    "生活自理训练：穿衣、洗手",
    "看图说话，识字卡片",
    "康复训练与亲子游戏",
    "儿歌学唱，语言训练",
    "简单加减法练习",
)


def build(ctx) -> None:
    if HomeTeaching.objects.exists():
        ctx.say("送教上门：演示数据已存在，跳过。")
        return
    admin = User.objects.filter(username="admin").first()
    if admin is None or not Member.objects.filter(household__village__code__startswith=TOWNSHIP).exists():
        ctx.say("送教上门：演示乡镇没有农户数据，跳过。")
        return
    rng = ctx.rng
    today = timezone.localdate()
    start = today - datetime.timedelta(days=95)
    with acting_as(admin, source="cli"):
        children = _children(start, today)
        enrolments = []
        for n, child in enumerate(children):
            try:
                enrolments.append(
                    services.enrol(
                        user=admin,
                        member=child,
                        school=SCHOOLS[n % len(SCHOOLS)],
                        teacher=ctx.faker.name(),
                        teacher_phone=f"139{rng.randrange(10**8):08d}",
                        start_date=start,
                    )
                )
            except services.Refused as exc:
                ctx.say(f"送教上门：{exc}")
        visits = sum(_visits(rng, admin, enrolment, n, today) for n, enrolment in enumerate(enrolments))
    short = sum(1 for n in range(len(enrolments)) if n % 3 != 2)
    ctx.say(f"送教上门：送教对象 {len(enrolments)} 名，送教记录 {visits} 条，本月不足2次 {short} 名。")


def _children(start: datetime.date, today: datetime.date) -> list[Member]:
    """Severely disabled children of age from the start to today (the township's first, by household number)."""
    of_age_throughout = of_age(start, prefix="") & of_age(today, prefix="")
    base = Member.objects.filter(of_age_throughout, household__village__code__startswith=TOWNSHIP, status="正常")
    severe = list(
        base.exclude(disability_category="")
        .filter(disability_grade__in=services.SEVERE_GRADES)
        .order_by("household__household_no", "id")[:CHILDREN]
    )
    if len(severe) < CHILDREN // 2:
        others = base.filter(household__village__code=VILLAGE, disability_category="").order_by(
            "household__household_no", "id"
        )
        for child in others[: CHILDREN - len(severe)]:
            child.disability_category, child.disability_grade = "5", "2"  # 智力二级
            child.health = "残疾"
            child.save()
            severe.append(child)
    return severe


def _visits(rng, user, enrolment: HomeTeaching, n: int, today: datetime.date) -> int:
    """Two or three visits in each month before this one; this month 0, 1 or 2 by the child's turn (never after
    today)."""
    count = 0
    day = enrolment.start_date.replace(day=1)
    this_month = today.replace(day=1)
    while day < this_month:
        first, last = month_bounds(day)
        for d in sorted(rng.sample(range(first.day, last.day + 1), rng.choice((2, 2, 3)))):
            taught_on = first.replace(day=d)
            if enrolment.start_date <= taught_on:
                _record(rng, user, enrolment, taught_on)
                count += 1
        day = last + datetime.timedelta(days=1)
    for d in range(n % 3):  # this month: 0, 1 or 2
        _record(rng, user, enrolment, max(this_month, min(today, this_month.replace(day=1 + 7 * d))))
        count += 1
    return count


def _record(rng, user, enrolment: HomeTeaching, taught_on: datetime.date) -> None:
    services.record_visit(
        user=user,
        enrolment=enrolment,
        taught_on=taught_on,
        content=rng.choice(CONTENTS),
        hours=Decimal(rng.choice(("1", "1.5", "2"))),
    )
