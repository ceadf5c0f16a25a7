"""The demo county's village-stationed teams: 后盾单位, a team in every village (its 第一书记 also a pairing cadre),
last month and this month of check-ins (some members under 20 days, a few doubtful positions, one 补录), work logs
with a few days missing, one leave of each length through the chain (and a 公出), 周例会 and the township's 讲评, the
units' visits and funds, assessments and training, and visits by the teams to households of every kind."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from shoudi.accounts.models import User
from shoudi.assistance.models import Cadre, Visit
from shoudi.core.context import acting_as
from shoudi.regions.models import Region
from shoudi.registry.models import Household

from . import choices as c
from . import services
from .models import (
    CheckIn,
    Evaluation,
    Meeting,
    SupportUnit,
    Team,
    TeamMember,
    TeamSettings,
    Training,
    UnitFund,
    UnitVisit,
    WorkLog,
)

COUNTY_CODE = "520199"
UNITS = [
    ("县委办公室", "县"),
    ("县政府办公室", "县"),
    ("县发展和改革局", "县"),
    ("县教育局", "县"),
    ("县财政局", "县"),
    ("县人社局", "县"),
    ("县自然资源局", "县"),
    ("县住建局", "县"),
    ("县交通运输局", "县"),
    ("县水务局", "县"),
    ("县农业农村局", "县"),
    ("县卫健局", "县"),
    ("县应急管理局", "县"),
    ("县市场监管局", "县"),
    ("县医保局", "县"),
    ("县供电局", "其他"),
    ("县农商银行", "其他"),
    ("市生态环境局", "市"),
    ("市林业局", "市"),
    ("省交通运输厅", "省"),
]
CENTRE = (26.58, 106.71)  # the demo county's 村部 are spread around here
WORK = [
    "入户走访监测户，核实收入和“两不愁三保障”情况",
    "召开村两委会议研究产业发展",
    "宣传防返贫监测政策“明白纸”",
    "协调解决饮水管道维修",
    "整理驻村帮扶资料",
    "走访一般农户，排查风险",
    "参加乡镇业务培训",
    "开展环境卫生整治",
]


def has_data() -> bool:
    return Team.objects.filter(village__code__startswith=COUNTY_CODE).exists()


def _local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _days(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    return [start + datetime.timedelta(days=n) for n in range((end - start).days + 1)]


def build(ctx) -> None:
    if has_data():
        ctx.say("驻村工作队：演示县已有工作队，跳过。")
        return
    county = Region.objects.filter(code=COUNTY_CODE).first()
    admin = User.objects.filter(username="admin").first()
    if county is None or admin is None:
        ctx.say("驻村工作队：没有演示县，跳过。")
        return
    rng = random.Random(ctx.seed + 19)  # noqa: S311 - demo data
    today = timezone.localdate()
    TeamSettings.objects.get_or_create(region=county)
    units = SupportUnit.objects.bulk_create(
        SupportUnit(
            name=name,
            level=level,
            region=county,
            main_leader=ctx.faker.name(),
            deputy_leader=ctx.faker.name(),
            contact=ctx.faker.name(),
            phone=f"138{rng.randrange(10**8):08d}",
        )
        for name, level in UNITS
    )
    villages = list(Region.objects.filter(code__startswith=COUNTY_CODE, level="village").order_by("code"))
    teams = Team.objects.bulk_create(
        Team(
            village=village,
            unit=units[n % len(units)],
            formed_on=datetime.date(today.year - 1, 5, 1),
            address="村委会",
            latitude=Decimal(f"{CENTRE[0] + rng.uniform(-0.3, 0.3):.6f}"),
            longitude=Decimal(f"{CENTRE[1] + rng.uniform(-0.3, 0.3):.6f}"),
        )
        for n, village in enumerate(villages)
    )
    members = _members(ctx, rng, teams, units, today)
    with acting_as(admin, source="cli"):
        counts = _attendance(rng, members, today)
        logs = _logs(rng, members, counts["days"], today)
        leaves = _leaves(members, today)
    _meetings(rng, teams, today)
    _units(rng, teams, today)
    visits = _visits(rng, members, today)
    ctx.say(
        f"驻村工作队：后盾单位 {len(units)} 个，工作队 {len(teams)} 支，队员 {len(members)} 名；"
        f"签到 {counts['rows']} 条（上月不足规定天数 {counts['under']} 人），工作日志 {logs} 篇，"
        f"请假与公出 {leaves} 件，队员走访 {visits} 户次。"
    )


def _members(ctx, rng, teams, units, today) -> list[TeamMember]:
    """Three members a team: the 第一书记 (a pairing cadre too) and two 队员; the demo login is the 第一书记 of the
    county's first village."""
    login = User.objects.filter(username="zhucun").first()
    start = datetime.date(today.year - 1, 5, 1)
    members, cadres = [], []
    for n, team in enumerate(teams):
        for post in (c.FIRST_SECRETARY, c.MEMBER, c.MEMBER):
            unit = team.unit if post == c.FIRST_SECRETARY else units[(n + len(members)) % len(units)]
            name = login.name if login and n == 0 and post == c.FIRST_SECRETARY else ctx.faker.name()
            members.append(
                TeamMember(
                    team=team,
                    name=name,
                    post=post,
                    unit=unit,
                    position=rng.choice(["科员", "副主任科员", "四级主任科员", "副股长", "股长"]),
                    phone=f"139{rng.randrange(10**8):08d}",
                    start_date=start if rng.random() < 0.9 else today.replace(day=1) - datetime.timedelta(days=90),
                    user=login if login and n == 0 and post == c.FIRST_SECRETARY else None,
                )
            )
            if post == c.FIRST_SECRETARY:
                cadres.append(
                    Cadre(
                        name=name,
                        unit=unit.name,
                        position="驻村第一书记",
                        phone=members[-1].phone,
                        region=team.village,
                        user=members[-1].user,
                    )
                )
    TeamMember.objects.bulk_create(members, batch_size=1000)
    Cadre.objects.bulk_create(cadres, batch_size=1000)
    firsts = [m for m in members if m.post == c.FIRST_SECRETARY]
    for member, cadre in zip(firsts, cadres, strict=True):
        member.cadre = cadre
    TeamMember.objects.bulk_update(firsts, ["cadre"], batch_size=1000)
    # one member ended and replaced: the assignment history of a team
    gone = members[2]
    gone.end_date, gone.end_reason = today.replace(day=1) - datetime.timedelta(days=100), "工作调整，回原单位"
    gone.save()
    replacement = TeamMember.objects.create(
        team=gone.team, name=ctx.faker.name(), post=c.MEMBER, unit=gone.unit, start_date=gone.end_date
    )
    return [m for m in members if m.end_date is None] + [replacement]


