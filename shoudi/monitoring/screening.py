"""Rule-based early warning (S003, S004): set-based queries over the registry, one clue per household at risk.

A household hit by several rules gets one clue listing them all; a household with an open case gets nothing, so
screening twice adds nothing. A county is read in two queries (the year's incomes joined to the previous year's, and
the members of households with no able member); the clues and their timeline events are written in bulk (ADR 0004).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db import connections, router, transaction
from django.db.models import BooleanField, Case, Count, Exists, F, FilteredRelation, OuterRef, Q, Value, When
from django.utils import timezone

from shoudi.core.bulk import insert_select, values_per_statement
from shoudi.regions.models import Region
from shoudi.registry.choices import NO_LABOUR
from shoudi.registry.models import IncomeRecord, Member

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
LIFTED = "脱贫户"
BATCH = 1000  # clues per INSERT

# A rule hit: (household id, {rule: figures}, the household has an open case)
Hit = tuple[int, dict[str, dict], bool]


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


def _has_open_case() -> Exists:
    return Exists(MonitoringCase.objects.filter(household=OuterRef("household_id"), is_open=True))


def _income_hits(*, year: int, scope: str, line: Decimal | None, config) -> Iterator[Hit]:
    """The income rules, in the order a clue lists them. Figures are built from (人均, 上年人均, 合规自付)."""
    lifted = Q(household__household_type=LIFTED)
    rules: dict[str, tuple[Q, Callable[[Decimal, Decimal, Decimal], dict]]] = {}
    if line is not None:
        edge = line * config.edge_factor
        rules["below_line"] = (
            Q(per_capita__lt=line),
            lambda pc, prev, med: {"人均纯收入": _money(pc), "监测线": _money(line)},
        )
        rules["edge"] = (
            Q(per_capita__gte=line, per_capita__lt=edge),
            lambda pc, prev, med: {"人均纯收入": _money(pc), "边缘线": _money(edge)},
        )
        rules["lifted_below_line"] = (
            lifted & Q(per_capita__lt=line),
            lambda pc, prev, med: {"人均纯收入": _money(pc), "监测线": _money(line)},
        )
    rules["below_floor"] = (Q(per_capita__lt=config.low_income_floor), lambda pc, prev, med: {"人均纯收入": _money(pc)})
    ratio = Decimal(100 - config.income_drop_percent) / 100
    rules["income_drop"] = (
        Q(previous__per_capita__gt=0, per_capita__lt=F("previous__per_capita") * ratio),
        lambda pc, prev, med: {"人均纯收入": _money(pc), "上年人均纯收入": _money(prev)},
    )
    rules["medical"] = (
        lifted & Q(compliant_medical__gt=config.medical_threshold_lifted)
        | ~lifted & Q(compliant_medical__gt=config.medical_threshold_other),
        lambda pc, prev, med: {"合规自付支出": _money(med)},
    )
    flags = {
        f"hit_{rule}": Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())
        for rule, (condition, _) in rules.items()
    }
    rows = (
        IncomeRecord.objects.filter(year=year, household__village__code__startswith=scope)
        # the previous year as a join rather than a subquery per row
        .annotate(previous=FilteredRelation("household__incomes", condition=Q(household__incomes__year=year - 1)))
        .filter(reduce(or_, (condition for condition, _ in rules.values())))
        .annotate(has_open=_has_open_case(), **flags)
        .order_by()
        .values_list("household_id", "per_capita", "previous__per_capita", "compliant_medical", "has_open", *flags)
    )
    figures = [figure for _, figure in rules.values()]
    for household_id, pc, prev, med, has_open, *hit in rows:
        found = {rule: figure(pc, prev, med) for rule, figure, h in zip(rules, figures, hit, strict=True) if h}
        yield household_id, found, has_open


def _no_labour_hits(*, scope: str) -> Iterator[Hit]:
    """Every member present has no labour and the household is not marked 整户无劳动能力兜底保障户."""
    rows = (
        Member.objects.filter(
            household__village__code__startswith=scope, household__no_labour_guarantee=False, status="正常"
        )
        .order_by()
        .values("household_id")
        .annotate(n=Count("id"), able=Count("id", filter=~Q(labour_skill__in=NO_LABOUR)))
        .filter(able=0)
        .annotate(has_open=_has_open_case())
        .values_list("household_id", "n", "has_open")
    )
    for household_id, n_members, has_open in rows:
        yield household_id, {"no_labour": {"家庭人口": n_members}}, has_open


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
    already: set[int] = set()

    for n, county in enumerate(county_codes, start=1):
        scope = prefix if prefix.startswith(county) else county
        config = settings_for(county, year)
        line = lines[county]
        if line is None:
            result.missing_line.append(county)
        for household_id, found, has_open in (
            *_income_hits(year=year, scope=scope, line=line, config=config),
            *_no_labour_hits(scope=scope),
        ):
            result.hits.update(found.keys())
            if has_open:
                already.add(household_id)
            else:
                hits[household_id].update(found)
        if progress:
            progress(n, len(county_codes), f"已筛查 {county}")

    result.skipped_open = len(already)
    result.clues = _write_clues(year=year, hits=hits)
    return result


@transaction.atomic
def _write_clues(*, year: int, hits: dict[int, dict[str, dict]]) -> int:
    """A case at 入户核实 per household and the event 预警生成线索 on its timeline, which is each clue's record (no
    change-log row per clue: at a million households they doubled the screening's time, see bench/README.md);
    returns how many."""
    now = timezone.now()
    case = MonitoringCase(source="部门筛查预警", clue_date=timezone.localdate(), step_since=now)
    event = CaseEvent(action="预警生成线索", user_name="系统预警", time=now)
    connection = connections[router.db_for_write(MonitoringCase)]
    per_batch = values_per_statement(MonitoringCase, 4, BATCH)  # 4 values per clue
    as_json = case._meta.get_field("clue_figures").get_db_prep_save
    cases_table = connection.ops.quote_name(MonitoringCase._meta.db_table)
    household_ids = sorted(hits)
    written: list[int] = []
    for start in range(0, len(household_ids), per_batch):
        batch = household_ids[start : start + per_batch]
        values = []
        for household_id in batch:
            found = hits[household_id]
            values += [
                household_id,
                as_json(list(found), connection),
                as_json({"year": year, **{RULES[r]: f for r, f in found.items()}}, connection),
                "预警：" + "；".join(RULES[r] for r in found),
            ]
        rows = ", ".join(["(%s, %s, %s, %s)"] * len(batch))
        ids = [
            pk
            for (pk,) in insert_select(
                MonitoringCase,
                case,
                {"household": "column1", "clue_rules": "column2", "clue_figures": "column3", "clue_note": "column4"},
                f"(VALUES {rows}) AS v",
                values,
                returning=("id",),
            )
        ]
        in_batch = ", ".join(["%s"] * len(ids))
        insert_select(
            CaseEvent,
            event,
            {"case": "c.id", "chain": "c.chain", "step": "c.step", "note": "c.clue_note"},
            f"{cases_table} c WHERE c.id IN ({in_batch})",
            ids,
        )
        written += ids
    return len(household_ids)
