"""The demo county's 一户一画像 and 收入预估 (called from assistance.demo): portraits of a few households of each of
the three groups in the first villages, and this year's income estimates of the 脱贫户 and monitored households —
most grew, some fell below last year (不增反降), some stay under 1 万元 — so that every tab of the page, the ledger and
the card show rows. Idempotent: skipped when the county has estimates already."""

from __future__ import annotations

import random
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from shoudi.accounts.models import User
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.models import Household, IncomeRecord

from . import choices as c
from .models import IncomeEstimate, Portrait

__all__ = ["build"]

COUNTY = "520199"
PORTRAITS_PER_GROUP = 4
CENT = Decimal("0.01")


def build(ctx) -> None:
    if IncomeEstimate.objects.filter(household__village__code__startswith=COUNTY).exists():
        ctx.say("一户一画像与收入预估：演示县已有收入预估，跳过。")
        return
    rng = random.Random(ctx.seed + 20)  # noqa: S311 - demo data
    today = timezone.localdate()
    estimates = _estimates(rng, today)
    portraits = _portraits(rng, today)
    ctx.say(f"一户一画像：{portraits} 户；收入预估：{estimates} 户（{today.year}年）。")


def _estimates(rng: random.Random, today) -> int:
    identified = MonitoringCase.objects.filter(household=OuterRef("household_id"), identified_on__isnull=False)
    last_year = IncomeRecord.objects.filter(household__village__code__startswith=COUNTY, year=today.year - 1).filter(
        Q(household__household_type="脱贫户") | Q(Exists(identified))
    )
    rows = []
    for record in last_year.only(
        "household_id", "wage", "business", "property_income", "transfer", "business_cost", "household_size"
    ).iterator(chunk_size=5000):
        if rng.random() < 0.15:
            continue  # not estimated yet
        change = Decimal(str(rng.uniform(-0.12, -0.01) if rng.random() < 0.12 else rng.uniform(0.0, 0.12)))
        grow = 1 + change
        estimate = IncomeEstimate(
            household_id=record.household_id,
            year=today.year,
            wage=(record.wage * grow).quantize(CENT),
            business=(record.business * grow).quantize(CENT),
            property_income=record.property_income,
            transfer=record.transfer,
            business_cost=record.business_cost,
            household_size=record.household_size,
            entered_on=today,
            note="走访时预估（演示）",
        )
        estimate.compute()  # bulk_create skips save()
        rows.append(estimate)
    IncomeEstimate.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _portraits(rng: random.Random, today) -> int:
    households = Household.objects.filter(village__code__startswith=COUNTY).order_by("village__code", "household_no")
    by_group = {
        c.NEW_DIBAO: households.filter(members__dibao__in=("农村低保", "城市低保")),
        c.DISPERSED_TEKUN: households.filter(members__tekun__in=("农村特困", "城市特困")),
        c.DIBAO_EDGE: households.filter(household_type="一般农户", members__dibao__in=("", "未享受")),
    }
    maker = User.objects.filter(username="ganbu").first()
    made, seen = [], set()
    for group, qs in by_group.items():
        picked = [pk for pk in qs.values_list("pk", flat=True).distinct()[:40] if pk not in seen][:PORTRAITS_PER_GROUP]
        for i, pk in enumerate(picked):
            seen.add(pk)
            at_risk = i == 0  # the first of each group: a risk found, to be raised as a clue
            made.append(
                Portrait(
                    household_id=pk,
                    group=group,
                    made_on=today,
                    made_by=maker,
                    look_housing="砖混结构住房，经鉴定安全" if rng.random() < 0.8 else "土木结构老房，需进一步鉴定",
                    look_grain="粮食自给，日常吃穿不愁",
                    look_labour=rng.choice(["夫妻二人外出务工", "户主在家务农，配偶弱劳动力", "无劳动力，靠兜底保障"]),
                    look_students=rng.choice(["无在校学生", "一名子女读高中，享受助学金", "一名子女读大学"]),
                    look_illness=rng.choice(["无大病", "户主患高血压长期服药", "配偶患大病，年内两次住院"]),
                    **dict.fromkeys(c.FIVE_PREVENTS, True),
                    medical_out_of_pocket=Decimal(rng.choice([0, 1800, 6500, 15800])),
                    schooling_cost=Decimal(rng.choice([0, 3000, 9000])),
                    spending_note="医疗费用已扣除报销部分（演示）",
                    at_risk=at_risk,
                    conclusion="刚性支出大、收入下降，存在返贫风险，建议提出监测线索"
                    if at_risk
                    else "收入稳定，刚性支出可承受，暂无返贫致贫风险（演示）",
                )
            )
    Portrait.objects.bulk_create(made)
    return len(made)
