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
import sys
from decimal import Decimal

from _data import (
    COUNTY,
    HOUSEHOLDS,
    MEMBERS,
    RAND_FUNCTION,
    TOWNSHIPS,
    VILLAGES_PER_TOWNSHIP,
    add_database_args,
    create_regions,
    peak_rss_mib,
    recreate_database,
    run_steps,
    start_django,
    timed,
    vacuum_analyze,
)

YEAR, LINE = 2025, Decimal("8000")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_args(parser, database="shoudi_bench_screen")
    return parser.parse_args()


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


def setup_registry(n: int) -> None:
    from django.db import connection, transaction

    from shoudi.monitoring.models import MonitoringLine

    county = create_regions()
    MonitoringLine.objects.create(region=county, year=YEAR, amount=LINE, document_no="基准〔2025〕1号")
    params = {"n": n, "villages": TOWNSHIPS * VILLAGES_PER_TOWNSHIP}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(RAND_FUNCTION)
        run_steps(
            cur,
            [
                ("households", HOUSEHOLDS, None),
                ("members", MEMBERS, None),
                ("incomes 2025", INCOMES.format(per_capita=PER_CAPITA_2025), {"year": 2025}),
                ("incomes 2024", INCOMES.format(per_capita=PER_CAPITA_2024), {"year": 2024}),
                ("open cases", OPEN_CASES, None),
            ],
            params,
        )
        cur.execute("SELECT setval(pg_get_serial_sequence('registry_household', 'id'), %s)", [n])
    vacuum_analyze()


def baseline_counts(year: int) -> dict[str, int]:
    from django.db import connection

    from shoudi.monitoring.policy import lines_by_county, settings_for

    config = settings_for(COUNTY, year)
    line = lines_by_county([COUNTY], year)[COUNTY]
    params = {
        "scope": f"{COUNTY}%",
        "year": year,
        "previous": year - 1,
        "line": line,
        "edge": line * config.edge_factor,
        "floor": config.low_income_floor,
        "ratio": Decimal(100 - config.income_drop_percent) / 100,
        "medical_lifted": config.medical_threshold_lifted,
        "medical_other": config.medical_threshold_other,
    }
    with connection.cursor() as cur:
        cur.execute(BASELINE, params)
        return dict(zip(BASELINE_RULES, cur.fetchone(), strict=True))


def main() -> int:
    args = parse_args()
    n = args.households
    recreate_database(args.server, args.database)
    start_django(args.server, args.database, data_prefix="shoudi-bench-screen-")
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
        print(
            f"clues written               {result.clues:10,}   (events {events:,}; skipped, open case "
            f"{result.skipped_open:,})"
        )
        print(
            f"second run                  {second_s:10.2f} s   clues {second.clues}  "
            f"(skipped, open case {second.skipped_open:,})"
        )
        print(
            f"peak RSS                    {peak_rss_mib():10.0f} MiB  (after the first screening "
            f"{rss_after_first:.0f} MiB)"
        )

        problems = [
            f"{rule}: baseline {baseline[rule]} ≠ screening {result.hits[rule]}"
            for rule in RULES
            if baseline[rule] != result.hits[rule]
        ]
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
