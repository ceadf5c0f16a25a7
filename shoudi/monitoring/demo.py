"""The demo county's monitoring: income lines, and cases in every step of both chains — some overdue — in the
demo village officer's village, so that every demo user has something to do."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from shoudi.regions.models import Region
from shoudi.registry.models import Household

from . import choices as c
from .models import CaseAttachment, CaseEvent, MonitoringCase, MonitoringLine

LINES = {
    2023: ("7600", "守府办发〔2023〕8号"),
    2024: ("8000", "守府办发〔2024〕6号"),
    2025: ("8300", "守府办发〔2025〕5号"),
}
MARK = "【演示】"

# (chain, step, days since the clue, category, risks)
SCENARIOS = [
    (c.IDENTIFICATION, c.VERIFICATION, 3, "", ["因病"]),
    (c.IDENTIFICATION, c.VERIFICATION, 25, "", ["因意外事故"]),  # past the identification limit
    (c.IDENTIFICATION, c.VILLAGE_REVIEW, 6, "", ["因学"]),
    (c.IDENTIFICATION, c.PUBLICITY, 9, "边缘易致贫户", ["因病", "缺劳动力"]),
    (c.IDENTIFICATION, c.PUBLICITY, 12, "突发严重困难户", ["因自然灾害"]),
    (c.IDENTIFICATION, c.TOWNSHIP_REVIEW, 14, "脱贫不稳定户", ["因务工就业不稳"]),
    (c.IDENTIFICATION, c.TOWNSHIP_REVIEW, 30, "边缘易致贫户", ["因残"]),  # overdue, and its 承诺授权书 not on file
    (c.IDENTIFICATION, c.COUNTY_REVIEW, 16, "脱贫不稳定户", ["因病"]),
    (c.IDENTIFICATION, c.COUNTY_REVIEW, 18, "突发严重困难户", ["因意外事故"]),
    (c.ELIMINATION, c.VERIFICATION, 300, "边缘易致贫户", ["因病"]),
    (c.ELIMINATION, c.VILLAGE_REVIEW, 320, "脱贫不稳定户", ["因学"]),
    (c.ELIMINATION, c.PUBLICITY, 340, "脱贫不稳定户", ["缺劳动力"]),
    (c.ELIMINATION, c.TOWNSHIP_REVIEW, 360, "边缘易致贫户", ["因务工就业不稳"]),
    (c.ELIMINATION, c.COUNTY_REVIEW, 380, "边缘易致贫户", ["因产业项目失败"]),
    (c.IDENTIFICATION, c.REJECTED, 40, "", ["其他"]),
]


def build(ctx) -> None:
    county = Region.objects.get(code="520199")
    for year, (amount, document) in LINES.items():
        MonitoringLine.objects.get_or_create(
            region=county,
            year=year,
            defaults={"amount": Decimal(amount), "document_no": document, "document_date": datetime.date(year, 3, 1)},
        )
    if MonitoringCase.objects.filter(clue_note__startswith=MARK).exists():
        ctx.say("监测：演示案例已存在，跳过。")
        return
    village = Region.objects.get(code="520199001001")
    free = list(
        Household.objects.filter(village=village)
        .exclude(cases__is_open=True)
        .order_by("household_no")[: len(SCENARIOS)]
    )
    today = timezone.localdate()
    now = timezone.now()
    for household, (chain, step, days, category, risks) in zip(free, SCENARIOS, strict=False):
        clue = today - datetime.timedelta(days=days)
        case = MonitoringCase(
            household=household,
            chain=chain,
            step=step,
            category=category,
            risk_types=risks,
            source="农户自主申报" if days % 2 else "基层干部排查",
            clue_date=clue,
            clue_note=f"{MARK}{'、'.join(risks)}，请核实",
            step_since=now - datetime.timedelta(days=min(days, 4)),
            is_open=step not in c.CLOSED_STEPS,
        )
        if step == c.PUBLICITY:
            case.publicity_start = today - datetime.timedelta(days=3)
            case.publicity_end = today + datetime.timedelta(days=2)
        if chain == c.ELIMINATION:
            case.identified_on = clue + datetime.timedelta(days=20)
            case.elimination_applied_on = today - datetime.timedelta(days=10)
            case.elimination_type = "帮扶消除"
        if step == c.REJECTED:
            case.closed_reason = "经核实收入稳定，不予纳入"
        case.save()
        CaseEvent.objects.create(
            case=case,
            chain=c.IDENTIFICATION,
            step=c.VERIFICATION,
            action="提出线索",
            note=case.clue_note,
            user_name="村级信息员",
            time=now - datetime.timedelta(days=days),
        )
        _steps_done(case, days=days, signed_form_on_file=days != 30)
    ctx.say(f"监测：监测线 {len(LINES)} 条；各环节演示案例 {min(len(free), len(SCENARIOS))} 个。")


# what each step done leaves on the timeline: (action, decision) for identification and for elimination
DONE_EVENTS = {
    c.VERIFICATION: (("入户核实", "已签署承诺授权书"), ("入户核查", "核查通过")),
    c.VILLAGE_REVIEW: (("村级研判", "同意纳入"), ("村级评议", "同意消除")),
    c.PUBLICITY: (("公示期满报审", ""), ("公示期满报审", "")),
    c.TOWNSHIP_REVIEW: (("乡镇审核", "审核通过"), ("乡镇审核", "审核通过")),
}


def _steps_done(case: MonitoringCase, *, days: int, signed_form_on_file: bool) -> None:
    """The timeline, 公示 dates and 承诺授权书 of the steps a demo case has passed, so that its progress and the
    batch review show what a real case would (one case lacks its signed form: the batch review warns of it)."""
    if case.step not in c.WORKING_STEPS:
        return
    passed = c.WORKING_STEPS[: c.WORKING_STEPS.index(case.step)]
    if case.chain == c.IDENTIFICATION:
        start = timezone.localtime(case.step_since) - datetime.timedelta(days=max(days - 4, 1))
    else:
        start = timezone.now() - datetime.timedelta(days=10)
        _event(case, c.VERIFICATION, "申请风险消除", case.elimination_type, start)
    gap = (timezone.localtime(case.step_since) - start) / (len(passed) + 1)
    for number, step in enumerate(passed, start=1):
        action, decision = DONE_EVENTS[step][case.chain == c.ELIMINATION]
        _event(case, step, action, decision, start + gap * number)
        if step == c.VERIFICATION and case.chain == c.IDENTIFICATION and signed_form_on_file:
            CaseAttachment.objects.create(
                case=case, kind="承诺授权书", step=step, file=ContentFile(b"%PDF-1.4\n", name="承诺授权书.pdf")
            )
    if c.PUBLICITY in passed:
        publicized = [e.time for e in case.events.filter(action="公示期满报审")]
        end = timezone.localtime(publicized[0]).date() - datetime.timedelta(days=1)
        case.publicity_start, case.publicity_end = end - datetime.timedelta(days=6), end
        case.save(update_fields=["publicity_start", "publicity_end"])


def _event(case, step, action, decision, time) -> None:
    CaseEvent.objects.create(
        case=case, chain=case.chain, step=step, action=action, decision=decision, user_name="演示用户", time=time
    )