def _attendance(rng, members, today) -> dict:
    """Last month in full and this month to yesterday: most members 21–27 days, about one in eight under 20."""
    first = today.replace(day=1)
    last_month = (first - datetime.timedelta(days=1)).replace(day=1)
    rows, days_by_member, under = [], {}, 0
    for n, member in enumerate(members):
        team = member.team
        chosen = []
        for month_start, month_end in ((last_month, first - datetime.timedelta(days=1)), (first, today)):
            span = [d for d in _days(month_start, month_end) if d >= member.start_date and d < today]
            short = member.user_id is None and rng.random() < 0.12
            count = rng.randint(14, 19) if short else rng.randint(21, 27)
            count = min(len(span), round(count * len(span) / max(1, (month_end - month_start).days + 1)))
            under += short and month_start == last_month
            chosen += sorted(rng.sample(span, count))
        days_by_member[member.pk] = set(chosen)
        for day in chosen:
            evening = rng.random() < 0.8
            far = rng.random() < 0.02
            lat = float(team.latitude) + (rng.uniform(0.05, 0.1) if far else rng.uniform(-0.002, 0.002))
            lon = float(team.longitude) + rng.uniform(-0.002, 0.002)
            distance = round(abs(lat - float(team.latitude)) * 111_000)
            rows.append(
                CheckIn(
                    member=member,
                    day=day,
                    at=_local(day, 20 if evening else 8, rng.randint(0, 59)),
                    night_of=day if evening else None,
                    latitude=Decimal(f"{lat:.6f}"),
                    longitude=Decimal(f"{lon:.6f}"),
                    accuracy=rng.randint(8, 80),
                    distance=distance,
                    flagged=far,
                    flag_note=f"距驻村地点 {distance / 1000:.1f} 公里" if far else "",
                )
            )
        if n == 1:  # one 补录 by the township's manager
            day = next(d for d in _days(last_month, first) if d not in days_by_member[member.pk])
            rows.append(
                CheckIn(member=member, kind=c.MAKE_UP, day=day, at=_local(first, 9), reason="手机无信号，经村两委核实")
            )
            days_by_member[member.pk].add(day)
    CheckIn.objects.bulk_create(rows, batch_size=5000)
    return {"rows": len(rows), "days": days_by_member, "under": under}


