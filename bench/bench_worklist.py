"""Benchmark: 我的待办 (shoudi.assistance.worklist) of a county admin over a county of N households.

Target (issue): the worklist page of a county admin over the 1,000,000-household data renders in ≤ 1 s.

The script builds a PostgreSQL database with the shared synthetic county of bench/_data.py (regions, households)
and, set-based in SQL, the assistance data a county really has: monitoring cases (open and identified, eliminated,
in every working step, in publicity), cadres and pairings, measures, visits and assessments, dated around today.
It then measures in one process:

- baseline: one raw SQL statement computing every item's count for the whole county (the least the database must
  do to know the counts), run in the session settings the worklist uses (one process, no JIT; also shown with the
  server's defaults);
- ``worklist(admin)``: all items with their counts;
- ``per_village(admin)``: the same counts per village (a fresh user object, so nothing is shared with the above);
- the page: GET /assistance/todo/ through the Django test client, rendering included, with the badge cache
  cleared first, then a second GET with the badge cached;
- for comparison, the worklist of a township reviewer (50 villages) and of a village officer.

Each is run --repeat times; it prints the median and the best seconds (the machine may be shared, so it also prints
the load average), the ratios of the medians to the baseline, and fails if the counts of ``worklist`` differ from the
baseline's or the per-village rows do not add up to them.

    .venv/bin/python bench/bench_worklist.py [--households 1000000] [--keep] [--rebuild] [--setup-only] [--repeat 3]
        [--server postgres://postgres@127.0.0.1:5432] [--database shoudi_bench_worklist]

With --keep the database is kept, and a later run with --keep reuses it when it holds N households (--rebuild
forces a fresh one).
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
from dataclasses import dataclass

from _data import (
    COUNTY,
    HOUSEHOLDS,
    RAND_FUNCTION,
    TOWNSHIPS,
    VILLAGES_PER_TOWNSHIP,
    add_database_args,
    create_regions,
    database_exists,
    peak_rss_mib,
    recreate_database,
    run_steps,
    start_django,
    timed,
    vacuum_analyze,
)

ADMIN, TOWNSHIP_USER, VILLAGE_USER = "bench_county_admin", "bench_township_reviewer", "bench_village_officer"
WORKING_STEPS = "ARRAY['verification', 'village_review', 'publicity', 'township_review', 'county_review']"

# Cases, at most one per household (salts 20–22):
# ~3 % open and identified (identified_on spread over two years; 2 % of them already in the elimination chain),
# ~1 % eliminated within the last year, ~0.15 % in the identification chain's working steps (a few hundred per
# step; clues up to 30 days old, so about half are past the 15-day limit; publicity ending from today-2 to today+5).
CASES = f"""
INSERT INTO monitoring_monitoringcase (created_at, updated_at, category, risk_types, disaster_subtype, source,
    clue_date, clue_note, clue_rules, clue_figures, chain, step, step_since, is_open, returned_reason,
    publicity_start, publicity_end, identified_on, elimination_applied_on, eliminated_on, elimination_type,
    delayed_exit_confirmed, closed_reason, imported, household_id)
SELECT now(), now(), CASE WHEN lifted THEN '脱贫不稳定户' ELSE '边缘易致贫户' END, '["因病"]'::jsonb, '',
       '基层干部排查', COALESCE(identified_on - 12, %(today)s::date - (a * 30)::int), '', '[]'::jsonb, '{{}}'::jsonb,
       chain, step, now(), kind <> 'eliminated', '',
       CASE WHEN step = 'publicity' THEN %(today)s::date - 5 + (g %% 3)::int END,
       CASE WHEN step = 'publicity' THEN %(today)s::date - 2 + (g %% 8)::int END,
       identified_on, CASE WHEN chain = 'elimination' THEN COALESCE(eliminated_on, %(today)s::date) - 20 END,
       eliminated_on, CASE WHEN eliminated_on IS NOT NULL THEN '帮扶消除' ELSE '' END, false,
       CASE WHEN eliminated_on IS NOT NULL THEN '风险已消除' ELSE '' END, false, g
