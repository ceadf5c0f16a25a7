"""Benchmark: the worklist line 低收入人口本月未走访 (shoudi.lowincome.selectors.unvisited) over a county.

The line is one statement (EXISTS over the designations, the monitoring cases for 风险消除户, and this month's visits);
this script shows what that costs against the register's own query, measured in the same run, and against the
per-household loop it replaces. Nothing is asserted about time; the script fails when the three disagree.

    .venv/bin/python bench/bench_lowincome.py                      # PostgreSQL, 200,000 households
    .venv/bin/python bench/bench_lowincome.py --households 1000000 --keep

The county is bench/_data.py's (520199, 10 townships × 50 villages, two members a household), loaded in SQL; then
~15 % of households get a designation (salt 90; ~3 % of those already ended), ~2 % have an eliminated case (salt
91, ~10 % of them open again), and ~60 % of the register is visited this month (salt 92; a tenth of them by phone,
which does not count), the others last month.

- **baseline**: ``register(admin).count()`` — the households of the register, the same EXISTS without the visits;
  run once untimed, then timed (the median of ``--repeat``).
- **line**: ``unvisited(admin).count()``, the worklist's count; the ratio line / baseline is printed.
- **loop**: the per-household way — for each household of the register, one query for a visit this month — over a
  sample of ``--sample`` households, extrapolated to the register; it must find the same households as the line.
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys

from _data import (
    COUNTY,
    HOUSEHOLDS,
    MEMBERS,
    RAND_FUNCTION,
    TOWNSHIPS,
    VILLAGES_PER_TOWNSHIP,
    add_database_args,
    create_regions,
    recreate_database,
    run_steps,
    start_django,
    timed,
    vacuum_analyze,
)

DESIGNATIONS = """
INSERT INTO lowincome_designation (created_at, updated_at, household_id, member_id, category, source, since, until,
    end_reason, note)
SELECT now(), now(), g, NULL, (ARRAY['农村低保', '特困供养（分散）', '低保边缘', '残疾人家庭'])[1 + (g %% 4)::int],
       '民政名单', date '2024-01-01', CASE WHEN u < 0.0045 THEN %(today)s::date - 40 END,
       CASE WHEN u < 0.0045 THEN '收入超标' ELSE '' END, ''
FROM (SELECT g, pg_temp.r(g, 90) AS u FROM generate_series(1, %(n)s) AS g OFFSET 0) AS x WHERE u < 0.15
"""
VISITS = """
INSERT INTO assistance_visit (created_at, updated_at, household_id, visited_on, kind, visitor, content)
SELECT now(), now(), g,
       CASE WHEN u < 0.60 THEN %(first)s::date + (g %% %(days)s)::int ELSE %(first)s::date - 1 - (g %% 20)::int END,
       CASE WHEN u < 0.06 THEN '电话' ELSE '入户' END, '专班', '走访'
