"""The card of the sector follow-ups (issue 20): the children short of two 送教上门 visits this month, and the 脱贫/监测
chronic patients the latest 卫健 list shows unsigned or served fewer than four times this year (the current findings
of those two rules, as the 比对结果 list shows them).

Counted live, as the project cards (a county has dozens of such children and a few hundred patients), so it keeps
no summary rows; each figure is the count of the list it links to, within the dashboard's region and the user's
scope."""

from __future__ import annotations

from shoudi.core.scope import user_can
from shoudi.matching.models import Finding
from shoudi.sectors.filters import TODO_SHORT
from shoudi.sectors.models import HomeTeaching
from shoudi.sectors.selectors import short_this_month

from .cards import Card, CardContext, CardData, Series

__all__ = ["SECTOR_CARDS"]

CHRONIC_RULES = (("chronic_not_signed", "慢病患者未签约家庭医生"), ("chronic_few_services", "慢病签约服务不足4次"))


def followups_present(ctx: CardContext) -> CardData | None:
    code = ctx.region.code
    categories, values, links = [], [], []
    if user_can(ctx.user, HomeTeaching, "view"):
        short = short_this_month(ctx.user, ctx.today).filter(member__household__village__code__startswith=code)
        categories.append("本月送教上门不足2次")
        values.append(short.count())
        links.append(ctx.link("sectors:hometeaching_list", todo=TODO_SHORT))
    if user_can(ctx.user, Finding, "view"):
        findings = (
            Finding.objects.restrict(ctx.user, "view")
            .current()
            .filter(department="health", village__code__startswith=code)
        )
        for rule, label in CHRONIC_RULES:
            categories.append(label)
            values.append(findings.filter(rule=rule).count())
            links.append(ctx.link("matching:finding_list", department="health", rule=rule))
    if not categories or not any(values):
        return None
    return CardData(
        categories=categories,
        series=[Series("人数", values, links)],
        unit="人",
        notes=[f"{ctx.today.year}年{ctx.today.month}月；慢病签约取最近一期卫健名单的比对结果"],
        category_title="事项",
    )


SECTOR_CARDS = [
    Card(
        "sector_followups",
        "送教上门与慢病签约",
        "hbar",
        None,
        followups_present,
        note="送教上门每月不少于2次；四类慢病签约后年度服务不少于4次",
    ),
]
