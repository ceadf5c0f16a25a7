"""Cases from the national export: a household the national system lists as 监测对象 becomes an identified case
(or an eliminated one) with the national dates. Runs after every committed household import."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.dispatch import receiver

from shoudi.registry.models import Household
from shoudi.registry.signals import households_imported

from . import choices as c
from .models import CaseEvent, MonitoringCase

__all__ = ["import_national_cases"]


def _date(value) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _yes(value) -> bool:
    return value is True or str(value).strip() in ("是", "true", "True", "1")


@transaction.atomic
def import_national_cases(household_ids) -> dict[str, int]:
    """Create or update imported cases for these households; returns counts (created/updated/skipped)."""
    counts = {"created": 0, "updated": 0, "skipped": 0}
    households = Household.objects.filter(pk__in=list(household_ids)).exclude(national_data={})
    existing: dict[int, list[MonitoringCase]] = {}
    for case in MonitoringCase.objects.filter(household__in=households):
        existing.setdefault(case.household_id, []).append(case)
    for household in households.iterator(chunk_size=2000):
        data = household.national_data or {}
        identified_on = _date(data.get("identified_on"))
        category = data.get("category") or ""
        if not identified_on or category not in c.CATEGORY_VALUES:
            continue
        risks = []
        for i in range(1, 6):
            risk = str(data.get(f"risk{i}") or "").strip()
            risk = c.RISK_ALIASES.get(risk, risk)
            if risk in c.RISK_VALUES and risk not in risks:
                risks.append(risk)
        eliminated = _yes(data.get("eliminated"))
        eliminated_on = _date(data.get("eliminated_on")) if eliminated else None
        elimination_type = data.get("elimination_type") if data.get("elimination_type") in ("帮扶消除", "自然消除") \
            else ""
        cases = existing.get(household.pk, [])
        same = next((x for x in cases if x.identified_on == identified_on), None)
        if same is None and any(x.is_open for x in cases):
            counts["skipped"] += 1  # Shoudi already follows this household in an open case of its own
            continue
        if same is not None:
            if eliminated and same.step != c.ELIMINATED and same.imported:
                same.step, same.is_open = c.ELIMINATED, False
                same.eliminated_on, same.elimination_type = eliminated_on, elimination_type
                same.save()
                CaseEvent.objects.create(case=same, chain=c.ELIMINATION, step=c.ELIMINATED, action="国家系统导入",
                                         decision="风险已消除", user_name="导入")
                counts["updated"] += 1
            continue
        case = MonitoringCase.objects.create(
            household=household, category=category, risk_types=risks, clue_date=identified_on,
            identified_on=identified_on, step=c.ELIMINATED if eliminated else c.MONITORING,
            chain=c.ELIMINATION if eliminated else c.IDENTIFICATION, is_open=not eliminated,
            eliminated_on=eliminated_on, elimination_type=elimination_type, imported=True,
        )
        CaseEvent.objects.create(case=case, chain=case.chain, step=case.step, action="国家系统导入",
                                 decision="已消除" if eliminated else "已识别", user_name="导入",
                                 data={"identified_on": str(identified_on), "eliminated_on": str(eliminated_on or "")})
        counts["created"] += 1
    return counts


@receiver(households_imported)
def _after_household_import(sender, household_ids, **kwargs):
    import_national_cases(household_ids)
