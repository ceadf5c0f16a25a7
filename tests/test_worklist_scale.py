"""The set-based worklist (one grouped pass over each table) against the definitions as first written (one query per
item, an EXISTS per household), on a seeded county full of boundary dates, for every kind of user and across month,
quarter and year ends; also the shared work of one page and its query count."""

import datetime
import random

import pytest
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.test.utils import CaptureQueriesContext

from shoudi.accounts.testing import make_user, make_world
from shoudi.assistance.models import Assessment, Cadre, Measure, Pairing, RhythmSettings, Visit
from shoudi.assistance.rhythm import period_bounds
from shoudi.assistance.worklist import (
    Scope,
    _add_months,
    _household_counts,
    all_items,
    item_queryset,
    kinds,
    per_village,
    tally,
    worklist,
)
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.models import Household
from shoudi.registry.testing import make_household

D = datetime.date
HOUSEHOLD_ITEMS = [
    "no_cadre",
    "visit_overdue",
    "visit_due",
    "contact_overdue",
    "contact_due",
    "assessment_overdue",
    "assessment_due",
]
TODAYS = [
    D(2026, 11, 20),
    D(2026, 12, 1),
    D(2026, 12, 31),
    D(2027, 1, 1),
    D(2026, 10, 1),
    D(2026, 8, 31),
    D(2027, 2, 28),
]


# --- the oracle: the household items as first written ------------------------------------------------------------


class ReferenceScope:
    def __init__(self, user, today):
        self.today = today
        self.settings = RhythmSettings.for_region(user.region)
        self.households = Household.objects.restrict(user, "view")
        self.stable_cutoff = _add_months(today, -self.settings.stable_after_elimination_months)

    def identified(self, **extra):
        conditions = {"identified_on__isnull": False, "identified_on__lte": self.today, **extra}
        return Exists(MonitoringCase.objects.filter(household=OuterRef("pk"), **conditions))

    def monitored(self):
        return Q(self.identified(eliminated_on__isnull=True, is_open=True)) | Q(
            self.identified(eliminated_on__gt=self.stable_cutoff)
        )

    def lifted(self):
        stable = Q(self.identified(eliminated_on__lte=self.stable_cutoff))
        return (Q(household_type="脱贫户") | stable) & ~self.monitored()

    def visited(self, start, end, *, in_home):
        visits = Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=start, visited_on__lte=end)
        return Exists(visits.filter(kind="入户") if in_home else visits)

    def assessed(self, start, end):
        return Exists(Assessment.objects.filter(household=OuterRef("pk"), assessed_on__gte=start, assessed_on__lte=end))


def reference(key, user, today):
    sc = ReferenceScope(user, today)
    s, t, h = sc.settings, today, sc.households
    if key == "no_cadre":
        current = Exists(Pairing.objects.filter(household=OuterRef("pk"), end_date__isnull=True))
        late = t - datetime.timedelta(days=s.cadre_within_days)
        return h.filter(Q(household_type="脱贫户") | Q(sc.identified(is_open=True, identified_on__lt=late))).exclude(
            current
        )
    if key.startswith(("visit", "assessment")):
        months = s.monitored_visit_months if key.startswith("visit") else s.monitored_assessment_months
        start, _ = period_bounds(t, months)
        prev_start, prev_end = period_bounds(t, months, -1)
        done_now = sc.visited(start, t, in_home=True) if key.startswith("visit") else sc.assessed(start, t)
        monitored = h.filter(sc.monitored()).exclude(done_now)
        monitored_lifted = Q()
        if key.startswith("visit"):
            l_start, _ = period_bounds(t, s.lifted_visit_months)
            lp_start, lp_end = period_bounds(t, s.lifted_visit_months, -1)
            lifted = h.filter(sc.lifted()).exclude(sc.visited(l_start, t, in_home=True))
            if key == "visit_overdue":
                lifted = lifted.exclude(sc.visited(lp_start, lp_end, in_home=True)).exclude(
                    sc.identified(eliminated_on__gt=_add_months(lp_end, -s.stable_after_elimination_months))
                )
            monitored_lifted = Q(pk__in=lifted.values("pk"))
        if key.endswith("overdue"):
            done_before = (
                sc.visited(prev_start, prev_end, in_home=True)
                if key.startswith("visit")
                else sc.assessed(prev_start, prev_end)
            )
            monitored = monitored.exclude(done_before).filter(sc.identified(identified_on__lte=prev_end))
        return h.filter(Q(pk__in=monitored.values("pk")) | monitored_lifted)
    start, _ = period_bounds(t, s.lifted_contact_months)
    lifted = h.filter(sc.lifted()).exclude(sc.visited(start, t, in_home=False))
    if key == "contact_overdue":
        prev_start, prev_end = period_bounds(t, s.lifted_contact_months, -1)
        lifted = lifted.exclude(sc.visited(prev_start, prev_end, in_home=False)).exclude(
            sc.identified(eliminated_on__gt=_add_months(prev_end, -s.stable_after_elimination_months))
        )
    return lifted


