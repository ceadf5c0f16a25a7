"""Cases from the national export: a household the national system lists as 监测对象 becomes an identified case
(or an eliminated one) with the national dates. Runs after every committed household import.

Written in bulk (an import announces its households a few hundred at a time, and a county's first import holds tens
of thousands of monitored households): the cases, their 国家系统导入 events and their change-log rows are each one
multi-row INSERT per batch, with the households' villages and heads read once for the change log."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Prefetch
from django.dispatch import receiver

from shoudi.core.audit import build_change, log_changes
from shoudi.core.models import ObjectChange
from shoudi.registry.models import Household, Member
from shoudi.registry.signals import households_imported

from . import choices as c
from .models import CaseEvent, MonitoringCase

__all__ = ["import_national_cases"]

BATCH = 500  # cases per round of INSERTs (Django splits each into statements SQLite can take)


def _date(value) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _yes(value) -> bool:
    return value is True or str(value).strip() in ("是", "true", "True", "1")


def _risks(data: dict) -> list[str]:
    risks = []
    for i in range(1, 6):
        risk = str(data.get(f"risk{i}") or "").strip()
        risk = c.RISK_ALIASES.get(risk, risk)
        if risk in c.RISK_VALUES and risk not in risks:
            risks.append(risk)
    return risks


@transaction.atomic
def import_national_cases(household_ids) -> dict[str, int]:
    """Create or update imported cases for these households; returns counts (created/updated/skipped)."""
    counts = {"created": 0, "updated": 0, "skipped": 0}
    ids = list(household_ids)
    existing: dict[int, list[MonitoringCase]] = {}
    for case in MonitoringCase.objects.filter(household_id__in=ids):
        existing.setdefault(case.household_id, []).append(case)
    wanted: dict[int, MonitoringCase] = {}
    # the national columns alone first: most households of an import are not 监测对象
    for pk, data in Household.objects.filter(pk__in=ids).exclude(national_data={}).values_list("pk", "national_data"):
        data = data or {}
        identified_on = _date(data.get("identified_on"))
        category = data.get("category") or ""
        if not identified_on or category not in c.CATEGORY_VALUES:
            continue
        eliminated = _yes(data.get("eliminated"))
        eliminated_on = _date(data.get("eliminated_on")) if eliminated else None
        elimination_type = data.get("elimination_type") if data.get("elimination_type") in ("帮扶消除", "自然消除") \
            else ""
        cases = existing.get(pk, [])
        same = next((x for x in cases if x.identified_on == identified_on), None)
        if same is None and any(x.is_open for x in cases):
            counts["skipped"] += 1  # Shoudi already follows this household in an open case of its own
            continue
        if same is not None:
            if eliminated and same.step != c.ELIMINATED and same.imported:
                same.step, same.is_open = c.ELIMINATED, False
                same.eliminated_on, same.elimination_type = eliminated_on, elimination_type
                same.save()  # rare: the change log through the model's signals
                CaseEvent.objects.create(case=same, chain=c.ELIMINATION, step=c.ELIMINATED, action="国家系统导入",
                                         decision="风险已消除", user_name="导入")
                counts["updated"] += 1
            continue
        wanted[pk] = MonitoringCase(
            household_id=pk, category=category, risk_types=_risks(data), clue_date=identified_on,
            identified_on=identified_on, step=c.ELIMINATED if eliminated else c.MONITORING,
            chain=c.ELIMINATION if eliminated else c.IDENTIFICATION, is_open=not eliminated,
            eliminated_on=eliminated_on, elimination_type=elimination_type, imported=True,
        )
    if wanted:
        # the households with their village and head, for the change log's region, parent and description
        heads = Prefetch("members", queryset=Member.objects.filter(relation="户主"))
        for household in Household.objects.filter(pk__in=list(wanted)).select_related("village") \
                .prefetch_related(heads):
            wanted[household.pk].household = household
    new = list(wanted.values())
    for start in range(0, len(new), BATCH):
        _write(new[start:start + BATCH])
    counts["created"] = len(new)
    return counts


def _write(cases: list[MonitoringCase]) -> None:
    """The cases (ids come back from the INSERT on SQLite and PostgreSQL), their first event, their change log."""
    MonitoringCase.objects.bulk_create(cases)
    CaseEvent.objects.bulk_create([
        CaseEvent(case=case, chain=case.chain, step=case.step, action="国家系统导入",
                  decision="已消除" if case.step == c.ELIMINATED else "已识别",
                  user_name="导入",
                  data={"identified_on": str(case.identified_on), "eliminated_on": str(case.eliminated_on or "")})
        for case in cases
    ])
    log_changes(build_change(case, ObjectChange.CREATE, None, case.audit_data()) for case in cases)


@receiver(households_imported)
def _after_household_import(sender, household_ids, **kwargs):
    import_national_cases(household_ids)
