"""The demo county's data quality: a first run over the county, with a few households of the demo village officer's
village spoilt as a careless import would, so that his village has problems in every state — open, 已整改 by the
next run after he fixed the data, a 不是问题 waiver waiting for 青山镇, and one it confirmed."""

from __future__ import annotations

from shoudi.accounts.models import User
from shoudi.core.context import acting_as
from shoudi.regions.models import Region
from shoudi.registry.models import Household, Member
from shoudi.work import services as work

from .engine import run
from .models import Hit

COUNTY_CODE = "520199"


def has_data() -> bool:
    return Hit.objects.filter(village__code__startswith=COUNTY_CODE).exists()


def _hit(rule: str, household: Household) -> Hit | None:
    return Hit.objects.filter(rule=rule, household=household, active=True).select_related("problem").first()


def build(ctx) -> None:
    if has_data():
        ctx.say("数据质量：演示县已检查过，跳过。")
        return
    county = Region.objects.filter(code=COUNTY_CODE).first()
    officer = User.objects.filter(username="xinxiyuan").first()
    reviewer = User.objects.filter(username="shenhe").first()
    if county is None or officer is None or reviewer is None:
        ctx.say("数据质量：没有演示县或其账号，跳过。")
        return
    village = officer.region
    homes = list(Household.objects.filter(village=village).order_by("household_no")[:4])
    if len(homes) < 4:
        ctx.say("数据质量：演示村农户不足，跳过。")
        return
    fixed, pending, confirmed, left = homes
    # what a careless import leaves behind: a landline without its area code, 家庭人口数 not counting a member
    Household.objects.filter(pk=fixed.pk).update(phone="8812345")
    Household.objects.filter(pk=left.pk).update(phone="8812346")
    for household in (pending, confirmed):
        live = household.members.filter(status="正常").count()
        Household.objects.filter(pk=household.pk).update(size=live + 1)
    with acting_as(None, source="cli"):
        first = run(region=county)
    with acting_as(officer, source="web"):
        fixed.refresh_from_db()
        fixed.phone = "13885120001"
        fixed.save()
    with acting_as(officer, source="web"):
        work.request_waiver(
            problem=_hit("2_01_040", pending).problem,
            user=officer,
            reason="户内一名成员常年在外，户籍仍在本户，人口数无误",
        )
        work.request_waiver(
            problem=_hit("2_01_040", confirmed).problem, user=officer, reason="新生儿已落户，成员信息待国家系统同步"
        )
    with acting_as(reviewer, source="web"):
        work.decide_closure(problem=_hit("2_01_040", confirmed).problem, user=reviewer, approve=True, text="经核实属实")
    with acting_as(None, source="cli"):
        run(region=village)
    total = sum(count.found for count in first.counts.values())
    members = Member.objects.filter(household__village__code__startswith=COUNTY_CODE).count()
    ctx.say(
        f"数据质量：检查 {members} 人，发现问题 {total} 个；{village.name}有待整改、已整改（自动关闭）、"
        "待乡镇确认不是问题、已确认不是问题的问题各一类。"
    )
