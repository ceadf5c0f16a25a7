"""The 退出告知书 (S003 三(一)3: 对稳定消除返贫风险、按规定程序完成返贫风险退出的监测户，村委要书面告知其退出防返贫监测
帮扶范围): one A4 page per eliminated case, as a print page and a PDF (the work cards' WeasyPrint set-up, Noto CJK for
rare characters in names). Like every card it is read from the registry at each print, never stored; its delivery is
recorded in monitoring (``monitoring.notices.record_delivery``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from shoudi.core.audit import log_access
from shoudi.core.models import AccessLog
from shoudi.core.scope import get_object_for, user_can
from shoudi.monitoring.models import MonitoringCase, NoticeDelivery
from shoudi.monitoring.notices import completed_eliminations
from shoudi.registry.models import Household

from .views import _pdf_bytes, _pdf_response, _wants_pdf

__all__ = ["ExitNotice", "exit_notice", "exit_notice_page"]

TEMPLATE = "cards/exit_notice.html"


@dataclass
class ExitNotice:
    """What the 告知书 says: the household, its members, the risks eliminated and when, the village committee."""

    case: MonitoringCase
    household: Household
    head_name: str
    members: list[tuple[str, str]]  # (relation, name), the head first
    risks: str
    eliminated_on: datetime.date
    elimination_type: str
    committee: str
    county: str
    address: str
    delivery: NoticeDelivery | None


def exit_notice(case: MonitoringCase) -> ExitNotice:
    household = case.household
    village = household.village
    township = village.parent
    county = township.parent if township is not None else None
    members = sorted(
        (m for m in household.members.all() if m.status == "正常"),
        key=lambda m: (m.relation != "户主", m.pk),
    )
    head = next((m.name for m in members if m.relation == "户主"), "")
    return ExitNotice(
        case=case,
        household=household,
        head_name=head,
        members=[(m.relation, m.name) for m in members],
        risks="、".join(case.risk_types or ()) or "返贫致贫风险",
        eliminated_on=case.eliminated_on,
        elimination_type=case.elimination_type,
        committee=f"{village.name}村民委员会",
        county=county.name if county is not None else "",
        address=household.address or f"{township.name if township else ''}{village.name}{household.group_name}",
        delivery=case.notice_deliveries.filter(kind=NoticeDelivery.EXIT).first(),
    )


def exit_notice_page(request, pk):
    """The 退出告知书 of an eliminated case (print page, or PDF with ``?format=pdf``); written to the access log. Only
    for an elimination the county confirmed in Shoudi (县级确定) and no 返贫 reversed, as for 退出告知书待送达."""
    case = get_object_for(
        request.user,
        MonitoringCase.objects.select_related("household__village__parent__parent"),
        "view",
        pk=pk,
    )
    if case.eliminated_on is None or not completed_eliminations(MonitoringCase.objects.filter(pk=case.pk)).exists():
        raise Http404("该监测对象未经县级确定完成风险消除（或已返贫），没有退出告知书")
    household = get_object_for(request.user, Household.objects.all(), "view", pk=case.household_id)
    notice = exit_notice(case)
    pdf = _wants_pdf(request)
    log_access(
        user=request.user,
        action=AccessLog.EXPORT,
        obj=household,
        request=request,
        detail="打印退出告知书" + ("（PDF）" if pdf else ""),
    )
    context = {"title": f"退出告知书 · {household}", "printed_at": timezone.localtime()}
    if pdf:
        return _pdf_response(
            _pdf_bytes([notice], template=TEMPLATE, **context), f"退出告知书-{household.household_no}.pdf"
        )
    can_deliver = notice.delivery is None and user_can(request.user, NoticeDelivery, "add")
    return render(
        request,
        TEMPLATE,
        {
            **context,
            "cards": [notice],
            "pdf_url": f"{request.path}?format=pdf",
            "back_url": household.get_absolute_url(),
            "deliver_url": (
                reverse("monitoring:notice_deliver", args=[household.pk]) + f"?notice=exit:{case.pk}"
                if can_deliver
                else ""
            ),
        },
    )
