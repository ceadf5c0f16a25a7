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
