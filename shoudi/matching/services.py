"""Matching services: lists in, runs, and the verification of findings (keyword-only, atomic, scope-checked).

A run goes: ``create_list`` (the file stored, its mapping saved as the department's profile) → ``start_run`` (a
job) → ``execute_run`` (load the rows, match, compare with the previous month, write the report; the findings are
a preview) → ``release_run`` (下发 to the villages) or ``withdraw_run`` (撤回, also after the release, for the
findings nobody has touched). ``match_file`` does all of it in-process for the command line, the demo and the
benchmarks. A finding runs on the one problem life cycle (``work.lifecycle.FINDINGS``): its village verifies it
(``verify_finding``: 属实 / 不属实) and closes a confirmed one with what was done (``resolve_finding``); the cycle
allows or refuses each step, and the status written is the state it leads to.
"""

from __future__ import annotations

import datetime
import re
import time
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from shoudi.accounts.permissions import region_code_of
from shoudi.accounts.roles import DEPARTMENT
from shoudi.core.scope import user_can
from shoudi.regions.models import Region
from shoudi.work import lifecycle as lc

from . import choices as c
from . import engine, fastload
from .models import DepartmentList, Finding, ListRow, MappingProfile, MatchingSettings, MatchRun
from .reading import FileRejected, Layout, ParsedList, detect_layout, parse_rows
from .sources import NOT_IN_REGISTRY, Source, get_source

__all__ = [
    "FindingRefused",
    "RunRefused",
    "clue_risks",
    "compare_runs",
    "create_list",
    "execute_run",
    "match_file",
    "parse_period",
    "profile_for",
    "release_run",
    "resolve_finding",
    "start_run",
    "verify_finding",
    "withdraw_run",
]

CLUE_SOURCE = "部门筛查预警"
# 保障问题 kinds (assistance.choices.CHECKLIST values) a department's confirmed finding may open
PROBLEM_KINDS = {
    "housing": "住房安全有保障",
    "education": "义务教育有保障",
    "medical_insurance": "基本医疗有保障",
    "health": "基本医疗有保障",
}


class RunRefused(Exception):
    """A list or run that cannot be accepted; the message says why, in Chinese."""


class FindingRefused(lc.TransitionRefused):
    """A verification or action that cannot be taken; the message says why, in Chinese."""


# --- configuration ----------------------------------------------------------------------------------------------

_PERIOD = re.compile(r"(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*月?")


def parse_period(text: str) -> datetime.date:
    """ "2025-05" (or 2025年5月, 202505) → the first day of that month; ``ValueError`` with a Chinese reason."""
    match = _PERIOD.fullmatch(str(text or "").strip())
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 2000 <= year <= 2100 and 1 <= month <= 12:
            return datetime.date(year, month, 1)
    raise ValueError(f"比对期“{text}”应为年月，如 2025-05")


def period_text(day: datetime.date) -> str:
    return f"{day:%Y-%m}"


def _region_of(region_code: str) -> Region | None:
    return Region.objects.filter(code=region_code).first() if region_code else None


def profile_for(department: str, region_code: str = "") -> dict[str, str]:
    """The department's saved mapping (field → header) in the county, if any."""
    profile = MappingProfile.objects.filter(department=department, region=_region_of(region_code[:6])).first()
    return dict(profile.mapping) if profile else {}


def save_profile(department: str, region_code: str, mapping: dict[str, str]) -> MappingProfile:
    region = _region_of(region_code[:6])
    profile, _ = MappingProfile.objects.get_or_create(department=department, region=region)
    if profile.mapping != mapping:
        profile.mapping = mapping
        profile.save()
    return profile


def user_region_code(user) -> str:
    """The region a user's lists and base list cover; a non-superuser without a region code covers nothing (403)."""
    return region_code_of(user) if user is not None else ""


