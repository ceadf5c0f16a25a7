"""The demo county's monitoring: income lines, and cases in every step of both chains — some overdue, some eliminated
with their 退出告知书 due or delivered — in the demo village officer's village, so that every demo user has something
to do; the county's two 明白纸 (small PDFs made here) given to most households of three villages."""

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
    # eliminations completed: their 退出告知书 due (two) or delivered (one, see _notices)
    (c.ELIMINATION, c.ELIMINATED, 420, "脱贫不稳定户", ["因病"]),
    (c.ELIMINATION, c.ELIMINATED, 450, "边缘易致贫户", ["因学"]),
    (c.ELIMINATION, c.ELIMINATED, 480, "边缘易致贫户", ["因务工就业不稳"]),
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
        if step == c.ELIMINATED:
            case.step_since = now - datetime.timedelta(days=days - 400)
            case.eliminated_on = today - datetime.timedelta(days=days - 400)
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
    _notices(ctx, county, today)


# what each step done leaves on the timeline: (action, decision) for identification and for elimination
DONE_EVENTS = {
    c.VERIFICATION: (("入户核实", "已签署承诺授权书"), ("入户核查", "核查通过")),
    c.VILLAGE_REVIEW: (("村级研判", "同意纳入"), ("村级评议", "同意消除")),
    c.PUBLICITY: (("公示期满报审", ""), ("公示期满报审", "")),
    c.TOWNSHIP_REVIEW: (("乡镇审核", "审核通过"), ("乡镇审核", "审核通过")),
    c.COUNTY_REVIEW: (("县级审定", "审定纳入"), ("县级确定", "风险消除")),
}
PUBLICITY_DAYS = 5


def _steps_done(case: MonitoringCase, *, days: int, signed_form_on_file: bool) -> None:
    """The timeline, 公示 dates and 承诺授权书 of the steps a demo case has passed, one day apart and ending the day
    before its current step began, so that its progress and the batch review show what a real case would (one case
    lacks its signed form: the batch review warns of it)."""
    if case.step == c.ELIMINATED:  # every step of both chains, the county's 县级确定 the day before
        _walk(case, c.IDENTIFICATION, c.WORKING_STEPS, case.identified_on, signed_form_on_file, ends_on_until=True)
        applied = _walk(
            case, c.ELIMINATION, c.WORKING_STEPS, case.eliminated_on, signed_form_on_file, ends_on_until=True
        )
        case.elimination_applied_on = applied - datetime.timedelta(days=1)
        _event(case, c.ELIMINATION, c.VERIFICATION, "申请风险消除", case.elimination_type, case.elimination_applied_on)
        case.save(update_fields=["elimination_applied_on", "publicity_start", "publicity_end"])
        return
    if case.step not in c.WORKING_STEPS:
        return
    passed = c.WORKING_STEPS[: c.WORKING_STEPS.index(case.step)]
    began = timezone.localtime(case.step_since).date()
    if case.chain == c.ELIMINATION:
        _walk(case, c.IDENTIFICATION, c.WORKING_STEPS, case.identified_on, signed_form_on_file, ends_on_until=True)
        applied = _walk(case, c.ELIMINATION, passed, began, signed_form_on_file)
        case.elimination_applied_on = applied - datetime.timedelta(days=1)
        _event(case, c.ELIMINATION, c.VERIFICATION, "申请风险消除", case.elimination_type, case.elimination_applied_on)
        case.save(update_fields=["elimination_applied_on", "publicity_start", "publicity_end"])
        return
    _walk(case, c.IDENTIFICATION, passed, began, signed_form_on_file)
    case.save(update_fields=["publicity_start", "publicity_end"])


def _walk(case, chain, passed, until, signed_form_on_file, *, ends_on_until=False) -> datetime.date:
    """Events of the ``passed`` steps of ``chain`` backwards from ``until``; returns the day of the first."""
    day = until + datetime.timedelta(days=1 if ends_on_until else 0)
    for step in reversed(passed):
        day -= datetime.timedelta(days=1)
        action, decision = DONE_EVENTS[step][chain == c.ELIMINATION]
        _event(case, chain, step, action, decision, day)
        if step == c.PUBLICITY:
            end = day - datetime.timedelta(days=1)
            day = end - datetime.timedelta(days=PUBLICITY_DAYS - 1)
            if chain == case.chain:
                case.publicity_start, case.publicity_end = day, end
        if step == c.VERIFICATION and chain == c.IDENTIFICATION and signed_form_on_file:
            CaseAttachment.objects.create(
                case=case, kind="承诺授权书", step=step, file=ContentFile(b"%PDF-1.4\n", name="承诺授权书.pdf")
            )
    return day


def _event(case, chain, step, action, decision, day: datetime.date) -> None:
    time = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))  # 10:00 local time
    CaseEvent.objects.create(
        case=case, chain=chain, step=step, action=action, decision=decision, user_name="演示用户", time=time
    )


