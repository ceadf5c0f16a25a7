"""A small county with something on every dashboard card, for the dashboard tests (on the three-user world)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from shoudi.assistance.models import Cadre, IncomeEstimate, Measure, Pairing, Visit
from shoudi.matching.models import DepartmentList, Finding, MatchRun
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase, MonitoringLine
from shoudi.quality.models import Hit
from shoudi.registry.testing import make_household, make_income, make_member, make_site
from shoudi.work import services as work
from shoudi.work.models import Problem

__all__ = ["build_scenario"]


def _case(household, step, *, identified=None, eliminated=None, category="边缘易致贫户", risks=("因病",), clue=None):
    today = timezone.localdate()
    return MonitoringCase.objects.create(
        household=household,
        source="基层干部排查",
        category=category,
        risk_types=list(risks),
        chain=mc.ELIMINATION if eliminated else mc.IDENTIFICATION,
        step=step,
        is_open=step not in mc.CLOSED_STEPS,
        clue_date=clue or (identified or today) - datetime.timedelta(days=12),
        identified_on=identified,
        eliminated_on=eliminated,
    )


def _finding(run, household, status, n):
    return Finding.objects.create(
        run=run,
        department=run.department,
        period=run.period,
        rule="test_rule",
        rule_label="测试问题",
        village=household.village,
        household=household,
        name=household.head.name,
        id_number=household.head.id_number,
        subject=f"{household.pk}-{n}",
        status=status,
    )


def _quality_problem(household) -> Hit:
    """An open data-quality problem (a member's phone of 5 digits), as a run leaves it."""
    head = household.head
    problem = Problem.objects.create(
        source="数据质量",
        category="数据质量",
        title="成员联系电话不是 11 位数字",
        issuer_region=household.village.parent,
        region=household.village,
        due_date=timezone.localdate() + datetime.timedelta(days=14),
        source_model="quality.hit",
        source_pk=f"7_01_020:{head.pk}",
    )
    return Hit.objects.create(
        problem=problem,
        rule="7_01_020",
        subject_pk=head.pk,
        member=head,
        household=household,
        village=household.village,
        figures={"姓名": head.name, "联系电话": "12345"},
        fingerprint="scenario",
        found_at=timezone.now(),
    )


def build_scenario(world) -> dict:
    """Households of both 户类型 in villages A, A2 and B; cases monitored (paired, measured and visited or not),
    eliminated, in a working step, rejected; incomes of two years around the county's line; findings of two
    departments in two statuses; stationed teams in villages A and B. Returns the households by name."""
    today = timezone.localdate()
    days = datetime.timedelta
    h = {}
    for name, village, htype in (
        ("a1", world.village_a, "脱贫户"),
        ("a2", world.village_a, "一般农户"),
        ("a3", world.village_a, "脱贫户"),
        ("a4", world.village_a, "一般农户"),
        ("x1", world.village_a2, "脱贫户"),
        ("x2", world.village_a2, "一般农户"),
        ("b1", world.village_b, "一般农户"),
        ("b2", world.village_b, "脱贫户"),
        ("b3", world.village_b, "一般农户"),
    ):
        h[name] = make_household(village, head=f"{name}户主", household_type=htype)
        make_member(h[name], name=f"{name}配偶", relation="配偶", birth="19820202", male=False)
    make_member(h["a1"], name="a1之父", relation="之父", birth="19400101", status="死亡")

    cases = {
        "a1": _case(
            h["a1"], mc.MONITORING, identified=today - days(40), category="脱贫不稳定户", risks=("因病", "因学")
        ),
        "a2": _case(h["a2"], mc.MONITORING, identified=today - days(100), risks=("因残",)),
        "x1": _case(h["x1"], mc.ELIMINATED, identified=today - days(400), eliminated=today - days(30)),
        "b1": _case(h["b1"], mc.VERIFICATION, clue=today - days(20)),
        "b2": _case(
            h["b2"], mc.MONITORING, identified=today - days(5), category="突发严重困难户", risks=("因自然灾害",)
        ),
        "b3": _case(h["b3"], mc.REJECTED, clue=today - days(60)),
    }
    cadre = Cadre.objects.create(name="王干部", unit="县农业农村局", region=world.county)
    Pairing.objects.create(household=h["a1"], cadre=cadre, start_date=today - days(37))
    Pairing.objects.create(household=h["a2"], cadre=cadre, start_date=today - days(70))
    Measure.objects.create(
        household=h["a1"],
        case=cases["a1"],
        category="产业帮扶",
        sub_item="种养业",
        content="发展种植",
        planned_on=today - days(30),
        implemented_on=today - days(30),
        status="已落实",
    )
    Visit.objects.create(household=h["a1"], visited_on=today, visitor="王干部", content="入户")
    Visit.objects.create(household=h["b2"], visited_on=today - days(200), visitor="王干部", content="入户")

    MonitoringLine.objects.create(region=world.county, year=2025, amount=Decimal("8000"))
    MonitoringLine.objects.create(region=world.county, year=2024, amount=Decimal("7600"))
    for name, income_2024, income_2025 in (
        ("a1", 9000, 7000),  # below the line, below 1 万, dropped
        ("a2", 12000, 15000),
        ("a3", 20000, 9500),  # below 1 万 and dropped
        ("x1", 7000, 11000),
        ("b2", 30000, 30000),
    ):
        make_income(h[name], 2024, size=2, wage=income_2024 * 2)
        make_income(h[name], 2025, size=2, wage=income_2025 * 2)

    lists = {}
    for department, period in (("medical_insurance", "2026-10"), ("civil_affairs", "2026-11")):
        lists[department] = DepartmentList.objects.create(
            department=department, period=period, file=f"lists/{department}.csv", file_name=f"{department}.csv"
        )
    med = MatchRun.objects.create(list=lists["medical_insurance"], department="medical_insurance", period="2026-10")
    civil = MatchRun.objects.create(list=lists["civil_affairs"], department="civil_affairs", period="2026-11")
    for n, (run, name, status) in enumerate(
        (
            (med, "a1", "待核实"),
            (med, "a2", "待核实"),
            (med, "b1", "属实"),
            (civil, "a3", "不属实"),
            (civil, "b2", "待核实"),
        )
    ):
        _finding(run, h[name], status, n)
    _teams(world, today)
    _resettlement(world, h)
    _quality_problem(h["a1"])
    _notices(world, h, cases["x1"])
    _estimates(h, today)
    return {"households": h, "cases": cases, "cadre": cadre, "problems": _problems(world, today)}


def _notices(world, h, eliminated) -> None:
    """The county's two 明白纸, given to some households; x1's elimination completed, its 退出告知书 not delivered."""
    from django.core.files.base import ContentFile

    from shoudi.monitoring.models import CaseEvent, NoticeDelivery, NoticeDocument

    documents = [
        NoticeDocument.objects.create(
            region=world.county, title=title, audience=audience, file=ContentFile(b"%PDF-1.4", name="n.pdf")
        )
        for title, audience in (
            ("监测对象申报政策明白纸", NoticeDocument.ALL_HOUSEHOLDS),
            ("帮扶政策明白纸", NoticeDocument.MONITORED),
        )
    ]
    for name, given in (("a1", documents), ("a2", documents[:1]), ("a3", documents[:1]), ("b1", documents[:1])):
        for document in given:
            NoticeDelivery.objects.create(
                household=h[name],
                kind=NoticeDelivery.LEAFLET,
                document=document,
                delivered_by="村干部",
                recipient="户主",
            )
    CaseEvent.objects.create(
        case=eliminated, chain=mc.ELIMINATION, step=mc.COUNTY_REVIEW, action="县级确定", decision="风险消除"
    )


def _estimates(h, today) -> None:
    """This year's income estimates: a1 under 1 万元 (and lower than last year's, when that is the 2025 record), a2
    above it."""
    for name, per_capita in (("a1", 5000), ("a2", 16000)):
        IncomeEstimate.objects.create(
            household=h[name], year=today.year, wage=Decimal(per_capita * 2), household_size=2
        )


def _problems(world, today) -> dict:
    """Problems of three sources: overdue in village A, closed in village B, in township A itself (not due yet),
    one in village A2 issued by the township."""
    days = datetime.timedelta

    def issue(by, region, source, title, issued, due):
        return work.issue_problem(
            user=by, region=region, source=source, category="饮水", title=title, issued_on=issued, due_date=due
        )

    overdue = issue(world.admin, world.village_a, "暗访督导", "甲村饮水不达标", today - days(40), today - days(10))
    closed = issue(world.admin, world.village_b, "审计", "乙村资金未拨付", today - days(30), today + days(10))
    work.apply_closure(problem=closed, user=world.officer_b, text="已拨付")
    work.decide_closure(problem=closed, user=world.admin, approve=True)
    township = issue(world.admin, world.township_a, "暗访督导", "甲镇台账不全", today - days(5), today + days(20))
    issued = issue(world.reviewer_a, world.village_a2, "12317 热线", "甲二村来电反映", today - days(8), today + days(7))
    return {"overdue": overdue, "closed": closed, "township": township, "issued": issued}


def _resettlement(world, h) -> None:
    """A site in village A housing a3 (a member of labour, nobody employed) and b3 of village B (one employed)."""
    site = make_site(world.village_a, name="幸福家园")
    for name, employed in (("a3", False), ("b3", True)):
        household = h[name]
        household.relocated, household.resettlement_site = True, site
        household.save()
        make_member(household, name=f"{name}之子", birth="20000303", labour_skill="普通劳动力", employed=employed)


def _teams(world, today) -> None:
    """Teams in villages A and B: one member never checked in last month (under the minimum) nor wrote a log, one
    checked in two days ago without a log, one in B with a full month and every log."""
    from shoudi.teams.attendance import month_bounds
    from shoudi.teams.models import WorkLog
    from shoudi.teams.selectors import previous_month
    from shoudi.teams.testing import make_checkins, make_member, make_team

    start = today - datetime.timedelta(days=120)
    team_a, team_b = make_team(world.village_a), make_team(world.village_b)
    make_member(team_a, "甲村队员一", start_date=start)
    second = make_member(team_a, "甲村队员二", start_date=start)
    make_checkins(second, [today - datetime.timedelta(days=2)])
    steady = make_member(team_b, "乙村队员", start_date=start)
    first, last = month_bounds(*previous_month(today))
    make_checkins(steady, [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)])
    WorkLog.objects.bulk_create(
        WorkLog(member=steady, day=today - datetime.timedelta(days=n), work_done="工作") for n in range(1, 40)
    )
