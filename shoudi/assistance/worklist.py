"""我的待办: what each user must do now, counted set-based in the database over the user's scope.

Every item has one definition, used by the worklist, the badge, the per-village table and the filtered lists behind
each link (``?todo=``). The household items are conditions over a few facts per household, taken in one grouped pass
per table and counted by village (on PostgreSQL in parallel id ranges: ADR 0006); the items other apps register
(``worklist_items``) are querysets counted per village. ``tally()`` computes a page's items and village rows once.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from shoudi.accounts.roles import CADRE, VILLAGE_OFFICER
from shoudi.core.registry import registry
from shoudi.core.worklist import Item, WorkItem, WorklistSource
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.monitoring.selectors import cases_waiting_for, overdue_identification
from shoudi.regions.models import Region
from shoudi.registry.models import Household

from .models import Assessment, Measure, Pairing, RhythmSettings, Visit
from .rhythm import IN_HOME, _first_of, month_index, period_bounds

__all__ = [
    "ITEMS",
    "Item",
    "WorkItem",
    "WorklistSource",
    "all_items",
    "badge_count",
    "badge_of",
    "is_own",
    "item_queryset",
    "kinds",
    "per_village",
    "tally",
    "worklist",
]

LIFTED_TYPE = "脱贫户"

VILLAGE, CADRES = frozenset({VILLAGE_OFFICER}), frozenset({CADRE})
ITEMS = [
    Item("no_cadre", "未落实帮扶干部", "households", True, VILLAGE),
    Item("no_measure", "识别超过期限仍无帮扶措施", "cases", True, VILLAGE | CADRES),
    Item("visit_overdue", "入户走访已逾期", "households", True, CADRES, due="visit_due"),
    Item("visit_due", "本期应入户走访", "households", roles=CADRES),
    Item("contact_overdue", "联系已逾期（脱贫户等）", "households", True, CADRES, due="contact_due"),
    Item("contact_due", "本月应联系（脱贫户等）", "households", roles=CADRES),
    Item("assessment_overdue", "成效评估已逾期", "households", True, CADRES, due="assessment_due"),
    Item("assessment_due", "本季度应开展成效评估", "households", roles=CADRES),
    Item("steps_waiting", "等待我办理的监测环节", "cases", roles=None),
    Item("identification_overdue", "识别超时", "cases", True),
    Item("publicity_ending", "公示即将期满", "cases", roles=VILLAGE),
]
# whose work the rows of a kind another app registers are, when its item names no roles (findings: the village
# verifies them)
KIND_ROLES = {"findings": VILLAGE}
# kind → (the list page whose ``?todo=`` filter shows the rows, the lookup of the rows' village)
KINDS = {"households": ("registry:household_list", "village"), "cases": ("monitoring:case_list", "household__village")}


def all_items() -> list[Item]:
    """The lines of 我的待办 in their order: this app's, then those other apps registered."""
    return [*ITEMS, *(source.item for source in registry.entries("worklist_items"))]


def kinds() -> dict[str, tuple[str, str]]:
    """Every kind of row an item holds → (its list page, the lookup of its village)."""
    registered = {
        source.item.kind: (source.list_url_name, source.village_lookup) for source in registry.entries("worklist_items")
    }
    return {**registered, **KINDS}


def is_own(item: Item, user) -> bool:
    """Whether the item is the user's own work: his role acts on its rows (the operator's: everything)."""
    if getattr(user, "is_superuser", False) or item.roles is None:
        return True
    roles = item.roles or KIND_ROLES.get(item.kind, frozenset())
    return getattr(user, "role", "") in roles


def _add_months(day: datetime.date, months: int) -> datetime.date:
    index = month_index(day) + months
    first = _first_of(index)
    last_day = (_first_of(index + 1) - datetime.timedelta(days=1)).day
    return first.replace(day=min(day.day, last_day))