def check_department(user, department: str) -> Source:
    """The department's source, if ``user`` may send its lists: a 行业部门 user only his own department's."""
    source = get_source(department)
    if user is None:
        return source
    if not user_can(user, DepartmentList, "add"):
        raise PermissionDenied("您的角色不能上传部门名单")
    if not user.is_superuser and user.role == DEPARTMENT and user.department != department:
        raise PermissionDenied("只能上传本部门的名单")
    return source


# --- lists and runs ---------------------------------------------------------------------------------------------


@transaction.atomic
def create_list(
    *, department: str, period: str, path: Path, file_name: str, user, region_code: str, layout: Layout
) -> DepartmentList:
    """Store the file and how it is read; the mapping becomes the department's profile for the county."""
    check_department(user, department)
    period = period_text(parse_period(period))
    later = (
        MatchRun.objects.filter(department=department, region_code=region_code, period__gt=period, status=c.SUCCEEDED)
        .order_by("-period")
        .first()
    )
    if later is not None:
        raise RunRefused(f"已有 {later.period} 的{later.get_department_display()}比对，不能再比对更早的 {period}")
    dlist = DepartmentList(
        department=department,
        period=period,
        region_code=region_code,
        file_name=file_name[:200],
        uploaded_by=user,
        header_row=layout.header_row,
        mapping=layout.mapping,
    )
    with Path(path).open("rb") as handle:
        dlist.file.save(Path(file_name).name or "list.xlsx", File(handle), save=False)
    dlist.save()
    save_profile(department, region_code, layout.mapping)
    return dlist


def load_list(dlist: DepartmentList, *, progress=None) -> ParsedList:
    """Parse the stored file and bulk-load its rows (all or nothing); the counts and issues go on the list."""
    source = get_source(dlist.department)
    path = Path(dlist.file.path)
    layout = detect_layout(path, source, dlist.mapping)
    if layout.mapping != dlist.mapping:
        problems = _missing(source, layout, dlist.mapping)
        if problems:
            raise FileRejected("；".join(problems))
        layout.mapping = dict(dlist.mapping)
    with transaction.atomic():
        engine.clear_rows(dlist.pk)  # none, unless a crash emptied the list half-way
        # PostgreSQL and a CSV file: COPY of the file and the checks in SQL; else (or when COPY cannot read the
        # file as Python does) every row read in Python
        result = fastload.load(dlist.pk, path, source, layout)
        if result is None:
            result = ParsedList()
            engine.load_rows(dlist.pk, parse_rows(path, source, layout, result))
            result.finish()
        if result.rows_total == 0:
            raise FileRejected("文件中表头以下没有数据行")
        dlist.header_row = layout.header_row
        dlist.rows_total, dlist.rows_loaded = result.rows_total, result.rows_loaded
        dlist.rows_rejected, dlist.issue_count = result.rows_rejected, result.issue_count
        dlist.issues = [i.as_dict() for i in result.issues]
        dlist.loaded_at = timezone.now()
        dlist.save()
    return result


def _missing(source: Source, layout: Layout, mapping: dict[str, str]) -> list[str]:
    from .reading import validate_mapping

    return validate_mapping(source, layout.headers, mapping)


def start_run(*, dlist: DepartmentList, user) -> MatchRun:
    """Queue the run of a list as a job; returns the run (its page follows the job)."""
    from shoudi.core.jobs import start_job

    with transaction.atomic():
        run = MatchRun.objects.create(
            list=dlist, department=dlist.department, period=dlist.period, region_code=dlist.region_code, started_by=user
        )
        job = start_job(
            kind="matching.run",
            user=user,
            params={"run_id": run.pk},
            title=f"{run.get_department_display()}名单比对（{run.period}）",
        )
        run.job = job
        run.save(update_fields=["job"])
    return run


def nesting_regions(region_code: str) -> Q:
    """Runs whose region is ``region_code``, inside it or around it: a county's run follows its townships' runs."""
    around = [region_code[:n] for n in (0, 6, 9, 12) if n < len(region_code)]
    return Q(region_code__in=[*around, region_code]) | Q(region_code__startswith=region_code)


