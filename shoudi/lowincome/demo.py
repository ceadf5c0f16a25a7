"""The demo county's 低收入人口: about one household in nine designated — 农村低保 from a 民政 list imported last
month, the other categories entered by hand (特困, 低保边缘, 残疾人家庭 on the household; 孤儿, 事实孤儿, 留守儿童 on a
child, 两无老年人 on an elder), a few designations already ended, most households visited this month and some not,
分类帮扶 actions in every state and 关爱 records by 光伏扶贫公益岗位 staff."""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from shoudi.accounts.models import User
from shoudi.assistance.models import Visit
from shoudi.regions.models import Region
from shoudi.registry.models import Household, Member

from . import choices as c
from .models import CareRecord, Designation, DesignationImport, LowIncomeSettings, SupportAction

COUNTY_CODE = "520199"
SHARE = 9  # one household in SHARE
HOUSEHOLD_CATEGORIES = [
    "农村低保",
    "农村低保",
    "农村低保",
    "特困供养（分散）",
    "特困供养（集中）",
    "低保边缘",
    "残疾人家庭",
]
CHILD_CATEGORIES = ["留守儿童", "留守儿童", "孤儿", "事实孤儿"]
CARE = {"留守儿童": "留守儿童关爱", "孤儿": "孤儿关爱", "事实孤儿": "事实孤儿关爱", "农村“两无”老年人": "两无老人关爱"}
CARE_WORK = ["打扫卫生，整理衣物", "陪同就医取药", "辅导作业，了解在校情况", "送米面油，检查用电安全", "代购生活用品"]
SERVERS = ["王秀英", "李桂兰", "张玉梅", "刘凤霞", "陈淑珍"]


def build(ctx) -> None:
    county = Region.objects.filter(code=COUNTY_CODE).first()
    admin = User.objects.filter(username="admin").first()
    if county is None or admin is None:
        ctx.say("低收入人口：没有演示县，跳过。")
        return
    if Designation.objects.filter(household__village__code__startswith=COUNTY_CODE).exists():
        ctx.say("低收入人口：演示县已有认定，跳过。")
        return
    rng = random.Random(ctx.seed + 20)  # noqa: S311 - demo data
    today = timezone.localdate()
    LowIncomeSettings.objects.get_or_create(region=county)
    ids = list(
        Household.objects.filter(village__code__startswith=COUNTY_CODE).order_by("pk").values_list("pk", flat=True)
    )
    chosen = [hid for n, hid in enumerate(ids) if n % SHARE == 3]
    members = _members(chosen)
    batch = DesignationImport.objects.create(
        region=county,
        file_name=f"县民政局{today.year}年{today.month}月农村低保名单.xlsx",
        imported_by=admin,
    )
    designations, care_people = [], []
    for hid in chosen:
        people = members.get(hid, [])
        if not people:
            continue
        head = people[0]
        category = rng.choice(HOUSEHOLD_CATEGORIES)
        listed = category == "农村低保"
        since = today - datetime.timedelta(days=rng.randrange(60, 900))
        designations.append(
            Designation(
                household_id=hid,
                member=head,
                category=category,
                source=c.LIST if listed else c.HAND,
                since=since,
                batch=batch if listed else None,
            )
        )
        child = next((m for m in people if m.birth_date and m.birth_date.year >= today.year - 15), None)
        elder = next((m for m in people if m.birth_date and m.birth_date.year <= today.year - 75), None)
        if child is not None and rng.random() < 0.35:
            kind = rng.choice(CHILD_CATEGORIES)
            designations.append(Designation(household_id=hid, member=child, category=kind, since=since))
            care_people.append((child, kind))
        elif elder is not None and rng.random() < 0.4:
            designations.append(Designation(household_id=hid, member=elder, category="农村“两无”老年人", since=since))
            care_people.append((elder, "农村“两无”老年人"))
    for designation in designations[::40]:  # a few already ended
        designation.until = today - datetime.timedelta(days=rng.randrange(5, 50))
        designation.until = max(designation.until, designation.since)
        designation.end_reason = "家庭收入超过保障标准"
    Designation.objects.bulk_create(designations)
    batch.created_count = sum(1 for d in designations if d.batch_id)
    batch.save()
    visited = _visits(rng, chosen, today)
    actions = _actions(rng, chosen, today, admin)
    care = _care(rng, care_people, today)
    ctx.say(
        f"低收入人口：认定 {len(designations)} 条（{len(chosen)} 户），本月已走访 {visited} 户，"
        f"分类帮扶 {actions} 件，关爱记录 {care} 条。"
    )


def _members(household_ids) -> dict[int, list[Member]]:
    """The registered members of each household, the head first."""
    found: dict[int, list[Member]] = {}
    rows = Member.objects.filter(household_id__in=household_ids, status="正常").order_by("household_id", "pk")
    for member in rows.only("pk", "household_id", "relation", "birth_date", "name"):
        people = found.setdefault(member.household_id, [])
        if member.relation == "户主":
            people.insert(0, member)
        else:
            people.append(member)
    return found


def _visits(rng, household_ids, today: datetime.date) -> int:
    """This month's visits of the 村级工作专班 to about two households in three (some on the 1st)."""
    first = today.replace(day=1)
    days = (today - first).days
    picked = [hid for hid in household_ids if rng.random() < 0.65]
    Visit.objects.bulk_create(
        Visit(
            household_id=hid,
            visited_on=first + datetime.timedelta(days=rng.randrange(days + 1)),
            kind="入户",
            visitor="村级工作专班",
            content="每月走访低收入家庭，核查低保、医保等政策落实情况",
            food_clothing_ok=True,
            education_ok=True,
            medical_ok=True,
            housing_ok=True,
            water_ok=True,
        )
        for hid in picked
    )
    return len(picked)


def _actions(rng, household_ids, today: datetime.date, admin) -> int:
    rows = []
    for n, hid in enumerate(household_ids[5::12]):
        kind = ("申请低保", "申请特困", "落实帮扶措施")[n % 3]
        status = (c.APPLIED, c.APPROVED, c.REJECTED, c.APPLIED)[n % 4]
        applied = today - datetime.timedelta(days=rng.randrange(3, 60))
        decided = status != c.APPLIED
        rows.append(
            SupportAction(
                household_id=hid,
                kind=kind,
                content={
                    "申请低保": "家庭成员患慢性病，收入下降，走访中提出申请",
                    "申请特困": "老人无劳动能力、无赡养人，符合特困供养条件",
                    "落实帮扶措施": "协调公益岗位，增加家庭务工收入",
                }[kind],
                applied_on=applied,
                status=status,
                decided_on=applied + datetime.timedelta(days=10) if decided else None,
                decided_by=admin if decided else None,
                decision={c.APPROVED: "同意", c.REJECTED: "家庭人均收入高于保障标准"}.get(status, ""),
            )
        )
    SupportAction.objects.bulk_create(rows)
    return len(rows)


def _care(rng, people, today: datetime.date) -> int:
    rows = []
    for member, category in people:
        for _ in range(rng.randrange(1, 4)):
            rows.append(
                CareRecord(
                    household_id=member.household_id,
                    member=member,
                    kind=CARE[category],
                    served_on=today - datetime.timedelta(days=rng.randrange(0, 90)),
                    server=rng.choice(SERVERS),
                    server_post="光伏扶贫公益岗位",
                    content=rng.choice(CARE_WORK),
                )
            )
    CareRecord.objects.bulk_create(rows)
    return len(rows)
