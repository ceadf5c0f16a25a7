"""Rule-based early warning (S003, S004): set-based queries over the registry, one clue per household at risk.

A household hit by several rules gets one clue listing them all; a household with an open case gets nothing, so
screening twice adds nothing. A county is read in two queries (the year's incomes joined to the previous year's, and
the members of households with no able member); the clues and their timeline events are written in bulk (ADR 0004).

Two steps, as every mass action: ``screen(write=False)`` is the preview (counts per rule and per village, a sample;
nothing written), ``start_batch`` creates the clues of the rules and villages the county kept as one
``ScreeningBatch``, and ``withdraw_batch`` takes back the batch's clues nobody has acted on yet.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connections, router, transaction
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone

from shoudi.accounts.permissions import region_code_of
from shoudi.core.bulk import insert_select, values_per_statement
from shoudi.core.models import ObjectChange
from shoudi.core.scope import user_can
from shoudi.regions.models import Region
from shoudi.registry.choices import NO_LABOUR
from shoudi.registry.models import Household, IncomeRecord, Member

from . import choices as c
from .models import CaseEvent, MonitoringCase, MonitoringLine, ScreeningBatch
from .policy import lines_by_county, settings_for

__all__ = [
    "RULES",
    "ScreeningRefused",
    "ScreeningResult",
    "confirm_batch",
    "preview_summary",
    "run_batch",
    "run_preview",
    "screen",
    "start_preview",
    "untouched_clues",
    "withdraw_batch",
]

RULES = c.SCREENING_RULES  # rule key → its label
LIFTED = "脱贫户"
BATCH = 1000  # clues per INSERT
CLUE_EVENT = "预警生成线索"
SAMPLE_VILLAGES = 20  # the preview's sample: the first household of each of the first villages

# A rule hit: (household id, village code, {rule: figures}, the household has an open case)
Hit = tuple[int, str, dict[str, dict], bool]


class ScreeningRefused(Exception):
    """A screening step that cannot be taken; the message says why, in Chinese."""


@dataclass
class ScreeningResult:
    year: int
    hits: Counter = field(default_factory=Counter)  # rule → households hit (before de-duplication)
    clues: int = 0  # clues written (a preview: clues that would be)
    skipped_open: int = 0
    missing_line: list[str] = field(default_factory=list)
    written: bool = True
    per_rule: Counter = field(default_factory=Counter)  # rule → households of the clues
    villages: dict[str, Counter] = field(default_factory=dict)  # village code → rule → households, and "total"
    sample: dict[str, int] = field(default_factory=dict)  # village code → the first household of its clues

    def lines(self) -> list[str]:
        out = [f"{RULES[rule]}：{self.hits.get(rule, 0)} 户" for rule in RULES]
        verb = "新增线索" if self.written else "预览：将新增线索"
        out.append(f"{verb} {self.clues} 户；已有进行中监测记录未重复生成 {self.skipped_open} 户")
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
        .values_list(
            "household_id",
            "household__village__code",
            "per_capita",
            "previous__per_capita",
            "compliant_medical",
            "has_open",
            *flags,
        )
    )
    figures = [figure for _, figure in rules.values()]
    for household_id, village, pc, prev, med, has_open, *hit in rows:
        found = {rule: figure(pc, prev, med) for rule, figure, h in zip(rules, figures, hit, strict=True) if h}
        yield household_id, village, found, has_open


def _no_labour_hits(*, scope: str) -> Iterator[Hit]:
    """Every member present has no labour and the household is not marked 整户无劳动能力兜底保障户."""
    rows = (
        Member.objects.filter(
            household__village__code__startswith=scope, household__no_labour_guarantee=False, status="正常"
        )
        .order_by()
        .values("household_id", "household__village__code")
        .annotate(n=Count("id"), able=Count("id", filter=~Q(labour_skill__in=NO_LABOUR)))
        .filter(able=0)
        .annotate(has_open=_has_open_case())
        .values_list("household_id", "household__village__code", "n", "has_open")
    )
    for household_id, village, n_members, has_open in rows:
        yield household_id, village, {"no_labour": {"家庭人口": n_members}}, has_open


def screen(
    *,
    year: int,
    region: Region | None = None,
    progress=None,
    rules: list[str] | None = None,
    villages: list[str] | None = None,
    write: bool = True,
    batch: ScreeningBatch | None = None,
) -> ScreeningResult:
    """Run the rules for ``year`` inside ``region`` (all counties when None) and write the clues (of ``batch``).

    ``rules`` and ``villages`` (codes) keep only those (None: all); ``write=False`` is the preview: the same
    counts, nothing written."""
    result = ScreeningResult(year=year, written=write)
    counties = Region.objects.filter(level="county")
    if region is not None:
        counties = counties.filter(code=region.code[:6])
    county_codes = list(counties.values_list("code", flat=True))
    lines = lines_by_county(county_codes, year)
    prefix = region.code if region is not None else ""
    kept_rules = set(rules) if rules is not None else None
    kept_villages = set(villages) if villages else None
    hits: dict[int, dict[str, dict]] = defaultdict(dict)
    village_of: dict[int, str] = {}
    already: set[int] = set()

    for n, county in enumerate(county_codes, start=1):
        scope = prefix if prefix.startswith(county) else county
        config = settings_for(county, year)
        line = lines[county]
        if line is None:
            result.missing_line.append(county)
        for household_id, village, found, has_open in (
            *_income_hits(year=year, scope=scope, line=line, config=config),
            *_no_labour_hits(scope=scope),
        ):
            result.hits.update(found.keys())
            if kept_rules is not None:
                found = {rule: figures for rule, figures in found.items() if rule in kept_rules}
            if not found or (kept_villages is not None and village not in kept_villages):
                continue
            if has_open:
                already.add(household_id)
            else:
                hits[household_id].update(found)
                village_of[household_id] = village
        if progress:
            progress(n, len(county_codes), f"已筛查 {county}")

    result.skipped_open = len(already)
    for household_id in sorted(hits):
        village = village_of[household_id]
        counts = result.villages.setdefault(village, Counter())
        counts.update(hits[household_id].keys())
        counts["total"] += 1
        result.per_rule.update(hits[household_id].keys())
        result.sample.setdefault(village, household_id)
    result.clues = _write_clues(year=year, hits=hits, batch=batch) if write else len(hits)
    return result


def preview_summary(result: ScreeningResult, *, region_code: str = "") -> dict:
    """The preview as the page shows it (and the job keeps it): counts per rule and per village, named villages,
    and a sample of households by 户主姓名, short 户编号 and village."""
    codes = sorted(result.villages)
    regions = {r.code: r for r in Region.objects.filter(code__in=codes).select_related("parent")}
    sample_villages = codes[:SAMPLE_VILLAGES]
    sample_ids = [result.sample[code] for code in sample_villages]
    heads = dict(
        Member.objects.filter(household_id__in=sample_ids, relation="户主").values_list("household_id", "name")
    )
    numbers = dict(Household.objects.filter(pk__in=sample_ids).values_list("pk", "household_no"))

    def place(code: str) -> tuple[str, str]:
        region = regions.get(code)
        if region is None:
            return "", code
        return (region.parent.name if region.parent_id else ""), region.name

    return {
        "year": result.year,
        "region_code": region_code,
        "clues": result.clues,
        "skipped_open": result.skipped_open,
        "missing_line": result.missing_line,
        "hits": {rule: result.hits.get(rule, 0) for rule in RULES},
        "per_rule": {rule: result.per_rule.get(rule, 0) for rule in RULES},
        "villages": [
            {
                "code": code,
                "township": place(code)[0],
                "village": place(code)[1],
                "counts": [result.villages[code].get(rule, 0) for rule in RULES],
                "total": result.villages[code]["total"],
            }
            for code in codes
        ],
        "sample": [
            {
                "head": heads.get(result.sample[code], ""),
                "short_no": short_household_no(numbers.get(result.sample[code], "")),
                "township": place(code)[0],
                "village": place(code)[1],
            }
            for code in sample_villages
        ],
    }


def short_household_no(number: str) -> str:
    """The last six digits of a 17-digit 户编号, which with the village tell households apart."""
    return f"…{number[-6:]}" if len(number or "") > 8 else (number or "")


# --- batches ----------------------------------------------------------------------------------------------------


def _check_user(user, region_code: str) -> None:
    if user is None:
        return
    if not user_can(user, MonitoringLine, "add"):
        raise PermissionDenied("预警筛查由县级管理员发起")
    if not user.is_superuser and not region_code.startswith(region_code_of(user)):
        raise PermissionDenied("筛查范围超出您的管辖区划")


def start_preview(*, user, year: int, region_code: str) -> ScreeningBatch:
    """Step one: a batch in preview and the job that counts what the rules would raise (nothing is written)."""
    from shoudi.core.jobs import start_job

    _check_user(user, region_code)
    with transaction.atomic():
        batch = ScreeningBatch.objects.create(year=year, region_code=region_code, created_by=user)
        job = start_job(
            kind="monitoring.screen_preview",
            user=user,
            params={"year": year, "region_code": region_code, "batch_id": batch.pk},
            title=f"{year} 年预警筛查预览",
        )
        ScreeningBatch.objects.filter(pk=batch.pk).update(job=job)
        batch.job = job
    return batch


def run_preview(batch: ScreeningBatch, *, progress=None) -> ScreeningResult:
    """The preview job's work: the counts per rule and per village and the sample, kept on the batch."""
    region = Region.objects.filter(code=batch.region_code).first() if batch.region_code else None
    result = screen(year=batch.year, region=region, progress=progress, write=False)
    ScreeningBatch.objects.filter(pk=batch.pk).update(counts=preview_summary(result, region_code=batch.region_code))
    return result


