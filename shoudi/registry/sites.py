"""易地扶贫搬迁安置点: the figures of sites counted from their households, and the quarterly 排查 with the problems it
raises on work's one life cycle (问题整改 → 销号), reached through the core registry's ``problem_raising`` store (work
sits above the registry and sets it)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from shoudi.core.audit import log_access
from shoudi.core.models import AccessLog
from shoudi.core.registry import registry
from shoudi.core.scope import in_scope, user_can

from .models import Household, Member, ResettlementSite, SiteInspection
from .selectors import LABOUR, WORKING, zero_employment

__all__ = [
    "INSPECTION_SOURCE",
    "Refused",
    "figure_annotations",
    "record_inspection",
    "site_figures",
    "site_problems",
    "with_figures",
    "zero_employment_at_sites",
]

INSPECTION_SOURCE = "专项排查"
SOURCE_MODEL = "registry.siteinspection"


class Refused(Exception):
    """An action that may not be taken (the message says why, in Chinese)."""


def figure_annotations() -> dict:
    """安置户数, 安置人数 (members in force), persons of labour and of them employed, one subquery each (a list of
    sites and the 安置点名单 read them without a query per site)."""

    def members(condition: Q):
        rows = Member.objects.filter(condition, household__resettlement_site=OuterRef("pk")).order_by()
        return Coalesce(Subquery(rows.values("household__resettlement_site").annotate(n=Count("pk")).values("n")), 0)

    households = Household.objects.filter(resettlement_site=OuterRef("pk")).order_by()
    return {
        "household_count": Coalesce(
            Subquery(households.values("resettlement_site").annotate(n=Count("pk")).values("n")), 0
        ),
        "person_count": members(Q(status="正常")),
        "labour_count": members(LABOUR),
        "working_count": members(LABOUR & WORKING),
    }


def with_figures(sites: QuerySet[ResettlementSite]) -> QuerySet[ResettlementSite]:
    """Sites with their figures (``figure_annotations``)."""
    return sites.annotate(**figure_annotations())


def site_figures(site: ResettlementSite) -> dict:
    """The figures of one site (its page)."""
    row = with_figures(ResettlementSite.objects.filter(pk=site.pk)).values(
        "household_count", "person_count", "labour_count", "working_count"
    )[0]
    row["zero_employment"] = zero_employment_at_sites(ResettlementSite.objects.filter(pk=site.pk)).count()
    return row


def employed_share(labour: int, working: int) -> str:
    """有劳动力者中已就业的比例, as the list shows it ("—" without labour)."""
    return f"{working * 100 / labour:.0f}%" if labour else "—"


def zero_employment_at_sites(sites: QuerySet[ResettlementSite] | None = None) -> QuerySet[Household]:
    """Households of these sites (all sites: None) with labour and nobody employed: the shared 零就业家庭 definition
    (``selectors.zero_employment``) restricted to households linked to a site (S004 (十一): 每户至少 1 人就业)."""
    households = Household.objects.filter(resettlement_site__isnull=False)
    if sites is not None:
        households = households.filter(resettlement_site__in=sites)
    return zero_employment(households)


def _raising():
    return registry.one("problem_raising")


def problem_categories() -> tuple[str, ...]:
    return _raising().categories


@transaction.atomic
def record_inspection(
    *,
    user,
    site: ResettlementSite,
    year: int,
    quarter: int,
    inspected_on: datetime.date,
    inspector: str,
    findings: str,
    problems: list[str] = (),
    category: str = "其他",
    due_workdays: int = 20,
) -> tuple[SiteInspection, int]:
    """Record one quarterly 排查 of ``site`` and raise each line of ``problems`` as a problem (专项排查) given to the
    site's community, issued by the user's level: it then runs the one life cycle to 销号. Returns the inspection and
    the number of problems raised."""
    if not in_scope(user, site, "view"):
        raise Refused("安置点不在您的管辖范围内")
    if not user_can(user, SiteInspection, "add"):
        raise Refused("您的角色不能登记安置点排查")
    inspection = SiteInspection(
        site=site, year=year, quarter=quarter, inspected_on=inspected_on, inspector=inspector, findings=findings
    )
    problems = [" ".join(line.split()) for line in problems if line.strip()]
    if problems and site.community_id is None:
        raise Refused("请先在安置点信息中填写所在社区（村），整改问题下发给该社区")
    inspection.full_clean()
    inspection.save()
    if not in_scope(user, inspection, "add"):
        raise Refused("您的角色不能登记该安置点的排查")
    if not problems:
        return inspection, 0
    raising = _raising()
    if category not in raising.categories:
        raise Refused(f"问题类别“{category}”不在清单中")
    user_code = user.region.code if getattr(user, "region_id", None) else ""
    community = site.community
    # issued by the user's level when it is above the community (a county's 排查: the county reviews the 销号);
    # else by the community's township
    above = user_code and community.code.startswith(user_code) and user_code != community.code
    issuer = user.region_id if above else None
    rows = [
        raising.raised(
            source_pk=f"{inspection.pk}:{number}",
            region_id=community.pk,
            title=f"{site.name}{inspection}：{text}"[:200],
            description=findings,
            fingerprint=text[:500],
            issuer_region_id=issuer,
        )
        for number, text in enumerate(problems, start=1)
    ]
    result = raising.issue(
        source_model=SOURCE_MODEL,
        source=INSPECTION_SOURCE,
        category=category,
        problems=rows,
        due_workdays=due_workdays,
        issued_on=min(inspected_on, timezone.localdate()),
        issuer=user,
        note=f"{site.name}{inspection}发现的问题",
    )
    return inspection, len(result.raised)


def site_problems(user, inspections) -> dict[int, list[dict]]:
    """The problems each inspection raised, as the user may see them (inspection id → rows)."""
    ids = [i.pk for i in inspections]
    if not ids:
        return {}
    found = _raising().raised_from(user, source_model=SOURCE_MODEL, prefixes=[f"{pk}:" for pk in ids])
    out: dict[int, list[dict]] = {}
    for pk, rows in found.items():
        out.setdefault(int(pk.partition(":")[0]), []).extend(rows)
    return out


def log_unmask(request, site: ResettlementSite, field: str) -> None:
    log_access(user=request.user, action=AccessLog.UNMASK, obj=site, field=field, request=request)
