"""The case page's progress stepper (as DHIS2 Capture and Primero show one): each stage of the chain done (with its
local date), current, stopped or still to come — read from the case and its timeline, never stored."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone

from . import choices as c
from .models import MonitoringCase

__all__ = ["Stage", "case_progress"]

DONE, CURRENT, STOPPED, TODO = "done", "current", "stopped", "todo"
STATE_TEXT = {DONE: "已完成", CURRENT: "当前环节", STOPPED: "已终止", TODO: "未开始"}
NOT_RECORDED = "无办理记录"


@dataclass(frozen=True)
class Stage:
    key: str
    label: str
    state: str
    detail: str = ""

    @property
    def state_text(self) -> str:
        return STATE_TEXT[self.state]


def _day(value: datetime.date | None) -> str:
    return f"{value:%Y-%m-%d}" if value else NOT_RECORDED


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def _last_event_days(events, chain: str) -> dict[str, datetime.date]:
    """The local day of the last event at each step of ``chain``: the one that moved the case on, for a step it has
    passed (a return puts the case back, and the step's next event is again the last). Elimination counts only the
    latest attempt."""
    days: dict[str, datetime.date] = {}
    for event in events:
        if event.chain != chain or event.action == "提出线索":  # the clue is dated by the case's clue date
            continue
        if event.action == "申请风险消除":
            days = {}
        days[event.step] = _local_day(event.time)
    return days


def _chain_stages(stages, position: int, state_at_position: str, details: dict[str, str]) -> list[Stage]:
    out = []
    for index, (key, label) in enumerate(stages):
        if index < position:
            state = DONE
        elif index == position:
            state = state_at_position
        else:
            state = TODO
        out.append(Stage(key, label, state, details.get(key, "") if state in (DONE, STOPPED) else ""))
    return out


def _identification(case: MonitoringCase, events) -> list[Stage]:
    keys = [key for key, _ in c.IDENTIFICATION_STAGES]
    days = _last_event_days(events, c.IDENTIFICATION)
    details = {key: _day(days.get(key)) for key in keys}
    details["clue"] = _day(case.clue_date)
    if case.publicity_start and case.publicity_end and case.chain == c.IDENTIFICATION:
        details[c.PUBLICITY] = f"{case.publicity_start:%Y-%m-%d} 至 {case.publicity_end:%Y-%m-%d}"
    if case.identified_on:
        details[c.COUNTY_REVIEW] = details[c.MONITORING] = _day(case.identified_on)
    if case.chain == c.ELIMINATION or case.step == c.ELIMINATED:
        return _chain_stages(c.IDENTIFICATION_STAGES, len(keys), DONE, details)
    if case.step in (c.REJECTED, c.REFUSED):
        stopped_at = next(
            (e.step for e in reversed(events) if e.chain == c.IDENTIFICATION and e.step in c.WORKING_STEPS),
            c.VERIFICATION,
        )
        position = keys.index(stopped_at)
        stopped_on = days.get(stopped_at)
        details[keys[position]] = f"{case.step_label} {stopped_on:%Y-%m-%d}" if stopped_on else case.step_label
        return _chain_stages(c.IDENTIFICATION_STAGES, position, STOPPED, details)
    position = keys.index(case.step) if case.step in keys else 1
    stages = _chain_stages(c.IDENTIFICATION_STAGES, position, CURRENT, details)
    return _with_current_since(stages, case)


def _elimination(case: MonitoringCase, events) -> list[Stage]:
    keys = [key for key, _ in c.ELIMINATION_STAGES]
    days = _last_event_days(events, c.ELIMINATION)
    details = {key: _day(days.get(key)) for key in keys}
    details["apply"] = _day(case.elimination_applied_on)
    if case.publicity_start and case.publicity_end:
        details[c.PUBLICITY] = f"{case.publicity_start:%Y-%m-%d} 至 {case.publicity_end:%Y-%m-%d}"
    if case.eliminated_on:
        details[c.COUNTY_REVIEW] = details[c.ELIMINATED] = _day(case.eliminated_on)
    if case.step == c.ELIMINATED:
        return _chain_stages(c.ELIMINATION_STAGES, len(keys), DONE, details)
    position = keys.index(case.step) if case.step in keys else 1
    return _with_current_since(_chain_stages(c.ELIMINATION_STAGES, position, CURRENT, details), case)


def _with_current_since(stages: list[Stage], case: MonitoringCase) -> list[Stage]:
    since = case.identified_on if case.step == c.MONITORING and case.identified_on else _local_day(case.step_since)
    return [Stage(s.key, s.label, s.state, f"自 {since:%Y-%m-%d}") if s.state == CURRENT else s for s in stages]


def case_progress(case: MonitoringCase, events=None) -> list[tuple[str, list[Stage]]]:
    """(title, stages) of the identification chain and, once the case is in it, of the elimination chain."""
    events = list(case.events.all() if events is None else events)
    out = [("识别流程", _identification(case, events))]
    if case.chain == c.ELIMINATION or case.step == c.ELIMINATED:
        out.append(("风险消除流程", _elimination(case, events)))
    return out