def confirm_batch(*, batch: ScreeningBatch, user, rules: list[str], villages: list[str]) -> ScreeningBatch:
    """Step two: the county keeps some rules and villages (no village: all of them) and the job writes the clues.
    Audited (the batch's change log)."""
    from shoudi.core.jobs import start_job

    _check_user(user, batch.region_code)
    unknown = set(rules) - set(RULES)
    if not rules or unknown:
        raise ScreeningRefused("请至少选择一条预警规则")
    with transaction.atomic():
        batch = ScreeningBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != ScreeningBatch.PREVIEW or not batch.counts:
            raise ScreeningRefused(f"该批次{batch.get_status_display()}，不能再次确认")
        previewed = {v["code"] for v in batch.counts.get("villages", [])}
        batch.rules = [rule for rule in RULES if rule in rules]
        batch.villages = sorted(set(villages) & previewed) if villages else []
        batch.status = ScreeningBatch.CREATING
        batch.job = start_job(
            kind="monitoring.screen",
            user=user,
            params={"year": batch.year, "region_code": batch.region_code, "batch_id": batch.pk},
            title=f"{batch.year} 年预警筛查：生成线索",
        )
        batch.save()
    return batch


def run_batch(batch: ScreeningBatch, *, progress=None) -> ScreeningResult:
    """Write the batch's clues (the job's work); the batch records the counts per rule and village."""
    region = Region.objects.filter(code=batch.region_code).first() if batch.region_code else None
    try:
        with transaction.atomic():
            result = screen(
                year=batch.year,
                region=region,
                progress=progress,
                rules=batch.rules,
                villages=batch.villages or None,
                batch=batch,
            )
            batch.status = ScreeningBatch.CREATED
            batch.clue_count = result.clues
            batch.counts = preview_summary(result, region_code=batch.region_code)
            batch.save()
    except Exception:
        ScreeningBatch.objects.filter(pk=batch.pk).update(status=ScreeningBatch.FAILED)
        raise
    return result


