"""Rule-based early warning (S003, S004): set-based queries over the registry, one clue per household at risk.

Each rule is a query that returns (household id, figures). A household hit by several rules gets one clue listing
them all; a household with an open case (a clue is an open case) gets nothing: screening twice adds nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from shoudi.regions.models import Region
from shoudi.registry.choices import NO_LABOUR
from shoudi.registry.models import Household, IncomeRecord, Member

from .models import CaseEvent, MonitoringCase
from .policy import lines_by_county, settings_for

__all__ = ["RULES", "ScreeningResult", "screen"]

RULES = {
    "below_line": "人均纯收入低于监测线",
    "edge": "人均纯收入低于监测线×边缘系数",
    "below_floor": "人均纯收入低于 1 万元",
    "income_drop": "人均纯收入较上年下降",
    "medical": "合规自付支出超过预警线",
    "lifted_below_line": "脱贫户收入低于监测线且未纳入监测",
    "no_labour": "家庭成员均无劳动能力且未标注兜底保障",
}


@dataclass
class ScreeningResult:
    year: int
    hits: Counter = field(default_factory=Counter)  # rule → households hit (before de-duplication)
    clues: int = 0
    skipped_open: int = 0
    missing_line: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{RULES[rule]}：{self.hits.get(rule, 0)} 户" for rule in RULES]
        out.append(f"新增线索 {self.clues} 户；已有进行中监测记录未重复生成 {self.skipped_open} 户")
        if self.missing_line:
            out.append(f"未设置 {self.year} 年监测线的县：{'、'.join(self.missing_line)}（未执行与监测线相关的规则）")
        return out


def _money(value) -> str:
    return str(Decimal(value).quantize(Decimal("0.01")))


def screen(*, year: int, region: Region | None = None, progress=None) -> ScreeningResult:
    """Run every rule for ``year`` inside ``region`` (all counties when None) and write the clues."""
    result = ScreeningResult(year=year)
    counties = Region.objects.filter(level="county")
    if region is not None:
        counties = counties.filter(code=region.code[:6])
    county_codes = list(counties.values_list("code", flat=True))
    lines = lines_by_county(county_codes, year)
    prefix = region.code if region is not None else ""
    hits: dict[int, dict[str, dict]] = defaultdict(dict)

    def add(rule, rows):
        for household_id, figures in rows:
            hits[household_id][rule] = figures
            result.hits[rule] += 1

    for n, county in enumerate(county_codes, start=1):
        scope = prefix if prefix.startswith(county) else county
        config = settings_for(county, year)
        incomes = IncomeRecord.objects.filter(year=year, household__village__code__startswith=scope)
        line = lines[county]
        if line is None:
            result.missing_line.append(county)
        else:
            edge = line * config.edge_factor
            add("below_line", ((h, {"人均纯收入": _money(p), "监测线": _money(line)}) for h, p in
                               incomes.filter(per_capita__lt=line).values_list("household_id", "per_capita")))
            add("edge", ((h, {"人均纯收入": _money(p), "边缘线": _money(edge)}) for h, p in
                         incomes.filter(per_capita__gte=line, per_capita__lt=edge)
                         .values_list("household_id", "per_capita")))
            add("lifted_below_line", ((h, {"人均纯收入": _money(p), "监测线": _money(line)}) for h, p in
                                      incomes.filter(per_capita__lt=line, household__household_type="脱贫户")
                                      .values_list("household_id", "per_capita")))
        add("below_floor", ((h, {"人均纯收入": _money(p)}) for h, p in
                            incomes.filter(per_capita__lt=config.low_income_floor)
                            .values_list("household_id", "per_capita")))
        ratio = Decimal(100 - config.income_drop_percent) / 100
        previous = IncomeRecord.objects.filter(household=OuterRef("household"), year=year - 1)
        add("income_drop", ((h, {"人均纯收入": _money(p), "上年人均纯收入": _money(q)}) for h, p, q in
                            incomes.annotate(prev=previous.values("per_capita")[:1])
                            .filter(prev__gt=0, per_capita__lt=F("prev") * ratio)
                            .values_list("household_id", "per_capita", "prev")))
        add("medical", ((h, {"合规自付支出": _money(m)}) for h, m in incomes.filter(
            Q(household__household_type="脱贫户", compliant_medical__gt=config.medical_threshold_lifted)
            | Q(~Q(household__household_type="脱贫户"), compliant_medical__gt=config.medical_threshold_other)
        ).values_list("household_id", "compliant_medical")))
        able = Member.objects.filter(household=OuterRef("pk"), status="正常").exclude(labour_skill__in=NO_LABOUR)
        add("no_labour", ((h, {"家庭人口": n_members}) for h, n_members in
                          Household.objects.filter(village__code__startswith=scope, no_labour_guarantee=False)
                          .annotate(n=Count("members", filter=Q(members__status="正常")))
                          .filter(n__gt=0).exclude(Exists(able)).values_list("pk", "n")))
        if progress:
            progress(n, len(county_codes), f"已筛查 {county}")

    candidates = set(hits)
    already = set(MonitoringCase.objects.filter(household_id__in=candidates, is_open=True)
                  .values_list("household_id", flat=True)) if candidates else set()
    result.skipped_open = len(already)
    today = timezone.localdate()
    new_ids = sorted(candidates - already)
    with transaction.atomic():
        cases = [MonitoringCase(household_id=h, source="部门筛查预警", clue_date=today, clue_rules=list(hits[h]),
                                clue_figures={"year": year, **{RULES[r]: f for r, f in hits[h].items()}},
                                clue_note="预警：" + "；".join(RULES[r] for r in hits[h]))
                 for h in new_ids]
        created = MonitoringCase.objects.bulk_create(cases, batch_size=2000)
        CaseEvent.objects.bulk_create([CaseEvent(case=case, chain=case.chain, step=case.step, action="预警生成线索",
                                                 note=case.clue_note, user_name="系统预警") for case in created],
                                      batch_size=2000)
    result.clues = len(created)
    return result
