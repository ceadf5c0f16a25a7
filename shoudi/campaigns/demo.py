"""The demo county's 2026 百日攻坚 (after S004): its three phases, the 工作专班 items per lead unit with their persons
and progress, and the problems of its 问题排查台账 in every state — registered through the campaign and driven
through work's services, so every step is on record — plus work's demo 专项排查 problems, linked to it."""

from __future__ import annotations

import datetime

from django.utils import timezone

from shoudi.accounts.models import User
from shoudi.core.context import acting_as
from shoudi.regions.models import Region
from shoudi.work import demo as work_demo
from shoudi.work import services as work
from shoudi.work.models import Problem

from . import choices as c
from . import services
from .models import Campaign, Phase, WorkItem, WorkItemPerson

__all__ = ["build", "has_data"]

COUNTY_CODE = "520199"
YEAR = 2026
DOCUMENT = "守农发〔2026〕5号"
NAME = "守望县2026年巩固拓展脱贫攻坚成果同乡村振兴有效衔接工作提质增效“百日攻坚”行动"
GOAL = "推动有效衔接工作提质增效，确保工作落实到位、短板弱项提质到位、干部作风明显改善、考核指标全面达标。"
TOWNSHIPS_AND = "各乡镇"
MATCHING_UNITS = "县人社局、县住建局、县教育局、县卫健局、县医保局、县民政局、县残联、县应急管理局、各乡镇"
RELOCATION_UNITS = "县农业农村局、县住建局、县人社局、县教育局、县卫健局、县医保局、县民政局、县财政局、县残联、各乡镇"

# S004 附件 (工作专班): number, task, lead unit, cooperating units (S004 二), phase, persons, lead unit's progress
ITEMS = [
    (1, "驻村帮扶结对帮扶提升", "县委组织部", "各乡镇、各后盾单位", 1, 2, c.DONE),
    (2, "防返贫监测帮扶提升", "县农业农村局", MATCHING_UNITS, 1, 2, c.DONE),
    (3, "教育帮扶提升", "县教育局", "县农业农村局、各乡镇", 1, 2, c.DONE),
    (4, "农村危房改造提升", "县住建局", "各乡镇", 1, 2, c.ONGOING),
    (5, "健康帮扶提升", "县医保局", "各乡镇", 1, 2, c.DONE),
    (5, "健康帮扶提升", "县卫健局", "各乡镇", 1, 2, c.DONE),
    (6, "饮水安全保障提升", "县农业农村局", "各乡镇", 1, 2, c.ONGOING),
    (7, "脱贫人口收入提升", "县农业农村局", "相关行业部门、各乡镇", 1, 2, c.DONE),
    (8, "农村低收入人口帮扶提升", "县民政局", "各乡镇", 1, 2, c.DONE),
    (9, "产业帮扶提升", "县农业农村局", "各乡镇、各相关单位", 1, 2, c.ONGOING),
    (10, "就业帮扶提升", "县人社局", "县农业农村局、县林业局、县发改局、县教育局、各乡镇", 1, 2, c.DONE),
    (11, "易地搬迁后续帮扶提升", "县发改局", RELOCATION_UNITS, 1, 2, c.ONGOING),
    (12, "项目资产管理提升", "县财政局", "县农经站、相关部门、各乡镇", 2, 2, c.ONGOING),
    (12, "项目资产管理提升", "县农业农村局", "县财政局、县农经站、相关部门、各乡镇", 2, 2, c.ONGOING),
    (13, "群众认可度工作提升", "县实施乡村振兴战略指挥部办公室", "各乡镇、各后盾单位", 2, 3, None),
]
POSTS = ("分管负责人", "专班联络员", "专班联络员")
# the townships' own progress (by their place in the county): how many of the items each has done, and is doing
TOWNSHIP_PROGRESS = {0: (15, 0), 1: (11, 3), 2: (6, 6), 3: (2, 5)}

# title, category, where (township place, village place or None for the township itself), issued by the township
# (else the county), the steps, overdue
PROBLEMS = [
    ("结对帮扶手册填写不规范：12本签名不到位", "帮扶", (0, None), False, ("progress", "apply", "close"), False),
    (
        "监测户帮扶措施未在30天内录入系统",
        "帮扶",
        (0, 0),
        False,
        ("progress", "apply", "reject", "apply", "close"),
        False,
    ),
    ("村公开栏未张贴监测对象申报政策明白纸", "帮扶", (0, 0), True, ("progress",), False),
    ("2户住房安全鉴定表未更新", "两不愁三保障", (0, 0), True, ("progress", "apply"), False),
    ("低保边缘家庭未做一户一画像", "帮扶", (0, 0), False, ("extend",), False),
    ("驻村工作队考勤台账不全", "作风", (0, None), False, (), True),
    ("饮水工程水费收缴台账未建立", "饮水", (1, 1), False, (), False),
    ("脱贫人口务工信息未核实到位", "收入", (1, None), False, (), True),
    ("帮扶产业项目“四个一批”核查未完成", "项目资金", (2, 2), False, ("suspend",), False),
    ("义务教育阶段“五类”学生资助未核查", "两不愁三保障", (2, None), False, (), False),
    ("2人未参加城乡居民医保", "两不愁三保障", (3, 0), False, (), True),
    ("村级卫生室缺常用药品", "两不愁三保障", (4, None), False, (), False),
]


def has_data() -> bool:
    return Campaign.objects.filter(document_no=DOCUMENT).exists()