def previous_run_of(run: MatchRun) -> MatchRun | None:
    """The last released run of the department for an earlier month, in the run's region or one nesting with it
    (the county's list follows the township's: both compare the same people)."""
    return (
        MatchRun.objects.filter(nesting_regions(run.region_code), department=run.department, period__lt=run.period)
        .filter(status=c.SUCCEEDED)
        .order_by("-period", "region_code", "-id")
        .first()
    )


def execute_run(run: MatchRun, *, log=None) -> MatchRun:
    """Load the list (unless loaded), match it and record the counts; the run is marked failed on any error.

    A failure rolls back everything the run wrote: earlier runs and their findings stay as they were.
    """
    log = log or (lambda line: None)
    source = get_source(run.department)
    start = time.monotonic()
    MatchRun.objects.filter(pk=run.pk).update(status=c.RUNNING, started_at=timezone.now(), error="")
    run.refresh_from_db()
    try:
        dlist = run.list
        # not loaded yet, or emptied by a database crash (PostgreSQL keeps staging rows unlogged)
        if dlist.loaded_at is None or (dlist.rows_loaded and not dlist.rows.exists()):
            log(f"读取名单：{dlist.file_name}")
            parsed = load_list(dlist)
            log(f"载入 {parsed.rows_loaded} 行，未载入 {parsed.rows_rejected} 行，问题 {parsed.issue_count} 处")
        settings = MatchingSettings.for_region(run.region_code)
        period_start = parse_period(run.period)
        due_on = timezone.localdate() + datetime.timedelta(days=settings.verification_days)
        with transaction.atomic():
            result = engine.match(
                run, source, settings=settings, period_start=period_start, due_on=due_on, progress=log
            )
            run.previous_run = previous_run_of(run)
            run.counts = _counts(run, source, result)
            run.summary = _summary(run, dlist, result, 0)
            run.status = c.PREVIEW  # nothing reaches a village before the run is released
            run.finished_at = timezone.now()
            run.seconds = round(time.monotonic() - start, 3)
            run.save()
            for row in run.counts.values():
                if row.get("withheld"):
                    log(f"{row['label']}：{row['withheld']}")
    except Exception as exc:
        message = str(exc) if isinstance(exc, FileRejected | RunRefused) else f"比对出错：{exc}"
        MatchRun.objects.filter(pk=run.pk).update(status=c.FAILED, error=message[:2000], finished_at=timezone.now())
        run.refresh_from_db()
        raise
    return run


def _counts(run: MatchRun, source: Source, result: engine.MatchResult) -> dict:
    """Per rule: label, hits, findings, and how many are new work, carried, not raised again, recurring."""
    stats = {row["rule"]: row for row in _finding_stats(run)}
    resolved = _resolved_by_rule(run)
    counts = {}
    for rule in source.all_rules:
        row = stats.get(rule.code, {})
        counts[rule.code] = {
            "label": rule.label,
            "hits": result.hits.get(rule.code, 0),
            "findings": row.get("total", 0),
            "pending": row.get("pending", 0),
            "recurring": row.get("recurring", 0),
            "suppressed": row.get("suppressed", 0),
            "resolved": resolved.get(rule.code, 0),
        }
        coverage = result.coverage.get(rule.code)
        if coverage is not None:
            counts[rule.code]["coverage"] = coverage.as_dict()
            if not coverage.plausible:
                counts[rule.code]["withheld"] = withheld_reason(rule, coverage)
    code, label = NOT_IN_REGISTRY
    counts[code] = {"label": label, "hits": result.hits.get(code, 0)}
    return counts


