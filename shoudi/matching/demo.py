"""The demo county's department matching: a 医保 list for two months, and a 民政, a 卫健 (慢病签约) and an 应急管理
(受灾人员) list for the township of the demo village officer (青山镇), matched through the real service, with a few
findings verified and a few overdue.

Idempotent: nothing is done when the demo lists exist. A few thousand rows, so that `shoudi demo` stays quick.
"""

from __future__ import annotations

import datetime
import random
import tempfile
from pathlib import Path

from django.utils import timezone

from shoudi.accounts.models import User
from shoudi.core.context import acting_as
from shoudi.regions.models import Region
from shoudi.registry.models import Member

from . import choices as c
from .baselist import base_members
from .models import DepartmentList, Finding
from .services import match_file, verify_finding
from .testing import write_list

MARK = "演示"
TOWNSHIP = "520199001"
VILLAGE = "520199001001"


def _months_before(day: datetime.date, n: int) -> str:
    index = day.year * 12 + day.month - 1 - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _outsider(rng: random.Random) -> str:
    from shoudi.core.idnumbers import check_character

    first17 = (
        f"520199{rng.randrange(1950, 2005)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}"
        f"{rng.randrange(900, 1000):03d}"
    )
    return first17 + check_character(first17)


def build(ctx) -> None:
    if DepartmentList.objects.filter(file_name__startswith=MARK).exists():
        ctx.say("比对：演示部门名单已存在，跳过。")
        return
    township = Region.objects.filter(code=TOWNSHIP).first()
    if township is None or not Member.objects.filter(household__village__code__startswith=TOWNSHIP).exists():
        ctx.say("比对：演示乡镇没有农户数据，跳过。")
        return
    rng = random.Random(ctx.seed + 11)  # noqa: S311 - demo data
    admin = User.objects.filter(username="admin").first()
    yibao = User.objects.filter(username="yibao").first() or admin
    officer = User.objects.filter(username="xinxiyuan").first()
    today = timezone.localdate()
    earlier, later = _months_before(today, 2), _months_before(today, 1)
    people = [
        (id_number, name, rng.random(), rng.random(), rng.uniform(0, 3000))
        for id_number, name in base_members(TOWNSHIP).values_list("id_number", "name")
    ]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        first = _medical(folder, rng, people, earlier, yibao, absent=lambda u: u < 0.03, growth=1)
        if officer is not None:
            # the village found two of them already insured elsewhere: not raised again next month
            with acting_as(officer, source="system"):
                for finding in Finding.objects.filter(run=first, rule="not_insured", village__code=VILLAGE)[:2]:
                    verify_finding(finding=finding, user=officer, confirmed=False, note="已在外省参加职工医保")
        # a month later most gaps remain, some are closed, a few new ones appear; costs have grown a little
        second = _medical(folder, rng, people, later, yibao, absent=lambda u: u < 0.02 or u > 0.995, growth=1.1)
        civil = _civil(folder, rng, later, admin)
        health = _health(folder, rng, people, later, admin)
        emergency = _emergency(folder, rng, people, later, admin)
    # a few village findings past their deadline, so that 我的待办 shows the line
    late = Finding.objects.filter(run=second, village__code=VILLAGE, status=c.PENDING)[:3]
    Finding.objects.filter(pk__in=[f.pk for f in late]).update(due_on=today - datetime.timedelta(days=3))
    ctx.say(
        f"比对：医保 {earlier}、{later} 与民政 {later} 名单，比对结果 "
        f"{first.summary['findings']} / {second.summary['findings']} / {civil.summary['findings']} 条；"
        f"卫健、应急 {later} 名单 {health.summary['findings']} / {emergency.summary['findings']} 条。"
    )


def _medical(folder: Path, rng: random.Random, people, period: str, user, *, absent, growth: float):
    """Everybody insured but a few; a few with a high 合规自付 cost; a few names spelled otherwise; outsiders."""
    rows = []
    for id_number, name, u, v, cost in people:
        if absent(u):
            continue
        if v < 0.01:
            cost = 11000 + v * 2_900_000  # 11000–40000
        if 0.5 < v < 0.5015:
            name = name[:-1] + "某"
        rows.append([name, id_number, "正常参保", round(cost * growth, 2), "城乡居民基本医疗保险"])
    rows += [[f"外县人员{i}", _outsider(rng), "正常参保", 500, "城乡居民基本医疗保险"] for i in range(5)]
    path = write_list(
        folder / f"{MARK}医保参保名单{period}.xlsx",
        ["姓名", "身份证号码", "参保状态", "合规自付费用", "险种"],
        rows,
        title=f"医保局参保名单 {period}",
    )
    return match_file(department="medical_insurance", path=path, period=period, user=user, region_code=TOWNSHIP)


