"""我的待办: what each user must do now, counted set-based in the database over the user's scope.

Every item is a queryset (households or cases) so that the worklist, the badge, the per-village table and the
filtered lists behind each link all use the same definition.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.monitoring.selectors import cases_waiting_for, overdue_identification
from shoudi.registry.models import Household

from .models import Assessment, Measure, Pairing, Visit
from .rhythm import _first_of, month_index, period_bounds, rhythm_for

__all__ = ["ITEMS", "WorkItem", "badge_count", "item_queryset", "per_village", "register_item", "worklist"]


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    kind: str  # households / cases
    overdue: bool = False


ITEMS = [
    Item("no_cadre", "未落实帮扶干部", "households", True),
    Item("no_measure", "识别超过期限仍无帮扶措施", "cases", True),
    Item("visit_overdue", "入户走访已逾期", "households", True),
    Item("visit_due", "本期应入户走访", "households"),
    Item("contact_overdue", "联系已逾期（脱贫户等）", "households", True),
    Item("contact_due", "本月应联系（脱贫户等）", "households"),
    Item("assessment_overdue", "成效评估已逾期", "households", True),
    Item("assessment_due", "本季度应开展成效评估", "households"),
    Item("steps_waiting", "等待我办理的监测环节", "cases"),
    Item("identification_overdue", "识别超时", "cases", True),
    Item("publicity_ending", "公示即将期满", "cases"),
]
# kind → (the list page whose ``?todo=`` filter shows the rows, the lookup of the rows' village)
KINDS = {"households": ("registry:household_list", "village"), "cases": ("monitoring:case_list", "household__village")}
_EXTRA: dict[str, Callable] = {}


def register_item(item: Item, queryset: Callable, *, list_url_name: str, village_lookup: str) -> None:
    """A higher app adds a line (e.g. matching's overdue findings): ``queryset(user, today)`` gives its rows."""
    if item.key not in _EXTRA:
        ITEMS.append(item)
    _EXTRA[item.key] = queryset
    KINDS.setdefault(item.kind, (list_url_name, village_lookup))


@dataclass(frozen=True)
class WorkItem:
    key: str
    label: str
    count: int
    url: str
    overdue: bool


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = month_index(day) + months
    first = _first_of(index)
    last_day = (_first_of(index + 1) - datetime.timedelta(days=1)).day
    return first.replace(day=min(day.day, last_day))


class Scope:
    """The dates and base querysets one worklist computation shares."""

    def __init__(self, user, today: datetime.date | None = None):
        self.user = user
        self.today = today or timezone.localdate()
        self.settings = rhythm_for(user.region.code if getattr(user, "region_id", None) else "")
        self.households = Household.objects.restrict(user, "view")
        self.cases = MonitoringCase.objects.restrict(user, "view")
        s = self.settings
        self.stable_cutoff = _add_months(self.today, -s.stable_after_elimination_months)

    def identified(self, **extra) -> Exists:
        conditions = {"identified_on__isnull": False, "identified_on__lte": self.today, **extra}
        return Exists(MonitoringCase.objects.filter(household=OuterRef("pk"), **conditions))

    def monitored(self) -> Q:
        """Identified and not eliminated, or eliminated less than N months ago (the monthly rhythm)."""
        return Q(self.identified(eliminated_on__isnull=True, is_open=True)) | Q(
            self.identified(eliminated_on__gt=self.stable_cutoff))

    def lifted(self) -> Q:
        stable = Q(self.identified(eliminated_on__lte=self.stable_cutoff))
        return (Q(household_type="脱贫户") | stable) & ~self.monitored()

    def visited(self, start: datetime.date, end: datetime.date, *, in_home: bool) -> Exists:
        visits = Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=start, visited_on__lte=end)
        return Exists(visits.filter(kind="入户") if in_home else visits)

    def assessed(self, start, end) -> Exists:
        return Exists(Assessment.objects.filter(household=OuterRef("pk"), assessed_on__gte=start,
                                                assessed_on__lte=end))