def _logs(rng, members, days_by_member, today) -> int:
    logs = []
    for member in members:
        for day in sorted(days_by_member[member.pk]):
            if rng.random() < 0.93:  # a few days without a log: the worklist shows them
                logs.append(
                    WorkLog(
                        member=member,
                        day=day,
                        work_done=rng.choice(WORK),
                        problems=rng.choice(["", "", "个别农户反映饮水不稳定", "一户住房需再次核查"]),
                        next_plan=rng.choice(["继续入户走访", "跟进问题整改", "准备周例会"]),
                    )
                )
    WorkLog.objects.bulk_create(logs, batch_size=5000)
    return len(logs)


def _leaves(members, today) -> int:
    """One leave of each length through the chain (township ≤ 5 days, county beyond), one refused, one waiting at
    each step, and a 公出 reported ahead — in 青山镇, whose manager is the demo login."""
    manager = User.objects.filter(username="zhucunguan").first()
    county = User.objects.filter(username="zuzhibu").first()
    qingshan = [m for m in members if m.team.village.code.startswith(COUNTY_CODE + "001")][:8]
    if manager is None or county is None or len(qingshan) < 6:
        return 0
    base = today - datetime.timedelta(days=25)
    plan = [  # member, days, start offset, the steps it goes through
        (qingshan[0], 3, 0, ("township", "return")),
        (qingshan[1], 7, 2, ("township", "county")),
        (qingshan[2], 6, 20, ("township",)),  # waits for the county
        (qingshan[3], 2, 27, ()),  # waits for the township
        (qingshan[4], 10, 5, ("township", "county_reject")),
    ]
    count = 0
    for member, days, offset, steps in plan:
        start = base + datetime.timedelta(days=offset)
        leave = services.report_absence(
            user=manager,
            member=member,
            category=c.LEAVE,
            kind="病假" if days >= 7 else "事假",
            start_date=start,
            end_date=start + datetime.timedelta(days=days - 1),
            reason="家中有事" if days < 7 else "住院治疗",
            destination="县城",
        )
        for step in steps:
            if step == "township":
                leave = services.decide_absence(user=manager, absence=leave, approve=True, opinion="同意")
            elif step == "county":
                leave = services.decide_absence(user=county, absence=leave, approve=True, opinion="同意，注意按时销假")
            elif step == "county_reject":
                leave = services.decide_absence(user=county, absence=leave, approve=False, opinion="近期迎检，暂缓")
            elif step == "return" and leave.end_date < today:
                leave = services.return_from_leave(user=manager, absence=leave, returned_on=leave.end_date)
        count += 1
    start = today + datetime.timedelta(days=3)
    services.report_absence(
        user=manager,
        member=qingshan[5],
        category=c.OFFICIAL,
        kind="培训",
        start_date=start,
        end_date=start + datetime.timedelta(days=1),
        reason="县委组织部驻村干部业务培训",
        destination="县委党校",
    )
    return count + 1