@dataclass(frozen=True)
class Source:
    """Facts from one table: ``fact`` holds for a household when one of its ``rows`` meets ``facts[fact]`` (None:
    when it has such a row at all). ``unique``: a household has at most one such row (no grouping needed)."""

    alias: str
    model: type
    rows: Q
    facts: dict[str, Q | None]
    unique: bool = False

    def fact_expressions(self) -> dict:
        """Each fact as 1 where it holds, else NULL (as for a household without rows: no COALESCE needed)."""
        exprs = {}
        for fact, condition in self.facts.items():
            flag = Value(1) if condition is None else Case(When(condition, then=Value(1)))
            exprs[fact] = flag if self.unique else Max(flag)
        return exprs


class Scope:
    """The dates, settings and base querysets one worklist computation shares."""

    def __init__(self, user, today: datetime.date | None = None):
        self.user = user
        self.today = t = today or timezone.localdate()
        self.settings = s = RhythmSettings.for_region(user.region if getattr(user, "region_id", None) else None)
        self.households = Household.objects.restrict(user, "view")
        self.cases = MonitoringCase.objects.restrict(user, "view")
        self.stable_cutoff = _add_months(t, -s.stable_after_elimination_months)
        # (first day, last day) of the current period of each duty, and of the period before it
        self.visit, self.visit_before = (
            period_bounds(t, s.monitored_visit_months),
            period_bounds(t, s.monitored_visit_months, -1),
        )
        self.assessment, self.assessment_before = (
            period_bounds(t, s.monitored_assessment_months),
            period_bounds(t, s.monitored_assessment_months, -1),
        )
        self.lifted_visit, self.lifted_visit_before = (
            period_bounds(t, s.lifted_visit_months),
            period_bounds(t, s.lifted_visit_months, -1),
        )
        self.contact, self.contact_before = (
            period_bounds(t, s.lifted_contact_months),
            period_bounds(t, s.lifted_contact_months, -1),
        )

    def since_elimination(self, day: datetime.date) -> datetime.date:
        """Eliminated after the returned day: still on the monthly rhythm on ``day``."""
        return _add_months(day, -self.settings.stable_after_elimination_months)

    def sources(self) -> list[Source]:
        """The facts the household items are made of, by the table they come from."""
        t, s = self.today, self.settings
        home = Q(kind=IN_HOME)
        return [
            # the household's identified cases (identified by today)
            Source(
                "c",
                MonitoringCase,
                Q(identified_on__isnull=False, identified_on__lte=t),
                {
                    "open_late": Q(is_open=True, identified_on__lt=t - datetime.timedelta(days=s.cadre_within_days)),
                    "monitored": Q(eliminated_on__isnull=True, is_open=True) | Q(eliminated_on__gt=self.stable_cutoff),
                    "stable": Q(eliminated_on__lte=self.stable_cutoff),
                    "identified_before_visit_period": Q(identified_on__lte=self.visit_before[1]),
                    "identified_before_assessment_period": Q(identified_on__lte=self.assessment_before[1]),
                    "eliminated_late_for_lifted_visit": Q(
                        eliminated_on__gt=self.since_elimination(self.lifted_visit_before[1])
                    ),
                    "eliminated_late_for_contact": Q(eliminated_on__gt=self.since_elimination(self.contact_before[1])),
                },
            ),
            # visits up to today; only those of the periods below are read
            Source(
                "v",
                Visit,
                Q(visited_on__lte=t)
                & (
                    Q(visited_on__gte=min(self.contact[0], self.contact_before[0]))
                    | home & Q(visited_on__gte=min(self.visit_before[0], self.lifted_visit_before[0]))
                ),
                {
                    "visited": home & Q(visited_on__gte=self.visit[0]),
                    "visited_before": home & Q(visited_on__range=self.visit_before),
                    "lifted_visited": home & Q(visited_on__gte=self.lifted_visit[0]),
                    "lifted_visited_before": home & Q(visited_on__range=self.lifted_visit_before),
                    "contacted": Q(visited_on__gte=self.contact[0]),
                    "contacted_before": Q(visited_on__range=self.contact_before),
                },
            ),
            Source(
                "a",
                Assessment,
                Q(assessed_on__lte=t, assessed_on__gte=self.assessment_before[0]),
                {
                    "assessed": Q(assessed_on__gte=self.assessment[0]),
                    "assessed_before": Q(assessed_on__range=self.assessment_before),
                },
            ),
            # the current pairing, unique per household (pairing_one_current_per_household)
            Source("p", Pairing, Q(end_date__isnull=True), {"paired": None}, unique=True),
        ]


