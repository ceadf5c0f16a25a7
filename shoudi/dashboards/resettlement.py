"""The card of 易地扶贫搬迁安置点 (S004 (十一)): per site, its households of the region and those with labour where
nobody is employed — the shared 零就业家庭 definition restricted to households linked to a site
(``registry.sites.zero_employment_at_sites``), as the data-quality rule counts them. Counted live: a county has a few
sites and some thousand resettled households."""

from __future__ import annotations

from django.db.models import Count

from shoudi.registry.models import Household
from shoudi.registry.sites import zero_employment_at_sites

from .cards import Card, CardContext, CardData, Series

__all__ = ["RESETTLEMENT_CARDS"]

SHOWN = 15  # sites on the card, those with most households without employment first


def _counts(households) -> dict[int, int]:
    rows = households.order_by().values("resettlement_site").annotate(n=Count("pk"))
    return dict(rows.values_list("resettlement_site", "n"))


def sites_present(ctx: CardContext) -> CardData | None:
    region = Household.objects.filter(village__code__startswith=ctx.region.code, resettlement_site__isnull=False)
    totals = _counts(region)
    if not totals:
        return None
    zero = _counts(zero_employment_at_sites().filter(pk__in=region.values("pk")))
    names = dict(region.values_list("resettlement_site", "resettlement_site__name").distinct())
    sites = sorted(totals, key=lambda pk: (-zero.get(pk, 0), names[pk]))[:SHOWN]
    return CardData(
        categories=[names[pk] for pk in sites],
        series=[
            Series(
                "有劳动力但无人就业",
                [zero.get(pk, 0) for pk in sites],
                [
                    ctx.link("registry:household_list", resettlement_site=pk, resettled_zero_employment="true")
                    for pk in sites
                ],
            ),
            Series(
                "安置户",
                [totals[pk] for pk in sites],
                [ctx.link("registry:household_list", resettlement_site=pk) for pk in sites],
            ),
        ],
        notes=[
            f"安置点 {len(totals)} 个，安置户 {sum(totals.values())} 户，"
            f"其中有劳动力但无人就业 {sum(zero.values())} 户（每户至少 1 人就业）"
        ],
        category_title="安置点",
    )


RESETTLEMENT_CARDS = [
    Card(
        "resettlement_employment",
        "易地搬迁安置点：有劳动力家庭就业",
        "bar",
        None,
        sites_present,
        note="有劳动力（劳动技能非无劳动力、丧失劳动力）的安置户中无人务工且无公益性岗位的户；实时统计",
    ),
]