def withheld_reason(rule, coverage: engine.Coverage) -> str:
    """Why an absence rule raised no 名单中无此人 findings, as the run page says it."""
    who = rule.population_label or "比对人员"
    parts = []
    if coverage.percent < coverage.min_percent:
        parts.append(
            f"本辖区{who} {coverage.persons} 人，名单中只有 {coverage.listed} 人"
            f"（{coverage.percent:.1f}%，低于比对参数要求的 {coverage.min_percent}%）"
        )
    if coverage.village_percent < coverage.min_village_percent:
        parts.append(
            f"有{who}的 {coverage.villages} 个行政村中，名单只覆盖 {coverage.villages_listed} 个"
            f"（{coverage.village_percent:.1f}%，低于比对参数要求的 {coverage.min_village_percent}%）"
        )
    return "名单覆盖不足，未生成“名单中无此人”的比对结果：" + "；".join(parts) + "。请核对部门是否报送了完整名单。"


def _finding_stats(run: MatchRun):
    recurring = Q(previous__run=run.previous_run) if run.previous_run else Q(pk__in=[])
    return (
        Finding.objects.filter(run=run)
        .values("rule")
        .order_by("rule")
        .annotate(
            total=Count("pk"),
            pending=Count("pk", filter=Q(status=c.PENDING)),
            suppressed=Count("pk", filter=Q(status=c.REJECTED)),
            recurring=Count("pk", filter=recurring),
        )
    )


def resolved_findings(run: MatchRun):
    """Findings of the previous month's run that did not come back in ``run``."""
    if run.previous_run is None:
        return Finding.objects.none()
    # NOT IN one list rather than EXISTS per row: SQLite would probe by run for every earlier finding
    again = Finding.objects.filter(run=run, previous__isnull=False).values("previous_id")
    return Finding.objects.filter(run=run.previous_run).exclude(pk__in=again)


def _resolved_by_rule(run: MatchRun) -> dict[str, int]:
    rows = resolved_findings(run).values("rule").order_by("rule").annotate(n=Count("pk"))
    return {row["rule"]: row["n"] for row in rows}


def compare_runs(run: MatchRun) -> dict[str, int]:
    """New, recurring and resolved findings compared with the previous month's run."""
    total = Finding.objects.filter(run=run).count()
    recurring = Finding.objects.filter(run=run, previous__run=run.previous_run).count() if run.previous_run else 0
    return {"new": total - recurring, "recurring": recurring, "resolved": resolved_findings(run).count()}


def _summary(run, dlist, result, withdrawn: int) -> dict:
    """The run's totals: the sums of its counts per rule (``compare_runs`` counts the same again)."""
    rules = [row for code, row in run.counts.items() if code != NOT_IN_REGISTRY[0]]
    total = sum(result.findings.values())
    recurring = sum(row["recurring"] for row in rules)
    return {
        "rows_total": dlist.rows_total,
        "rows_loaded": dlist.rows_loaded,
        "rows_rejected": dlist.rows_rejected,
        "issues": dlist.issue_count,
        "not_in_registry": result.hits.get(NOT_IN_REGISTRY[0], 0),
        "findings": total,
        "pending": sum(row["pending"] for row in rules),
        "withdrawn": withdrawn,
        "new": total - recurring,
        "recurring": recurring,
        "resolved": sum(row["resolved"] for row in rules),
    }


def match_file(
    *,
    department: str,
    path,
    period: str,
    user=None,
    region_code: str | None = None,
    mapping: dict[str, str] | None = None,
    log=None,
    release: bool = True,
) -> MatchRun:
    """Everything in-process: detect the columns (or use ``mapping``), store the list, load, match, and release
    the findings (``release=False``: the run stays a preview, for ``release_run`` or ``withdraw_run``)."""
    source = check_department(user, department)
    region_code = user_region_code(user) if region_code is None else region_code
    path = Path(path)
    profile = mapping or profile_for(department, region_code)
    layout = detect_layout(path, source, profile)
    if mapping:
        problems = _missing(source, layout, mapping)
        if problems:
            raise FileRejected("；".join(problems))
        layout.mapping = dict(mapping)
    dlist = create_list(
        department=department,
        period=period,
        path=path,
        file_name=path.name,
        user=user,
        region_code=region_code,
        layout=layout,
    )
    run = MatchRun.objects.create(
        list=dlist, department=department, period=dlist.period, region_code=region_code, started_by=user
    )
    run = execute_run(run, log=log)
    return release_run(run=run, user=user) if release else run


