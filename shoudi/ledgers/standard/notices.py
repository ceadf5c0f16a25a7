"""告知书与明白纸送达台账 (S003 三(一)3 退出告知; S004 (二)一 明白纸发放): one row per notice delivered to a household —
the 退出告知书 of an eliminated case or one of the county's 明白纸 — with when, how, by whom and who signed."""

from __future__ import annotations

from django.db.models import Q

from shoudi.monitoring.models import NoticeDelivery

from ..definitions import Column, Filter, LedgerDefinition
from .parts import HEAD, head_columns, household_columns, place, seq

__all__ = ["DEFINITIONS"]

H = "household__"


def _title(row, ctx):
    return row["document__title"] or dict(NoticeDelivery.KINDS).get(row["kind"], row["kind"])


NOTICES_LEDGER = LedgerDefinition(
    code="notices",
    title="告知书与明白纸送达台账",
    description="退出告知书、明白纸逐户送达记录：文书、送达日期、送达方式、送达人、签收人",
    model=NoticeDelivery,
    unit="份",
    columns=(
        seq(),
        *place(H),
        *household_columns(H, phone=False, size=False),
        *head_columns(id_number=False),
        Column("title", "文书", _title, fields=("kind", "document__title"), width=22),
        Column("eliminated_on", "风险消除时间", "case__eliminated_on", kind="date"),
        Column("delivered_on", "送达日期", "delivered_on", kind="date"),
        Column("way", "送达方式", "way", width=9),
        Column("delivered_by", "送达人", "delivered_by", width=9),
        Column("recipient", "签收人", "recipient", width=9),
        Column("batch", "整村发放", lambda row, ctx: row["batch_id"] is not None, kind="bool", fields=("batch_id",)),
        Column("note", "备注", "note", width=16, default=False),
    ),
    filters=(
        Filter("kind", "文书", lambda ctx, v: Q(kind=v), choices=tuple(NoticeDelivery.KINDS)),
        Filter("way", "送达方式", lambda ctx, v: Q(way=v), choices=tuple(NoticeDelivery.WAYS)),
    ),
    order_by=("household__village__code", "household__household_no", "delivered_on", "id"),
    lookups={"head": HEAD},
)

DEFINITIONS = (NOTICES_LEDGER,)
