"""Problems raised and closed by a check, in bulk (ADR 0011): a data-quality run, or any run that finds problems on
objects and finds them again, or no longer, the next time.

- ``issue_problems_bulk`` raises one problem per object (``source_model`` + ``source_pk``, e.g. a rule and its
  subject), idempotently: an object whose problem is still unclosed keeps it, an object whose problem was closed as
  不是问题 on the same data (``fingerprint``) is not raised again (``lifecycle.raised_again``); the others get a new
  problem, 已下发, with its 下发 step, its households and its change-log row, all written set-based.
- ``close_by_system`` closes the unclosed problems of objects the run no longer finds (自动销号, 已整改), naming the
  reason and, per object, the change that fixed it.
- ``open_sources`` tells a run which objects of its ``source_model`` have an unclosed problem (to close the ones it
  no longer finds).

The 不是问题 waiver of such a problem is the common one: ``services.request_waiver`` by the responsible side, then
``services.decide_closure`` by the issuing level (a village's problem raised with the township as issuer: the
township confirms).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db import connections, router, transaction
from django.db.models import Q
from django.utils import timezone

from shoudi.core.audit import build_change, log_changes, log_created
from shoudi.core.bulk import insert_values
from shoudi.core.models import ObjectChange
from shoudi.regions.models import Region

from . import choices as c
from . import lifecycle as lc
from .lifecycle import TransitionRefused
from .models import Problem, ProblemStep
from .services import due_date_for

__all__ = [
    "CHECK_PROBLEMS",
    "CheckProblems",
    "RaiseResult",
    "Raised",
    "close_by_system",
    "issue_problems_bulk",
    "open_sources",
]

CHUNK = 900  # ids per IN list (SQLite: 999 parameters a statement)


@dataclass(frozen=True)
class Raised:
    """One problem a check raises: the object it is about (``source_pk``, e.g. "rule:subject"), the responsible region,
    what it says, the data it was raised on (``fingerprint``: a waiver holds until they change) and the households
    concerned. The issuing level defaults to the region's parent (a village's township), which reviews it."""

    source_pk: str
    region_id: int
    title: str
    description: str = ""
    fingerprint: str = ""
    household_ids: tuple[int, ...] = ()
    issuer_region_id: int | None = None


@dataclass
class RaiseResult:
    """What ``issue_problems_bulk`` did: the new problems' ids, the objects whose unclosed problem carries on, and
    those not raised again because their 不是问题 holds on the same data."""

    raised: list[int] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)
    waived: list[str] = field(default_factory=list)


def _chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _latest(source_model: str, source_pks: list[str]) -> dict[str, dict]:
    """The latest problem of each object (state, outcome, fingerprint)."""
    latest: dict[str, dict] = {}
    for part in _chunks(source_pks):
        rows = (
            Problem.objects.filter(source_model=source_model, source_pk__in=part)
            .order_by("id")
            .values("id", "source_pk", "state", "outcome", "fingerprint")
        )
        for row in rows:
            latest[row["source_pk"]] = row  # ordered by id: the last one wins
    return latest


def open_sources(*, source_model: str, region_code: str = "") -> set[str]:
    """The objects of ``source_model`` (in the region, when given) whose problem is not closed yet."""
    rows = Problem.objects.filter(source_model=source_model, state__in=c.UNCLOSED_STATES)
    if region_code:
        rows = rows.filter(region__code__startswith=region_code)
    return set(rows.values_list("source_pk", flat=True))


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else "系统"


@transaction.atomic
def issue_problems_bulk(
    *,
    source_model: str,
    source: str,
    category: str,
    problems: Iterable[Raised],
    due_date: datetime.date | None = None,
    due_workdays: int | None = None,
    issued_on: datetime.date | None = None,
    severity: str = "一般",
    document_no: str = "",
    issuer=None,
    note: str = "",
) -> RaiseResult:
    """下发 in bulk by a check: one problem per object that has none unclosed and no 不是问题 on the same data.

    ``issuer`` is the user the run acts for (None: the system); the deadline is ``due_date``, or ``due_workdays``
    working days from ``issued_on`` on each county's calendar. ``note`` goes into every 下发 step. No user's scope
    is checked: the check raises problems for the region it ran on. Set-based: a few statements per thousand
    problems, whatever their number."""
    if not source_model:
        raise TransitionRefused("批量下发的问题须注明来源对象类型")
    if source not in c.SOURCES or category not in c.CATEGORIES:
        raise TransitionRefused(f"问题来源“{source}”或问题类别“{category}”不在清单中")
    issued_on = issued_on or timezone.localdate()
    if due_date is None and due_workdays is None:
        raise TransitionRefused("请填写整改期限（日期或工作日数）")
    rows: dict[str, Raised] = {}
    for row in problems:
        rows.setdefault(str(row.source_pk), row)  # one problem per object: the first row of an object counts
    result = RaiseResult()
    latest = _latest(source_model, list(rows))
    new = []
    for pk, row in rows.items():
        before = latest.get(pk)
        if before is not None and not lc.raised_again(
            state=before["state"], outcome=before["outcome"], same_data=before["fingerprint"] == row.fingerprint
        ):
            (result.carried if before["state"] in c.UNCLOSED_STATES else result.waived).append(pk)
            continue
        new.append(row)
    if not new:
        return result
    regions = {
        r["id"]: r
        for part in _chunks(sorted({row.region_id for row in new}))
        for r in Region.objects.filter(pk__in=part).values("id", "code", "parent_id")
    }
    connection = connections[router.db_for_write(Problem)]
    date_field = Problem._meta.get_field("due_date")
    dues: dict[str, tuple] = {}  # county code → (due date in the database's form, fallback)

    def due_of(code: str) -> tuple:
        county = code[:6]
        if county not in dues:
            day, fallback = due_date, False
            if due_workdays is not None:
                day, fallback = due_date_for(start=issued_on, region_code=county, workdays=due_workdays)
            if day < issued_on:
                raise TransitionRefused("整改期限不能早于下发日期")
            dues[county] = (date_field.get_db_prep_value(day, connection), fallback, day)
        return dues[county]

    values = []
    for row in new:
        region = regions.get(row.region_id)
        if region is None:
            raise TransitionRefused(f"责任区划不存在（{row.source_pk}）")
        issuer_region = row.issuer_region_id or region["parent_id"]
        if issuer_region is None or issuer_region == row.region_id:
            raise TransitionRefused(f"“{row.title}”的责任区划应是下级乡镇或村：请注明下发单位")
        due, fallback, _ = due_of(region["code"])
        text = (row.title[:200], row.description, row.fingerprint[:500])
        values.append((row.source_pk, row.region_id, issuer_region, *text, due, fallback))
    template = Problem(
        source=source,
        category=category,
        severity=severity,
        document_no=document_no,
        issuer=issuer,
        issued_on=issued_on,
        due_date=issued_on,  # replaced per row
        due_workdays=due_workdays,
        state=c.ISSUED,
        source_model=source_model,
    )
    fields = ("source_pk", "region", "issuer_region", "title", "description", "fingerprint", "due_date", "due_fallback")
    written = insert_values(Problem, template, fields, values, returning=("id", "source_pk"))
    ids = {pk: problem_id for problem_id, pk in written}
    result.raised = [ids[row.source_pk] for row in new]
    _steps_for_new(new, ids, dues, regions, issuer=issuer, note=note, due_workdays=due_workdays)
    through = Problem.households.through
    links = [(ids[row.source_pk], h) for row in new for h in dict.fromkeys(row.household_ids)]
    insert_values(through, through(), ("problem", "household"), links)
    log_created(Problem, result.raised, represent="o.title")
    return result


def _steps_for_new(new, ids, dues, regions, *, issuer, note: str, due_workdays) -> None:
    """The 下发 step of every new problem, as ``issue_problem`` words it."""
    texts = {}
    for county, (_, fallback, day) in dues.items():
        text = f"整改期限 {day:%Y-%m-%d}" + (f"（{due_workdays} 个工作日）" if due_workdays is not None else "")
        if fallback:
            text += "；下一年节假日尚未录入，期限只扣除了周末"
        texts[county] = f"{note}。{text}" if note else text
    template = ProblemStep(action="下发", state=c.ISSUED, user=issuer, user_name=_name(issuer), at=timezone.now())
    rows = [(ids[row.source_pk], texts[regions[row.region_id]["code"][:6]]) for row in new]
    insert_values(ProblemStep, template, ("problem", "text"), rows)


@transaction.atomic
def close_by_system(
    *,
    source_model: str,
    source_pks: Iterable[str],
    reason: str,
    changes: Mapping[str, str] | None = None,
    today: datetime.date | None = None,
) -> int:
    """自动销号: the unclosed problems of these objects are closed as 已整改 by the system (the run no longer finds
    them), whatever their step (a pending 延期 or 不是问题 request lapses). The step says ``reason`` and, per object,
    ``changes[pk]`` — the change that fixed it (e.g. "2026-12-03 张三 修改了 证件号码"). Returns how many."""
    if not reason.strip():
        raise TransitionRefused("请说明销号理由")
    changes = changes or {}
    today = today or timezone.localdate()
    now = timezone.now()
    pks = list(dict.fromkeys(str(pk) for pk in source_pks))
    closed, audit, steps = [], [], []
    for part in _chunks(pks):
        rows = Problem.objects.filter(source_model=source_model, source_pk__in=part, state__in=c.UNCLOSED_STATES)
        for problem in rows.select_related("region").select_for_update(of=("self",)):
            move = lc.check(lc.PROBLEMS, lc.SYSTEM_CLOSE, state=problem.state, acting={lc.SYSTEM}, text=reason)
            before = problem.audit_data()
            problem.state, problem.outcome, problem.closed_on = move.state, move.outcome, today
            problem.suspended_from, problem.extension_to, problem.extension_reason = "", None, ""
            audit.append(build_change(problem, ObjectChange.UPDATE, before, problem.audit_data()))
            change = changes.get(problem.source_pk, "")
            steps.append((problem.pk, f"{reason.strip()}：{change}" if change else reason.strip()))
            closed.append(problem.pk)
    for part in _chunks(closed):
        Problem.objects.filter(pk__in=part).update(
            state=c.CLOSED,
            outcome=c.RECTIFIED,
            closed_on=today,
            suspended_from="",
            extension_to=None,
            extension_reason="",
            updated_at=now,
        )
    template = ProblemStep(action="自动销号", state=c.CLOSED, user=None, user_name="系统", at=now)
    insert_values(ProblemStep, template, ("problem", "text"), steps)
    log_changes(audit)
    return len(closed)


def raised_from(user, *, source_model: str, prefixes: Iterable[str]) -> dict[str, list[dict]]:
    """The problems raised from objects whose ``source_pk`` starts with one of ``prefixes`` (an inspection's
    "12:" for its problems "12:1", "12:2" …) that ``user`` may see, by ``source_pk``: title, state, due date, link."""
    found: dict[str, list[dict]] = {}
    for part in _chunks(list(dict.fromkeys(prefixes)), 100):
        if not part:
            continue
        matches = Q()
        for prefix in part:
            matches |= Q(source_pk__startswith=prefix)
        rows = Problem.objects.restrict(user, "view").filter(matches, source_model=source_model)
        for problem in rows.order_by("id"):
            found.setdefault(problem.source_pk, []).append(
                {
                    "title": problem.title,
                    "state": problem.get_state_display(),
                    "closed": problem.state == c.CLOSED,
                    "due_date": problem.due_date,
                    "url": problem.get_absolute_url(),
                }
            )
    return found


@dataclass(frozen=True)
class CheckProblems:
    """What a lower app's check reaches of the one life cycle through the core registry (store
    ``problem_raising``): the vocabularies, ``Raised``, the bulk 下发 and the problems raised from its objects. A
    lower app (the registry's 安置点排查) cannot import work; work sets this in the store."""

    sources: tuple[str, ...]
    categories: tuple[str, ...]
    raised: type = Raised
    issue: object = issue_problems_bulk
    raised_from: object = raised_from


CHECK_PROBLEMS = CheckProblems(sources=tuple(c.SOURCES), categories=tuple(c.CATEGORIES))
