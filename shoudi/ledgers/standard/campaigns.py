"""The campaign ledger (issue 17): 百日攻坚进度 — one row per township of a county that ran a campaign in the year,
with the problems the campaign found by state and the township's completion of the work items, counted as the
campaign page counts them (``campaigns.selectors.township_progress``: one grouped query each)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from shoudi.campaigns.models import Campaign
from shoudi.campaigns.selectors import township_progress
from shoudi.regions.models import Region

from ..definitions import Column, LedgerDefinition, Lookup, Param
from .parts import seq

__all__ = ["DEFINITIONS"]


def _campaigns(ctx):
    """The campaigns the ledger covers: those the user sees that began in the year."""
    campaigns = Campaign.objects.all() if ctx.user is None else Campaign.objects.restrict(ctx.user, "view")
    return campaigns.filter(start_date__year=ctx.params["year"])


def _townships(ctx) -> Q:
    if not ctx.can("campaigns.campaign", "view"):
        return Q(pk__in=[])
    return Q(level="township") & Exists(_campaigns(ctx).filter(issuer_region=OuterRef("parent")))


def _progress(ctx, region_ids) -> dict:
    """Township id → its row, computed once per ledger for both lookups."""

    def compute():
        townships = Region.objects.filter(pk__in=region_ids)
        rows = township_progress(_campaigns(ctx), ctx.user, townships=townships, today=ctx.today)
        return {row.township.pk: row for row in rows}

    return ctx.memo("campaign-progress", compute)


def _figure(lookup: str, name: str):
    def get(row, ctx):
        progress = row[lookup]
        return getattr(progress, name) if progress is not None else None

    return get


def _note(ctx) -> str:
    names = "、".join(_campaigns(ctx).order_by("start_date").values_list("name", flat=True)[:5])
    return f"攻坚行动：{names or '（该年度没有攻坚行动）'}；逾期：整改期限已过仍未申请销号"


def _figure_column(lookup: str, key: str, label: str, *, kind: str = "int", total: bool = True) -> Column:
    return Column(key, label, _figure(lookup, key), kind=kind, lookups=(lookup,), total=total, width=10)


CAMPAIGN_LEDGER = LedgerDefinition(
    code="campaign-progress",
    title="百日攻坚进度",
    description="攻坚行动各乡镇进度：排查发现的问题、未销号、逾期、已销号和销号率，工作任务完成情况",
    model=Region,
    unit="个乡镇",
    columns=(
        seq(),
        Column("township", "乡镇", "name", width=12),
        _figure_column("problems", "found", "发现问题"),
        _figure_column("problems", "open", "未销号"),
        _figure_column("problems", "overdue", "其中逾期"),
        _figure_column("problems", "closed", "已销号"),
        _figure_column("problems", "suspended", "挂起"),
        _figure_column("problems", "closed_rate", "销号率（%）", kind="number", total=False),
        _figure_column("items", "items", "工作任务（项）", total=False),
        _figure_column("items", "items_done", "已完成"),
        _figure_column("items", "items_ongoing", "推进中"),
        _figure_column("items", "items_rate", "完成率（%）", kind="number", total=False),
    ),
    params=(Param("year", "行动年度", "year", lambda ctx: ctx.today.year),),
    base=_townships,
    order_by=("code",),
    household="",  # the rows are townships: the lookups are keyed by the region's id
    lookups={
        "problems": Lookup("work.problem", _progress),
        "items": Lookup("campaigns.progressnote", _progress),
    },
    note=_note,
)

DEFINITIONS = (CAMPAIGN_LEDGER,)