FROM (SELECT g, lifted, kind, a,
             CASE WHEN kind = 'open' THEN %(today)s::date - (a * 730)::int
                  WHEN kind = 'eliminated' THEN %(today)s::date - (a * 365)::int - 90 - (b * 600)::int
             END AS identified_on,
             CASE WHEN kind = 'eliminated' THEN %(today)s::date - (a * 365)::int END AS eliminated_on,
             CASE WHEN kind = 'eliminated' OR (kind = 'open' AND b < 0.02) THEN 'elimination'
                  ELSE 'identification' END AS chain,
             CASE WHEN kind = 'eliminated' THEN 'eliminated' WHEN kind = 'open' AND b >= 0.02 THEN 'monitoring'
                  ELSE ({WORKING_STEPS})[1 + (g %% 5)::int] END AS step
      FROM (SELECT g, pg_temp.r(g, 1) < 0.25 AS lifted, pg_temp.r(g, 21) AS a, pg_temp.r(g, 22) AS b,
                   CASE WHEN u < 0.03 THEN 'open' WHEN u < 0.04 THEN 'eliminated' ELSE 'working' END AS kind
            FROM (SELECT g, pg_temp.r(g, 20) AS u FROM generate_series(1, %(n)s) AS g OFFSET 0) AS x
            WHERE u < 0.0415 OFFSET 0) AS y) AS z
"""

# Who needs a cadre: every 脱贫户 and every household with an open identified case.
NEEDING = """
WITH needing AS (
    SELECT h.id, h.village_id, c.identified_on
    FROM registry_household h
    LEFT JOIN monitoring_monitoringcase c ON c.household_id = h.id AND c.is_open AND c.identified_on IS NOT NULL
    WHERE h.household_type = '脱贫户' OR c.id IS NOT NULL
)
"""
# One cadre per 18 needing households of the village, from the county's departments.
CADRES = (
    NEEDING
    + """
INSERT INTO assistance_cadre (created_at, updated_at, name, unit, position, phone, region_id, user_id, active)
SELECT now(), now(), '干部' || v.village_id || '-' || k,
       (ARRAY['县农业农村局', '县教育局', '县卫健局', '县财政局', '县人社局', '乡镇党政办'])[1 + k %% 6], '科员', '',
       v.village_id, NULL, true
FROM (SELECT village_id, count(*) AS n FROM needing GROUP BY village_id) AS v,
     generate_series(1, ceil(v.n / 18.0)::int) AS k
"""
)
# ~99 % of the needing households are paired (salt 30) with their village's cadres, 18 each, from a date after
# identification (脱贫户: some day in 2021–2022).
PAIRINGS = (
    NEEDING
    + """
INSERT INTO assistance_pairing (created_at, updated_at, household_id, cadre_id, start_date, end_date, reason,
    end_reason)
SELECT now(), now(), n.id, c.id,
       LEAST(%(today)s::date,
             COALESCE(n.identified_on + 3 + (n.id %% 6)::int, date '2021-03-01' + (n.id %% 700)::int)),
       NULL, '', ''
FROM (SELECT id, village_id, identified_on,
             (row_number() OVER (PARTITION BY village_id ORDER BY id) - 1) / 18 + 1 AS k FROM needing) AS n
JOIN (SELECT id, region_id, row_number() OVER (PARTITION BY region_id ORDER BY id) AS k FROM assistance_cadre) AS c
  ON c.region_id = n.village_id AND c.k = n.k
WHERE pg_temp.r(n.id, 30) < 0.99
"""
)
# ~5 % of the paired households had another cadre before (salt 31): an ended pairing.
ENDED_PAIRINGS = """
INSERT INTO assistance_pairing (created_at, updated_at, household_id, cadre_id, start_date, end_date, reason,
    end_reason)
SELECT now(), now(), household_id, cadre_id, start_date - 400, start_date - 1, '', '干部调整'
FROM assistance_pairing WHERE end_date IS NULL AND pg_temp.r(household_id, 31) < 0.05
"""
# Measures for ~95 % of the open identified cases and every eliminated one (salt 32), a second one for ~30 %
# (salt 33); ~1 % 终止 (salt 34), which does not count as a measure.
MEASURES = """
INSERT INTO assistance_measure (created_at, updated_at, household_id, case_id, category, sub_item, content, amount,
    department, planned_on, implemented_on, status)