def _meetings(rng, teams, today) -> None:
    rows = []
    for team in teams:
        for weeks in range(1, 5):
            day = today - datetime.timedelta(days=today.weekday() + 7 * weeks - 1)  # Tuesdays
            rows.append(
                Meeting(
                    region=team.village,
                    kind=c.WEEKLY_MEETING,
                    held_on=day,
                    host="第一书记",
                    attendees="工作队全体队员、村两委成员",
                    content="研判本周监测户情况，安排入户走访",
                    decisions=rng.choice(["继续排查", "落实饮水问题整改", "准备季度评估"]),
                )
            )
    last_month_end = today.replace(day=1) - datetime.timedelta(days=1)
    for township in {team.village.parent_id: team.village.parent for team in teams}.values():
        rows.append(
            Meeting(
                region=township,
                kind=c.MONTHLY_REVIEW,
                held_on=last_month_end,
                host="党委书记",
                attendees="各村第一书记",
                content=f"{last_month_end.month}月驻村工作讲评",
                decisions="严格考勤纪律，驻村不足天数的队员限期整改",
            )
        )
    Meeting.objects.bulk_create(rows, batch_size=2000)


def _units(rng, teams, today) -> None:
    visits, funds = [], []
    year = today.year
    for team in teams:
        for quarter in range(1, (today.month - 1) // 3 + 2):
            if rng.random() < 0.85:
                month = 3 * (quarter - 1) + rng.randint(1, 3)
                day = min(datetime.date(year, month, rng.randint(1, 28)), today)
                visits.append(
                    UnitVisit(
                        team=team,
                        unit=team.unit,
                        visited_on=day,
                        leader=team.unit.main_leader if rng.random() < 0.5 else team.unit.deputy_leader,
                        leader_post=rng.choice(["主要领导", "分管领导"]),
                        talk_held=rng.random() < 0.9,
                        content="听取工作队汇报，与队员谈心谈话",
                    )
                )
        paid = rng.random()
        funds.append(
            UnitFund(
                team=team,
                unit=team.unit,
                year=year,
                amount=Decimal(rng.choice([30000, 50000, 80000, 100000])),
                paid_on=None if paid < 0.08 else datetime.date(year, 9 if paid < 0.15 else 7, rng.randint(1, 28)),
                purpose="村集体经济产业发展",
            )
        )
    UnitVisit.objects.bulk_create(visits, batch_size=2000)
    UnitFund.objects.bulk_create(funds, batch_size=2000)
    members = TeamMember.objects.filter(team__in=teams, end_date__isnull=True)
    Evaluation.objects.bulk_create(
        Evaluation(
            member=m,
            kind="年度考核",
            year=year - 1,
            grade=rng.choice(["优秀", "称职", "称职", "称职", "基本称职"]),
            evaluated_on=datetime.date(year, 1, 15),
        )
        for m in members
        if m.start_date.year < year
    )
    Training.objects.bulk_create(
        Training(
            member=m, title="全县驻村干部能力提升培训", level="县级", organizer="县委组织部", start_date=m.start_date
        )
        for m in members
        if rng.random() < 0.9
    )


def _visits(rng, members, today) -> int:
    """The teams' own visits this year to ordinary and lifted households, through the 第一书记's cadre record."""
    firsts = {m.team.village_id: m for m in members if m.cadre_id is not None}
    households = Household.objects.filter(village_id__in=list(firsts)).values_list("pk", "village_id")
    year_start = today.replace(month=1, day=1)
    visits = []
    for pk, village_id in households:
        if rng.random() < 0.45:
            member = firsts[village_id]
            visits.append(
                Visit(
                    household_id=pk,
                    cadre_id=member.cadre_id,
                    visited_on=year_start + datetime.timedelta(days=rng.randint(0, (today - year_start).days)),
                    kind=rng.choice(["入户", "入户", "电话"]),
                    visitor=member.name,
                    content="驻村工作队全覆盖走访（演示）",
                )
            )
    Visit.objects.bulk_create(visits, batch_size=5000)
    return len(visits)
