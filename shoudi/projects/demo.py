"""The demo county's 项目库 and assets: a project in every state of the chain (待乡镇审核 to 已结算报账, 退回修改 and
未通过), one 公示 running with an objection open, a 下达 whose 预算执行 is overdue, a completion waiting too long for
its 验收, an asset overdue for 确权移交, an operating asset's income paid out to its households and this year's plan
waiting for the township, a disposed asset and last quarter's 督查 — so that every page, ledger and card has rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from shoudi.accounts.models import User
from shoudi.core.context import acting_as
from shoudi.regions.models import Region
from shoudi.registry.models import Household

from . import choices as c
from . import services
from .models import Inspection, Project
from .testing import advance, propose

COUNTY_CODE = "520199"
TOWNSHIP_CODE = "520199001"  # 青山镇: its reviewer is the demo's
MARK = "产业路硬化"  # the first project's name ends so: the demo's projects exist when it does
DAY = datetime.timedelta(days=1)

# name, type, sub-type, place (0: the demo officer's village, 1: the next, "t": the township, "c": the county),
# the state to take it to, how many days ago its chain started
PROJECTS = [
    ("{place}产业路硬化", "基础设施", "农村道路", 0, c.SETTLED, 300),
    ("{place}村级光伏电站", "产业发展", "光伏", 0, c.SETTLED, 260),
    ("{place}食用菌大棚", "产业发展", "种植业基地", 1, c.ACCEPTED, 200),
    ("{place}冷链仓储中心", "产业发展", "加工流通", "t", c.COMPLETED, 60),
    ("{place}饮水巩固提升", "基础设施", "农村供水", 0, c.IMPLEMENTING, 40),
    ("县道至{village}公路拓宽", "基础设施", "农村道路", "c", c.PLANNED, 45),
    ("{place}农产品加工车间", "就业", "就业帮扶车间", 1, c.LIBRARY, 30),
    ("{place}村史馆", "乡村建设", "农村公共服务设施", 0, c.ASSESSED, 20),
    ("{place}茶叶基地", "产业发展", "种植业基地", 1, c.REVIEWED, 15),
    ("{place}文化广场", "乡村建设", "村容村貌提升", 0, c.PROPOSED, 10),
    ("{place}老旧水池改造", "基础设施", "农村供水", 0, c.ASSESSED, 25),
    ("{place}养殖小区", "产业发展", "养殖业基地", 0, c.PROPOSED, 12),
]


def has_data() -> bool:
    return Project.objects.filter(name__endswith=MARK, region__code__startswith=COUNTY_CODE).exists()


def build(ctx) -> None:
    if has_data():
        ctx.say("项目资金资产：演示县已有项目库，跳过。")
        return
    users = {u.username: u for u in User.objects.filter(username__in=("admin", "shenhe", "xinxiyuan"))}
    villages = list(Region.objects.filter(code__startswith=TOWNSHIP_CODE, level="village").order_by("code"))
    if len(users) < 3 or len(villages) < 2:
        ctx.say("项目资金资产：没有演示县的用户或村，跳过。")
        return
    admin, reviewer, officer = users["admin"], users["shenhe"], users["xinxiyuan"]
    places = {0: villages[0], 1: villages[1], "t": villages[0].parent, "c": villages[0].parent.parent}
    today = timezone.localdate()
    made = {}
    with acting_as(admin, source="cli"):
        for key, kind, subtype, place, state, ago in PROJECTS:
            region = places[place]
            name = key.format(place=region.name, village=villages[0].name)
            by = officer if place == 0 else (reviewer if place in (1, "t") else admin)
            households = list(Household.objects.filter(village=region).order_by("household_no")[:8])
            project = propose(
                by,
                region,
                name=name,
                project_type=kind,
                subtype=subtype,
                year=(today - ago * DAY).year,
                budget=_budget(name),
                budget_county=_budget(name) / 10,
                implementing_unit="县农业农村局" if kind == "产业发展" else "县交通运输局",
                content=f"{name}，建设内容以批复为准",
                beneficiaries=households if place in (0, 1) else [],
            )
            made[key] = advance(project, state, reviewer=reviewer, admin=admin, start=today - ago * DAY)
        _details(made, admin=admin, reviewer=reviewer, officer=officer, today=today, places=places)
    ctx.say(
        f"项目资金资产：项目库 {len(PROJECTS)} 个项目（待乡镇审核至已结算报账、退回修改、未通过），"
        "资产与收益分配、公告公示、衔接资金督查。"
    )


def _budget(name: str) -> Decimal:
    return Decimal(10000 * (5 + sum(map(ord, name)) % 40))  # deterministic: from the name


def _details(made: dict, *, admin, reviewer, officer, today: datetime.date, places: dict) -> None:
    """What happened beyond the chain: the 公示 and objections, funds overdue, implementation records, the assets."""
    village = places[0]
    # 退回修改 after an objection upheld, 未通过 at the township, a 公示 running with an objection open
    water = made["{place}老旧水池改造"]
    notice = services.publicize(
        project=water, user=officer, stage="入库公示", start=today - 14 * DAY, end=today - 8 * DAY, place="村务公开栏"
    )
    objection = services.add_objection(
        publicity=notice, user=officer, content="水池选址在私人承包地上", raised_by="村民", received_on=today - 12 * DAY
    )
    services.resolve_objection(objection=objection, user=officer, upheld=True, resolution="重新选址后再申报")
    services.township_review(project=made["{place}养殖小区"], user=reviewer, decision="reject", text="选址在禁养区内")
    hall = made["{place}村史馆"]
    running = services.publicize(
        project=hall,
        user=officer,
        stage="入库公示",
        start=today - 2 * DAY,
        end=today + 4 * DAY,
        place="村务公开栏、微信群",
    )
    services.add_objection(publicity=running, user=officer, content="建议改建在村委会旁", received_on=today - DAY)
    # a 下达 whose 预算执行 has not started (overdue), progress and supervision of the works under way
    road = made["县道至{village}公路拓宽"]
    services.allocate(
        project=road,
        user=admin,
        source="county",
        amount=road.budget_county,
        allocated_on=today - 30 * DAY,
        document_no="县财农〔2026〕12号",
    )
    works = made["{place}饮水巩固提升"]
    services.record_decision(
        project=works,
        user=officer,
        kind="民主议事（四议两公开）",
        decided_on=today - 25 * DAY,
        content="村民代表会议决议由村集体组织实施",
        steps=list(c.FOUR_TWO_STEPS),
    )
    services.record_progress(
        project=works, user=officer, percent=60, text="主管网铺设完成", reported_on=today - 5 * DAY
    )
    services.record_supervision(
        project=works,
        user=officer,
        content="抽查管材规格",
        issues="一处回填不实，已要求整改",
        supervised_on=today - 4 * DAY,
    )
    services.record_payment(
        project=works, user=admin, kind="进度款", amount=works.budget_central / 2, paid_on=today - 3 * DAY
    )
    services.add_target(project=works, user=officer, level="效益指标", name="受益人口", target="≥300人")
    _assets(made, admin=admin, reviewer=reviewer, officer=officer, today=today, village=village)
    Inspection.objects.create(
        region=places["c"],
        year=(today - 92 * DAY).year,
        quarter=((today - 92 * DAY).month - 1) // 3 + 1,
        inspected_on=today - 92 * DAY,
        inspectors="县财政局、县乡村振兴局联合督查组",
        scope="全县衔接资金项目",
        findings="个别项目资金拨付进度滞后",
        rectification="15个工作日内完成预算执行",
    )


def _assets(made: dict, *, admin, reviewer, officer, today: datetime.date, village) -> None:
    road = made["{place}产业路硬化"]
    asset = services.register_asset(
        project=road,
        user=admin,
        name=f"{village.name}产业路",
        kind="公益性",
        value=road.budget_central,
        region=village,
        category="道路",
        scale="3.2公里",
    )
    services.transfer_asset(
        asset=asset,
        user=admin,
        owner_region=village,
        owner_name=f"{village.name}村民委员会",
        transferred_on=road.accepted_on + 20 * DAY,
        sanzi_no="SZ-520199-001",
    )
    services.set_custodian(asset=asset, user=officer, custodian=f"{village.name}村民委员会", person="护路员")
    services.record_maintenance(
        asset=asset, user=officer, content="清理边沟、修补路面", done_on=today - 30 * DAY, cost=800
    )
    old = services.register_asset(
        project=road,
        user=admin,
        name=f"{village.name}旧提灌站",
        kind="公益性",
        value=5000,
        region=village,
        category="水利设施",
    )
    services.dispose_asset(
        asset=old, user=admin, method="报废", disposed_on=today - 10 * DAY, reason="设施老化，经村民代表会议决议报废"
    )
    solar = made["{place}村级光伏电站"]
    plant = services.register_asset(
        project=solar,
        user=admin,
        name=f"{village.name}村级光伏电站",
        kind="经营性",
        value=solar.budget_central,
        region=village,
        category="光伏电站",
        scale="300千瓦",
    )
    services.transfer_asset(
        asset=plant,
        user=admin,
        owner_region=village,
        owner_name=f"{village.name}股份经济合作社",
        transferred_on=solar.accepted_on + 30 * DAY,
        sanzi_no="SZ-520199-002",
    )
    services.add_contract(
        asset=plant,
        user=officer,
        operator=f"{village.name}股份经济合作社",
        operator_kind="村集体经济组织",
        start=solar.accepted_on + 30 * DAY,
        end=solar.accepted_on + 3650 * DAY,
        annual_amount=30000,
    )
    last = services.record_income(
        asset=plant,
        user=officer,
        year=(today - 100 * DAY).year,
        amount="28650.37",
        received_on=today - 100 * DAY,
        note="上网电费",
    )
    plan = services.draft_plan(
        income=last,
        user=officer,
        household_amount="20000.00",
        retained_amount="8650.37",
        retained_use="公益性岗位工资",
        method="people",
    )
    services.decide_plan(plan=plan, user=officer, decided_on=today - 95 * DAY, record="四议两公开，决议已公开")
    services.approve_plan(plan=plan, user=reviewer, approve=True)
    services.file_plan(plan=plan, user=admin, filed_on=today - 90 * DAY)
    services.record_payouts(plan=plan, user=officer, paid_on=today - 85 * DAY)
    recent = services.record_income(
        asset=plant,
        user=officer,
        year=(today - 10 * DAY).year,
        amount="15120.00",
        received_on=today - 10 * DAY,
        note="上网电费",
    )
    waiting = services.draft_plan(income=recent, user=officer, household_amount="15120.00", method="household")
    services.decide_plan(plan=waiting, user=officer, decided_on=today - 5 * DAY, record="四议两公开")
    shed = made["{place}食用菌大棚"]
    services.register_asset(
        project=shed,
        user=reviewer,
        name="食用菌大棚（12座）",
        kind="经营性",
        value=shed.budget_central,
        region=shed.region,
        category="大棚",
    )
