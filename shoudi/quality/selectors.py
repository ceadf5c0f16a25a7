"""Reads of data quality for a user: the counts per rule by township or village with the quality score (open
problems per 100 households), and a village's list of problems to fix."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery

from shoudi.regions.models import Region
from shoudi.registry.models import Household, Member
from shoudi.work import choices as wc

from .models import Hit
from .rules import all_rules

__all__ = ["Overview", "home_region", "open_hits", "open_hits_for", "overview", "pending_waivers", "score", "todo_for"]

PENDING = Q(problem__state=wc.APPLIED, problem__outcome=wc.NOT_A_PROBLEM)


def open_hits() -> QuerySet:
    """The current hits whose problem is not closed yet (待整改, 申请销号 or 不是问题 waiting for the township)."""
    return Hit.objects.filter(active=True, problem__state__in=wc.UNCLOSED_STATES)


def open_hits_for(user) -> QuerySet:
    """The open hits the user may see."""
    return open_hits().restrict(user, "view")


def pending_waivers(hits: QuerySet) -> QuerySet:
    """Of these hits, those whose village asked for 不是问题 and the township has not decided yet."""
    return hits.filter(problem__state=wc.APPLIED, problem__outcome=wc.NOT_A_PROBLEM)


def score(problems: int, households: int) -> float | None:
    """问题数 per 100 households (None without households)."""
    return round(problems * 100 / households, 1) if households else None


def home_region(user) -> Region | None:
    if getattr(user, "region_id", None):
        return user.region
    return Region.objects.filter(level="county").order_by("code").first()


@dataclass
class Row:
    region: Region
    households: int = 0
    problems: int = 0
    severities: Counter = field(default_factory=Counter)
    pending: int = 0  # 不是问题 waiting for the township

    @property
    def score(self) -> float | None:
        return score(self.problems, self.households)


@dataclass
class Overview:
    region: Region
    children: list[Row]
    total: Row
    rules: list[tuple]  # (rule, total, [(child code, count)])


def _children(region: Region) -> list[Region]:
    if region.level == "village":
        return [region]
    return list(Region.objects.filter(parent=region).order_by("code"))


def overview(user, region: Region) -> Overview:
    """Counts of the region's open problems per rule and per child region (township or village), and per child
    the households, problems by severity, pending waivers and the quality score."""
    children = _children(region)
    width = len(children[0].code) if children else len(region.code)
    rows = {child.code: Row(child) for child in children}
    total = Row(region)
    rules = {rule.code: rule for rule in all_rules()}
    hits = (
        open_hits_for(user)
        .filter(village__code__startswith=region.code)
        .order_by()
        .values_list("rule", "village__code")
        .annotate(n=Count("pk"), pending=Count("pk", filter=PENDING))
    )
    per_rule: dict[str, Counter] = defaultdict(Counter)
    for code, village, n, pending in hits:
        child = rows.get(village[:width])
        rule = rules.get(code)
        if child is None or rule is None:
            continue
        per_rule[code][child.region.code] += n
        for row in (child, total):
            row.problems += n
            row.pending += pending
            row.severities[rule.severity] += n
    households = (
        Household.objects.restrict(user, "view")
        .filter(village__code__startswith=region.code)
        .order_by()
        .values_list("village__code")
        .annotate(n=Count("pk"))
    )
    for village, n in households:
        child = rows.get(village[:width])
        if child is not None:
            child.households += n
            total.households += n
    table = [
        (rule, sum(per_rule[code].values()), [(child.code, per_rule[code][child.code]) for child in children])
        for code, rule in rules.items()
    ]
    return Overview(region, [rows[child.code] for child in children], total, table)


def todo_for(user, village: Region):
    """A village's open problems, by household: [(household, head name, [hits])]."""
    heads = Member.objects.filter(household=OuterRef("household_id"), relation="户主").order_by("pk")
    hits = (
        open_hits_for(user)
        .filter(village=village)
        .select_related("household", "member", "problem")
        .annotate(head_name=Subquery(heads.values("name")[:1]))
        .order_by("household__household_no", "rule", "subject_pk")
    )
    grouped: dict[int, list] = {}
    for hit in hits:
        grouped.setdefault(hit.household_id, []).append(hit)
    return [(items[0].household, items[0].head_name or "无户主", items) for items in grouped.values()]