# --- 明白纸 and 退出告知书 ---------------------------------------------------------------------------------------

LEAFLETS = [
    (
        "防止返贫监测对象申报政策明白纸",
        "households",
        [
            "一、哪些农户可以申报：家庭年人均纯收入低于监测范围，或因病、因残、因灾、因意外事故等刚性支出较大、收入大幅"
            "缩减，存在返贫致贫风险的农户。",
            "二、怎样申报：农户向村委会或帮扶干部提出申请，签署承诺授权书；也可通过手机自主申报。",
            "三、办理程序：入户核实、村级研判、公示、乡镇审核、县级审定，原则上 15 天内完成识别。",
        ],
    ),
    (
        "防止返贫帮扶政策明白纸",
        "monitored",
        [
            "一、产业帮扶：发展种养业、庭院经济，可申请产业奖补和小额信贷。",
            "二、就业帮扶：技能培训、公益性岗位、就业帮扶车间、一次性交通补贴。",
            "三、综合保障：低保、特困供养、临时救助、医疗保障和教育资助。",
            "四、风险消除后，帮扶政策在过渡期内保持总体稳定。",
        ],
    ),
]


def _leaflet_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF of the 明白纸 (made at load time: no binary in the repository)."""
    import logging

    from django.utils.html import escape
    from weasyprint import CSS, HTML

    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

    body = "".join(f"<p>{escape(line)}</p>" for line in lines)
    html = f"<html><body><h1>{escape(title)}</h1>{body}<p>守底县乡村振兴局印制</p></body></html>"
    css = CSS(
        string='@page { size: A4; margin: 20mm } body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", '
        "sans-serif; font-size: 12pt } h1 { text-align: center; font-size: 18pt }"
    )
    return HTML(string=html).write_pdf(stylesheets=[css])


def _notices(ctx, county: Region, today: datetime.date) -> None:
    """The county's two 明白纸; the 申报政策明白纸 given to most households of three villages (one 整村发放 each),
    the 帮扶政策明白纸 to most of their 监测户; one of the eliminated demo cases has its 退出告知书 delivered."""
    from shoudi.registry.models import Member

    from .models import NoticeBatch, NoticeDelivery, NoticeDocument
    from .notices import exit_notices_due, monitored_households

    if NoticeDocument.objects.filter(region=county).exists():
        return
    documents = [
        NoticeDocument.objects.create(
            region=county,
            title=title,
            audience=audience,
            issued_on=datetime.date(today.year, 1, 15),
            file=ContentFile(_leaflet_pdf(title, lines), name=f"{title}.pdf"),
        )
        for title, audience, lines in LEAFLETS
    ]
    delivered = 0
    villages = Region.objects.filter(code__startswith=county.code, level="village").order_by("code")[:3]
    for share, village in zip((90, 80, 60), villages, strict=False):
        households = Household.objects.filter(village=village)
        heads = dict(
            Member.objects.filter(household__village=village, relation="户主").values_list("household_id", "name")
        )
        monitored = set(monitored_households(households).values_list("pk", flat=True))
        day = today - datetime.timedelta(days=20)
        for document, ids in (
            (documents[0], list(households.order_by("household_no").values_list("pk", flat=True))),
            (documents[1], sorted(monitored)),
        ):
            given = ids[: len(ids) * share // 100]
            if not given:
                continue
            batch = NoticeBatch.objects.create(
                document=document,
                village=village,
                delivered_on=day,
                delivered_by=f"{village.name}村委会",
                way="当面送达",
                household_count=len(given),
            )
            NoticeDelivery.objects.bulk_create(
                NoticeDelivery(
                    household_id=pk,
                    kind=NoticeDelivery.LEAFLET,
                    document=document,
                    delivered_on=day,
                    delivered_by=batch.delivered_by,
                    recipient=heads.get(pk, "户主"),
                    way="当面送达",
                    note="整村发放",
                    batch=batch,
                )
                for pk in given
            )
            delivered += len(given)
    due = list(exit_notices_due(MonitoringCase.objects.filter(clue_note__startswith=MARK)).order_by("clue_date"))
    for case in due[:1]:
        NoticeDelivery.objects.create(
            household=case.household,
            kind=NoticeDelivery.EXIT,
            case=case,
            delivered_on=case.eliminated_on + datetime.timedelta(days=3),
            delivered_by="村委会",
            recipient=_head_name(case.household),
            way="当面送达",
        )
    waiting = max(len(due) - 1, 0)
    ctx.say(f"监测：明白纸 {len(documents)} 份，发放登记 {delivered} 户次；退出告知书待送达 {waiting} 户。")


def _head_name(household: Household) -> str:
    head = household.head
    return head.name if head else "户主"