def item_queryset(key: str, user, today: datetime.date | None = None) -> QuerySet:
    """The households or cases behind one worklist item (in the user's scope)."""
    sc = Scope(user, today)
    s, t = sc.settings, sc.today
    h = sc.households
    if key == "no_cadre":
        current = Exists(Pairing.objects.filter(household=OuterRef("pk"), end_date__isnull=True))
        late = t - datetime.timedelta(days=s.cadre_within_days)
        return h.filter(Q(household_type="脱贫户") | Q(sc.identified(is_open=True, identified_on__lt=late))) \
            .exclude(current)
    if key == "no_measure":
        late = t - datetime.timedelta(days=s.measure_within_days)
        measures = Measure.objects.filter(household=OuterRef("household")).exclude(status="终止")
        return sc.cases.filter(is_open=True, identified_on__isnull=False, identified_on__lt=late).exclude(
            Exists(measures))
    if key in ("visit_due", "visit_overdue", "assessment_due", "assessment_overdue"):
        months = s.monitored_visit_months if key.startswith("visit") else s.monitored_assessment_months
        start, _ = period_bounds(t, months)
        prev_start, prev_end = period_bounds(t, months, -1)
        done_now = sc.visited(start, t, in_home=True) if key.startswith("visit") else sc.assessed(start, t)
        monitored = h.filter(sc.monitored()).exclude(done_now)
        monitored_lifted = Q()
        if key.startswith("visit"):
            # a lifted household also needs a home visit each quarter (by default)
            l_start, _ = period_bounds(t, s.lifted_visit_months)
            lp_start, lp_end = period_bounds(t, s.lifted_visit_months, -1)
            lifted = h.filter(sc.lifted()).exclude(sc.visited(l_start, t, in_home=True))
            if key == "visit_overdue":
                lifted = lifted.exclude(sc.visited(lp_start, lp_end, in_home=True)).exclude(
                    sc.identified(eliminated_on__gt=_add_months(lp_end, -s.stable_after_elimination_months)))
            monitored_lifted = Q(pk__in=lifted.values("pk"))
        if key.endswith("overdue"):
            done_before = sc.visited(prev_start, prev_end, in_home=True) if key.startswith("visit") \
                else sc.assessed(prev_start, prev_end)
            monitored = monitored.exclude(done_before).filter(sc.identified(identified_on__lte=prev_end))
        return h.filter(Q(pk__in=monitored.values("pk")) | monitored_lifted)
    if key in ("contact_due", "contact_overdue"):
        start, _ = period_bounds(t, s.lifted_contact_months)
        lifted = h.filter(sc.lifted()).exclude(sc.visited(start, t, in_home=False))
        if key == "contact_overdue":
            prev_start, prev_end = period_bounds(t, s.lifted_contact_months, -1)
            lifted = lifted.exclude(sc.visited(prev_start, prev_end, in_home=False)).exclude(
                sc.identified(eliminated_on__gt=_add_months(prev_end, -s.stable_after_elimination_months)))
        return lifted
    if key == "steps_waiting":
        return cases_waiting_for(user)
    if key == "identification_overdue":
        return sc.cases.filter(pk__in=overdue_identification(sc.cases, today=t))
    if key == "publicity_ending":
        return sc.cases.filter(step=mc.PUBLICITY, publicity_end__isnull=False,
                               publicity_end__lte=t + datetime.timedelta(days=3))
    if key in _EXTRA:
        return _EXTRA[key](user, t)
    raise KeyError(key)


def _url(item: Item) -> str:
    return f"{reverse(KINDS[item.kind][0])}?todo={item.key}"


def worklist(user, today: datetime.date | None = None) -> list[WorkItem]:
    """Every item with its count for this user, in a fixed order (empty items included)."""
    return [WorkItem(item.key, item.label, item_queryset(item.key, user, today).count(), _url(item), item.overdue)
            for item in ITEMS]


def badge_count(user) -> int:
    """The number on the 待办 badge (cached for a minute: the badge is on every page)."""
    key = f"shoudi:todo:{user.pk}:{timezone.localdate()}"
    count = cache.get(key)
    if count is None:
        # an overdue household is also among the due ones of its item: count it once
        count = sum(w.count for w in worklist(user) if not w.key.endswith("_overdue"))
        cache.set(key, count, 60)
    return count


def per_village(user, today: datetime.date | None = None) -> list[dict]:
    """The same counts per village, for township and county users."""
    rows: dict[str, dict] = {}
    for item in ITEMS:
        qs = item_queryset(item.key, user, today)
        prefix = KINDS[item.kind][1]
        for row in qs.order_by().values(f"{prefix}__code", f"{prefix}__name").annotate(n=Count("pk", distinct=True)):
            code = row[f"{prefix}__code"]
            entry = rows.setdefault(code, {"code": code, "name": row[f"{prefix}__name"]})
            entry[item.key] = row["n"]
    for entry in rows.values():
        entry["total"] = sum(entry.get(item.key, 0) for item in ITEMS)
    return sorted(rows.values(), key=lambda r: r["code"])
