"""Reads of projects, funds and assets for a user: the deadlines running out (预算执行 15 working days after 下达,
竣工验收 7 working days after completion, 确权移交 three months after acceptance), what waits for his step, the
monthly funds report (衔接资金使用情况月报) and the figures of the dashboard cards."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from . import choices as c
from .models import Allocation, Asset, AssetIncome, DistributionPlan, Inspection, Objection, Payment, Project, Publicity
from .services.base import acts_as

__all__ = [
    "WORKLIST",
    "WORKLIST_LABELS",
    "acceptance_due",
    "acceptance_overdue",
    "asset_income_counts",
    "asset_transfer_counts",
    "assets_with_income",
    "awaiting_plans",
    "awaiting_review",
    "execution_due",
    "execution_overdue",
    "funded_project_counts",
    "funds_by_month",
    "funds_report",
    "income_figures",
    "inspection_missing",
    "plans_waiting",
    "projects_due_soon",
    "projects_funded_in",
    "review_waiting",
    "state_counts",
    "todo_counts",
    "transfer_due",
    "transfer_overdue",
    "transfers_due_soon",
    "worklist_rows",
]

ZERO = Decimal("0.00")


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _limit(today: datetime.date | None, soon: bool) -> datetime.date:
    return _today(today) + datetime.timedelta(days=c.DUE_SOON_DAYS if soon else -1)


def _signed_in(user) -> bool:
    return getattr(user, "is_authenticated", False) and (user.is_superuser or getattr(user, "region_id", None))


def execution_due(user, *, today: datetime.date | None = None, soon: bool = True):
    """Allocations whose 预算执行 has not started, overdue (or due within ``DUE_SOON_DAYS``), for those who execute."""
    if not _signed_in(user) or not acts_as(user, "execute"):
        return Allocation.objects.none()
    projects = Project.objects.restrict(user, "change")
    return Allocation.objects.filter(
        project__in=projects, execution_started_on__isnull=True, execution_due__lte=_limit(today, soon)
    ).order_by("execution_due")


def acceptance_due(user, *, today: datetime.date | None = None, soon: bool = True):
    """Completed projects whose 竣工验收 is overdue (or due soon), for those who accept."""
    if not _signed_in(user) or not acts_as(user, "accept"):
        return Project.objects.none()
    return (
        Project.objects.restrict(user, "change")
        .filter(state=c.COMPLETED, acceptance_due__lte=_limit(today, soon))
        .order_by("acceptance_due")
    )


def transfer_due(user, *, today: datetime.date | None = None, soon: bool = True):
    """Assets not yet transferred whose three months after acceptance are over (or nearly)."""
    if not _signed_in(user):
        return Asset.objects.none()
    return (
        Asset.objects.restrict(user, "change")
        .filter(state=c.PENDING, transfer_due__lte=_limit(today, soon))
        .order_by("transfer_due")
    )


def awaiting_review(user, *, today: datetime.date | None = None):
    """Projects waiting for the user's step: 乡镇审核 of his township's proposals, 县级论证, 入库 once the 公示 is
    over without open objections."""
    if not _signed_in(user):
        return Project.objects.none()
    rows = Project.objects.restrict(user, "change")
    wanted = Q(pk__in=[])
    if acts_as(user, "township_review") and not user.is_superuser:
        wanted |= Q(state=c.PROPOSED, region__code__startswith=user.region.code)
    elif user.is_superuser:
        wanted |= Q(state=c.PROPOSED)
    if acts_as(user, "county_assess"):
        wanted |= Q(state=c.REVIEWED)
    if acts_as(user, "enter_library"):
        over = Publicity.objects.filter(
            project=OuterRef("pk"), stage__in=c.LIBRARY_STAGES, plan__isnull=True, end__lt=_today(today)
        )
        open_ = Objection.objects.filter(publicity__project=OuterRef("pk"), upheld__isnull=True)
        wanted |= Q(Exists(over), ~Exists(open_), state=c.ASSESSED)
    return rows.filter(wanted)


def awaiting_plans(user):
    """Distribution plans waiting for the user: 乡镇审核 (his township's assets), 县级备案."""
    if not _signed_in(user):
        return DistributionPlan.objects.none()
    rows = DistributionPlan.objects.restrict(user, "change")
    wanted = Q(pk__in=[])
    if user.is_superuser or getattr(user, "role", "") == "township_reviewer":
        wanted |= Q(state=c.DECIDED)
    if acts_as(user, "plan_file"):
        wanted |= Q(state=c.APPROVED)
    return rows.filter(wanted)


# --- the lines of 我的待办 (registered in wiring.py; each key is also its list's ?todo= value) ----------------------


def _between(today: datetime.date | None, days: int) -> tuple[datetime.date, datetime.date]:
    today = _today(today)
    return today, today + datetime.timedelta(days=days)


def _with_allocations(user, **conditions):
    """The projects the user may change with an allocation meeting ``conditions``, for those who execute budgets."""
    if not _signed_in(user) or not acts_as(user, "execute"):
        return Project.objects.none()
    allocations = Allocation.objects.filter(execution_started_on__isnull=True, **conditions)
    return Project.objects.restrict(user, "change").filter(pk__in=allocations.values("project"))


def execution_overdue(user, today: datetime.date | None = None):
    """Projects with an allocation whose 预算执行 is overdue (15 working days after 下达, S001 39)."""
    return _with_allocations(user, execution_due__lt=_today(today))


def acceptance_overdue(user, today: datetime.date | None = None):
    return acceptance_due(user, today=today, soon=False)


def projects_due_soon(user, today: datetime.date | None = None):
    """Projects whose 预算执行 or 竣工验收 falls due within ``DUE_SOON_DAYS`` (not yet overdue)."""
    window = _between(today, c.DUE_SOON_DAYS)
    soon = _with_allocations(user, execution_due__range=window).values("pk")
    if _signed_in(user) and acts_as(user, "accept"):
        completed = Project.objects.restrict(user, "change").filter(state=c.COMPLETED, acceptance_due__range=window)
        return Project.objects.filter(Q(pk__in=soon) | Q(pk__in=completed.values("pk")))
    return Project.objects.filter(pk__in=soon)


def review_waiting(user, today: datetime.date | None = None):
    return awaiting_review(user, today=today)


def transfer_overdue(user, today: datetime.date | None = None):
    return transfer_due(user, today=today, soon=False)


def transfers_due_soon(user, today: datetime.date | None = None):
    """Assets whose three months for 确权移交 end within ``TRANSFER_SOON_DAYS``."""
    if not _signed_in(user):
        return Asset.objects.none()
    window = _between(today, TRANSFER_SOON_DAYS)
    return Asset.objects.restrict(user, "change").filter(state=c.PENDING, transfer_due__range=window)


def plans_waiting(user, today: datetime.date | None = None):
    """Assets with a distribution plan waiting for the user's 乡镇审核 or 县级备案."""
    if not _signed_in(user):
        return Asset.objects.none()
    return Asset.objects.restrict(user, "view").filter(pk__in=awaiting_plans(user).values("asset"))


TRANSFER_SOON_DAYS = 30
# (key, label, kind, overdue, rows(user, today)) — kind "projects" is listed on the project list, "assets" on the
# asset list
WORKLIST = [
    ("project_review", "待我审核、论证或入库的项目", "projects", False, review_waiting),
    ("project_execution_overdue", "预算执行已逾期（下达后15个工作日）", "projects", True, execution_overdue),
    ("project_acceptance_overdue", "竣工验收已逾期（竣工后7个工作日）", "projects", True, acceptance_overdue),
    ("project_due_soon", "预算执行或竣工验收期限将至", "projects", False, projects_due_soon),
    ("asset_transfer_overdue", "资产确权移交已逾期（验收后3个月）", "assets", True, transfer_overdue),
    ("asset_transfer_soon", "资产确权移交期限将至（30天内）", "assets", False, transfers_due_soon),
    ("asset_plan_waiting", "待我审核或备案的收益分配方案", "assets", False, plans_waiting),
]
WORKLIST_LABELS = {key: label for key, label, *_ in WORKLIST}


def worklist_rows(key: str, user, today: datetime.date | None = None):
    """The rows of one line of 我的待办 for the user (the list filters show them)."""
    rows = next(fn for k, _, _, _, fn in WORKLIST if k == key)
    return rows(user, today)


def todo_counts(user, *, today: datetime.date | None = None) -> dict[str, int]:
    """Each line's count for the user (the home-page panel)."""
    return {key: fn(user, today).count() for key, _, _, _, fn in WORKLIST}


def quarter_of(day: datetime.date) -> int:
    return (day.month - 1) // 3 + 1


def inspection_missing(user, *, today: datetime.date | None = None) -> bool:
    """S001 41: the county inspects the use of 衔接资金 every quarter; true for a county admin whose county has funds
    allocated this year and no 督查 recorded this quarter."""
    if not _signed_in(user) or getattr(user, "role", "") != "county_admin":
        return False
    today = _today(today)
    code = user.region.code
    funded = Allocation.objects.filter(project__region__code__startswith=code, allocated_on__year=today.year)
    done = Inspection.objects.filter(region__code=code, year=today.year, quarter=quarter_of(today))
    return funded.exists() and not done.exists()


# --- the monthly funds report ---------------------------------------------------------------------------------------


@dataclass
class ReportRow:
    label: str
    budget: Decimal = ZERO
    allocated_month: Decimal = ZERO
    allocated_year: Decimal = ZERO
    paid_month: Decimal = ZERO
    paid_year: Decimal = ZERO

    @property
    def rate(self) -> str:
        return f"{self.paid_year * 100 / self.allocated_year:.1f}%" if self.allocated_year else "—"


def _month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(year, month, 1)
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first, following - datetime.timedelta(days=1)


def funds_report(user, *, code: str, year: int, month: int) -> tuple[list[ReportRow], list[ReportRow]]:
    """衔接资金使用情况月报 of the region ``code`` (inside the user's scope): by fund source and by township, the funds
    allocated and paid in the month and in the year up to its end, and the payment rate."""
    first, last = _month_bounds(year, month)
    projects = Project.objects.restrict(user, "view").filter(region__code__startswith=code)
    allocations = Allocation.objects.filter(project__in=projects, allocated_on__year=year, allocated_on__lte=last)
    payments = Payment.objects.filter(project__in=projects, paid_on__year=year, paid_on__lte=last)
    by_source = {s: ReportRow(label) for s, label in c.FUND_SOURCES}
    by_place: dict[str, ReportRow] = {}
    names = dict(
        Project.objects.filter(pk__in=projects.values("pk")).values_list("region__code", "region__name").distinct()
    )
    from shoudi.regions.models import Region

    townships = dict(Region.objects.filter(code__startswith=code, level="township").values_list("code", "name"))

    def place(region_code: str) -> ReportRow:
        key = region_code[:9] if len(region_code) >= 9 else region_code
        label = townships.get(key) or names.get(key) or "县级项目"
        return by_place.setdefault(key, ReportRow(label))

    for source, region_code, day, amount in allocations.values_list(
        "source", "project__region__code", "allocated_on", "amount"
    ):
        for row in (by_source[source], place(region_code)):
            row.allocated_year += amount
            if day >= first:
                row.allocated_month += amount
    for source, region_code, day, amount in payments.values_list(
        "allocation__source", "project__region__code", "paid_on", "amount"
    ):
        rows = [place(region_code)] + ([by_source[source]] if source else [])
        for row in rows:
            row.paid_year += amount
            if day >= first:
                row.paid_month += amount
    sources = list(by_source.values())
    total = ReportRow("合计")
    for row in sources:
        for name in ("allocated_month", "allocated_year", "paid_month", "paid_year"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return [*sources, total], [by_place[k] for k in sorted(by_place)]


# --- figures of the dashboard cards (a region, live: a county has hundreds of projects, not millions) --------------


def state_counts(code: str) -> dict[str, int]:
    rows = Project.objects.filter(region__code__startswith=code).values("state").annotate(n=Count("pk"))
    return {row["state"]: row["n"] for row in rows.order_by()}


def funds_by_month(code: str, months: list[tuple[int, int]]) -> dict[str, dict[tuple[int, int], Decimal]]:
    """Funds allocated and paid in each of ``months`` ((year, month) pairs) in the region."""
    out: dict[str, dict] = {"allocated": defaultdict(Decimal), "paid": defaultdict(Decimal)}
    start = datetime.date(*months[0], 1)
    allocations = Allocation.objects.filter(project__region__code__startswith=code, allocated_on__gte=start)
    for day, amount in allocations.values_list("allocated_on", "amount"):
        out["allocated"][(day.year, day.month)] += amount
    payments = Payment.objects.filter(project__region__code__startswith=code, paid_on__gte=start)
    for day, amount in payments.values_list("paid_on", "amount"):
        out["paid"][(day.year, day.month)] += amount
    return out


def _month_range(month: str) -> tuple[datetime.date, datetime.date] | None:
    """The first and last day of a month written 2026-05 (None for anything else)."""
    try:
        year, number = (int(part) for part in month.split("-"))
        return _month_bounds(year, number)
    except (TypeError, ValueError):
        return None


def projects_funded_in(month: str, *, paid: bool = False):
    """The ids of projects given funds (``paid``: paid) in the month, for the list filter and the card alike."""
    bounds = _month_range(month)
    if bounds is None:
        return Project.objects.none().values("pk")
    if paid:
        return Payment.objects.filter(paid_on__range=bounds).values("project")
    return Allocation.objects.filter(allocated_on__range=bounds).values("project")


def funded_project_counts(code: str, months: list[str]) -> dict[str, dict[str, int]]:
    """Per month (2026-05): how many projects of the region were given funds, and how many were paid (two queries:
    the rows of the months, bucketed here)."""
    first, _ = _month_range(months[0])
    _, last = _month_range(months[-1])
    counts: dict[str, dict[str, int]] = {}
    for kind, model, field in (("allocated", Allocation, "allocated_on"), ("paid", Payment, "paid_on")):
        rows = model.objects.filter(project__region__code__startswith=code, **{f"{field}__range": (first, last)})
        seen: dict[str, set[int]] = defaultdict(set)
        for project_id, day in rows.values_list("project_id", field):
            seen[f"{day.year:04d}-{day.month:02d}"].add(project_id)
        counts[kind] = {month: len(seen.get(month, ())) for month in months}
    return counts


def _incomes_undistributed(year: int | None):
    """A year's incomes (any year: None) not yet paid out by a plan."""
    incomes = AssetIncome.objects.exclude(plan__state=c.PAID)
    return incomes.filter(year=year) if year is not None else incomes


def assets_with_income(queryset, year: int | None, distributed: bool | None = None):
    """Operating assets with income in ``year``; ``distributed``: all of it paid out (True) or some not (False)."""
    incomes = AssetIncome.objects.filter(year=year) if year is not None else AssetIncome.objects.all()
    queryset = queryset.filter(pk__in=incomes.values("asset"))
    if distributed is None:
        return queryset
    pending = _incomes_undistributed(year).values("asset")
    return queryset.exclude(pk__in=pending) if distributed else queryset.filter(pk__in=pending)


def asset_income_counts(code: str, year: int) -> dict[str, int]:
    assets = Asset.objects.filter(region__code__startswith=code)
    return {
        "income": assets_with_income(assets, year).count(),
        "distributed": assets_with_income(assets, year, True).count(),
        "pending": assets_with_income(assets, year, False).count(),
    }


def asset_transfer_counts(code: str, today: datetime.date) -> dict[str, int]:
    assets = Asset.objects.filter(region__code__startswith=code, state=c.PENDING)
    return {
        "pending": assets.filter(transfer_due__gte=today).count(),
        "overdue": assets.filter(transfer_due__lt=today).count(),
    }


def income_figures(code: str, year: int) -> dict[str, Decimal]:
    """A year's asset income in the region: received, paid out to households, kept by the collectives, not yet
    distributed (no plan, or a plan not yet paid)."""
    incomes = AssetIncome.objects.filter(asset__region__code__startswith=code, year=year)
    received = incomes.aggregate(total=Sum("amount"))["total"] or ZERO
    plans = DistributionPlan.objects.filter(income__in=incomes)
    paid = plans.filter(state=c.PAID).aggregate(h=Sum("household_amount"), r=Sum("retained_amount"))
    households, retained = paid["h"] or ZERO, paid["r"] or ZERO
    pending = received - households - retained
    return {"received": received, "households": households, "retained": retained, "pending": pending}
