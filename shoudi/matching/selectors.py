"""Reads over findings for the worklist and the lists (each takes the user and restricts to his scope)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet, Subquery

from shoudi.registry.models import Member

from . import choices as c
from .models import DepartmentList, Finding, ListRow, MatchRun
from .sources import health

__all__ = [
    "HEAD_NAME",
    "WORKLIST",
    "chronic_patients",
    "chronic_unmet",
    "confirmed_findings",
    "latest_rows",
    "overdue_findings",
    "pending_findings",
    "run_overview",
    "short_household_no",
]

HEAD_NAME = Subquery(Member.objects.filter(household=OuterRef("household"), relation="户主").values("name")[:1])
SAMPLE = 12


def short_household_no(number: str | None) -> str:
    """The last six digits of a 17-digit 户编号, which together with the village tell households apart."""
    number = number or ""
    return f"…{number[-6:]}" if len(number) > 8 else number


@dataclass
class VillageCounts:
    township: str
    village: str
    per_rule: list[int]
    total: int


@dataclass
class RunOverview:
    """What a run raised, by rule and by village, with a sample of households: the preview before the release."""

    rules: list[tuple[str, str]]  # (code, label) of the rules with findings
    villages: list[VillageCounts]
    sample: list[Finding]
    withdrawable: int


def run_overview(run: MatchRun) -> RunOverview:
    """The run's findings counted per village and rule (whatever their release: the run page is the county's)."""
    from .engine import withdrawable

    findings = Finding._base_manager.filter(run=run)
    rows = (
        findings.values("village__parent__name", "village__name", "village__code", "rule", "rule_label")
        .order_by("village__code", "rule")
        .annotate(n=Count("pk"))
    )
    labels: dict[str, str] = {}
    by_village: dict[str, dict] = {}
    for row in rows:
        labels.setdefault(row["rule"], row["rule_label"])
        village = by_village.setdefault(
            row["village__code"],
            {"township": row["village__parent__name"] or "", "village": row["village__name"] or "", "n": {}},
        )
        village["n"][row["rule"]] = row["n"]
    codes = list(labels)
    villages = [
        VillageCounts(v["township"], v["village"], [v["n"].get(code, 0) for code in codes], sum(v["n"].values()))
        for v in by_village.values()
    ]
    # one finding of each village (of the first few): a sample that shows where the findings go
    first_ids = findings.values("village").order_by("village").annotate(first=Min("pk")).values_list("first", flat=True)
    sample = list(
        findings.filter(pk__in=list(first_ids[:SAMPLE]))
        .select_related("village__parent", "household")
        .annotate(head_name=HEAD_NAME)
        .order_by("village__code", "id")
    )
    for finding in sample:
        finding.short_no = short_household_no(finding.household.household_no if finding.household else "")
    count = withdrawable(run).count() if run.status == c.SUCCEEDED else findings.count()
    return RunOverview(rules=list(labels.items()), villages=villages, sample=sample, withdrawable=count)


def pending_findings(user, today: datetime.date | None = None) -> QuerySet:
    """Current findings waiting for their village's verification."""
    return Finding.objects.restrict(user, "view").current().filter(status=c.PENDING)


def overdue_findings(user, today: datetime.date) -> QuerySet:
    """Pending findings past their verification deadline."""
    return pending_findings(user).filter(due_on__lt=today)


def confirmed_findings(user, today: datetime.date | None = None) -> QuerySet:
    """Findings verified as 属实 and not yet acted on."""
    return Finding.objects.restrict(user, "view").current().filter(status=c.CONFIRMED)


# (key, label, overdue, queryset(user, today)) — the lines matching adds to 我的待办
WORKLIST = [
    ("findings_pending", "部门比对结果待核实", False, pending_findings),
    ("findings_confirmed", "部门比对结果属实待处理", False, confirmed_findings),
    ("findings_overdue", "部门比对结果核实已逾期", True, overdue_findings),
]


# --- the rows of the latest lists (the outputs' 慢病签约台账 and card read them) --------------------


def latest_rows(department: str, year: int) -> QuerySet:
    """Each person's row on the latest of ``department``'s lists of ``year`` that were compared and released (the
    latest period, then the latest upload): one row per ID number, set-based (no later row of the same person).

    The rows carry no scope; a caller matches them to the registry members it restricted (by ID number). A list
    past its retention (matching.retention) has no rows left."""
    lists = DepartmentList.objects.filter(
        department=department, period__startswith=f"{year}-", runs__status=c.SUCCEEDED
    ).values("pk")
    later = ListRow.objects.filter(list_id__in=lists, id_number=OuterRef("id_number")).filter(
        Q(list__period__gt=OuterRef("list__period"))
        | Q(list__period=OuterRef("list__period"), list_id__gt=OuterRef("list_id"))
    )
    return ListRow.objects.filter(list_id__in=lists).exclude(Exists(later))


def chronic_patients(year: int) -> QuerySet:
    """The latest 卫健 rows of ``year`` of patients of the four diseases (高血压, 糖尿病, 结核病, 严重精神障碍)."""
    return latest_rows("health", year).filter(category__in=health.DISEASES)


def chronic_unmet(year: int) -> QuerySet:
    """Of those, the patients not signed or served fewer than four times this year (S004 (五))."""
    return chronic_patients(year).filter(Q(status=health.NOT_SIGNED) | Q(amount__lt=health.MIN_SERVICES))
