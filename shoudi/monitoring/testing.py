"""Factories for monitoring tests: a case put straight at a step, with or without its materials on record."""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from . import choices as c
from .models import CaseAttachment, CaseEvent, MonitoringCase

__all__ = ["case_at"]


def case_at(
    household,
    step: str,
    *,
    chain: str = c.IDENTIFICATION,
    materials: bool = True,
    category: str = "边缘易致贫户",
    risk_types: tuple[str, ...] = ("因病",),
) -> MonitoringCase:
    """A case at ``step`` of ``chain`` without walking the chain; ``materials``: its 入户核实 (or 入户核查), 公示 dates
    and signed 承诺授权书 on record, as the chain would have left them."""
    today = timezone.localdate()
    case = MonitoringCase.objects.create(
        household=household,
        source="农户自主申报",
        category=category,
        risk_types=list(risk_types),
        chain=chain,
        step=step,
        clue_date=today - datetime.timedelta(days=12),
        is_open=step not in c.CLOSED_STEPS,
    )
    CaseEvent.objects.create(case=case, chain=c.IDENTIFICATION, step=c.VERIFICATION, action="提出线索")
    if chain == c.ELIMINATION:
        case.identified_on = today - datetime.timedelta(days=200)
        case.elimination_applied_on = today - datetime.timedelta(days=10)
        CaseEvent.objects.create(case=case, chain=chain, step=c.VERIFICATION, action="申请风险消除")
    if materials:
        if chain == c.IDENTIFICATION:
            CaseEvent.objects.create(
                case=case, chain=chain, step=c.VERIFICATION, action="入户核实", decision="已签署承诺授权书"
            )
            CaseAttachment.objects.create(
                case=case, kind="承诺授权书", file=ContentFile(b"%PDF-1.4", name="承诺授权书.pdf"), step=c.VERIFICATION
            )
        else:
            CaseEvent.objects.create(
                case=case, chain=chain, step=c.VERIFICATION, action="入户核查", decision="核查通过"
            )
        case.publicity_start = today - datetime.timedelta(days=8)
        case.publicity_end = today - datetime.timedelta(days=2)
    case.save()
    return case
