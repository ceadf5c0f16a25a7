"""Time limits of a case, computed (never stored): shown on the case and read by the worklist."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from . import choices as c
from .models import MonitoringCase
from .policy import settings_for

__all__ = ["Deadline", "case_deadlines", "quarter_end"]


@dataclass(frozen=True)
class Deadline:
    kind: str
    label: str
    due: datetime.date | None
    overdue: bool
    detail: str = ""


def quarter_end(day: datetime.date) -> datetime.date:
    month = ((day.month - 1) // 3 + 1) * 3
    next_first = datetime.date(day.year + (month == 12), month % 12 + 1, 1)
    return next_first - datetime.timedelta(days=1)


def case_deadlines(case: MonitoringCase, *, today: datetime.date | None = None) -> list[Deadline]:
    today = today or timezone.localdate()
    config = settings_for(case.household.village.code, today.year)
    out: list[Deadline] = []
    if case.is_open and case.step in c.WORKING_STEPS:
        since = timezone.localtime(case.step_since).date()  # the local day the step began, not the UTC one
        days = (today - since).days
        out.append(Deadline("in_step", f"{case.step_label}已 {days} 天", None, False, f"自 {since:%Y-%m-%d}"))
    if case.chain == c.IDENTIFICATION and case.step in c.WORKING_STEPS:
        due = case.clue_date + datetime.timedelta(days=config.identification_days)
        out.append(
            Deadline(
                "identification",
                "识别时限",
                due,
                today > due,
                f"线索 {case.clue_date:%Y-%m-%d} 起 {config.identification_days} 天内完成县级审定",
            )
        )
    if case.publicity_start and case.publicity_end:
        days = (case.publicity_end - case.publicity_start).days + 1
        if days < config.publicity_days:
            out.append(
                Deadline(
                    "publicity_short",
                    "公示期不足",
                    case.publicity_end,
                    True,
                    f"公示 {days} 天，应不少于 {config.publicity_days} 天",
                )
            )
        elif case.step == c.PUBLICITY and today <= case.publicity_end:
            out.append(
                Deadline(
                    "publicity_ends",
                    "公示期满",
                    case.publicity_end,
                    False,
                    f"{case.publicity_start:%Y-%m-%d} 至 {case.publicity_end:%Y-%m-%d}",
                )
            )
    if case.step == c.MONITORING and case.identified_on:
        due = quarter_end(today)
        out.append(Deadline("assessment", "季度风险消除评估", due, False, "每季度末评估返贫风险是否消除"))
    return out