SELECT now(), now(), household_id, id, (ARRAY['产业帮扶', '就业帮扶', '健康帮扶'])[1 + ((household_id + m) %% 3)::int],
       (ARRAY['种植业', '劳务输出', '医疗救助'])[1 + ((household_id + m) %% 3)::int], '帮扶措施', 2000, '县农业农村局',
       identified_on + 5 * m, CASE WHEN identified_on + 20 * m <= %(today)s::date THEN identified_on + 20 * m END,
       CASE WHEN pg_temp.r(household_id, 34) < 0.01 THEN '终止'
            WHEN identified_on + 20 * m <= %(today)s::date THEN '已落实' ELSE '实施中' END
FROM (SELECT id, household_id, identified_on, is_open, pg_temp.r(household_id, 32) AS u,
             pg_temp.r(household_id, 33) AS w
      FROM monitoring_monitoringcase WHERE identified_on IS NOT NULL OFFSET 0) AS c
CROSS JOIN generate_series(1, 2) AS m
WHERE (NOT is_open OR u < 0.95) AND (m = 1 OR w < 0.3)
"""
# Monitored: identified and open, or eliminated less than 6 months ago (the monthly rhythm).
MONITORED = """
SELECT c.id, c.household_id, c.identified_on FROM monitoring_monitoringcase c
WHERE c.identified_on IS NOT NULL AND (c.is_open OR c.eliminated_on > %(stable_cutoff)s)
"""
# Lifted: 脱贫户 and households eliminated 6 months ago or more, unless monitored.
LIFTED_HOUSEHOLDS = """
SELECT h.id AS household_id FROM registry_household h
LEFT JOIN monitoring_monitoringcase c ON c.household_id = h.id AND c.identified_on IS NOT NULL
WHERE (h.household_type = '脱贫户' OR c.eliminated_on <= %(stable_cutoff)s)
  AND NOT (c.id IS NOT NULL AND (c.is_open OR c.eliminated_on > %(stable_cutoff)s))
"""
# The current month and the three before it.
MONTHS = """
SELECT k, s AS first, LEAST((s + interval '1 month')::date - 1, %(today)s::date) AS last
FROM generate_series(0, 3) AS k, LATERAL (SELECT (date_trunc('month', %(today)s::date)
                                                 - make_interval(months => k))::date AS s) AS m
"""
VISIT = """
INSERT INTO assistance_visit (created_at, updated_at, household_id, cadre_id, visited_on, kind, visitor, content,
    food_clothing_ok, education_ok, medical_ok, housing_ok, water_ok, latitude, longitude)
"""
# Monitored households: a home visit in ~85 % of the months since identification (salts 40–47).
MONITORED_VISITS = (
    VISIT
    + f"""
SELECT now(), now(), household_id, NULL, GREATEST(identified_on, first + floor(v * (last - first + 1))::int), '入户',
       '帮扶干部', '入户走访', true, true, true, true, true, NULL, NULL
FROM (SELECT mon.household_id, mon.identified_on, months.first, months.last,
             pg_temp.r(mon.household_id, 40 + k) AS u, pg_temp.r(mon.household_id, 44 + k) AS v
      FROM ({MONITORED}) AS mon, ({MONTHS}) AS months WHERE mon.identified_on <= months.last OFFSET 0) AS x
WHERE u < 0.85
"""
)
# Lifted households: a phone or WeChat contact in ~90 % of the months (salts 50–57, kind 58).
LIFTED_CONTACTS = (
    VISIT
    + f"""
SELECT now(), now(), household_id, NULL, first + floor(v * (last - first + 1))::int,
       CASE WHEN pg_temp.r(household_id, 58) < 0.8 THEN '电话' ELSE '微信' END, '帮扶干部', '电话联系',
       NULL, NULL, NULL, NULL, NULL, NULL, NULL
FROM (SELECT lifted.household_id, months.first, months.last,
             pg_temp.r(lifted.household_id, 50 + k) AS u, pg_temp.r(lifted.household_id, 54 + k) AS v
      FROM ({LIFTED_HOUSEHOLDS}) AS lifted, ({MONTHS}) AS months OFFSET 0) AS x