def reference_tally(user, today):
    """(item → the pks it holds, the per-village rows) with the oracle for the household items."""
    held, rows = {}, {}
    for item in all_items():
        qs = reference(item.key, user, today) if item.key in HOUSEHOLD_ITEMS else item_queryset(item.key, user, today)
        prefix = kinds()[item.kind][1]
        found = list(qs.values_list("pk", f"{prefix}__code", f"{prefix}__name"))
        held[item.key] = {pk for pk, *_ in found}
        by_village = {}
        for pk, code, name in found:
            by_village.setdefault((code, name), set()).add(pk)
        for (code, name), pks in by_village.items():
            rows.setdefault(code, {"code": code, "name": name})[item.key] = len(pks)
    for entry in rows.values():
        entry["total"] = sum(entry.get(item.key, 0) for item in all_items())
    return held, sorted(rows.values(), key=lambda r: r["code"])


# --- a county full of boundary dates --------------------------------------------------------------------------


def boundary_days():
    """First and last days of every month from 2025-10 to 2027-03, and the days around them."""
    days = set()
    for index in range(2025 * 12 + 9, 2027 * 12 + 3):
        first = D(index // 12, index % 12 + 1, 1)
        days |= {
            first,
            first + datetime.timedelta(days=1),
            first - datetime.timedelta(days=1),
            first + datetime.timedelta(days=19),
        }
    days |= {today + datetime.timedelta(days=n) for today in TODAYS for n in (-10, -11, -30, -31, 0, 1)}
    return sorted(days)


pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker):
    """(world, users) of the seeded county, built once for the module in a transaction rolled back after the last
    test; each test's own writes (settings, villages, users) are undone after it as usual."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seeded_county(make_world())
        transaction.set_rollback(True)


def seeded_county(world):
    rng = random.Random(20261120)
    days = boundary_days()
    cadre_user = make_user("cadre_scale", "cadre", world.village_a, name="干部")
    cadres = [
        Cadre.objects.create(name="干部", unit="县农业农村局", region=world.village_a, user=cadre_user),
        Cadre.objects.create(name="干部乙", unit="县教育局", region=world.county),
    ]
    villages = [world.village_a] * 30 + [world.village_a2] * 15 + [world.village_b] * 15 + [world.other_village] * 8
    visits, assessments, measures = [], [], []
    for n, village in enumerate(villages):
        home = make_household(
            village, household_no=f"S{n:03d}", head="", household_type="脱贫户" if rng.random() < 0.45 else "一般农户"
        )
        cases = []
        shape = rng.choice(
            ["none", "none", "open", "open", "eliminated", "returned", "closed", "working", "elimination_chain"]
        )
        identified = rng.choice(days)
        if shape in ("open", "elimination_chain"):
            chain, step = (
                (mc.ELIMINATION, rng.choice(mc.WORKING_STEPS))
                if shape == "elimination_chain"
                else (mc.IDENTIFICATION, mc.MONITORING)
            )
            cases.append(
                MonitoringCase(
                    household=home,
                    clue_date=identified,
                    identified_on=identified,
                    chain=chain,
                    step=step,
                    source="农户自主申报",
                )
            )
        elif shape in ("eliminated", "returned", "closed"):
            eliminated = rng.choice([d for d in days if d > identified] or [identified])
            cases.append(
                MonitoringCase(
                    household=home,
                    clue_date=identified,
                    identified_on=identified,
                    eliminated_on=None if shape == "closed" else eliminated,
                    step=mc.REJECTED if shape == "closed" else mc.ELIMINATED,
                    is_open=False,
                    chain=mc.ELIMINATION,
                    source="农户自主申报",
                )
            )
            if shape == "returned":
                again = rng.choice([d for d in days if d > eliminated] or [eliminated])
                cases.append(
                    MonitoringCase(
                        household=home, clue_date=again, identified_on=again, step=mc.MONITORING, source="农户自主申报"
                    )
                )
        elif shape == "working":
            step = rng.choice(mc.WORKING_STEPS)
            cases.append(
                MonitoringCase(
                    household=home,
                    clue_date=identified,
                    step=step,
                    source="农户自主申报",
                    publicity_end=identified + datetime.timedelta(days=5) if step == mc.PUBLICITY else None,
                )
            )
        for case in cases:
            case.save()
        if rng.random() < 0.3:
            start = rng.choice(days)
            Pairing.objects.create(
                household=home,
                cadre=cadres[1],
                start_date=start - datetime.timedelta(days=90),
                end_date=start - datetime.timedelta(days=1),
            )
        if rng.random() < 0.65:
            Pairing.objects.create(household=home, cadre=rng.choice(cadres), start_date=rng.choice(days))
        for _ in range(rng.randrange(0, 9)):
            visits.append(
                Visit(
                    household=home,
                    visited_on=rng.choice(days),
                    kind=rng.choice(["入户", "电话", "微信"]),
                    visitor="干部",
                    content="走访",
                )
            )
        identified_cases = [c for c in cases if c.identified_on]
        if identified_cases:
            case = identified_cases[-1]
            for quarter_start in rng.sample([d for d in days if d.day == 1 and d.month % 3 == 1], 3):
                assessments.append(
                    Assessment(
                        case=case,
                        household=home,
                        year=quarter_start.year,
                        quarter=(quarter_start.month - 1) // 3 + 1,
                        assessed_on=quarter_start + datetime.timedelta(days=rng.randrange(90)),
                        measures_effective=True,
                        income_trend="上升",
                        risk_status="稳定",
                    )
                )
            if rng.random() < 0.6:
                measures.append(
                    Measure(
                        household=home,
                        case=case,
                        category="产业帮扶",
                        sub_item="种植业",
                        content="种植",
                        status=rng.choice(["计划", "实施中", "已落实", "终止"]),
                    )
                )
    edge_households(world, visits, assessments)
    Visit.objects.bulk_create(visits)
    Assessment.objects.bulk_create(assessments)
    Measure.objects.bulk_create(measures)
    superuser = make_user("root_scale", "county_admin", world.county, is_superuser=True)
    return world, [world.admin, world.reviewer_a, world.officer_a, world.officer_b, cadre_user, superuser]


def edge_households(world, visits, assessments):
    """For each day checked, households exactly on its boundaries (default rhythm): visits on the first day of the
    period and the last day of the one before, eliminations on the six-month cut-off and where the lighter duty
    begins, identification on the end of the period before and on the cadre deadline."""
    for today in TODAYS:
        sc = Scope(world.admin, today)

        def household(kind="一般农户", identified=None, eliminated=None, **case):
            home = make_household(world.village_a2, head="", household_type=kind)
            if identified:
                MonitoringCase.objects.create(
                    household=home,
                    clue_date=identified,
                    identified_on=identified,
                    eliminated_on=eliminated,
                    is_open=eliminated is None,
                    step=mc.ELIMINATED if eliminated else mc.MONITORING,
                    source="农户自主申报",
                    **case,
                )
            return home

        def visit(home, day, kind="入户"):
            visits.append(Visit(household=home, visited_on=day, kind=kind, visitor="干部", content="走访"))

        long_ago = today - datetime.timedelta(days=400)
        visit(household(identified=long_ago), sc.visit[0])
        visit(household(identified=long_ago), sc.visit_before[1])
        visit(household(identified=long_ago), today + datetime.timedelta(days=1))
        visit(household(kind="脱贫户"), sc.lifted_visit[0])
        visit(household(kind="脱贫户"), sc.contact_before[1], kind="电话")
        visit(household(kind="脱贫户"), sc.lifted_visit_before[0])
        for eliminated in (
            sc.stable_cutoff,
            sc.stable_cutoff + datetime.timedelta(days=1),
            sc.since_elimination(sc.contact_before[1]),
            sc.since_elimination(sc.contact_before[1]) + datetime.timedelta(days=1),
            sc.since_elimination(sc.lifted_visit_before[1]) + datetime.timedelta(days=1),
        ):
            household(identified=long_ago, eliminated=eliminated)
        for identified in (
            sc.visit_before[1],
            sc.visit_before[1] + datetime.timedelta(days=1),
            sc.assessment_before[1],
            sc.assessment_before[1] + datetime.timedelta(days=1),
            today - datetime.timedelta(days=10),
            today - datetime.timedelta(days=11),
            today,
        ):
            household(identified=identified)
        for day in (sc.assessment[0], sc.assessment_before[1]):
            home = household(identified=long_ago)
            assessments.append(
                Assessment(
                    case=home.cases.get(),
                    household=home,
                    year=day.year,
                    quarter=(day.month - 1) // 3 + 1,
                    assessed_on=day,
                    measures_effective=True,
                    income_trend="上升",
                    risk_status="稳定",
                )
            )


def assert_same_as_reference(users, today):
    for user in users:
        held, village_rows = reference_tally(user, today)
        for key in HOUSEHOLD_ITEMS:
            assert set(item_queryset(key, user, today).values_list("pk", flat=True)) == held[key], (user, key, today)
        items, villages = tally(user, today)
        assert villages == village_rows, (user, today)
        assert {w.key: w.count for w in items} == {key: len(pks) for key, pks in held.items()}, (user, today)


@pytest.mark.parametrize("today", TODAYS)
def test_every_item_matches_the_definitions_as_first_written(county, today):
    world, users = county
    assert_same_as_reference(users, today)


def test_configured_rhythm_matches_too(county):
    world, users = county
    RhythmSettings.objects.create(
        region=world.county,
        monitored_visit_months=2,
        monitored_assessment_months=6,
        stable_after_elimination_months=3,
        lifted_contact_months=2,
        lifted_visit_months=4,
        cadre_within_days=5,
        measure_within_days=15,
    )
    for today in (D(2026, 12, 31), D(2027, 1, 1), D(2026, 8, 31)):
        assert_same_as_reference(users, today)


def test_the_data_exercises_every_item(county):
    """Guard for the comparisons above: each household item holds for some household on some day."""
    world, users = county
    for key in HOUSEHOLD_ITEMS:
        assert any(reference(key, world.admin, today).exists() for today in TODAYS), key


def test_counting_in_pieces_gives_the_same_rows(county):
    """PostgreSQL counts a wide scope in household id ranges at once; any cut gives the same rows."""
    world, users = county
    ids = sorted(Household.objects.values_list("pk", flat=True))
    cuts = [ids[len(ids) // 3], ids[2 * len(ids) // 3], ids[-1]]
    for user in users:
        for today in (D(2026, 11, 20), D(2027, 1, 1)):
            whole = _household_counts(Scope(user, today), [(None, None)])
            assert whole == _household_counts(
                Scope(user, today), [(None, cuts[0]), (cuts[0], cuts[1]), (cuts[1], cuts[2]), (cuts[2], None)]
            )
            assert whole == _household_counts(Scope(user, today), [(None, ids[0]), (ids[0], None)])


def test_one_page_computes_the_counts_once(county, client_for):
    world, users = county
    with CaptureQueriesContext(connection) as page:
        response = client_for(world.admin).get("/assistance/todo/")
    assert response.status_code == 200 and "分村统计" in response.content.decode()
    statements = [q["sql"] for q in page.captured_queries]
    assert sum("lifted_type" in sql for sql in statements) == 1  # the households' facts: one statement for all


def test_query_count_does_not_grow_with_villages(county):
    world, users = county
    today = D(2026, 11, 20)
    with CaptureQueriesContext(connection) as few:
        tally(world.admin, today)
    for code in ("520102001003", "520102001004", "520102002002"):
        from shoudi.accounts.testing import make_region

        village = make_region(code, "新村")
        monitored = make_household(village, head="", household_type="脱贫户")
        MonitoringCase.objects.create(
            household=monitored,
            clue_date=D(2026, 9, 1),
            identified_on=D(2026, 9, 1),
            step=mc.PUBLICITY,
            publicity_end=today,
            source="农户自主申报",
        )
    with CaptureQueriesContext(connection) as more:
        items, villages = tally(world.admin, today)
    assert len(more.captured_queries) == len(few.captured_queries)
    assert {"520102001003", "520102001004", "520102002002"} <= {row["code"] for row in villages}


def test_items_and_village_table_are_one_computation(county):
    """tally() gives the worklist and the village table together: every item is the sum of its village rows, and
    worklist()/per_village() give the same figures on their own."""
    world, users = county
    today = D(2026, 11, 20)
    items, villages = tally(world.admin, today)
    for item in items:
        assert item.count == sum(row.get(item.key, 0) for row in villages), item.key
    assert worklist(world.admin, today) == items
    assert per_village(world.admin, today) == villages


def test_a_user_who_sees_no_household_has_an_empty_worklist(county, client_for):
    world, users = county
    nowhere = make_user("nowhere", "county_admin", world.county)
    nowhere.region = None
    nowhere.save()
    items, villages = tally(nowhere, D(2026, 11, 20))
    assert villages == [] and all(w.count == 0 for w in items if w.key in HOUSEHOLD_ITEMS)
    assert not item_queryset("visit_due", nowhere, D(2026, 11, 20)).exists()
    assert client_for(nowhere).get("/assistance/todo/").status_code == 200
