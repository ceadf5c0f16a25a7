"""The demo county's assistance: cadres from county units, a cadre for every household that needs one (a few
left without, on purpose), measures, visits and assessments — with some overdue so that 我的待办 is not empty."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from shoudi.accounts.models import User
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.regions.models import Region
from shoudi.registry.models import Household

from . import portrait_demo
from .choices import MEASURE_CATEGORIES
from .models import Assessment, Cadre, Measure, Pairing, Visit

UNITS = [
    "县乡村振兴局",
    "县农业农村局",
    "县教育局",
    "县卫健局",
    "县人社局",
    "县民政局",
    "县住建局",
    "县水务局",
    "县财政局",
    "县交通局",
    "县林业局",
    "县医保局",
    "县残联",
    "县供销社",
    "县农商银行",
    "县人民医院",
]
POSITIONS = ["科员", "副主任科员", "股长", "副局长", "驻村第一书记", "工作队员"]
HOUSEHOLDS_PER_CADRE = 18


def build(ctx) -> None:
    county = Region.objects.get(code="520199")
    if Cadre.objects.filter(region__code__startswith=county.code).exists():
        ctx.say("帮扶：演示县已有帮扶干部，跳过。")
        portrait_demo.build(ctx)
        return
    rng = random.Random(ctx.seed + 5)  # noqa: S311 - demo data
    today = timezone.localdate()
    identified = MonitoringCase.objects.filter(household=OuterRef("pk"), identified_on__isnull=False)
    needing = list(
        Household.objects.filter(village__code__startswith=county.code)
        .filter(Q(household_type="脱贫户") | Q(Exists(identified)))
        .order_by("village__code", "household_no")
        .values_list("pk", "village_id")
    )
    # cadres per township, named like people; the demo login "ganbu" is the first cadre of village 001001
    townships = list(Region.objects.filter(parent=county).order_by("code"))
    cadres: dict[int, list[Cadre]] = {}
    villages = {v.pk: v for v in Region.objects.filter(parent__in=townships)}
    by_village: dict[int, list[int]] = {}
    for pk, village_id in needing:
        by_village.setdefault(village_id, []).append(pk)
    demo_user = User.objects.filter(username="ganbu").first()
    for village_id, household_ids in sorted(by_village.items(), key=lambda kv: villages[kv[0]].code):
        n = max(1, len(household_ids) // HOUSEHOLDS_PER_CADRE)
        cadres[village_id] = [
            Cadre(
                name=ctx.faker.name(),
                unit=rng.choice(UNITS),
                position=rng.choice(POSITIONS),
                phone=f"13{rng.randrange(10**9):09d}",
                region=villages[village_id],
            )
            for _ in range(n)
        ]
    all_cadres = [cadre for group in cadres.values() for cadre in group]
    if demo_user is not None and all_cadres:
        first_village = min(cadres, key=lambda v: villages[v].code)
        cadres[first_village][0].user = demo_user
        cadres[first_village][0].name = demo_user.name or cadres[first_village][0].name
    Cadre.objects.bulk_create(all_cadres, batch_size=1000)

    pairings, unpaired = [], 0
    start = today - datetime.timedelta(days=400)
    for village_id, household_ids in by_village.items():
        group = cadres[village_id]
        for i, pk in enumerate(household_ids):
            if rng.random() < 0.01:
                unpaired += 1  # left without a cadre: shows in 我的待办
                continue
            pairings.append(Pairing(household_id=pk, cadre=group[i % len(group)], start_date=start, reason="首次结对"))
    Pairing.objects.bulk_create(pairings, batch_size=5000)

    _measures_visits_assessments(rng, county, today)
    ctx.say(f"帮扶：帮扶干部 {len(all_cadres)} 名，结对 {len(pairings)} 户（{unpaired} 户待落实）。")
    portrait_demo.build(ctx)


def _measures_visits_assessments(rng: random.Random, county: Region, today: datetime.date) -> None:
    cases = list(
        MonitoringCase.objects.filter(household__village__code__startswith=county.code, identified_on__isnull=False)
        .exclude(step=mc.REJECTED)
        .select_related("household")
    )
    measures, visits, assessments = [], [], []
    categories = list(MEASURE_CATEGORIES)
    for case in cases:
        if rng.random() > 0.05:  # one in twenty still waits for a measure
            for _ in range(rng.randint(1, 3)):
                category = rng.choice(categories)
                item = rng.choice(MEASURE_CATEGORIES[category])
                done = rng.random() < 0.8
                planned = case.identified_on + datetime.timedelta(days=rng.randint(5, 40))
                measures.append(
                    Measure(
                        household=case.household,
                        case=case,
                        category=category,
                        sub_item=item,
                        content=f"{item}（演示）",
                        amount=Decimal(rng.choice([0, 500, 1000, 2000, 3000, 5000])),
                        department=rng.choice(UNITS),
                        planned_on=planned,
                        implemented_on=planned + datetime.timedelta(days=20) if done else None,
                        status="已落实" if done else "实施中",
                    )
                )
        for months_ago in range(0, 4):
            if months_ago == 0 and rng.random() < 0.3:
                continue  # this month's visit not yet done
            if rng.random() < 0.1:
                continue  # a missed month
            day = (today.replace(day=1) - datetime.timedelta(days=30 * months_ago)).replace(
                day=rng.randint(1, min(today.day, 28) if months_ago == 0 else 28)
            )
            if day >= case.identified_on:
                visits.append(
                    Visit(
                        household=case.household,
                        visited_on=day,
                        kind="入户",
                        visitor="帮扶干部",
                        content="了解家庭收入和“两不愁三保障”情况，宣传帮扶政策（演示）",
                        food_clothing_ok=True,
                        education_ok=True,
                        medical_ok=True,
                        housing_ok=True,
                        water_ok=True,
                    )
                )
        last_quarter_end = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1) - datetime.timedelta(days=1)
        if case.step == mc.MONITORING and last_quarter_end > case.identified_on and rng.random() < 0.85:
            assessments.append(
                Assessment(
                    case=case,
                    household=case.household,
                    year=last_quarter_end.year,
                    quarter=(last_quarter_end.month - 1) // 3 + 1,
                    assessed_on=last_quarter_end,
                    measures_effective=True,
                    income_trend=rng.choice(["上升", "持平"]),
                    risk_status=rng.choice(["稳定", "未稳定"]),
                    note="演示评估",
                )
            )
    Measure.objects.bulk_create(measures, batch_size=5000)
    Visit.objects.bulk_create(visits, batch_size=5000)
    Assessment.objects.bulk_create(assessments, batch_size=5000)
    # lifted households: a call or message most months, a home visit most quarters; some slip
    lifted = Household.objects.filter(village__code__startswith=county.code, household_type="脱贫户").values_list(
        "pk", flat=True
    )
    first_of_month = today.replace(day=1)
    quarter_start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    previous_quarter = (quarter_start - datetime.timedelta(days=1)).replace(day=15)
    contacts = []
    for pk in lifted:
        for months_ago in (1, 2):
            if rng.random() < 0.93:
                day = (first_of_month - datetime.timedelta(days=30 * months_ago - 10)).replace(day=rng.randint(1, 28))
                contacts.append(
                    Visit(
                        household_id=pk,
                        visited_on=day,
                        kind=rng.choice(["电话", "微信"]),
                        visitor="帮扶干部",
                        content="电话了解近况（演示）",
                    )
                )
        if rng.random() < 0.6:
            day = first_of_month + datetime.timedelta(days=rng.randint(0, max(0, today.day - 1)))
            contacts.append(
                Visit(household_id=pk, visited_on=day, kind="电话", visitor="帮扶干部", content="本月联系（演示）")
            )
        if rng.random() < 0.9:
            contacts.append(
                Visit(
                    household_id=pk,
                    visited_on=previous_quarter,
                    kind="入户",
                    visitor="帮扶干部",
                    content="季度入户走访（演示）",
                    food_clothing_ok=True,
                    education_ok=True,
                    medical_ok=True,
                    housing_ok=True,
                    water_ok=True,
                )
            )
    Visit.objects.bulk_create(contacts, batch_size=5000)