WHERE u < 0.9
"""
)
# Lifted households: a home visit in the previous quarter for ~90 %, in this quarter so far for ~50 % (salts 70–73).
QUARTERS = """
SELECT 0 AS k, (date_trunc('quarter', %(today)s::date) - interval '3 months')::date AS first,
       date_trunc('quarter', %(today)s::date)::date - 1 AS last, 0.9 AS p
UNION ALL
SELECT 1, date_trunc('quarter', %(today)s::date)::date, %(today)s::date, 0.5
"""
LIFTED_VISITS = (
    VISIT
    + f"""
SELECT now(), now(), household_id, NULL, first + floor(v * (last - first + 1))::int, '入户', '帮扶干部', '入户走访',
       true, true, true, true, true, NULL, NULL
FROM (SELECT lifted.household_id, q.first, q.last, q.p,
             pg_temp.r(lifted.household_id, 70 + k) AS u, pg_temp.r(lifted.household_id, 72 + k) AS v
      FROM ({LIFTED_HOUSEHOLDS}) AS lifted, ({QUARTERS}) AS q OFFSET 0) AS x
WHERE u < p
"""
)
# Monitored households: an assessment last quarter for ~85 %, this quarter so far for ~40 % (salts 60–63).
ASSESSMENTS = f"""
INSERT INTO assistance_assessment (created_at, updated_at, case_id, household_id, year, quarter, assessed_on,
    measures_effective, income_trend, risk_status, note, assessor_id)
SELECT now(), now(), id, household_id, extract(year FROM d)::int, extract(quarter FROM d)::int, d, true, '上升',
       '稳定', '', NULL
FROM (SELECT mon.id, mon.household_id, GREATEST(mon.identified_on, q.first
                 + floor(pg_temp.r(mon.household_id, 62 + q.k) * (q.last - q.first + 1))::int) AS d,
             pg_temp.r(mon.household_id, 60 + q.k) AS u, CASE WHEN q.k = 0 THEN 0.85 ELSE 0.4 END AS p
      FROM ({MONITORED}) AS mon, ({QUARTERS}) AS q WHERE mon.identified_on <= q.last OFFSET 0) AS x
