"""Written notices: the 退出告知书 due when an elimination completes (S003 三(一)3: 对按规定程序完成返贫风险退出的
监测户，村委要书面告知其退出防返贫监测帮扶范围) and the county's 明白纸 (S004 (二)一: 申报政策明白纸发放至所有农户，
帮扶政策明白纸发放至所有监测对象).

Reads (what is due, who is still missing a 明白纸, the coverage of a village) and the services that record a delivery:
one household's (``record_delivery``), or a village's in bulk (``record_batch``: the households previewed by
``batch_candidates``, ticked and confirmed) and its withdrawal (``withdraw_batch``). Every service is keyword-only,
atomic, checks the user's scope and writes the change log (the models are change-logged); a second delivery of the
same notice is refused.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.db.models.functions import Substr
from django.utils import timezone

from shoudi.core import notifications
from shoudi.core.scope import in_scope, user_can
from shoudi.regions.models import Region
from shoudi.registry.models import Household, Member

from . import choices as c
from .models import CaseEvent, MonitoringCase, NoticeBatch, NoticeDelivery, NoticeDocument

__all__ = [
    "CHANGE_KIND",
    "NoticeRefused",
    "VillageCoverage",
    "batch_candidates",
    "completed_eliminations",
    "county_documents",
    "coverage",
    "exit_notice_due",
    "exit_notices_due",
    "leaflet_covered",
    "leaflet_households",
    "monitored_households",
    "pending_for",
    "record_batch",
    "record_delivery",
    "withdraw_batch",
]

CHANGE_KIND = "notices"  # what core.notifications tells the dashboards after a delivery


class NoticeRefused(Exception):
    """A delivery that cannot be recorded; ``str(exc)`` says why, in Chinese."""


# --- reads ---------------------------------------------------------------------------------------------------------


def _completed_elimination() -> Exists:
    """The county confirmed the elimination in Shoudi (县级确定 风险消除): an imported case eliminated years ago in
    the national system gets no 告知书 now."""
    return Exists(CaseEvent.objects.filter(case=OuterRef("pk"), action="县级确定", decision="风险消除"))


def completed_eliminations(cases: QuerySet) -> QuerySet:
    """Of ``cases``, those whose elimination completed in Shoudi (县级确定 风险消除) and was not reversed by a 返贫:
    the cases a 退出告知书 is written for."""
    reversed_ = MonitoringCase.objects.filter(previous_case=OuterRef("pk"))
    return cases.filter(_completed_elimination(), step=c.ELIMINATED).exclude(Exists(reversed_))


def exit_notices_due(cases: QuerySet) -> QuerySet:
    """Of ``cases``, those whose elimination completed (and was not reversed by a 返贫) with no 退出告知书 delivered."""
    delivered = NoticeDelivery.objects.filter(case=OuterRef("pk"), kind=NoticeDelivery.EXIT)
    return completed_eliminations(cases).exclude(Exists(delivered))


def exit_notice_due(case: MonitoringCase) -> bool:
    return exit_notices_due(MonitoringCase.objects.filter(pk=case.pk)).exists()


def monitored_households(households: QuerySet) -> QuerySet:
    """监测户: households with an identified case still open (帮扶中, or on the way to its elimination)."""
    open_identified = MonitoringCase.objects.filter(household=OuterRef("pk"), is_open=True, identified_on__isnull=False)
    return households.filter(Exists(open_identified))


def _documents_of_their_county(audiences: tuple[str, ...]) -> QuerySet:
    """The active 明白纸 of these audiences of the county of the household row outside (its code's first 6 digits)."""
    return NoticeDocument.objects.filter(
        region__code=Substr(OuterRef("village__code"), 1, 6), active=True, audience__in=audiences
    )


def _audiences(monitored: bool) -> tuple[str, ...]:
    return (NoticeDocument.ALL_HOUSEHOLDS, NoticeDocument.MONITORED) if monitored else (NoticeDocument.ALL_HOUSEHOLDS,)


def leaflet_households(households: QuerySet, *, monitored: bool = False) -> QuerySet:
    """The households a 明白纸 coverage counts: every household of a county with a 明白纸 for all households, or
    (``monitored``) the 监测户 of a county with any 明白纸."""
    return (monitored_households(households) if monitored else households).filter(
        Exists(_documents_of_their_county(_audiences(monitored)))
    )


def leaflet_covered(households: QuerySet, *, monitored: bool = False) -> QuerySet:
    """Of ``leaflet_households``, those given every active 明白纸 meant for them (a 监测户: both kinds)."""
    delivered = NoticeDelivery.objects.filter(household=OuterRef(OuterRef("pk")), document=OuterRef("pk"))
    lacking = _documents_of_their_county(_audiences(monitored)).exclude(Exists(delivered))
    return leaflet_households(households, monitored=monitored).exclude(Exists(lacking))


def county_documents(region_code: str, *, active_only: bool = True) -> QuerySet:
    """The 明白纸 of the county a region belongs to."""
    documents = NoticeDocument.objects.filter(region__code=region_code[:6])
    return documents.filter(active=True) if active_only else documents


def _audience(document: NoticeDocument, households: QuerySet) -> QuerySet:
    return monitored_households(households) if document.audience == NoticeDocument.MONITORED else households


def _without(document: NoticeDocument, households: QuerySet) -> QuerySet:
    delivered = NoticeDelivery.objects.filter(household=OuterRef("pk"), document=document)
    return households.exclude(Exists(delivered))


def batch_candidates(*, user, document: NoticeDocument, village: Region) -> QuerySet:
    """The households of the village a bulk delivery would record: the document's audience, in the user's scope,
    without this 明白纸 yet (heads annotated, ordered by 户编号)."""
    households = Household.objects.restrict(user, "view").filter(village=village)
    head = Member.objects.filter(household=OuterRef("pk"), relation="户主").values("name")[:1]
    return (
        _without(document, _audience(document, households)).annotate(head_name=Subquery(head)).order_by("household_no")
    )


@dataclass
class DocumentCoverage:
    """One 明白纸 in one village: all households and the 监测户, each with those delivered."""

    document: NoticeDocument
    households: int = 0
    delivered: int = 0
    monitored: int = 0
    monitored_delivered: int = 0

    @property
    def missing(self) -> int:
        return self.households - self.delivered

    @property
    def monitored_missing(self) -> int:
        return self.monitored - self.monitored_delivered

    @property
    def due(self) -> int:
        """Households of the document's audience still without it."""
        return self.monitored_missing if self.document.audience == NoticeDocument.MONITORED else self.missing

    @property
    def audience_total(self) -> int:
        return self.monitored if self.document.audience == NoticeDocument.MONITORED else self.households

    @property
    def percent(self) -> str:
        total = self.audience_total
        return f"{(total - self.due) * 100 / total:.1f}%" if total else "—"


@dataclass
class VillageCoverage:
    village: Region
    documents: list[DocumentCoverage] = field(default_factory=list)
    exit_due: int = 0


def coverage(user, region: Region, documents: Iterable[NoticeDocument] | None = None) -> list[VillageCoverage]:
    """Per village of ``region`` (in the user's scope, by code): each document's coverage and the 退出告知书 due.
    A constant number of grouped queries, whatever the number of villages."""
    documents = list(documents if documents is not None else county_documents(region.code))
    households = Household.objects.restrict(user, "view").filter(village__code__startswith=region.code)
    monitored = monitored_households(households)
    counts: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    for code in households.values_list("village__code", flat=True):
        counts[code]["households"] += 1
    for code in monitored.values_list("village__code", flat=True):
        counts[code]["monitored"] += 1
    delivered = NoticeDelivery.objects.filter(
        kind=NoticeDelivery.LEAFLET, document__in=documents, household__in=households.values("pk")
    )
    monitored_ids = set(monitored.values_list("pk", flat=True))
    rows = delivered.values_list("household__village__code", "document_id", "household_id")
    for code, document_id, household_id in rows:
        counts[code][("delivered", document_id)] += 1
        if household_id in monitored_ids:
            counts[code][("monitored_delivered", document_id)] += 1
    cases = MonitoringCase.objects.restrict(user, "view").filter(household__village__code__startswith=region.code)
    for code in exit_notices_due(cases).values_list("household__village__code", flat=True):
        counts[code]["exit_due"] += 1
    villages = Region.objects.filter(level="village", code__in=list(counts)).order_by("code")
    rows = []
    for village in villages:
        figures = counts[village.code]
        rows.append(
            VillageCoverage(
                village=village,
                exit_due=figures["exit_due"],
                documents=[
                    DocumentCoverage(
                        document=document,
                        households=figures["households"],
                        delivered=figures[("delivered", document.pk)],
                        monitored=figures["monitored"],
                        monitored_delivered=figures[("monitored_delivered", document.pk)],
                    )
                    for document in documents
                ],
            )
        )
    return rows


# --- services ------------------------------------------------------------------------------------------------------


def _check_user(user, household: Household) -> Household:
    if not user_can(user, NoticeDelivery, "add"):
        raise NoticeRefused("您的角色不能登记送达")
    if not Household.objects.restrict(user, "view").filter(pk=household.pk).exists():
        raise NoticeRefused("该户不存在或不在您的管辖范围内")
    # one clerk at a time per household: the checks below and the insert see the same deliveries
    return Household.objects.select_for_update(of=("self",)).select_related("village").get(pk=household.pk)


def _check_document(document: NoticeDocument, household: Household) -> None:
    if not document.active:
        raise NoticeRefused(f"明白纸「{document.title}」已停用")
    if document.region.code != household.village.code[:6]:
        raise NoticeRefused(f"明白纸「{document.title}」不是本县的")
    if document.audience == NoticeDocument.MONITORED and not monitored_households(
        Household.objects.filter(pk=household.pk)
    ):
        raise NoticeRefused(f"「{document.title}」发放给监测户，该户目前不是监测户")


def _required(**texts: str) -> None:
    labels = {"delivered_by": "送达人", "recipient": "签收人"}
    for name, value in texts.items():
        if not (value or "").strip():
            raise NoticeRefused(f"请填写{labels[name]}")


@transaction.atomic
def record_delivery(
    *,
    user,
    household: Household,
    kind: str,
    delivered_by: str,
    recipient: str,
    case: MonitoringCase | None = None,
    document: NoticeDocument | None = None,
    delivered_on: datetime.date | None = None,
    way: str = "当面送达",
    note: str = "",
) -> NoticeDelivery:
    """登记送达 of one notice to one household: the 退出告知书 of its eliminated ``case``, or the 明白纸 ``document``.
    Refused: outside the user's scope, a notice not (or no longer) due, a second delivery of the same notice, a date
    in the future."""
    household = _check_user(user, household)
    _required(delivered_by=delivered_by, recipient=recipient)
    delivered_on = delivered_on or timezone.localdate()
    if delivered_on > timezone.localdate():
        raise NoticeRefused("送达日期不能晚于今天")
    if way not in dict(NoticeDelivery.WAYS):
        raise NoticeRefused(f"送达方式「{way}」不在规定范围内")
    if kind == NoticeDelivery.EXIT:
        if case is None or case.household_id != household.pk:
            raise NoticeRefused("请选择该户风险已消除的监测记录")
        if NoticeDelivery.objects.filter(case=case, kind=NoticeDelivery.EXIT).exists():
            raise NoticeRefused("该户的退出告知书已登记送达，不能重复登记")
        if not exit_notice_due(case):
            raise NoticeRefused("该监测记录未完成风险消除（或已返贫），无需送达退出告知书")
        if case.eliminated_on and delivered_on < case.eliminated_on:
            raise NoticeRefused(f"送达日期不能早于风险消除时间 {case.eliminated_on:%Y-%m-%d}")
        document = None
    elif kind == NoticeDelivery.LEAFLET:
        if document is None:
            raise NoticeRefused("请选择明白纸")
        _check_document(document, household)
        if NoticeDelivery.objects.filter(household=household, document=document).exists():
            raise NoticeRefused(f"该户已登记发放「{document.title}」，不能重复登记")
        case = None
    else:
        raise NoticeRefused("请选择文书类别")
    delivery = NoticeDelivery(
        household=household,
        kind=kind,
        case=case,
        document=document,
        delivered_on=delivered_on,
        delivered_by=delivered_by.strip(),
        recipient=recipient.strip(),
        way=way,
        note=note.strip(),
        recorded_by=user,
    )
    try:
        with transaction.atomic():
            delivery.save()
    except IntegrityError:  # two clerks at once: the constraint decides
        raise NoticeRefused("该文书已登记送达，不能重复登记") from None
    notifications.changed(CHANGE_KIND, household_ids=[household.pk])
    return delivery


@transaction.atomic
def record_batch(
    *,
    user,
    document: NoticeDocument,
    village: Region,
    household_ids: Iterable[int],
    delivered_by: str,
    delivered_on: datetime.date | None = None,
    way: str = "当面送达",
) -> NoticeBatch:
    """登记整村发放 (confirmed after the preview): a delivery of ``document`` to each ticked household that is still
    among ``batch_candidates`` (one delivered meanwhile is left out); the 户主 signs. Refused with none left, and for
    a role that records single deliveries only (a cadre)."""
    if not (user_can(user, NoticeDelivery, "add") and user_can(user, NoticeBatch, "add")):
        raise NoticeRefused("您的角色不能登记整村发放")
    if not Region.objects.restrict(user, "view").filter(pk=village.pk, level="village").exists():
        raise NoticeRefused("该村不存在或不在您的管辖范围内")
    _required(delivered_by=delivered_by)
    if not document.active or document.region.code != village.code[:6]:
        raise NoticeRefused(f"明白纸「{document.title}」不是本县在用的")
    delivered_on = delivered_on or timezone.localdate()
    if delivered_on > timezone.localdate():
        raise NoticeRefused("发放日期不能晚于今天")
    if way not in dict(NoticeDelivery.WAYS):
        raise NoticeRefused(f"送达方式「{way}」不在规定范围内")
    wanted = {int(pk) for pk in household_ids}
    candidates = batch_candidates(user=user, document=document, village=village).filter(pk__in=wanted)
    households = list(candidates) if wanted else []
    if not households:
        raise NoticeRefused("没有可登记的农户（未勾选，或均已登记发放）")
    batch = NoticeBatch.objects.create(
        document=document,
        village=village,
        delivered_on=delivered_on,
        delivered_by=delivered_by.strip(),
        way=way,
        household_count=len(households),
        created_by=user,
    )
    try:
        with transaction.atomic():
            _deliver_all(batch, households, user)
    except IntegrityError:  # another clerk recorded some of them at the same moment
        raise NoticeRefused("部分农户刚被他人登记发放，请重新预览后再确认") from None
    notifications.changed(CHANGE_KIND, household_ids=[h.pk for h in households])
    return batch


def _deliver_all(batch: NoticeBatch, households: list[Household], user) -> None:
    for household in households:
        NoticeDelivery(
            household=household,
            kind=NoticeDelivery.LEAFLET,
            document=batch.document,
            delivered_on=batch.delivered_on,
            delivered_by=batch.delivered_by,
            recipient=household.head_name or "户主",
            way=batch.way,
            note="整村发放",
            batch=batch,
            recorded_by=user,
        ).save()


@transaction.atomic
def withdraw_batch(*, user, batch: NoticeBatch) -> NoticeBatch:
    """撤回 a bulk delivery: its deliveries are removed (the change log keeps them), the batch says how many. A whole
    village's deliveries: only a role that may change the batch, in whose scope it lies (not a cadre or team member)."""
    if not user_can(user, NoticeBatch, "change"):
        raise NoticeRefused("您的角色不能撤回整村发放")
    if not NoticeBatch.objects.restrict(user, "view").filter(pk=batch.pk).exists():
        raise NoticeRefused("该批次不存在或不在您的管辖范围内")
    if not in_scope(user, batch, "change"):
        raise NoticeRefused("您无权撤回该批次")
    locked = NoticeBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != NoticeBatch.CONFIRMED:
        raise NoticeRefused("该批次已撤回")
    deliveries = list(locked.deliveries.all())
    for delivery in deliveries:
        delivery.delete()
    locked.status = NoticeBatch.WITHDRAWN
    locked.withdrawn_at = timezone.now()
    locked.withdrawn_by = user
    locked.withdrawn_count = len(deliveries)
    locked.save()
    notifications.changed(CHANGE_KIND, household_ids=[d.household_id for d in deliveries])
    return locked


def pending_for(household: Household, user) -> dict:
    """What the household page shows: deliveries, the 退出告知书 due, the 明白纸 still to give this household."""
    deliveries = list(
        NoticeDelivery.objects.restrict(user, "view").filter(household=household).select_related("document", "case")
    )
    cases = MonitoringCase.objects.restrict(user, "view").filter(household=household)
    due_cases = list(exit_notices_due(cases))
    given = {d.document_id for d in deliveries if d.document_id}
    is_monitored = monitored_households(Household.objects.filter(pk=household.pk)).exists()
    leaflets = [
        d
        for d in county_documents(household.village.code)
        if d.pk not in given and (d.audience == NoticeDocument.ALL_HOUSEHOLDS or is_monitored)
    ]
    return {"deliveries": deliveries, "due_cases": due_cases, "leaflets": leaflets}