def build(ctx) -> None:
    if has_data():
        ctx.say("百日攻坚：演示县已有攻坚行动，跳过。")
        return
    users = {u.username: u for u in User.objects.filter(username__in=("admin", "shenhe", "xinxiyuan"))}
    county = Region.objects.filter(code=COUNTY_CODE).first()
    if county is None or len(users) < 3:
        ctx.say("百日攻坚：没有演示县或演示账号，跳过。")
        return
    admin = users["admin"]
    with acting_as(admin, source="cli"):
        campaign = Campaign.objects.create(
            name=NAME,
            document_no=DOCUMENT,
            issuer_region=county,
            start_date=datetime.date(YEAR, 7, 1),
            end_date=datetime.date(YEAR, 10, 31),
            goal=GOAL,
        )
        phases = [
            Phase.objects.create(campaign=campaign, name=name, start_date=start, end_date=end)
            for name, start, end in c.s004_phases(YEAR)
        ]
        items = _items(ctx, campaign, phases, admin)
        townships = list(Region.objects.filter(parent=county, level="township").order_by("code"))
        _township_progress(items, townships, users)
        found = _problems(campaign, townships, users)
        linked = 0
        for problem in Problem.objects.filter(document_no=work_demo.DOCUMENT, campaign_link__isnull=True):
            services.link_problem(campaign=campaign, problem=problem, user=admin)
            linked += 1
    ctx.say(
        f"百日攻坚：{len(phases)} 个阶段、{len(items)} 项专班任务、{found + linked} 个排查问题"
        f"（其中问题整改演示问题 {linked} 个；已下发、整改中、申请销号、已销号、挂起、驳回、延期申请）。"
    )


def _items(ctx, campaign: Campaign, phases: list[Phase], admin) -> list[WorkItem]:
    items = []
    for number, task, lead, cooperating, phase, persons, state in ITEMS:
        item = WorkItem.objects.create(
            campaign=campaign,
            number=number,
            task=task,
            lead_unit=lead,
            cooperating_units=cooperating,
            townships_report=TOWNSHIPS_AND in cooperating,
            phase=phases[phase],
        )
        for post in POSTS[:persons]:
            WorkItemPerson.objects.create(
                item=item, name=ctx.faker.name(), post=post, phone=f"139{ctx.rng.randrange(10**8):08d}"
            )
        if state is not None:
            services.report_progress(item=item, user=admin, state=c.ONGOING, text="已召开专题会议，细化任务分工")
            if state == c.DONE:
                services.report_progress(item=item, user=admin, state=c.DONE, text="各项任务已落实，资料已归档")
        items.append(item)
    return items


def _township_progress(items: list[WorkItem], townships: list[Region], users: dict) -> None:
    """青山镇 reports its own progress; the county records the others' (代报) from their weekly reports."""
    reported = [item for item in items if item.townships_report]
    for place, (done, ongoing) in TOWNSHIP_PROGRESS.items():
        if place >= len(townships):
            continue
        township = townships[place]
        reporter = users["shenhe"] if users["shenhe"].region_id == township.pk else users["admin"]
        for n, item in enumerate(reported[: done + ongoing]):
            services.report_progress(
                item=item, user=reporter, region=township, state=c.ONGOING, text="已部署，逐村推进中"
            )
            if n < done:
                services.report_progress(item=item, user=reporter, region=township, state=c.DONE, text="已完成")


def _problems(campaign: Campaign, townships: list[Region], users: dict) -> int:
    """The 问题排查台账: found in the 集中攻坚 phase, one problem in every state. The village officer and the township
    reviewer of the demo act for the responsible side, the issuing level reviews."""
    admin, reviewer, officer = users["admin"], users["shenhe"], users["xinxiyuan"]
    today = timezone.localdate()
    for n, (title, category, (t, v), by_township, steps, overdue) in enumerate(PROBLEMS):
        township = townships[t % len(townships)]
        villages = list(Region.objects.filter(parent=township).order_by("code"))
        region = villages[v % len(villages)] if v is not None and villages else township
        issuer = reviewer if by_township and reviewer.region_id == township.pk else admin
        issued = datetime.date(YEAR, 8, 10) + datetime.timedelta(days=3 * n)
        due = issued + datetime.timedelta(days=30)
        problem = services.register_problem(
            campaign=campaign,
            user=issuer,
            category=category,
            title=title,
            region=region,
            severity="较重" if n % 4 == 0 else "一般",
            issued_on=issued,
            due_date=due if overdue else max(due, today + datetime.timedelta(days=20)),
            responsible=officer if region.pk == officer.region_id else None,
        )
        actor = officer if region.pk == officer.region_id else reviewer
        for step in steps:
            _step(problem, step, actor=actor, issuer=issuer)
    return len(PROBLEMS)


def _step(problem: Problem, step: str, *, actor, issuer) -> None:
    if step == "progress":
        work.record_progress(problem=problem, user=actor, text="已逐户核实，正在整改", evidence="核实记录")
    elif step == "apply":
        work.apply_closure(problem=problem, user=actor, text="整改完成，资料已补齐", evidence="整改台账")
    elif step == "close":
        work.decide_closure(problem=problem, user=issuer, approve=True, text="经核查，同意销号")
    elif step == "reject":
        work.decide_closure(problem=problem, user=issuer, approve=False, text="系统录入截图不全，补充后再申请")
    elif step == "suspend":
        work.suspend(problem=problem, user=issuer, reason="待县级“四个一批”分类方案印发后整改")
    elif step == "extend":
        work.request_extension(
            problem=problem,
            user=actor,
            until=problem.due_date + datetime.timedelta(days=30),
            reason="需待民政部门年审数据",
        )