WHERE u < p
"""

# The baseline: every item's count for the county in one statement, with the same dates and settings as the
# worklist. Per household: what its cases, visits, assessments and current pairing say (one pass over each table),
# then the items as conditions over those facts.
BASELINE = """
WITH hh AS (
    SELECT h.id, h.household_type = '脱贫户' AS lifted_type
    FROM registry_household h JOIN regions_region v ON v.id = h.village_id
    WHERE v.code LIKE %(scope)s
), c AS (
    SELECT household_id,
           bool_or(is_open AND identified_on < %(cadre_late)s) AS open_late,
           bool_or((eliminated_on IS NULL AND is_open) OR eliminated_on > %(stable_cutoff)s) AS mon,
           bool_or(eliminated_on <= %(stable_cutoff)s) AS stable,
           bool_or(identified_on <= %(visit_prev_end)s) AS identified_before_visit,
           bool_or(identified_on <= %(assessment_prev_end)s) AS identified_before_assessment,
           bool_or(eliminated_on > %(lifted_visit_eliminated)s) AS recent_for_visit,
           bool_or(eliminated_on > %(contact_eliminated)s) AS recent_for_contact
    FROM monitoring_monitoringcase WHERE identified_on IS NOT NULL AND identified_on <= %(today)s
    GROUP BY household_id
), v AS (
    SELECT household_id,
           bool_or(kind = '入户' AND visited_on >= %(visit_start)s) AS visit_now,
           bool_or(kind = '入户' AND visited_on BETWEEN %(visit_prev_start)s AND %(visit_prev_end)s) AS visit_prev,
           bool_or(kind = '入户' AND visited_on >= %(lifted_visit_start)s) AS lifted_visit_now,
           bool_or(kind = '入户' AND visited_on BETWEEN %(lifted_visit_prev_start)s AND %(lifted_visit_prev_end)s)
               AS lifted_visit_prev,
           bool_or(visited_on >= %(contact_start)s) AS contact_now,
           bool_or(visited_on BETWEEN %(contact_prev_start)s AND %(contact_prev_end)s) AS contact_prev
    FROM assistance_visit WHERE visited_on BETWEEN %(visits_from)s AND %(today)s
    GROUP BY household_id
), a AS (
    SELECT household_id, bool_or(assessed_on >= %(assessment_start)s) AS assessed_now,
           bool_or(assessed_on BETWEEN %(assessment_prev_start)s AND %(assessment_prev_end)s) AS assessed_prev
    FROM assistance_assessment WHERE assessed_on BETWEEN %(assessments_from)s AND %(today)s
    GROUP BY household_id
), f AS (
    SELECT hh.lifted_type, p.household_id IS NOT NULL AS paired,
           coalesce(c.open_late, false) AS open_late, coalesce(c.mon, false) AS mon,
           (hh.lifted_type OR coalesce(c.stable, false)) AND NOT coalesce(c.mon, false) AS lifted,
           coalesce(c.identified_before_visit, false) AS identified_before_visit,
           coalesce(c.identified_before_assessment, false) AS identified_before_assessment,
           coalesce(c.recent_for_visit, false) AS recent_for_visit,
           coalesce(c.recent_for_contact, false) AS recent_for_contact,
           coalesce(v.visit_now, false) AS visit_now, coalesce(v.visit_prev, false) AS visit_prev,
           coalesce(v.lifted_visit_now, false) AS lifted_visit_now,
           coalesce(v.lifted_visit_prev, false) AS lifted_visit_prev,
           coalesce(v.contact_now, false) AS contact_now, coalesce(v.contact_prev, false) AS contact_prev,
           coalesce(a.assessed_now, false) AS assessed_now, coalesce(a.assessed_prev, false) AS assessed_prev
    FROM hh
    LEFT JOIN c ON c.household_id = hh.id
    LEFT JOIN v ON v.household_id = hh.id
    LEFT JOIN a ON a.household_id = hh.id
    LEFT JOIN assistance_pairing p ON p.household_id = hh.id AND p.end_date IS NULL
    WHERE hh.lifted_type OR c.household_id IS NOT NULL
), cases AS (
    SELECT mc.* FROM monitoring_monitoringcase mc
    JOIN registry_household h ON h.id = mc.household_id JOIN regions_region v ON v.id = h.village_id
    WHERE v.code LIKE %(scope)s
)
SELECT
    count(*) FILTER (WHERE (lifted_type OR open_late) AND NOT paired),
    (SELECT count(*) FROM cases WHERE is_open AND identified_on < %(measure_late)s
       AND NOT EXISTS (SELECT 1 FROM assistance_measure m WHERE m.household_id = cases.household_id
                       AND m.status <> '终止')),
    count(*) FILTER (WHERE (mon AND NOT visit_now AND NOT visit_prev AND identified_before_visit)
                        OR (lifted AND NOT lifted_visit_now AND NOT lifted_visit_prev AND NOT recent_for_visit)),
    count(*) FILTER (WHERE (mon AND NOT visit_now) OR (lifted AND NOT lifted_visit_now)),
    count(*) FILTER (WHERE lifted AND NOT contact_now AND NOT contact_prev AND NOT recent_for_contact),
    count(*) FILTER (WHERE lifted AND NOT contact_now),
    count(*) FILTER (WHERE mon AND NOT assessed_now AND NOT assessed_prev AND identified_before_assessment),
    count(*) FILTER (WHERE mon AND NOT assessed_now),
    (SELECT count(*) FROM cases WHERE is_open AND step = ANY(%(steps)s)),
    (SELECT count(*) FROM cases WHERE chain = 'identification' AND step = ANY(%(working_steps)s)
       AND clue_date < %(identification_late)s),
    (SELECT count(*) FROM cases WHERE step = 'publicity' AND publicity_end <= %(publicity_soon)s)
