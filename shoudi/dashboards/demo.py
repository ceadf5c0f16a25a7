"""The demo county's dashboards: monitored households across every village over the last two years (identified,
some eliminated, some with measures and visits), so that each card shows real figures; then every summary row.

The cases are written in bulk like an import of the national system's monitoring records (and logged as such);
the other apps' demos have already built the registry, the pairings and the matching findings.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from shoudi.assistance.models import Measure, Visit
from shoudi.core.audit import log_created
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.models import Household

from .refresh import rebuild

MARK = "【演示·看板】"
CASES = 600  # about 3 % of the demo county's households
MEASURES = [
    ("产业帮扶", "种养业", "发展产业"),
    ("就业帮扶", "劳务输出", "外出务工"),
    ("健康帮扶", "医疗救助", "大病救助"),
]


def _case(household, rng, today: datetime.date) -> MonitoringCase:
    identified = today - datetime.timedelta(days=rng.randint(5, 720))
    eliminated = None
    if (today - identified).days > 200 and rng.random() < 0.45:
        eliminated = identified + datetime.timedelta(days=rng.randint(180, (today - identified).days))
    lifted = household.household_type == "脱贫户"
    category = "脱贫不稳定户" if lifted else rng.choice(["边缘易致贫户", "边缘易致贫户", "突发严重困难户"])
    risks = rng.sample(mc.RISK_VALUES[:9], rng.choice([1, 1, 2]))
    return MonitoringCase(
        household=household,
        category=category,
        risk_types=risks,
        source=rng.choice([v for v, _ in mc.SOURCES]),
        clue_date=identified - datetime.timedelta(days=rng.randint(8, 20)),
        clue_note=f"{MARK}{'、'.join(risks)}",
        chain=mc.ELIMINATION if eliminated else mc.IDENTIFICATION,
        step=mc.ELIMINATED if eliminated else mc.MONITORING,
        is_open=eliminated is None,
        identified_on=identified,
        eliminated_on=eliminated,
        elimination_type="帮扶消除" if eliminated else "",
        elimination_applied_on=eliminated - datetime.timedelta(days=20) if eliminated else None,
        imported=True,
    )


def build(ctx) -> None:
    today = timezone.localdate()
    if not MonitoringCase.objects.filter(clue_note__startswith=MARK).exists():
        rng = ctx.rng
        ids = list(Household.objects.exclude(cases__isnull=False).order_by("pk").values_list("pk", flat=True))
        chosen = sorted(rng.sample(ids, min(CASES, len(ids))))
        households = Household.objects.filter(pk__in=chosen).order_by("pk")
        cases = MonitoringCase.objects.bulk_create([_case(h, rng, today) for h in households])
        log_created(MonitoringCase, [c.pk for c in cases], parent="household")
        measures, visits = [], []
        for case in cases:
            if rng.random() < 0.8:
                category, sub_item, content = rng.choice(MEASURES)
                begun = case.identified_on + datetime.timedelta(days=rng.randint(3, 50))
                measures.append(
                    Measure(
                        household_id=case.household_id,
                        case=case,
                        category=category,
                        sub_item=sub_item,
                        content=f"{MARK}{content}",
                        planned_on=begun,
                        implemented_on=begun if begun <= today else None,
                        status="已落实" if begun <= today else "计划",
                    )
                )
            if case.is_open and rng.random() < 0.7:
                visits.append(
                    Visit(
                        household_id=case.household_id,
                        visited_on=today - datetime.timedelta(days=rng.randint(0, 80)),
                        visitor="驻村工作队",
                        content=f"{MARK}入户了解收入和帮扶措施落实情况",
                    )
                )
        made = Measure.objects.bulk_create(measures)
        log_created(Measure, [m.pk for m in made], parent="household")
        made = Visit.objects.bulk_create(visits)
        log_created(Visit, [v.pk for v in made], parent="household")
        ctx.say(f"看板：监测对象 {len(cases)} 户（帮扶措施 {len(measures)} 条，走访 {len(visits)} 次）。")
    ctx.say(f"看板：汇总数据 {rebuild(today)} 行。")
