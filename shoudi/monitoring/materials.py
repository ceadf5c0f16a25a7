"""What a reviewer judges a case by (批量审核 and the case page): the materials on record for the chain it is in —
入户核实 or 入户核查, 公示, the signed 承诺授权书 — and the latest income against the line."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from shoudi.registry.models import IncomeRecord

from . import choices as c
from .models import CaseAttachment, CaseEvent, MonitoringCase
from .policy import lines_by_county

__all__ = ["ReviewFacts", "missing_materials", "review_facts"]


@dataclass
class ReviewFacts:
    """What a reviewer judges a case by: the materials on record for the chain it is in, and income vs the line."""

    case: MonitoringCase
    verified_on: datetime.date | None = None  # 入户核实 (identification) / 入户核查 (elimination) on record
    authorization: bool = False  # the signed 承诺授权书 (identification only)
    publicity_photo: bool = False
    income_year: int | None = None
    per_capita: Decimal | None = None
    line: Decimal | None = None

    @property
    def needs_authorization(self) -> bool:
        return self.case.chain == c.IDENTIFICATION

    @property
    def missing(self) -> list[str]:
        """The materials a review must not pass silently without."""
        gaps = []
        if self.verified_on is None:
            gaps.append("入户核实记录" if self.case.chain == c.IDENTIFICATION else "入户核查记录")
        if self.case.publicity_start is None or self.case.publicity_end is None:
            gaps.append("公示记录")
        if self.needs_authorization and not self.authorization:
            gaps.append("承诺授权书")
        return gaps

    @property
    def below_line(self) -> bool | None:
        if self.per_capita is None or self.line is None:
            return None
        return self.per_capita < self.line


def review_facts(cases) -> dict[int, ReviewFacts]:
    """``ReviewFacts`` of many cases in five queries (the batch review lists hundreds)."""
    cases = list(cases)
    facts = {case.pk: ReviewFacts(case) for case in cases}
    if not facts:
        return facts
    events = (
        CaseEvent.objects.filter(case_id__in=facts, action__in=("入户核实", "入户核查", "申请风险消除"))
        .order_by("time", "id")
        .values_list("case_id", "chain", "action", "decision", "time")
    )
    for case_id, chain, action, decision, time in events:
        fact = facts[case_id]
        if chain != fact.case.chain:
            continue
        if action == "申请风险消除":  # a new elimination attempt: an earlier 核查 no longer counts
            fact.verified_on = None
        elif decision in ("已签署承诺授权书", "核查通过"):
            fact.verified_on = timezone.localtime(time).date()
    for case_id, kind in CaseAttachment.objects.filter(
        case_id__in=facts, kind__in=("承诺授权书", "公示照片")
    ).values_list("case_id", "kind"):
        if kind == "承诺授权书":
            facts[case_id].authorization = True
        else:
            facts[case_id].publicity_photo = True
    by_household = {case.household_id: facts[case.pk] for case in cases}
    for household_id, year, per_capita in (
        IncomeRecord.objects.filter(household_id__in=by_household)
        .order_by("household_id", "-year")
        .values_list("household_id", "year", "per_capita")
    ):
        fact = by_household[household_id]
        if fact.income_year is None:
            fact.income_year, fact.per_capita = year, per_capita
    counties = sorted({case.household.village.code[:6] for case in cases})
    lines = {year: lines_by_county(counties, year) for year in {f.income_year for f in facts.values() if f.income_year}}
    for fact in facts.values():
        if fact.income_year:
            fact.line = lines[fact.income_year].get(fact.case.household.village.code[:6])
    return facts


def missing_materials(case: MonitoringCase) -> list[str]:
    """The materials missing for the review of this one case (see ``ReviewFacts.missing``)."""
    return review_facts([case])[case.pk].missing