def household_conditions(f) -> dict[str, object]:
    """The household items as conditions over the facts (``f.<fact>``; ``f.lifted_type``: a 脱贫户).

    Monitored: identified and not eliminated, or eliminated less than N (6) months ago: a home visit every month and
    an assessment every quarter. Lifted: a 脱贫户 or eliminated N months ago or more, and not monitored: a contact
    every month and a home visit every quarter (DOMAIN.md §4). A duty is overdue when the period before also passed
    without it, and the duty already applied then. A cadre is due for every 脱贫户 and, past the allowed days, for
    every household identified and still open.
    """
    monitored = f.monitored
    lifted = (f.lifted_type | f.stable) & ~monitored
    no_visit = monitored & ~f.visited
    no_lifted_visit = lifted & ~f.lifted_visited
    no_contact = lifted & ~f.contacted
    no_assessment = monitored & ~f.assessed
    return {
        "no_cadre": (f.lifted_type | f.open_late) & ~f.paired,
        "visit_overdue": (no_visit & ~f.visited_before & f.identified_before_visit_period)
        | (no_lifted_visit & ~f.lifted_visited_before & ~f.eliminated_late_for_lifted_visit),
        "visit_due": no_visit | no_lifted_visit,
        "contact_overdue": no_contact & ~f.contacted_before & ~f.eliminated_late_for_contact,
        "contact_due": no_contact,
        "assessment_overdue": no_assessment & ~f.assessed_before & f.identified_before_assessment_period,
        "assessment_due": no_assessment,
    }


class _Sql(str):
    """A condition in SQL over the facts table, combined with ``&``, ``|`` and ``~``."""

    def __and__(self, other):
        return _Sql(f"({self} AND {other})")

    def __or__(self, other):
        return _Sql(f"({self} OR {other})")

    def __invert__(self):
        return _Sql(f"NOT ({self})")


class _Columns:
    """The facts table's columns as conditions: a fact is 1 where it holds and NULL elsewhere."""

    def __getattr__(self, fact: str) -> _Sql:
        return _Sql(f"f.{fact} IS NOT NULL")


HOUSEHOLD_ITEMS = frozenset(household_conditions(_Columns()))


def _narrow(user) -> bool:
    """Whether the user's scope is a small part of the database (a village, a cadre's households): then each table
    is read for those households alone. For a township, a county or everything, reading each table whole and
    joining is cheaper (measured in bench/bench_worklist.py)."""
    if getattr(user, "is_superuser", False):
        return False
    level = getattr(getattr(user, "region", None), "level", "county")
    return level not in ("county", "township") or getattr(user, "role", "") == CADRE


def _facts(sc: Scope, ids: tuple[int | None, int | None] = (None, None), name: str = "scope") -> tuple[str, list]:
    """SQL of one row per household in scope that may have a duty (a 脱贫户, or with an identified case):
    ``hid``, ``vid`` (its village) and every fact (1, or NULL where it does not hold).

    The households in scope are named once (``name``); for a narrow scope every table is read for them alone.
    ``ids``: only the households with ``low <= id < high`` (None: no bound), and only their rows of each table."""
    low, high = ids
    bounds = Q(**{"household_id__gte": low} if low is not None else {}) & Q(
        **{"household_id__lt": high} if high is not None else {}
    )
    households = sc.households.filter(
        Q(**{"pk__gte": low} if low is not None else {}) & Q(**{"pk__lt": high} if high is not None else {})
    )
    households = households.order_by().values(hid=F("pk"), vid=F("village_id"), htype=F("household_type"))
    scope_sql, params = households.query.sql_with_params()
    params = [*params, LIFTED_TYPE]
    columns, joins = ["h.hid", "h.vid", "CASE WHEN h.htype = %s THEN 1 END AS lifted_type"], []
    narrow = _narrow(sc.user)
    for source in sc.sources():
        rows = source.model.objects.filter(source.rows & bounds)
        if narrow:
            rows = rows.filter(household_id__in=RawSQL(f"SELECT hid FROM {name}", []))  # noqa: S608, S611
        rows = rows.order_by().values("household_id").annotate(**source.fact_expressions())
        sql, source_params = rows.query.sql_with_params()
        joins.append(f"LEFT JOIN ({sql}) {source.alias} ON {source.alias}.household_id = h.hid")
        params += source_params
        columns += [f"{source.alias}.{fact}" for fact in source.facts]
    sql = (
        f"WITH {name} AS ({scope_sql}) SELECT {', '.join(columns)} FROM {name} h {' '.join(joins)} "  # noqa: S608
        "WHERE h.htype = %s OR c.household_id IS NOT NULL"
    )  # (built from the ORM's SQL and the names above)
    return sql, [*params, LIFTED_TYPE]


