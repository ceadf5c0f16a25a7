"""The demo county's 百日攻坚 专项排查: problems issued by the county and by 青山镇 to villages, one in every state
(and one overdue, one with a 延期申请 waiting), so that the pages and the worklist are not empty."""

from __future__ import annotations

import datetime

from django.utils import timezone

from shoudi.accounts.models import User
from shoudi.core.context import acting_as
from shoudi.regions.models import Region
from shoudi.registry.models import Household

from . import services
from .models import Problem

COUNTY_CODE = "520199"
DOCUMENT = "县攻坚办〔2026〕8号"
# title, category, the village's place among the county's villages, the steps it has gone through (taken by the
# demo village officer, so in his village, the first)
PROBLEMS = [
    ("饮水安全：3户自来水季节性断水", "饮水", 3, ()),
    ("作风问题：帮扶干部走访记录雷同", "作风", 5, ()),
    ("住房安全：1户危房改造未验收", "两不愁三保障", 0, ("progress",)),
    ("义务教育：1名适龄儿童未入学", "两不愁三保障", 0, ("progress", "apply")),
    ("医疗保障：2人未参加城乡居民医保", "两不愁三保障", 0, ("progress", "apply", "close")),
    ("帮扶措施：监测户未落实产业帮扶", "帮扶", 0, ("progress", "suspend")),
    ("收入核算：2户收入数据前后矛盾", "收入", 0, ("progress", "apply", "reject")),
    ("项目资金：村集体光伏收益未分配", "项目资金", 0, ("extend",)),
]


def has_data() -> bool:
    return Problem.objects.filter(document_no=DOCUMENT).exists()


def build(ctx) -> None:
    if has_data():
        ctx.say("问题整改：演示县已有百日攻坚问题，跳过。")
        return
    admin = User.objects.filter(username="admin").first()
    officer = User.objects.filter(username="xinxiyuan").first()
    villages = list(Region.objects.filter(code__startswith=COUNTY_CODE, level="village").order_by("code"))
    if admin is None or officer is None or not villages:
        ctx.say("问题整改：没有演示县的管理员或村，跳过。")
        return
    today = timezone.localdate()
    with acting_as(admin, source="cli"):
        for n, (title, category, place, steps) in enumerate(PROBLEMS):
            village = villages[place % len(villages)]
            households = Household.objects.filter(village=village).order_by("household_no")[:2]
            issued = today - datetime.timedelta(days=40 - 3 * n)
            problem = services.issue_problem(
                user=admin,
                source="专项排查",
                document_no=DOCUMENT,
                category=category,
                title=title,
                region=village,
                severity="较重" if n % 3 == 0 else "一般",
                issued_on=issued,
                due_date=issued + datetime.timedelta(days=30),  # the first ones overdue
                households=households,
                responsible=officer if village.code == officer.region.code else None,
            )
            actor = officer
            for step in steps:
                if step == "progress":
                    services.record_progress(
                        problem=problem, user=actor, text="已入户核实，正在整改", evidence="入户照片"
                    )
                elif step == "apply":
                    services.apply_closure(problem=problem, user=actor, text="整改完成", evidence="验收单")
                elif step == "close":
                    services.decide_closure(problem=problem, user=admin, approve=True, text="同意销号")
                elif step == "reject":
                    services.decide_closure(
                        problem=problem, user=admin, approve=False, text="佐证材料不足，补充收入核算表"
                    )
                elif step == "suspend":
                    services.suspend(problem=problem, user=admin, reason="等待县级产业项目落地")
                elif step == "extend":
                    services.request_extension(
                        problem=problem,
                        user=actor,
                        until=problem.due_date + datetime.timedelta(days=20),
                        reason="收益年底结算",
                    )
    ctx.say(
        f"问题整改：百日攻坚专项排查问题 {len(PROBLEMS)} 个（已下发、整改中、申请销号、已销号、挂起、驳回、延期申请）。"
    )