# --- release and withdrawal -------------------------------------------------------------------------------------


def _check_run_action(run: MatchRun, user) -> None:
    if user is None:
        return  # the command line and the demo
    if not MatchRun.objects.restrict(user, "add").filter(pk=run.pk).exists():
        raise PermissionDenied("您的角色不能下发或撤回该比对")


@transaction.atomic
def release_run(*, run: MatchRun, user) -> MatchRun:
    """下发: a previewed run's findings reach their villages, due ``verification_days`` from today. Earlier runs of
    the same month are superseded (their untouched findings withdrawn). Audited (the run's change log)."""
    _check_run_action(run, user)
    run = MatchRun.objects.select_for_update().get(pk=run.pk)
    if run.status != c.PREVIEW:
        raise RunRefused(f"该比对{run.get_status_display()}，不能下发")
    settings = MatchingSettings.for_region(run.region_code)
    released = engine.release_findings(
        run, due_on=timezone.localdate() + datetime.timedelta(days=settings.verification_days)
    )
    withdrawn = engine.withdraw_superseded(run)
    # the carried states as they stand now (a village may have verified last month's finding meanwhile)
    stats = {row["rule"]: row for row in _finding_stats(run)}
    for code, row in run.counts.items():
        if "pending" in row:
            row["pending"] = stats.get(code, {}).get("pending", 0)
            row["suppressed"] = stats.get(code, {}).get("suppressed", 0)
    pending = sum(row.get("pending", 0) for row in run.counts.values())
    run.status = c.SUCCEEDED
    run.released_at = timezone.now()
    run.released_by = user
    run.summary = {**run.summary, "withdrawn": withdrawn, "released": released, "pending": pending}
    run.save()
    return run


@transaction.atomic
def withdraw_run(*, run: MatchRun, user) -> MatchRun:
    """撤回: a run's findings nobody has touched go as a whole (a preview's all of them); verified ones stay and the
    run says how many. A run whose findings a later run has carried on cannot be withdrawn. Audited."""
    _check_run_action(run, user)
    run = MatchRun.objects.select_for_update().get(pk=run.pk)
    if run.status not in (c.PREVIEW, c.SUCCEEDED):
        raise RunRefused(f"该比对{run.get_status_display()}，不能撤回")
    later = Finding._base_manager.filter(previous__run=run).exclude(run=run).select_related("run").first()
    if later is not None and later.run.status in (c.PREVIEW, c.SUCCEEDED):
        raise RunRefused(f"{later.run.period} 的比对已沿用本次结果，请先撤回那次比对")
    # a preview reached nobody: all of it goes (its carried states are copies of the earlier findings')
    untouched = Finding._base_manager.filter(run=run) if run.status == c.PREVIEW else engine.withdrawable(run)
    ids = list(untouched.values_list("pk", flat=True))
    engine.delete_findings(ids)
    kept = Finding._base_manager.filter(run=run).count()
    run.status = c.WITHDRAWN
    run.withdrawn_at = timezone.now()
    run.withdrawn_by = user
    run.summary = {**run.summary, "withdrawn_findings": len(ids), "kept_findings": kept}
    run.save()
    return run


# --- findings ---------------------------------------------------------------------------------------------------