FROM f
"""
BASELINE_ITEMS = [
    "no_cadre",
    "no_measure",
    "visit_overdue",
    "visit_due",
    "contact_overdue",
    "contact_due",
    "assessment_overdue",
    "assessment_due",
    "steps_waiting",
    "identification_overdue",
    "publicity_ending",
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_args(parser, database="shoudi_bench_worklist")
    parser.add_argument("--rebuild", action="store_true", help="build a fresh database even with --keep")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each measurement (the median is shown)")
    parser.add_argument("--setup-only", action="store_true", help="build (or reuse) the database, measure nothing")
    return parser.parse_args()


def stable_cutoff(today: datetime.date, months: int) -> datetime.date:
    from shoudi.assistance.worklist import _add_months

    return _add_months(today, -months)


def setup_data(n: int, today: datetime.date) -> None:
    from django.db import connection, transaction

    from shoudi.accounts.roles import COUNTY_ADMIN
    from shoudi.accounts.testing import make_user
    from shoudi.assistance.models import RhythmSettings

    county = create_regions()
    make_user(ADMIN, COUNTY_ADMIN, county, name="基准县管理员")
    params = {
        "n": n,
        "villages": TOWNSHIPS * VILLAGES_PER_TOWNSHIP,
        "today": today,
        "stable_cutoff": stable_cutoff(today, RhythmSettings.for_region(COUNTY).stable_after_elimination_months),
    }
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(RAND_FUNCTION)
        run_steps(
            cur,
            [
                ("households", HOUSEHOLDS, None),
                ("cases", CASES, None),
                ("cadres", CADRES, None),
                ("pairings", PAIRINGS, None),
                ("ended pairings", ENDED_PAIRINGS, None),
                ("measures", MEASURES, None),
                ("home visits", MONITORED_VISITS, None),
                ("contacts", LIFTED_CONTACTS, None),
                ("lifted visits", LIFTED_VISITS, None),
                ("assessments", ASSESSMENTS, None),
            ],
            params,
        )
        for table in (
            "registry_household",
            "monitoring_monitoringcase",
            "assistance_cadre",
            "assistance_pairing",
            "assistance_measure",
            "assistance_visit",
            "assistance_assessment",
        ):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    vacuum_analyze()


def baseline_params(user, today: datetime.date) -> dict:
    """The dates and settings of the worklist's definitions (DOMAIN.md §4), for the hand-written baseline."""
    from shoudi.assistance.models import RhythmSettings
    from shoudi.assistance.rhythm import period_bounds
    from shoudi.assistance.worklist import _add_months
    from shoudi.monitoring import choices as mc
    from shoudi.monitoring.policy import settings_for
    from shoudi.monitoring.services import STEP_ROLES

    s = RhythmSettings.for_region(COUNTY)
    visit_start, _ = period_bounds(today, s.monitored_visit_months)
    visit_prev = period_bounds(today, s.monitored_visit_months, -1)
    lifted_visit_start, _ = period_bounds(today, s.lifted_visit_months)
    lifted_visit_prev = period_bounds(today, s.lifted_visit_months, -1)
    contact_start, _ = period_bounds(today, s.lifted_contact_months)
    contact_prev = period_bounds(today, s.lifted_contact_months, -1)
    assessment_start, _ = period_bounds(today, s.monitored_assessment_months)
    assessment_prev = period_bounds(today, s.monitored_assessment_months, -1)
    stable = s.stable_after_elimination_months
    return {
        "scope": f"{user.region.code}%",
        "today": today,
        "cadre_late": today - datetime.timedelta(days=s.cadre_within_days),
        "measure_late": today - datetime.timedelta(days=s.measure_within_days),
        "stable_cutoff": _add_months(today, -stable),
        "visit_start": visit_start,
        "visit_prev_start": visit_prev[0],
        "visit_prev_end": visit_prev[1],
        "lifted_visit_start": lifted_visit_start,
        "lifted_visit_prev_start": lifted_visit_prev[0],
        "lifted_visit_prev_end": lifted_visit_prev[1],
        "lifted_visit_eliminated": _add_months(lifted_visit_prev[1], -stable),
        "contact_start": contact_start,
        "contact_prev_start": contact_prev[0],
        "contact_prev_end": contact_prev[1],
        "contact_eliminated": _add_months(contact_prev[1], -stable),
        "assessment_start": assessment_start,
        "assessment_prev_start": assessment_prev[0],
        "assessment_prev_end": assessment_prev[1],
        "visits_from": min(visit_prev[0], lifted_visit_prev[0], contact_prev[0]),
        "assessments_from": assessment_prev[0],
        "steps": [step for step, roles in STEP_ROLES.items() if user.role in roles],
        "working_steps": list(mc.WORKING_STEPS),
        "identification_late": today - datetime.timedelta(days=settings_for(COUNTY, today.year).identification_days),
        "publicity_soon": today + datetime.timedelta(days=3),
    }


