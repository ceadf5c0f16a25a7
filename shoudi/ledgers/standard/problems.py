"""问题整改台账 (S000 附件1 一.7, 附件2 一.5): every problem with its source, document, responsible region, unit and
person, dates, state and the latest measure taken; combined, and one ledger for each source S000 names (考核反馈,
暗访督导, 审计, 12317 热线). A county's copy of the combined ledger picks any other source with its filter."""

from __future__ import annotations

from django.db.models import OuterRef, Q, Subquery

from shoudi.work import choices as wc
from shoudi.work.models import Problem, ProblemStep

from ..definitions import Column, Filter, LedgerDefinition
from .parts import seq

__all__ = ["DEFINITIONS", "PER_SOURCE", "problem_ledger"]

# the sources S000 keeps a 问题整改台账 of (附件1 一.7): code of the ledger → source
PER_SOURCE = {"assessment": "考核反馈", "inspection": "暗访督导", "audit": "审计", "hotline": "12317 热线"}
STATE_LABELS = dict(wc.STATE_CHOICES)
MEASURE_STEPS = ("整改", "申请销号")  # the steps whose text says what was done


def _latest_measure(ctx) -> dict:
    """整改措施: the text of the problem's latest 整改 or 申请销号 step (one subquery, no row fetched per problem)."""
    steps = ProblemStep.objects.filter(problem=OuterRef("pk"), action__in=MEASURE_STEPS).order_by("-at", "-id")
    return {"latest_measure": Subquery(steps.values("text")[:1])}


def _region(row, ctx) -> str:
    """A village with its township (甲镇甲村), a township alone."""
    if row["region__level"] == "village":
        return f"{row['region__parent__name'] or ''}{row['region__name']}"
    return row["region__name"]


def _responsible(row, ctx) -> str:
    return row["responsible__name"] or row["responsible__username"] or ""


def _state(row, ctx) -> str:
    return STATE_LABELS.get(row["state"], row["state"])


def _overdue(row, ctx) -> bool:
    return row["state"] in wc.RUNNING_STATES and row["due_date"] < ctx.today


COLUMNS = (
    seq(),
    Column("source", "问题来源", "source", width=10),
    Column("document_no", "文件编号", "document_no", width=18),
    Column("category", "问题类别", "category", width=12),
    Column("title", "问题", "title", width=36),
    Column(
        "region",
        "责任区划",
        _region,
        fields=("region__name", "region__level", "region__parent__name"),
        width=16,
    ),
    Column("unit", "责任单位", "unit", width=16),
    Column("responsible", "责任人", _responsible, fields=("responsible__name", "responsible__username"), width=10),
    Column("issued_on", "下发日期", "issued_on", kind="date"),
    Column("due_date", "整改期限", "due_date", kind="date"),
    Column("state", "状态", _state, fields=("state",), width=9),
    Column("measure", "整改措施", "latest_measure", width=36),
    Column("closed_on", "销号日期", "closed_on", kind="date"),
    Column("issuer", "下发单位", "issuer_region__name", width=12, default=False),
    Column("severity", "严重程度", "severity", width=8, default=False),
    Column("description", "问题描述", "description", width=36, default=False),
    Column("overdue", "是否逾期", _overdue, kind="bool", fields=("state", "due_date"), default=False),
    Column("returned_reason", "驳回理由", "returned_reason", width=24, default=False),
)


def problem_ledger(*, code: str, source: str = "") -> LedgerDefinition:
    """The combined ledger (no ``source``), or the ledger of one source."""
    filters = (
        Filter("open", "仅未销号的", lambda ctx, v: ~Q(state=wc.CLOSED)),
        Filter("overdue", "仅已逾期的", lambda ctx, v: Q(state__in=wc.RUNNING_STATES, due_date__lt=ctx.today)),
    )
    if not source:
        filters = (Filter("source", "问题来源", lambda ctx, v: Q(source=v), choices=tuple(wc.SOURCE_CHOICES)), *filters)
    return LedgerDefinition(
        code=code,
        title=f"问题整改台账（{source}）" if source else "问题整改台账",
        description=(
            f"{source}问题的下发、整改和销号情况"
            if source
            else "各来源问题（考核反馈、暗访督导、审计、12317 热线等）的下发、整改和销号情况"
        ),
        model=Problem,
        unit="个",
        columns=COLUMNS,
        base=(lambda ctx: Q(source=source)) if source else None,
        annotate=_latest_measure,
        filters=filters,
        order_by=("issued_on", "id"),
        household="",
        groups=("region__code", "region__name", "region__parent__name"),
        note=lambda ctx: "整改措施：最近一次整改或申请销号时填写的情况",
    )


DEFINITIONS = (
    problem_ledger(code="problems"),
    *(problem_ledger(code=f"problems-{code}", source=source) for code, source in PER_SOURCE.items()),
)