def _advance(finding: Finding, action: str, *, text: str = "") -> str:
    """The status the one cycle's step ``action`` leads the finding to, taken by its village (who may change it: the
    lock checked that), or FindingRefused saying why not."""
    state, outcome = c.STATE_OF[finding.status]
    move = lc.check(
        lc.FINDINGS,
        action,
        state=state,
        outcome=outcome,
        acting={lc.RESPONSIBLE},
        text=text,
        label=finding.status,
        refused=FindingRefused,
    )
    return c.STATUS_OF[(move.state, move.outcome)]


def _lock(finding: Finding, user) -> Finding:
    locked = Finding.objects.select_for_update().filter(pk=finding.pk).first()
    if locked is None or not Finding.objects.restrict(user, "view").filter(pk=finding.pk).exists():
        raise FindingRefused("该比对结果不存在或不在您的管辖范围内")
    if not Finding.objects.restrict(user, "change").filter(pk=finding.pk).exists():
        raise FindingRefused("比对结果由所在村核实处理，您的角色不能操作")
    return locked


def portrait_group_of(finding: Finding) -> str:
    """The 一户一画像 group (S004 (二)二) of a 民政 finding's household, from its list row (救助类型, 供养方式, status);
    "" for another department, a finding with no household, or a person of none of the three groups."""
    from .sources.civil_affairs import portrait_group

    if finding.department != "civil_affairs" or finding.household_id is None:
        return ""
    row = None
    if finding.list_row_id:  # the list's own partition (PostgreSQL): by the run's list, then the row
        lists = MatchRun.objects.filter(pk=finding.run_id).values("list_id")
        row = ListRow.objects.filter(list__in=lists, pk=finding.list_row_id).first()
    if row is None:  # the list is gone: the category the finding showed
        category = dict(finding.figure_pairs).get("救助类型", "")
        return portrait_group(category=category)
    return portrait_group(category=row.category, detail=row.detail, status=row.status, event_date=row.event_date)


def portrait_since(finding: Finding) -> datetime.date:
    """The first day a 一户一画像 counts from for ``finding``: the first day of its list's period (比对期), or the day
    the finding was made when no period can be read. A portrait of an earlier year says nothing of this application."""
    period = MatchRun.objects.filter(pk=finding.run_id).values_list("list__period", flat=True).first()
    try:
        year, month = (int(part) for part in (period or finding.period or "").split("-"))
        return datetime.date(year, month, 1)
    except ValueError:
        return timezone.localdate(finding.created_at) if finding.created_at else timezone.localdate()


def has_current_portrait(finding: Finding) -> bool:
    """Whether the finding's household has a 一户一画像 made on or after ``portrait_since(finding)``: the guard of
    closing a finding of the three groups, and the hint of its page."""
    from shoudi.assistance.models import Portrait

    if finding.household_id is None:
        return False
    since = portrait_since(finding)
    return Portrait.objects.filter(household_id=finding.household_id, made_on__gte=since).exists()


def _require_portrait(finding: Finding, what: str) -> None:
    """A 民政 finding about one of the three groups is not closed without a clue before the household has its
    一户一画像 of this list's period (低保 must not replace monitoring; a clue stays possible)."""
    group = portrait_group_of(finding)
    if group and not has_current_portrait(finding):
        since = portrait_since(finding)
        raise FindingRefused(
            f"该户属于{group}群体，须先完成“一户一画像”（全面分析收入和患病、上学等刚性支出，五看五防止）"
            f"才能{what}；画像须在{since.year}年{since.month}月{since.day}日以后完成，此前的画像不能作为本次依据；"
            "低保不能替代监测，有风险的请提出监测线索"
        )


@transaction.atomic
def verify_finding(
    *, finding: Finding, user, confirmed: bool, note: str = "", today: datetime.date | None = None
) -> Finding:
    """The village's verification: 属实 (an action follows) or 不属实 (closed; the reason is required)."""
    finding = _lock(finding, user)
    status = _advance(finding, lc.CONFIRM if confirmed else lc.WAIVE, text=note)
    if not confirmed:
        _require_portrait(finding, "核实为不属实")
    finding.status = status
    finding.note = note.strip()
    finding.verified_by = user
    finding.verified_on = today or timezone.localdate()
    finding.save()
    return finding