def _civil(folder: Path, rng: random.Random, period: str, user):
    """The township's 低保/特困 as the registry has them, less a few, plus new 低保 households and two deaths."""
    members = Member.objects.filter(household__village__code__startswith=TOWNSHIP, status="正常")
    rows = []
    receiving = members.exclude(dibao__in=("", "未享受"), tekun__in=("", "不享受"))
    for id_number, name, tekun in receiving.values_list("id_number", "name", "tekun"):
        if rng.random() < 0.03:
            continue
        kind = "特困供养" if tekun in ("农村特困", "城市特困") else "农村低保"
        rows.append([name, id_number, kind, "正常", ""])
    newcomers = list(
        members.filter(dibao__in=("", "未享受"), tekun__in=("", "不享受"), relation="户主")
        .order_by("household__household_no")
        .values_list("id_number", "name")[:3000]
    )
    picked = rng.sample(newcomers, min(8, len(newcomers)))
    for id_number, name in picked[:6]:
        rows.append([name, id_number, rng.choice(["农村低保", "低保边缘家庭"]), "正常", ""])
    for id_number, name in picked[6:]:
        rows.append([name, id_number, "农村低保", "死亡", f"{period}-0{rng.randrange(1, 9)}"])
    path = write_list(
        folder / f"{MARK}民政救助名单{period}.xlsx",
        ["姓名", "公民身份号码", "救助类型", "人员状态", "死亡日期"],
        rows,
        title=f"民政局救助对象名单 {period}",
    )
    return match_file(department="civil_affairs", path=path, period=period, user=user, region_code=TOWNSHIP)


def _health(folder: Path, rng: random.Random, people, period: str, user):
    """About one in twelve of the township's 脱贫/监测 people is a chronic patient: most signed and served 4–8 times,
    a few served 1–3 times, a few not signed, a few of another disease (kept and reported)."""
    diseases = ["高血压", "高血压", "2型糖尿病", "糖尿病", "肺结核", "严重精神障碍"]
    rows = []
    adults_born_by = timezone.localdate().year - 18
    for id_number, name, u, _v, _cost in people:
        if u < 0.3 or u > 0.38 or int(id_number[6:10]) > adults_born_by:  # the four diseases: adults here
            continue
        roll = rng.random()
        disease = "冠心病" if roll > 0.97 else rng.choice(diseases)
        services = rng.randrange(1, 4) if roll < 0.15 else rng.randrange(4, 9)
        signed, services = ("否", 0) if roll < 0.05 else ("是", services)
        rows.append([name, id_number, disease, signed, services, "乡镇卫生院家庭医生团队"])
    path = write_list(
        folder / f"{MARK}卫健慢病签约名单{period}.xlsx",
        ["姓名", "身份证号码", "病种", "是否签约", "本年度服务次数", "签约医生"],
        rows,
        title=f"卫健局四类慢病患者家庭医生签约名单 {period}",
    )
    return match_file(department="health", path=path, period=period, user=user, region_code=TOWNSHIP)


def _emergency(folder: Path, rng: random.Random, people, period: str, user):
    """A summer flood and a few house fires in the township: a dozen persons, one of them outside the registry."""
    picked = rng.sample(people, min(12, len(people)))
    year, month = period.split("-")
    rows = []
    for i, (id_number, name, *_rest) in enumerate(picked):
        kind = "房屋火灾" if i % 5 == 4 else "洪涝"
        rows.append([name, id_number, kind, f"{year}-{month}-{rng.randrange(1, 28):02d}", rng.randrange(2, 60) * 1000])
    rows.append(["外县人员", _outsider(rng), "洪涝", f"{year}-{month}-05", 3000])
    path = write_list(
        folder / f"{MARK}应急受灾人员名单{period}.xlsx",
        ["姓名", "证件号码", "受灾类型", "受灾日期", "损失金额"],
        rows,
        title=f"应急管理局受灾人员名单 {period}",
    )
    return match_file(department="emergency", path=path, period=period, user=user, region_code=TOWNSHIP)
