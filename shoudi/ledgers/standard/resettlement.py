"""易地扶贫搬迁安置点名单 (S000 附件1 三.5): each site with where it lies, its households and persons (counted from the
linked households), 挂点领导, the community manager and the 驻村工作队 stationed in its community."""

from __future__ import annotations

from django.db.models import Count

from shoudi.registry.models import Household, ResettlementSite
from shoudi.registry.selectors import zero_employment
from shoudi.registry.sites import employed_share, figure_annotations
from shoudi.teams import choices as tc
from shoudi.teams.models import TeamMember

from ..definitions import Column, LedgerContext, LedgerDefinition, Lookup
from .parts import seq

__all__ = ["DEFINITIONS"]

POSTS = dict(tc.POSTS)


def _teams(ctx: LedgerContext, ids) -> dict:
    """The team of each site's community: its 后盾单位 and current members with their posts."""
    sites = ResettlementSite.objects.filter(pk__in=ids, community__stationed_team__isnull=False)
    pairs = list(sites.values_list("community_id", "pk"))
    villages = {village for village, _site in pairs}
    members: dict[int, list[str]] = {}
    units: dict[int, str] = {}
    rows = TeamMember.objects.filter(team__village_id__in=list(villages), end_date__isnull=True).order_by("post", "id")
    for village_id, unit, name, post in rows.values_list("team__village_id", "team__unit__name", "name", "post"):
        units[village_id] = unit
        members.setdefault(village_id, []).append(f"{POSTS.get(post, post)}{name}")
    return {site: f"{units[village]}：{'、'.join(members[village])}" for village, site in pairs if village in units}


def _zero_employment(ctx: LedgerContext, ids) -> dict:
    households = zero_employment(Household.objects.filter(resettlement_site__in=ids))
    return dict(
        households.order_by().values("resettlement_site").annotate(n=Count("pk")).values_list("resettlement_site", "n")
    )


def _share(row, ctx) -> str:
    return employed_share(row["labour_count"], row["working_count"])


SITES_LEDGER = LedgerDefinition(
    code="resettlement-sites",
    title="易地扶贫搬迁安置点名单",
    description="安置点所在地、安置户数和人数、务工情况、挂点领导、社区管理负责人、驻村工作队",
    model=ResettlementSite,
    unit="个",
    columns=(
        seq(),
        Column("township", "乡镇", "community__parent__name", width=10),
        Column("community", "所在社区（村）", "community__name", width=12),
        Column("name", "安置点名称", "name", width=18),
        Column("address", "安置点地址", "address", width=20, default=False),
        Column("planned_households", "安置规模（户）", "planned_households", kind="int", default=False),
        Column("households", "安置户数", "household_count", kind="int", total=True),
        Column("persons", "安置人数", "person_count", kind="int", total=True),
        Column("labour", "有劳动力人数", "labour_count", kind="int", total=True),
        Column("working", "已就业人数", "working_count", kind="int", total=True),
        Column("share", "务工占比", _share, fields=("labour_count", "working_count"), width=8),
        Column(
            "zero",
            "有劳动力无人就业（户）",
            lambda row, ctx: row["zero"] or 0,
            kind="int",
            lookups=("zero",),
            total=True,
        ),
        Column("leader_name", "挂点领导", "leader_name", width=9),
        Column("leader_phone", "挂点领导电话", "leader_phone", kind="phone", mask_model="registry.resettlementsite"),
        Column("manager_name", "社区管理负责人", "manager_name", width=9),
        Column("manager_phone", "负责人电话", "manager_phone", kind="phone", mask_model="registry.resettlementsite"),
        Column("team", "驻村工作队", lambda row, ctx: row["team"] or "", lookups=("team",), width=30),
    ),
    annotate=lambda ctx: figure_annotations(),
    order_by=("region_code", "name"),
    household="",
    groups=("region_code", "community__name", "community__parent__name"),
    lookups={
        "team": Lookup("teams.team", _teams),
        "zero": Lookup("registry.household", _zero_employment),
    },
)

DEFINITIONS = (SITES_LEDGER,)