def actions_for(finding: Finding) -> list[tuple[str, str]]:
    """The actions that can close this finding (the rule's suggestion first)."""
    source = get_source(finding.department)
    rule = source.rule(finding.rule)
    actions = [(code, label) for code, label in c.ACTIONS if code != c.PROBLEM or finding.department in PROBLEM_KINDS]
    if rule is not None:
        actions.sort(key=lambda a: a[0] != rule.action)
    return actions


def clue_risks(finding: Finding) -> list[str]:
    """The 致贫/返贫风险 a clue raised from ``finding`` opens with: the value of its rule's ``clue_risk`` figure."""
    rule = get_source(finding.department).rule(finding.rule)
    if rule is None or not rule.clue_risk:
        return []
    return [str(value) for label, value in finding.figures or () if label == rule.clue_risk and value]


@transaction.atomic
def resolve_finding(
    *, finding: Finding, user, action: str, note: str = "", measure=None, today: datetime.date | None = None
) -> Finding:
    """Close a confirmed finding with what was done: a clue opened (or the open case linked), the registry
    corrected, a measure recorded, or a guarantee problem opened."""
    from shoudi.assistance.models import GuaranteeProblem, Measure
    from shoudi.assistance.services import open_guarantee_problem
    from shoudi.monitoring.models import MonitoringCase
    from shoudi.monitoring.services import TransitionRefused, open_clue

    finding = _lock(finding, user)
    status = _advance(finding, lc.CLOSE)  # only a confirmed finding is closed with what was done
    if action not in dict(actions_for(finding)):
        raise FindingRefused("请选择处理方式")
    household = finding.household
    if household is None and action != c.REGISTRY:
        raise FindingRefused("该比对结果没有对应的农户，只能更正系统信息")
    if action != c.CLUE:  # closing it without a clue is deciding not to monitor (不纳入)
        _require_portrait(finding, "不纳入监测处理")
    note = note.strip()
    where = f"部门数据比对（{finding.get_department_display()} {finding.period}）：{finding.rule_label}；"
    if action == c.CLUE:
        try:
            finding.case = open_clue(
                household=household,
                user=user,
                source=CLUE_SOURCE,
                risk_types=clue_risks(finding),
                note=note or where + finding.figures_text,
                rules=[finding.rule_label],
                figures={
                    "比对期": finding.period,
                    "部门": finding.get_department_display(),
                    **dict(finding.figure_pairs),
                },
            )
        except TransitionRefused as exc:
            existing = MonitoringCase.objects.filter(household=household, is_open=True).first()
            if existing is None:
                raise FindingRefused(str(exc)) from None
            finding.case = existing  # already being looked at: the finding joins that record
    elif action == c.MEASURE:
        if measure is None:
            raise FindingRefused("请选择已登记的帮扶措施（可先在帮扶措施中新增）")
        if (
            measure.household_id != household.pk
            or not Measure.objects.restrict(user, "view").filter(pk=measure.pk).exists()
        ):
            raise FindingRefused("所选帮扶措施不属于该户")
        finding.measure = measure
    elif action == c.PROBLEM:
        if not user_can(user, GuaranteeProblem, "add"):
            raise FindingRefused("您的角色不能登记保障问题")
        finding.problem = open_guarantee_problem(
            household=household,
            kind=PROBLEM_KINDS[finding.department],
            description=where + finding.figures_text + (f"。{note}" if note else ""),
            opened_on=today or timezone.localdate(),
        )
    elif action == c.REGISTRY and not note:
        raise FindingRefused("请说明在系统中更正了什么")
    finding.action = action
    finding.action_note = note
    finding.status = status
    finding.closed_by = user
    finding.closed_on = today or timezone.localdate()
    finding.save()
    return finding