def untouched_clues(batch: ScreeningBatch):
    """The batch's clues nobody has acted on: still at 入户核实 with only the event that created them, no files,
    objections, change-log entries or rows of other apps pointing at them."""
    clues = MonitoringCase.objects.filter(
        screening_batch=batch, is_open=True, chain=c.IDENTIFICATION, step=c.VERIFICATION
    ).exclude(Exists(CaseEvent.objects.filter(case=OuterRef("pk")).exclude(action=CLUE_EVENT)))
    for relation in MonitoringCase._meta.get_fields(include_hidden=True):
        if relation.auto_created and not relation.concrete and (relation.one_to_many or relation.one_to_one):
            if relation.related_model is CaseEvent:
                continue
            linked = relation.related_model._base_manager.filter(**{relation.field.name: OuterRef("pk")})
            clues = clues.exclude(Exists(linked))
    edited = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(MonitoringCase),
        object_id=Cast(OuterRef("pk"), output_field=CharField()),
    )
    return clues.exclude(Exists(edited))


@transaction.atomic
def withdraw_batch(*, batch: ScreeningBatch, user) -> ScreeningBatch:
    """撤回: the batch's clues nobody has acted on go (with their timeline event); the others stay, counted. The
    clues were written without a change-log row each; the batch's change log records the withdrawal."""
    _check_user(user, batch.region_code)
    batch = ScreeningBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ScreeningBatch.CREATED:
        raise ScreeningRefused(f"该批次{batch.get_status_display()}，不能撤回")
    ids = list(untouched_clues(batch).values_list("pk", flat=True))
    db = MonitoringCase.objects.db
    for start in range(0, len(ids), BATCH):
        part = ids[start : start + BATCH]
        CaseEvent.objects.filter(case_id__in=part)._raw_delete(db)
        MonitoringCase.objects.filter(pk__in=part)._raw_delete(db)
    batch.status = ScreeningBatch.WITHDRAWN
    batch.withdrawn_at = timezone.now()
    batch.withdrawn_by = user
    batch.withdrawn_count = len(ids)
    batch.kept_count = MonitoringCase.objects.filter(screening_batch=batch).count()
    batch.save()
    return batch


@transaction.atomic
def _write_clues(*, year: int, hits: dict[int, dict[str, dict]], batch: ScreeningBatch | None = None) -> int:
    """A case at 入户核实 per household and the event 预警生成线索 on its timeline, which is each clue's record (no
    change-log row per clue: at a million households they doubled the screening's time, see bench/README.md);
    returns how many."""
    now = timezone.now()
    case = MonitoringCase(source="部门筛查预警", clue_date=timezone.localdate(), step_since=now, screening_batch=batch)
    event = CaseEvent(action=CLUE_EVENT, user_name="系统预警", time=now)
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