def _household_queryset(sc: Scope, key: str) -> QuerySet:
    if sc.households.query.is_empty():  # nothing visible (e.g. a user without a region): no SQL to build
        return sc.households
    sql, params = _facts(sc)
    condition = household_conditions(_Columns())[key]
    # the SQL is the ORM's and the fact names of sources(); values are parameters
    return sc.households.filter(pk__in=RawSQL(f"SELECT f.hid FROM ({sql}) f WHERE {condition}", params))  # noqa: S608, S611


def _pieces(sc: Scope) -> list[tuple[int | None, int | None]]:
    """Household id ranges to count separately. On PostgreSQL, for a wide scope: one per process a parallel query
    may use (its workers and the leader), so that the pieces are counted at the same time, each reading only its
    part of every table (one statement over all households would have each worker repeat the whole pass over
    visits). Elsewhere, and for a narrow scope: one piece."""
    parts = 1
    if connection.vendor == "postgresql" and not _narrow(sc.user):
        with connection.cursor() as cursor:
            cursor.execute("SHOW max_parallel_workers_per_gather")
            parts = min(int(cursor.fetchone()[0]) + 1, 8)
    if parts == 1:
        return [(None, None)]
    ids = Household.objects.aggregate(low=Min("pk"), high=Max("pk"))
    if ids["low"] is None:
        return [(None, None)]
    cuts = [ids["low"] + (ids["high"] - ids["low"] + 1) * n // parts for n in range(1, parts)]
    return list(zip([None, *cuts], [*cuts, None], strict=True))


def _household_counts(sc: Scope, pieces: list[tuple[int | None, int | None]] | None = None) -> dict[str, dict]:
    """The household items' counts per village: village code → {"code", "name", key: count}."""
    if sc.households.query.is_empty():  # nothing visible (e.g. a user without a region): no SQL to build
        return {}
    conditions = household_conditions(_Columns())
    counts = ", ".join(
        f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS {key}" for key, condition in conditions.items()
    )
    selects, params = [], []
    for n, ids in enumerate(pieces or _pieces(sc)):
        sql, piece_params = _facts(sc, ids, name=f"scope{n}")
        selects.append(f"SELECT f.vid, {counts} FROM ({sql}) f GROUP BY f.vid")  # noqa: S608 - as in _facts
        params += piece_params
    totals = ", ".join(f"SUM({key}) AS {key}" for key in conditions)
    region = connection.ops.quote_name(Region._meta.db_table)
    sql = (
        f"SELECT r.code, r.name, n.* FROM (SELECT vid, {totals} FROM ({' UNION ALL '.join(selects)}) p "  # noqa: S608
        f"GROUP BY vid) n JOIN {region} r ON r.id = n.vid"
    )
    with _without_jit(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    keys = list(conditions)
    # like the other items' rows: a key only where the count is not 0
    return {
        code: {"code": code, "name": name, **{key: int(n) for key, n in zip(keys, values, strict=True) if n}}
        for code, name, _, *values in rows
    }


@contextmanager
def _without_jit():
    """On PostgreSQL, the counting statement runs without JIT compilation: with the default jit_above_cost the
    planner turns it on for a county, and compiling costs more than it saves (SET LOCAL: until the transaction, or
    the one around it, ends)."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        yield


def item_queryset(key: str, user, today: datetime.date | None = None) -> QuerySet:
    """The households or cases behind one worklist item (in the user's scope)."""
    return _queryset(Scope(user, today), key)


def _queryset(sc: Scope, key: str) -> QuerySet:
    user, s, t = sc.user, sc.settings, sc.today
    if key in HOUSEHOLD_ITEMS:
        return _household_queryset(sc, key)
    if key == "no_measure":
        late = t - datetime.timedelta(days=s.measure_within_days)
        measures = Measure.objects.filter(household=OuterRef("household")).exclude(status="终止")
        return sc.cases.filter(is_open=True, identified_on__isnull=False, identified_on__lt=late).exclude(
            Exists(measures)
        )
    if key == "steps_waiting":
        return cases_waiting_for(user)
    if key == "identification_overdue":
        return sc.cases.filter(pk__in=overdue_identification(sc.cases, today=t))
    if key == "publicity_ending":
        return sc.cases.filter(
            step=mc.PUBLICITY, publicity_end__isnull=False, publicity_end__lte=t + datetime.timedelta(days=3)
        )
    source = registry.keyed("worklist_items").get(key)
    if source is not None:
        return source.queryset(user, t)
    raise KeyError(key)


def _url(item: Item, kind_pages: dict[str, tuple[str, str]]) -> str:
    return f"{reverse(kind_pages[item.kind][0])}?todo={item.key}"


def tally(user, today: datetime.date | None = None) -> tuple[list[WorkItem], list[dict]]:
    """Every item with its count (in a fixed order, empty items included) and the same counts per village (sorted
    by code; only villages with something to do), computed together."""
    sc = Scope(user, today)
    rows = _household_counts(sc)
    items, kind_pages = all_items(), kinds()
    for item in items:
        if item.key in HOUSEHOLD_ITEMS:
            continue
        prefix = kind_pages[item.kind][1]
        qs = _queryset(sc, item.key)
        for row in qs.order_by().values(f"{prefix}__code", f"{prefix}__name").annotate(n=Count("pk", distinct=True)):
            code = row[f"{prefix}__code"]
            entry = rows.setdefault(code, {"code": code, "name": row[f"{prefix}__name"]})
            entry[item.key] = row["n"]
    villages = []
    for code in sorted(rows):
        entry = rows[code]
        entry["total"] = sum(entry.get(item.key, 0) for item in items)
        if entry["total"]:
            villages.append(entry)
    work = [
        WorkItem(
            item.key,
            item.label,
            sum(row.get(item.key, 0) for row in villages),
            _url(item, kind_pages),
            item.overdue,
            is_own(item, user),
            item.due,
        )
        for item in items
    ]
    return work, villages


def worklist(user, today: datetime.date | None = None) -> list[WorkItem]:
    """Every item with its count for this user, in a fixed order (empty items included); for today it also sets
    the badge."""
    day = today or timezone.localdate()
    items = tally(user, day)[0]
    remember_badge(user, items, day)
    return items


def per_village(user, today: datetime.date | None = None) -> list[dict]:
    """The same counts per village, for township and county users (sorted by code; villages with nothing to do
    are left out)."""
    return tally(user, today or timezone.localdate())[1]


def remember_badge(user, items: list[WorkItem], day: datetime.date) -> None:
    """The page that just counted everything also refreshes the badge on every other page."""
    if day == timezone.localdate():
        cache.set(_badge_key(user), badge_of(items), 60)


def _badge_key(user) -> str:
    return f"shoudi:todo:{user.pk}:{timezone.localdate()}"


def badge_of(items: list[WorkItem]) -> int:
    """The user's own work, each row once: an overdue item that is part of a due one is not added again, so the
    badge is the sum of the lines "我的待办" lists (their "其中已逾期" parts aside)."""
    return sum(w.count for w in items if w.own and not w.due)


def badge_count(user) -> int:
    """The number on the 待办 badge (cached for a minute: the badge is on every page)."""
    count = cache.get(_badge_key(user))
    if count is None:
        count = badge_of(tally(user)[0])
        cache.set(_badge_key(user), count, 60)
    return count
