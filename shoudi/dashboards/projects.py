"""The cards of projects, funds and assets (issue 21 §4): projects by state, projects given and paid funds by month,
assets awaiting their 确权移交, and the year's asset income distributed.

They are counted live from the projects app's selectors (a county has hundreds of projects, not the registry's
millions of rows), so they keep no summary rows (``compute`` is None). As every card, each figure is the count of
the list it links to; the amounts in 元 are in the card's notes.
"""

from __future__ import annotations

from decimal import Decimal

from shoudi.projects import choices as pc
from shoudi.projects import selectors

from .cards import Card, CardContext, CardData, Series

__all__ = ["PROJECT_CARDS"]


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f} 元"


def states_present(ctx: CardContext) -> CardData | None:
    counts = selectors.state_counts(ctx.region.code)
    states = [(state, label) for state, label in pc.STATE_CHOICES if counts.get(state)]
    if not states:
        return None
    return CardData(
        categories=[label for _, label in states],
        series=[
            Series(
                "项目",
                [counts[state] for state, _ in states],
                [ctx.link("projects:project_list", state=state) for state, _ in states],
            )
        ],
        unit="个",
        notes=[f"项目共 {sum(counts.values())} 个"],
        category_title="状态",
    )


def _months(ctx: CardContext, count: int = 12) -> list[str]:
    index = ctx.today.year * 12 + ctx.today.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def funds_present(ctx: CardContext) -> CardData | None:
    months = _months(ctx)
    counts = selectors.funded_project_counts(ctx.region.code, months)
    if not any(counts["allocated"].values()) and not any(counts["paid"].values()):
        return None
    amounts = selectors.funds_by_month(ctx.region.code, [(int(m[:4]), int(m[5:])) for m in months])
    allocated = sum(amounts["allocated"].values(), Decimal("0.00"))
    paid = sum(amounts["paid"].values(), Decimal("0.00"))
    this = (ctx.today.year, ctx.today.month)
    notes = [
        f"近12个月下达 {_yuan(allocated)}，拨付 {_yuan(paid)}"
        + (f"，支付进度 {paid * 100 / allocated:.1f}%" if allocated else ""),
        f"本月下达 {_yuan(amounts['allocated'].get(this, Decimal('0.00')))}，"
        f"拨付 {_yuan(amounts['paid'].get(this, Decimal('0.00')))}",
    ]
    return CardData(
        categories=[f"{m[:4]}年{int(m[5:])}月" for m in months],
        series=[
            Series(
                "下达资金的项目",
                [counts["allocated"][m] for m in months],
                [ctx.link("projects:project_list", allocated_month=m) for m in months],
            ),
            Series(
                "拨付资金的项目",
                [counts["paid"][m] for m in months],
                [ctx.link("projects:project_list", paid_month=m) for m in months],
            ),
        ],
        unit="个",
        notes=notes,
        category_title="月份",
    )


def transfer_present(ctx: CardContext) -> CardData | None:
    counts = selectors.asset_transfer_counts(ctx.region.code, ctx.today)
    if not counts["pending"] and not counts["overdue"]:
        return None
    return CardData(
        categories=["待确权移交（期限内）", "逾期未移交（验收超过3个月）"],
        series=[
            Series(
                "资产",
                [counts["pending"], counts["overdue"]],
                [ctx.link("projects:asset_list", state=pc.PENDING, overdue=flag) for flag in ("false", "true")],
            )
        ],
        unit="项",
        category_title="确权移交",
    )


def income_present(ctx: CardContext) -> CardData | None:
    year = ctx.today.year
    counts = selectors.asset_income_counts(ctx.region.code, year)
    if not counts["income"]:
        return None
    money = selectors.income_figures(ctx.region.code, year)
    return CardData(
        categories=["有收益的经营性资产", "收益已全部分配到户", "尚有收益待分配"],
        series=[
            Series(
                "资产",
                [counts["income"], counts["distributed"], counts["pending"]],
                [
                    ctx.link("projects:asset_list", income_year=year),
                    ctx.link("projects:asset_list", income_year=year, distributed="true"),
                    ctx.link("projects:asset_list", income_year=year, distributed="false"),
                ],
            )
        ],
        unit="项",
        notes=[
            f"{year} 年资产收益 {_yuan(money['received'])}",
            f"已分配到户 {_yuan(money['households'])}，集体留存 {_yuan(money['retained'])}，"
            f"待分配 {_yuan(money['pending'])}",
        ],
        category_title="收益分配",
    )


PROJECT_CARDS = [
    Card("project_states", "项目库项目状态", "hbar", None, states_present, note="按建设地点统计"),
    Card(
        "project_funds", "衔接资金下达与拨付（近12个月）", "bar", None, funds_present, note="柱形为项目数，金额见说明"
    ),
    Card("asset_transfer", "扶贫资产待确权移交", "pie", None, transfer_present, note="验收后三个月内确权移交"),
    Card("asset_income", "资产收益分配（本年）", "bar", None, income_present, note="金额见说明"),
]
