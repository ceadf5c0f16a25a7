"""易地搬迁: a household resettled at a 安置点 with labour has at least one member employed (S004 (十一):
有劳动能力且有就业意愿的易地扶贫搬迁户，每户至少 1 人就业). The shared 零就业家庭 definition
(``registry.selectors.zero_employment``) restricted to households linked to a site, so the rule, the site's page and
the dashboard card count the same."""

from __future__ import annotations

from django.db.models import Count, Q

from shoudi.registry.models import Member
from shoudi.registry.selectors import LABOUR
from shoudi.registry.sites import zero_employment_at_sites

from .base import HOUSEHOLD, TOWNSHIP, Found, Rule

TOPIC = "易地搬迁"


def resettled_without_employment(params, scope: str):
    """Households of a site, in ``scope``, with labour and nobody employed (已务工 or a 公益性岗位)."""
    households = zero_employment_at_sites().filter(village__code__startswith=scope)
    rows = households.annotate(
        labour=Count("members", filter=Q(members__in=Member.objects.filter(LABOUR))),
    ).values_list("pk", "village_id", "household_no", "resettlement_site__name", "labour")
    for pk, village_id, household_no, site, labour in rows.iterator(chunk_size=2000):
        figures = {"户编号": household_no, "安置点": site, "劳动力": str(labour)}
        yield Found(pk, pk, village_id, figures)


RULES = [
    Rule(
        "9_01_010",
        "易地搬迁安置户有劳动力但无人就业",
        TOPIC,
        "疑点",
        TOWNSHIP,
        HOUSEHOLD,
        "安置在{安置点}的户 {户编号} 有劳动力 {劳动力} 人，但无人务工或从事公益性岗位（每户至少 1 人就业）",
        check=resettled_without_employment,
        note="有劳动力：劳动技能不为空、无劳动力、丧失劳动力；就业：已务工或有公益性岗位；仅计正常状态的成员",
    ),
]
