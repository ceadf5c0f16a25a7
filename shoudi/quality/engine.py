"""A data-quality run over a county or a region: evaluate every rule set-based, then bring the hits and their problems
in line with what was found.

Per rule and subject: a subject found for the first time gets a hit and a problem (given to the village, issued by
its township, which confirms a 不是问题 waiver); a hit no longer found has its problem closed as 已整改, naming the
change that fixed it; a waived (不是问题) or hand-closed hit is left alone while its figures stay the same, and
raised again as a new hit once they change. A run that finds what the last one found writes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connections, router, transaction
from django.db.models import F, Max
from django.utils import timezone

from shoudi.core.bulk import insert_values
from shoudi.core.masking import mask_mapping
from shoudi.core.notifications import changed
from shoudi.monitoring.models import MonitoringLine
from shoudi.monitoring.policy import school_age_rule, settings_for
from shoudi.regions.models import Region
from shoudi.registry.models import IncomeRecord
from shoudi.work import choices as wc

from . import results
from .fixes import change_text, fixing_changes
from .models import Hit, QualitySettings
from .passes import PASSES, run_pass
from .rules import all_rules
from .rules.base import MEMBER, Found, Params, Rule

__all__ = ["RuleCount", "RunResult", "evaluate", "params_for", "run"]

CHUNK = 500
Progress = Callable[[int, int], None]


@dataclass
class RuleCount:
    found: int = 0  # subjects the rule fires on now
    new: int = 0  # raised this run
    fixed: int = 0  # closed as 已整改
    updated: int = 0  # open hits whose figures changed
    skipped: str = ""  # why the rule did not run


@dataclass
class RunResult:
    counts: dict[str, RuleCount] = field(default_factory=dict)
    written: int = 0  # rows written (hits, problems and their steps)
    households: set[int] = field(default_factory=set)

    def lines(self) -> list[str]:
        out = []
        for rule in all_rules():
            count = self.counts.get(rule.code)
            if count is None:
                continue
            if count.skipped:
                out.append(f"{rule.code} {rule.title}：未检查（{count.skipped}）")
                continue
            out.append(f"{rule.code} {rule.title}：{count.found} 个（新增 {count.new}，已整改 {count.fixed}）")
        total = sum(c.found for c in self.counts.values())
        new = sum(c.new for c in self.counts.values())
        fixed = sum(c.fixed for c in self.counts.values())
        out.append(f"合计：{total} 个问题（新增 {new}，已整改 {fixed}）")
        return out


def _lines_of(county: str) -> dict[int, object]:
    """Year → the monitoring line of the county (its own row, else the province-wide one)."""
    lines: dict[int, object] = {}
    rows = MonitoringLine.objects.filter(region__isnull=True) | MonitoringLine.objects.filter(region__code=county)
    for year, region_id, amount in rows.order_by("region_id").values_list("year", "region_id", "amount"):
        if region_id is not None or year not in lines:
            lines[year] = amount
    return lines


def params_for(county: str, today: datetime.date | None = None, year: int | None = None) -> Params:
    """What the rules of one county need: the income year (the latest one recorded, unless given), its line …"""
    today = today or timezone.localdate()
    if year is None:
        year = IncomeRecord.objects.aggregate(latest=Max("year"))["latest"]
    lines = _lines_of(county)
    return Params(
        county=county,
        today=today,
        year=year,
        line=lines.get(year) if year else None,
        lines=lines,
        school=school_age_rule(county, today),
        min_months=settings_for(county, today.year).min_months_before_elimination,
        settings=QualitySettings.for_region(county),
    )


def runnable(rules: list[Rule], params: Params) -> tuple[list[Rule], dict[str, str]]:
    """The rules that can run for the county, and why the others cannot."""
    ready, skipped = [], {}
    disabled = set(params.settings.disabled_rules or ())
    for rule in rules:
        if rule.code in disabled:
            skipped[rule.code] = "本县已停用"
        elif rule.needs_year and params.year is None:
            skipped[rule.code] = "没有收入记录"
        elif rule.needs_line and params.line is None:
            skipped[rule.code] = f"未设置 {params.year} 年监测线"
        else:
            ready.append(rule)
    return ready, skipped


def evaluate(
    params: Params, scope: str, rules: list[Rule], progress: Callable[[], None] | None = None
) -> dict[str, dict[int, Found]]:
    """rule code → subject id → what the rule found, inside the region ``scope`` (a code prefix)."""
    found: dict[str, dict[int, Found]] = {rule.code: {} for rule in rules}
    for subject in PASSES:
        for rule, item in run_pass(subject, [r for r in rules if r.when and r.subject == subject], params, scope):
            found[rule.code][item.subject] = item
        if progress:
            progress()
    for rule in rules:
        if rule.check is not None:
            for item in rule.check(params, scope):
                found[rule.code][item.subject] = item
            if progress:
                progress()
    return found


class _County:
    """What the writing needs of a county once: each village's township, the time, the problems' working days."""

    def __init__(self, county: Region, params: Params):
        self.county = county
        # every problem is issued by the village's township, which reviews it and confirms a 不是问题 waiver
        self.townships = dict(
            Region.objects.filter(code__startswith=county.code, level="village").values_list("pk", "parent_id")
        )
        self.now = timezone.now()
        self.today = params.today
        self.due_workdays = params.settings.due_workdays


def _title(rule: Rule, figures: dict[str, str]) -> str:
    who = figures.get("姓名") or figures.get("户主") or figures.get("户编号") or ""
    return f"{rule.title}（{who}）" if who else rule.title


def _description(rule: Rule, figures: dict[str, str]) -> str:
    return (
        f"{rule.render(mask_mapping(figures))}\n"
        f"规则 {rule.code} {rule.title}（{rule.topic}·{rule.severity}，{rule.level_label}规则）"
    )


def _reconcile(rule: Rule, found: dict[int, Found], scope: str, county: _County, result: RunResult) -> RuleCount:
    count = RuleCount(found=len(found))
    active = list(
        Hit.objects.filter(rule=rule.code, active=True, village__code__startswith=scope)
        .annotate(problem_state=F("problem__state"), problem_outcome=F("problem__outcome"))
        .only("pk", "rule", "subject_pk", "fingerprint", "state", "problem_id", "household_id", "found_at")
    )
    to_fix, to_refresh, ended = [], [], []
    for hit in active:
        item = found.get(hit.subject_pk)
        unclosed = hit.problem_state in wc.UNCLOSED_STATES
        waived = results.is_waived(hit.problem_state, hit.problem_outcome)
        if item is None:
            (to_fix if unclosed else ended).append(hit)
        elif unclosed:
            if item.fingerprint != hit.fingerprint:  # the problem carries on with the new figures
                hit.figures, hit.fingerprint = item.figures, item.fingerprint
                to_refresh.append(hit)
        elif not (waived and item.fingerprint == hit.fingerprint):
            ended.append(hit)  # closed by hand while the data stays wrong, or waived and changed since: raised again
    now, written = county.now, 0
    for hit in ended:  # kept as history: what its problem was closed as
        waived = results.is_waived(hit.problem_state, hit.problem_outcome)
        hit.state, hit.active = (Hit.WAIVED if waived else Hit.CLOSED), False
        hit.closed_at = hit.closed_at or now
        hit.closed_note = "复查已不再发现该问题" if hit.subject_pk not in found else "数据已变更，重新检查"
    if ended:
        Hit.objects.bulk_update(ended, ["state", "active", "closed_at", "closed_note"], batch_size=CHUNK)
        written += len(ended)
    if to_refresh:
        Hit.objects.bulk_update(to_refresh, ["figures", "fingerprint"], batch_size=CHUNK)
        written += len(to_refresh)
        count.updated = len(to_refresh)
    if to_fix:
        written += _fix(rule, to_fix, county)
        count.fixed = len(to_fix)
        result.households.update(hit.household_id for hit in to_fix)
    gone = {hit.pk for hit in (*ended, *to_fix)}
    kept = {hit.subject_pk for hit in active if hit.pk not in gone}
    fresh = [item for subject, item in found.items() if subject not in kept]
    if fresh:
        written += _raise(rule, fresh, county)
        count.new = len(fresh)
        result.households.update(item.household for item in fresh)
    result.written += written
    return count


def _fix(rule: Rule, hits: list[Hit], county: _County) -> int:
    """Hits no longer found: 已整改, each naming the change that fixed it; their problems closed by the system."""
    changes = fixing_changes(hits, rule.subject)
    notes = {}
    for hit in hits:
        change = changes.get(hit.pk)
        hit.state, hit.active, hit.closed_at = Hit.FIXED, False, county.now
        hit.fixed_change_id = change.pk if change is not None else None
        text = change_text(change)
        hit.closed_note = f"已整改：{text}"[:300]
        notes[results.source_pk(rule.code, hit.subject_pk)] = text
    Hit.objects.bulk_update(hits, ["state", "active", "closed_at", "fixed_change", "closed_note"], batch_size=CHUNK)
    return len(hits) + 3 * results.close_problems(notes, today=county.today)  # the problem, its step, its change


def _raise(rule: Rule, fresh: list[Found], county: _County) -> int:
    """New hits and their problems; returns the rows written."""
    template = Hit(rule=rule.code, found_at=county.now, state=Hit.OPEN, active=True)
    connection = connections[router.db_for_write(Hit)]
    as_json = Hit._meta.get_field("figures").get_db_prep_save  # jsonb on PostgreSQL, text on SQLite
    fields = ["subject_pk", "household", "village", "figures", "fingerprint"] + (
        ["member"] if rule.subject == MEMBER else []
    )
    rows = [
        (
            item.subject,
            item.household,
            item.village,
            as_json(item.figures, connection),
            item.fingerprint,
            *([item.subject] if rule.subject == MEMBER else []),
        )
        for item in fresh
    ]
    created = dict(insert_values(Hit, template, fields, rows, returning=("subject_pk", "id")))
    raises = [
        results.Raise(
            source_pk=results.source_pk(rule.code, item.subject),
            title=_title(rule, item.figures),
            description=_description(rule, item.figures),
            village=item.village,
            township=county.townships.get(item.village),
            household=item.household,
            fingerprint=item.fingerprint,
        )
        for item in fresh
    ]
    problems = results.raise_problems(
        raises,
        severity=rule.severity,
        due_workdays=county.due_workdays,
        issued_on=county.today,
        note=f"数据质量检查（规则 {rule.code}）发现",
    )
    linked = [
        Hit(pk=created[item.subject], problem_id=problems[results.source_pk(rule.code, item.subject)])
        for item in fresh
        if results.source_pk(rule.code, item.subject) in problems
    ]
    Hit.objects.bulk_update(linked, ["problem"], batch_size=CHUNK)
    # the hit, its problem with its 下发 step, household link and change-log row; the hit's problem id
    return len(rows) * 5 + len(linked)


def _counties(region: Region | None) -> list[tuple[Region, str]]:
    """(county, the scope's code prefix) of a run over ``region`` (None: every county)."""
    if region is None:
        return [(county, county.code) for county in Region.objects.filter(level="county").order_by("code")]
    county = Region.objects.get(code=region.code[:6])
    return [(county, region.code)]


def run(
    *,
    region: Region | None = None,
    rule_codes: list[str] | None = None,
    today: datetime.date | None = None,
    progress: Progress | None = None,
) -> RunResult:
    """Run the rules (all registered ones, or those of ``rule_codes``) over ``region`` and write the results."""
    rules = [rule for rule in all_rules() if rule_codes is None or rule.code in rule_codes]
    result = RunResult()
    counties = _counties(region)
    total = len(counties) * (len(PASSES) + sum(1 for r in rules if r.check) + len(rules))
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, total)

    for county, scope in counties:
        params = params_for(county.code, today)
        ready, skipped = runnable(rules, params)
        for code, why in skipped.items():
            result.counts[code] = RuleCount(skipped=why)
        found = evaluate(params, scope, ready, progress=step)
        context = _County(county, params)
        with transaction.atomic():
            for rule in ready:
                count = _reconcile(rule, found[rule.code], scope, context, result)
                previous = result.counts.get(rule.code)
                if previous is not None and not previous.skipped:
                    count.found += previous.found
                    count.new += previous.new
                    count.fixed += previous.fixed
                result.counts[rule.code] = count
                step()
            if result.households:
                changed("quality", household_ids=result.households)
    return result
