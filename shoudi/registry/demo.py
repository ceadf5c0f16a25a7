"""The demo county's registry: about 20,000 households / 70,000 people written as a national export and imported
through the real import (so the demo also exercises it), plus incomes of the two years before."""

from __future__ import annotations

import random
import tempfile
from decimal import Decimal
from pathlib import Path

from shoudi.regions.models import Region

from .models import Household, IncomeRecord
from .synthetic import generate_rows, write_national_xlsx

HOUSEHOLDS = 20_000
INCOME_YEAR = 2025


def build(ctx) -> None:
    county = Region.objects.get(code="520199")
    if Household.objects.filter(village__code__startswith=county.code).exists():
        ctx.say("农户：演示县已有农户数据，跳过。")
        return
    from .importing import commit_household_import

    villages = list(
        Region.objects.filter(code__startswith=county.code, level="village")
        .select_related("parent__parent")
        .order_by("code")
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "守望县农户信息.xlsx"
        rows = _as_counties_write(generate_rows(villages, households=HOUSEHOLDS, seed=ctx.seed, year=INCOME_YEAR))
        _county_synonyms(county.code)
        write_national_xlsx(
            path,
            rows,
            title=f"{county.name}{INCOME_YEAR}年度农户信息",
            details=f"导出时间：{INCOME_YEAR + 1}-03-15 演示数据",
        )
        result = commit_household_import(path, user=None, income_year=INCOME_YEAR)
    ctx.say(f"农户：{result.summary()}")
    _earlier_incomes(ctx.seed)
    _sites(ctx, county)


# the sites the import created from the 安置区 names: where they lie, their leaders, and a 排查 of the first site by
# 青山镇 with a problem raised on the one life cycle
SITE_DETAILS = (
    ("城南安置点", "520199001001", "城南大道18号", "李副县长", "13908510001", "王社区主任", "13908510002"),
    ("城北安置点", "520199002001", "北环路6号", "张副县长", "13908510003", "陈社区主任", "13908510004"),
)


def _sites(ctx, county) -> None:
    import datetime

    from django.utils import timezone

    from shoudi.accounts.models import User
    from shoudi.core.context import acting_as

    from .models import ResettlementSite
    from .sites import record_inspection

    reviewer = User.objects.filter(username="shenhe").first()
    with acting_as(None, source="cli"):
        for suffix, code, address, leader, leader_phone, manager, manager_phone in SITE_DETAILS:
            site = ResettlementSite.objects.filter(county=county, name=f"{county.name}{suffix}").first()
            community = Region.objects.filter(code=code).first()
            if site is None or community is None:
                continue
            site.community, site.address = community, address
            site.leader_name, site.leader_phone = leader, leader_phone
            site.manager_name, site.manager_phone = manager, manager_phone
            site.planned_households = site.households.count()
            site.save()
    first = ResettlementSite.objects.filter(county=county, community__code=SITE_DETAILS[0][1]).first()
    if first is None or reviewer is None:
        return
    today = timezone.localdate()
    quarter_start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    with acting_as(reviewer, source="cli"):
        _, raised = record_inspection(
            user=reviewer,
            site=first,
            year=today.year,
            quarter=(today.month - 1) // 3 + 1,
            inspected_on=max(quarter_start, today - datetime.timedelta(days=10)),
            inspector="青山镇安置点排查组",
            findings="排查住房质量、消防安全和环境卫生：2号楼楼道消防器材过期，其余正常",
            problems=["2号楼楼道灭火器过期未更换"],
            category="其他",
            due_workdays=10,
        )
    ctx.say(f"易地搬迁安置点：{ResettlementSite.objects.filter(county=county).count()} 个，排查下发问题 {raised} 个")


# Spellings the demo county's staff use that no code table knows: one the county admin has added as a synonym, one
# still unknown (the import keeps it and lists it), so that the 码表 page and the import both have something to show.
DEMO_SYNONYM = ("labour_skill", "半劳力", "弱劳动力或半劳动力")
DEMO_UNKNOWN = ("在校生状况", "学前教育", "幼儿园大班")


def _as_counties_write(rows):
    """The generated rows with the demo county's own spellings in some cells (every 40th such person)."""
    _, text, value = DEMO_SYNONYM
    header, clean, unknown = DEMO_UNKNOWN
    seen = {"劳动技能": 0, header: 0}
    for row in rows:
        if row["劳动技能"] == value:
            seen["劳动技能"] += 1
            if seen["劳动技能"] % 40 == 0:
                row = dict(row, 劳动技能=text)
        elif row[header] == clean:
            seen[header] += 1
            if seen[header] % 40 == 0:
                row = dict(row, **{header: unknown})
        yield row


def _county_synonyms(county_code: str) -> None:
    from shoudi.core.cells import fold
    from shoudi.core.models import Synonym

    vocabulary, text, value = DEMO_SYNONYM
    Synonym.objects.get_or_create(
        region_code=county_code, vocabulary=vocabulary, folded=fold(text), defaults={"text": text, "value": value}
    )


def _earlier_incomes(seed: int) -> None:
    """Incomes of the two years before, from the latest year with believable growth (and a few drops)."""
    rng = random.Random(seed + 1)  # noqa: S311 - demo data
    latest = IncomeRecord.objects.filter(year=INCOME_YEAR, household__village__code__startswith="520199")
    new = []
    for record in latest.iterator(chunk_size=5000):
        factor = Decimal("1")
        for year in (INCOME_YEAR - 1, INCOME_YEAR - 2):
            # most households grew 3–12 % a year; one in twelve earned less this year than the year before
            growth = Decimal(str(rng.uniform(0.88, 0.97) if rng.random() > 1 / 12 else rng.uniform(1.1, 1.5)))
            factor = factor * growth
            earlier = IncomeRecord(
                household_id=record.household_id,
                year=year,
                household_size=record.household_size,
                wage=(record.wage * factor).quantize(Decimal("0.01")),
                business=(record.business * factor).quantize(Decimal("0.01")),
                property_income=(record.property_income * factor).quantize(Decimal("0.01")),
                transfer=(record.transfer * factor).quantize(Decimal("0.01")),
                business_cost=(record.business_cost * factor).quantize(Decimal("0.01")),
                compliant_medical=(record.compliant_medical * factor).quantize(Decimal("0.01")),
            )
            earlier.compute()
            new.append(earlier)
    IncomeRecord.objects.bulk_create(new, batch_size=5000)
