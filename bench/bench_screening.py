"""Benchmark: early-warning screening (shoudi.monitoring.screening.screen) over a county of N households.

Target (issue): 1,000,000 households screened in ≤ 20 s on PostgreSQL.

The script creates a fresh PostgreSQL database, migrates it, loads a synthetic registry set-based in SQL
(INSERT … SELECT generate_series), then measures in the same run:

- baseline: one raw SQL statement computing the per-rule household counts for the year (the least the database
  must do to know who is at risk), and
- screening: ``screen(year=2025)`` end to end (the rule queries and writing the clues with their events),
  then a second run, which must add nothing.

It prints the figures and the ratio screening / baseline, and checks that the per-rule counts of the screening
equal those of the baseline.

    .venv/bin/python bench/bench_screening.py [--households 1000000] [--keep]
        [--server postgres://postgres@127.0.0.1:5432] [--database shoudi_bench_screen]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import psycopg

BASE_DIR = Path(__file__).resolve().parent.parent
COUNTY = "520199"
TOWNSHIPS, VILLAGES_PER_TOWNSHIP = 10, 50
YEAR, LINE = 2025, Decimal("8000")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--server", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"),
                        help="PostgreSQL server URL without the database name")
    parser.add_argument("--database", default="shoudi_bench_screen")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (to inspect or re-run)")
    return parser.parse_args()


def recreate_database(server: str, name: str, *, drop_only: bool = False) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


# A deterministic pseudo-random number in [0, 1) per (row, salt): the data is the same in every run.
RAND_FUNCTION = """
CREATE FUNCTION pg_temp.r(g bigint, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE AS
$$ SELECT (hashint8(g * 64 + salt) & 2147483647)::float8 / 2147483648 $$
"""
# Each random number is drawn once per row in a subquery; OFFSET 0 keeps the planner from inlining it into every use.

# Households 1..N. ~25 % 脱贫户; ~0.3 % already marked 整户无劳动能力兜底保障户 (among them some with no able member).
HOUSEHOLDS = """
INSERT INTO registry_household (id, created_at, updated_at, household_no, group_name, address, phone, household_type,
    lifted_year, size, relocated, resettlement_site, no_labour_guarantee, national_data, village_id)
SELECT g, now(), now(), 'B' || lpad(g::text, 10, '0'), '', '', '',
       CASE WHEN lifted THEN '脱贫户' ELSE '一般农户' END, CASE WHEN lifted THEN 2016 + (g %% 5)::int END,
       2, false, '', guaranteed, '{}'::jsonb, v.id
FROM (SELECT g, pg_temp.r(g, 1) < 0.25 AS lifted, pg_temp.r(g, 2) < 0.003 AS guaranteed
      FROM generate_series(1, %(n)s) AS g OFFSET 0) AS x
JOIN (SELECT id, row_number() OVER (ORDER BY code) - 1 AS k FROM regions_region WHERE level = 'village') AS v
  ON v.k = g %% %(villages)s
"""

# Two members each. ~1 % of households have no able member (both 丧失劳动力/无劳动力, or the able one has died);
# elsewhere a mix of skills, blanks included (blank counts as able, as in the rule).
MEMBERS = """
INSERT INTO registry_member (created_at, updated_at, name, name_initials, id_type, id_number, gender, birth_date,
    relation, ethnicity, political_status, education, student_status, out_of_school_reason, health,
    disability_category, disability_grade, labour_skill, work_place, public_welfare_job, phone, dibao, tekun, status,
    extra, household_id)
SELECT now(), now(), CASE WHEN m = 1 THEN '户主' ELSE '配偶' END || g, '', '居民身份证',
       '520199' || to_char(date '1950-01-01' + (g %% 20000)::int, 'YYYYMMDD')
           || lpad(((g * 2 + m) %% 1000)::text, 3, '0') || (g %% 10)::text,
       CASE WHEN m = 1 THEN '男' ELSE '女' END, date '1950-01-01' + (g %% 20000)::int,
       CASE WHEN m = 1 THEN '户主' ELSE '配偶' END, '汉族', '群众', '初中', '', '', '健康', '', '',
       CASE WHEN u < 0.008 THEN (CASE WHEN m = 1 THEN '丧失劳动力' ELSE '无劳动力' END)
            WHEN u < 0.010 THEN (CASE WHEN m = 1 THEN '无劳动力' ELSE '普通劳动力' END)
            WHEN u < 0.030 THEN (CASE WHEN m = 1 THEN '丧失劳动力' ELSE '弱劳动力或半劳动力' END)
            ELSE (ARRAY['普通劳动力', '技能劳动力', '弱劳动力或半劳动力', ''])[1 + ((g + m) %% 4)::int] END,
       '', '', '', '未享受', '不享受',
       CASE WHEN u >= 0.008 AND u < 0.010 AND m = 2 THEN '死亡' ELSE '正常' END,
       '{}'::jsonb, g
FROM (SELECT g, pg_temp.r(g, 3) AS u FROM generate_series(1, %(n)s) AS g OFFSET 0) AS x
CROSS JOIN (VALUES (1), (2)) AS t(m)
"""

# Incomes of 2025: per capita ~3 % below 8000, ~4 % in 8000–12000 (edge), the rest 12000–60000; ~1.5 % with a high
# compliant medical cost. 2024 is derived from 2025: mostly ±10 %, ~2.5 % of households had ≥ 25 % more (a drop).
INCOMES = """
INSERT INTO registry_incomerecord (created_at, updated_at, year, wage, business, property_income, transfer,
    business_cost, compliant_medical, household_size, net_income, per_capita, household_id)
SELECT now(), now(), %(year)s, wage, pc * 2 - wage - transfer + 1000, 0, transfer, 1000, med, 2, pc * 2, pc, g
FROM (SELECT g, pc, med, round(pc * 2 * 0.6, 2) AS wage, round(pc * 2 * 0.1, 2) AS transfer
      FROM ({per_capita} OFFSET 0) AS drawn OFFSET 0) AS x
"""
PER_CAPITA_2025 = """
SELECT g, round((CASE WHEN u < 0.03 THEN 3000 + 5000 * v
                      WHEN u < 0.07 THEN 8000 + 4000 * v
                      ELSE 12000 + 48000 * v * v END)::numeric, 2) AS pc,
       round((CASE WHEN w < 0.015 THEN 12000 + 28000 * z ELSE 5000 * z END)::numeric, 2) AS med
FROM (SELECT g, pg_temp.r(g, 4) AS u, pg_temp.r(g, 5) AS v, pg_temp.r(g, 6) AS w, pg_temp.r(g, 7) AS z
      FROM generate_series(1, %(n)s) AS g OFFSET 0) AS raw
"""
PER_CAPITA_2024 = """
SELECT household_id AS g, 0 AS med,
       round(per_capita * (CASE WHEN u < 0.025 THEN 1.25 + v ELSE 0.9 + 0.2 * v END)::numeric, 2) AS pc
FROM (SELECT household_id, per_capita, pg_temp.r(household_id, 8) AS u, pg_temp.r(household_id, 9) AS v
      FROM registry_incomerecord WHERE year = 2025 OFFSET 0) AS raw
"""

# ~2 % of households already have an open case (some of them are hit by a rule: screening must skip them).
OPEN_CASES = """
INSERT INTO monitoring_monitoringcase (created_at, updated_at, category, risk_types, disaster_subtype, source,
    clue_date, clue_note, clue_rules, clue_figures, chain, step, step_since, is_open, returned_reason,
    elimination_type, delayed_exit_confirmed, closed_reason, imported, household_id)
SELECT now(), now(), '边缘易致贫户', '["因病"]'::jsonb, '', '基层干部排查', current_date, '', '[]'::jsonb, '{}'::jsonb,
       'identification', 'monitoring', now(), true, '', '', false, '', false, g
FROM generate_series(1, %(n)s) AS g WHERE pg_temp.r(g, 10) < 0.02
"""

# The baseline: the per-rule counts in one statement (same scope, same thresholds as the screening). NOT MATERIALIZED
# lets PostgreSQL plan both uses of the households in parallel (materialised, the same statement takes twice as long).
BASELINE = """
WITH hh AS NOT MATERIALIZED (
    SELECT h.id, h.household_type, h.no_labour_guarantee
    FROM registry_household h JOIN regions_region v ON v.id = h.village_id
    WHERE v.code LIKE %(scope)s
)
SELECT
    COUNT(*) FILTER (WHERE i.per_capita < %(line)s),
    COUNT(*) FILTER (WHERE i.per_capita >= %(line)s AND i.per_capita < %(edge)s),
    COUNT(*) FILTER (WHERE i.per_capita < %(floor)s),
    COUNT(*) FILTER (WHERE p.per_capita > 0 AND i.per_capita < p.per_capita * %(ratio)s),
    COUNT(*) FILTER (WHERE (hh.household_type = '脱贫户' AND i.compliant_medical > %(medical_lifted)s)
                        OR (hh.household_type <> '脱贫户' AND i.compliant_medical > %(medical_other)s)),
    COUNT(*) FILTER (WHERE i.per_capita < %(line)s AND hh.household_type = '脱贫户'),
    (SELECT COUNT(*) FROM hh
     WHERE NOT hh.no_labour_guarantee
       AND EXISTS (SELECT 1 FROM registry_member m WHERE m.household_id = hh.id AND m.status = '正常')
       AND NOT EXISTS (SELECT 1 FROM registry_member m WHERE m.household_id = hh.id AND m.status = '正常'
                       AND m.labour_skill NOT IN ('丧失劳动力', '无劳动力')))
FROM registry_incomerecord i
JOIN hh ON hh.id = i.household_id
LEFT JOIN registry_incomerecord p ON p.household_id = i.household_id AND p.year = %(previous)s
WHERE i.year = %(year)s
"""
BASELINE_RULES = ["below_line", "edge", "below_floor", "income_drop", "medical", "lifted_below_line", "no_labour"]


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start


def setup_registry(n: int) -> None:
    from django.db import connection, transaction

    from shoudi.monitoring.models import MonitoringLine
    from shoudi.regions.models import Region

    county = Region.objects.create(code=COUNTY, name="基准县")
    townships = Region.objects.bulk_create([
        Region(code=f"{COUNTY}{t:03d}", name=f"基准镇{t}", level="township", parent=county)
        for t in range(1, TOWNSHIPS + 1)])
    Region.objects.bulk_create([
        Region(code=f"{town.code}{v:03d}", name=f"{town.name}{v}村", level="village", parent=town)
        for town in townships for v in range(1, VILLAGES_PER_TOWNSHIP + 1)])
    MonitoringLine.objects.create(region=county, year=YEAR, amount=LINE, document_no="基准〔2025〕1号")
    params = {"n": n, "villages": TOWNSHIPS * VILLAGES_PER_TOWNSHIP}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(RAND_FUNCTION)
        for label, sql, year in (("households", HOUSEHOLDS, None), ("members", MEMBERS, None),
                                 ("incomes 2025", INCOMES.format(per_capita=PER_CAPITA_2025), 2025),
                                 ("incomes 2024", INCOMES.format(per_capita=PER_CAPITA_2024), 2024),
                                 ("open cases", OPEN_CASES, None)):
            _, seconds = timed(cur.execute, sql, {**params, "year": year})
            print(f"  {label:<14} {cur.rowcount:>10,} rows  {seconds:6.1f} s", flush=True)
        cur.execute("SELECT setval(pg_get_serial_sequence('registry_household', 'id'), %s)", [n])
    with connection.cursor() as cur:
        _, seconds = timed(cur.execute, "VACUUM ANALYZE")
        print(f"  {'vacuum analyze':<14} {'':>10}       {seconds:6.1f} s", flush=True)


def baseline_counts(year: int) -> dict[str, int]:
    from django.db import connection

    from shoudi.monitoring.policy import lines_by_county, settings_for

    config = settings_for(COUNTY, year)
    line = lines_by_county([COUNTY], year)[COUNTY]
    params = {"scope": f"{COUNTY}%", "year": year, "previous": year - 1, "line": line,
              "edge": line * config.edge_factor, "floor": config.low_income_floor,
              "ratio": Decimal(100 - config.income_drop_percent) / 100,
              "medical_lifted": config.medical_threshold_lifted, "medical_other": config.medical_threshold_other}
    with connection.cursor() as cur:
        cur.execute(BASELINE, params)
        return dict(zip(BASELINE_RULES, cur.fetchone(), strict=True))


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> int:
    args = parse_args()
    n = args.households
    recreate_database(args.server, args.database)
    os.environ["DATABASE_URL"] = f"{args.server}/{args.database}"
    os.environ["SHOUDI_DATA_DIR"] = tempfile.mkdtemp(prefix="shoudi-bench-screen-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shoudi.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from shoudi.monitoring.models import CaseEvent, MonitoringCase
    from shoudi.monitoring.screening import RULES, screen

    try:
        print(f"Screening benchmark: {n:,} households, PostgreSQL database {args.database}", flush=True)
        _, migrate_s = timed(call_command, "migrate", verbosity=0)
        print(f"  migrate        {'':>10}       {migrate_s:6.1f} s", flush=True)
        _, setup_s = timed(setup_registry, n)
        open_before = MonitoringCase.objects.count()

        # Warm the cache the same way for both: one untimed pass over the tables the rules read.
        baseline_counts(YEAR)
        baseline, baseline_s = timed(baseline_counts, YEAR)
        result, screen_s = timed(screen, year=YEAR)
        rss_after_first = peak_rss_mib()
        second, second_s = timed(screen, year=YEAR)

        clues = MonitoringCase.objects.count() - open_before
        events = CaseEvent.objects.filter(action="预警生成线索").count()
        print()
        print(f"{'rule':<20}{'baseline':>12}{'screening':>12}")
        for rule in RULES:
            print(f"{rule:<20}{baseline[rule]:>12,}{result.hits[rule]:>12,}")
        print()
        print(f"setup (load + analyze)      {setup_s:10.1f} s   (migrate {migrate_s:.1f} s)")
        print(f"baseline (one SQL count)    {baseline_s:10.2f} s")
        print(f"screening                   {screen_s:10.2f} s   target ≤ 20 s: {'ok' if screen_s <= 20 else 'MISSED'}")
        print(f"households / second         {n / screen_s:10,.0f}")
        print(f"ratio screening / baseline  {screen_s / baseline_s:10.1f} ×")
        print(f"clues written               {result.clues:10,}   (events {events:,}; skipped, open case "
              f"{result.skipped_open:,})")
        print(f"second run                  {second_s:10.2f} s   clues {second.clues}  "
              f"(skipped, open case {second.skipped_open:,})")
        print(f"peak RSS                    {peak_rss_mib():10.0f} MiB  (after the first screening "
              f"{rss_after_first:.0f} MiB)")

        problems = [f"{rule}: baseline {baseline[rule]} ≠ screening {result.hits[rule]}"
                    for rule in RULES if baseline[rule] != result.hits[rule]]
        if clues != result.clues or events != result.clues:
            problems.append(f"rows written: {clues} cases, {events} events, reported {result.clues}")
        if second.clues != 0:
            problems.append(f"second run added {second.clues} clues")
        for problem in problems:
            print("MISMATCH", problem)
        return 1 if problems else 0
    finally:
        connections.close_all()
        if not args.keep:
            recreate_database(args.server, args.database, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