FROM (SELECT g, pg_temp.r(g, 92) AS u FROM generate_series(1, %(n)s) AS g OFFSET 0) AS x
WHERE pg_temp.r(g, 90) < 0.15 OR pg_temp.r(g, 91) < 0.02
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_args(parser, database="shoudi_bench_lowincome")
    parser.set_defaults(households=200_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query (the median is shown)")
    parser.add_argument("--sample", type=int, default=2_000, help="households the per-household loop visits")
    return parser.parse_args()


def setup_data(n: int, today: datetime.date) -> None:
    from django.db import connection

    from shoudi.monitoring import choices as mc
    from shoudi.monitoring.models import MonitoringCase

    create_regions()
    first = today.replace(day=1)
    params = {"n": n, "villages": TOWNSHIPS * VILLAGES_PER_TOWNSHIP, "today": today, "first": first}
    params["days"] = (today - first).days + 1
    with connection.cursor() as cur:
        cur.execute(RAND_FUNCTION)
        run_steps(
            cur,
            [
                ("households", HOUSEHOLDS, None),
                ("members", MEMBERS, None),
                ("designations", DESIGNATIONS, None),
                ("visits", VISITS, None),
            ],
            params,
        )
        cur.execute("SELECT g FROM generate_series(1, %s) AS g WHERE pg_temp.r(g, 91) < 0.02", [n])
        eliminated = [row[0] for row in cur.fetchall()]
    cases = [
        MonitoringCase(
            household_id=hid,
            clue_date=datetime.date(2024, 1, 1),
            identified_on=datetime.date(2024, 2, 1),
            eliminated_on=datetime.date(2025, 6, 1),
            chain=mc.ELIMINATION,
            step=mc.ELIMINATED,
            is_open=False,
        )
        for hid in eliminated
    ]
    reopened = [MonitoringCase(household_id=hid, clue_date=today, step=mc.VERIFICATION) for hid in eliminated[::10]]
    MonitoringCase.objects.bulk_create(cases + reopened, batch_size=5000)
    print(f"  {'cases':<14} {len(cases) + len(reopened):>10,} rows", flush=True)
    vacuum_analyze()


def median_time(fn, repeat: int):
    fn()  # warm the cache
    runs = [timed(fn) for _ in range(repeat)]
    return runs[0][0], statistics.median(seconds for _, seconds in runs)


def loop(user, today: datetime.date, households: list[int]) -> set[int]:
    """The per-household way the line replaces: one query per household."""
    from shoudi.assistance.models import Visit

    first = today.replace(day=1)
    unvisited = set()
    for hid in households:
        if not Visit.objects.filter(
            household_id=hid, kind="入户", visited_on__gte=first, visited_on__lte=today
        ).exists():
            unvisited.add(hid)
    return unvisited


def main() -> int:
    args = parse_args()
    recreate_database(args.server, args.database)
    start_django(args.server, args.database, data_prefix="shoudi-bench-lowincome-")
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from shoudi.accounts.testing import make_user
    from shoudi.lowincome.selectors import register, unvisited
    from shoudi.regions.models import Region

    today = timezone.localdate()
    try:
        print(f"低收入人口 benchmark: {args.households:,} households, PostgreSQL {args.database}, today {today}")
        call_command("migrate", verbosity=0)
        _, setup_s = timed(setup_data, args.households, today)
        admin = make_user("bench_admin", "county_admin", Region.objects.get(code=COUNTY))
        in_register, baseline_s = median_time(lambda: register(admin, today).count(), args.repeat)
        line, line_s = median_time(lambda: unvisited(admin, today).count(), args.repeat)
        sample = list(register(admin, today).order_by("pk").values_list("pk", flat=True)[: args.sample])
        looped, loop_s = timed(loop, admin, today, sample)
        by_line = set(unvisited(admin, today).filter(pk__in=sample).values_list("pk", flat=True))
        per_household = loop_s / max(1, len(sample))
        print(f"  setup          {setup_s:8.1f} s")
        print(f"  register       {in_register:>10,} households   baseline {baseline_s * 1000:8.1f} ms")
        print(
            print(
                f"  unvisited      {line:>10,} households   line     {line_s * 1000:8.1f} ms   "
                f"line / baseline {line_s / baseline_s:5.2f}"
            )
        )
        print(
            f"  loop sample    {len(sample):>10,} households   {loop_s:6.2f} s   extrapolated to the register "
            f"{per_household * in_register:8.1f} s   loop / line {per_household * in_register / line_s:8.0f}"
        )
        if looped != by_line:
            print(f"MISMATCH: the loop finds {len(looped)} unvisited of the sample, the line {len(by_line)}")
            return 1
        return 0
    finally:
        connections.close_all()
        if not args.keep:
            recreate_database(args.server, args.database, drop_only=True)


if __name__ == "__main__":
    os.environ.setdefault("SHOUDI_ALLOWED_HOSTS", "testserver")
    sys.exit(main())