def baseline_counts(params: dict, *, server_defaults: bool = False) -> dict[str, int]:
    """The baseline statement; by default in the session settings the worklist uses (one process, no JIT)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        if not server_defaults:
            cur.execute("SET LOCAL jit = off")
            cur.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        cur.execute(BASELINE, params)
        return dict(zip(BASELINE_ITEMS, cur.fetchone(), strict=True))


@dataclass
class Timing:
    """Seconds of ``repeat`` runs of one measurement (the machine may be shared: the median and the best)."""

    label: str
    runs: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def line(self, baseline: Timing | None = None, note: str = "") -> str:
        text = f"{self.label:<34}{self.median:8.3f} s  (best {min(self.runs):.3f})"
        if baseline is not None:
            text += f"  {self.median / baseline.median:5.1f} × baseline"
        return text + (f"   {note}" if note else "")


def measure(label: str, repeat: int, fn, *args):
    """Run ``fn`` ``repeat`` times: its last value and the Timing."""
    runs = [timed(fn, *args) for _ in range(repeat)]
    return runs[-1][0], Timing(label, [seconds for _, seconds in runs])


def user_of(username: str, role: str, code: str):
    """A user of the benchmark (created on first use, so a kept database gains them too)."""
    from shoudi.accounts.models import User
    from shoudi.accounts.testing import make_user
    from shoudi.regions.models import Region

    user = User.objects.select_related("region").filter(username=username).first()
    return user or make_user(username, role, Region.objects.get(code=code))


def load_or_reuse(args) -> bool:
    """Build the database unless --keep may reuse one that holds the same number of households."""
    if args.keep and not args.rebuild and database_exists(args.server, args.database):
        import psycopg

        with psycopg.connect(f"{args.server}/{args.database}") as conn:
            try:
                row = conn.execute("SELECT count(*), max(created_at)::date FROM registry_household").fetchone()
            except psycopg.Error:
                row = (0, None)
        if row[0] == args.households:
            print(f"  reusing database {args.database} (built {row[1]})", flush=True)
            return False
    recreate_database(args.server, args.database)
    return True


@dataclass
class Measured:
    """What one run measured: the counts each way, the two page responses and every timing."""

    baseline: dict[str, int]
    items: list
    villages: list[dict]
    cold: object
    warm: object
    timings: dict[str, Timing]
    smaller: list[Timing]
    load_before: float
    load_after: float


def print_sizes() -> None:
    from shoudi.assistance.models import Assessment, Cadre, Measure, Pairing, Visit
    from shoudi.monitoring.models import MonitoringCase

    sizes = {
        model.__name__: model.objects.count() for model in (MonitoringCase, Cadre, Pairing, Measure, Visit, Assessment)
    }
    print("  rows: " + ", ".join(f"{name} {count:,}" for name, count in sizes.items()), flush=True)


def measure_all(admin, today: datetime.date, repeat: int) -> Measured:
    """The baseline, the worklist, its per-village table, the page (cold and warm) and the smaller scopes."""
    from django.core.cache import cache
    from django.test import Client

    from shoudi.accounts.models import User
    from shoudi.assistance.worklist import per_village, tally, worklist

    load_before = os.getloadavg()[0]
    params = baseline_params(admin, today)
    baseline_counts(params)  # warm the cache the same way for everything that follows
    timings = {}
    baseline, timings["baseline"] = measure("baseline (one SQL statement)", repeat, baseline_counts, params)
    _, timings["defaults"] = measure(
        "  the same, server defaults", repeat, lambda: baseline_counts(params, server_defaults=True)
    )
    items, timings["worklist"] = measure("worklist(admin)", repeat, lambda: worklist(admin))

    def fresh_per_village():
        # a user object of its own: nothing kept from worklist() above
        return per_village(User.objects.select_related("region").get(username=ADMIN))

    villages, timings["per_village"] = measure("per_village(admin)", repeat, fresh_per_village)

    client = Client()
    client.force_login(admin)

    def page_cold():
        cache.clear()
        return client.get("/assistance/todo/")

    def page_warm():
        return client.get("/assistance/todo/")

    cold, timings["cold"] = measure("page, badge cache cleared", repeat, page_cold)
    warm, timings["warm"] = measure("page, badge cached", repeat, page_warm)
    smaller = [
        measure(f"worklist of a {label}", repeat, lambda u=user: tally(u))[1]
        for label, user in (
            ("township reviewer", user_of(TOWNSHIP_USER, "township_reviewer", f"{COUNTY}001")),
            ("village officer", user_of(VILLAGE_USER, "village_officer", f"{COUNTY}001001")),
        )
    ]
    load_after = os.getloadavg()[0]
    return Measured(baseline, items, villages, cold, warm, timings, smaller, load_before, load_after)


def print_report(m: Measured, *, repeat: int, setup_s: float, migrate_s: float) -> None:
    from shoudi.assistance.worklist import ITEMS

    counts = {item.key: item.count for item in m.items}
    print()
    print(f"{'item':<24}{'baseline':>12}{'worklist':>12}{'villages':>12}")
    for item in ITEMS:
        total = sum(row.get(item.key, 0) for row in m.villages)
        expected = f"{m.baseline[item.key]:,}" if item.key in m.baseline else "-"  # items other apps register
        print(f"{item.key:<24}{expected:>12}{counts[item.key]:>12,}{total:>12,}")
    print()
    print(f"{'setup (load + analyze)':<34}{setup_s:8.1f} s  (migrate {migrate_s:.1f} s)")
    print(
        f"median of {repeat} runs each; load average {m.load_before:.1f} before, {m.load_after:.1f} after "
        f"({os.cpu_count()} CPUs)"
    )
    t = m.timings
    baseline_t = t["baseline"]
    print(baseline_t.line())
    print(t["defaults"].line(baseline_t))
    print(t["worklist"].line(baseline_t))
    print(t["per_village"].line(baseline_t))
    print(t["cold"].line(baseline_t, f"target ≤ 1 s: {'ok' if t['cold'].median <= 1 else 'MISSED'}"))
    print(t["warm"].line(baseline_t))
    for timing in m.smaller:
        print(timing.line(baseline_t))
    print(f"{'villages in the table':<34}{len(m.villages):8,}")
    print(f"{'peak RSS':<34}{peak_rss_mib():8.0f} MiB")


def mismatches(m: Measured) -> list[str]:
    """The worklist's counts against the baseline's, the villages' sums against the worklist's, the pages' status."""
    from shoudi.assistance.worklist import ITEMS

    counts = {item.key: item.count for item in m.items}
    problems = [
        f"{key}: baseline {m.baseline[key]} ≠ worklist {counts[key]}"
        for key in BASELINE_ITEMS
        if m.baseline[key] != counts[key]
    ]
    problems += [
        f"{item.key}: villages add up to {sum(row.get(item.key, 0) for row in m.villages)} ≠ {counts[item.key]}"
        for item in ITEMS
        if sum(row.get(item.key, 0) for row in m.villages) != counts[item.key]
    ]
    problems += [
        f"page: status {response.status_code}"
        for response in (m.cold, m.warm)
        if response.status_code != 200 or "分村统计" not in response.content.decode()
    ]
    return problems


def main() -> int:
    args = parse_args()
    n = args.households
    os.environ.setdefault("SHOUDI_ALLOWED_HOSTS", "testserver")
    build = load_or_reuse(args)
    start_django(args.server, args.database, data_prefix="shoudi-bench-worklist-")
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    today = timezone.localdate()
    try:
        print(f"Worklist benchmark: {n:,} households, PostgreSQL database {args.database}, today {today}", flush=True)
        _, migrate_s = timed(call_command, "migrate", verbosity=0)
        print(f"  migrate        {'':>10}       {migrate_s:6.1f} s", flush=True)
        setup_s = 0.0
        if build:
            _, setup_s = timed(setup_data, n, today)
        print_sizes()
        if args.setup_only:
            return 0

        measured = measure_all(user_of(ADMIN, "county_admin", COUNTY), today, args.repeat)
        print_report(measured, repeat=args.repeat, setup_s=setup_s, migrate_s=migrate_s)
        problems = mismatches(measured)
        for problem in problems:
            print("MISMATCH", problem)
        return 1 if problems else 0
    finally:
        connections.close_all()
        if not args.keep:
            recreate_database(args.server, args.database, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
