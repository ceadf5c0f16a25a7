"""Benchmark: the dashboards (shoudi.dashboards) over the 1,000,000-household bench county.

Targets (issue 16): the county dashboard's server time ≤ 300 ms, a township's ≤ 150 ms, the incremental refresh
after one case transition ≤ 50 ms, the full rebuild of the summary rows ≤ 2 × one aggregate scan of the same tables.

The data is bench_worklist's (the shared county of bench/_data.py with cases, cadres, pairings, measures, visits and
assessments dated around today) plus two members per household, incomes of 2024 and 2025 (bench_screening's) with
the county's lines, and released findings of two departments for ~1 % of households (salts 90–92). In one process
it measures:

- baseline: every card's figures counted directly by aggregate queries over the registry (what a dashboard without
  summary rows would have to do on every view);
- the full rebuild (``rebuild()``: the same counts per village, written as summary rows);
- the county dashboard (GET /dashboard/ as the county admin, rendering included) and a township's (as its reviewer);
- one case transition (县级审定 identifies a case), committed, whose change listener marks the case's village stale;
  then the worker's refresh of that stale village (``refresh_stale``), timed apart.

It prints the median and best of --repeat runs, each against the baseline, and fails when the summary figures of
the county differ from the baseline's.

    .venv/bin/python bench/bench_dashboard.py [--households 1000000] [--keep] [--rebuild] [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime
import os
import statistics
import sys
from collections import defaultdict

from _data import COUNTY, MEMBERS, RAND_FUNCTION, add_database_args, peak_rss_mib, run_steps, start_django, timed
from bench_screening import INCOMES, PER_CAPITA_2024, PER_CAPITA_2025
from bench_worklist import load_or_reuse, setup_data

ADMIN, REVIEWER = "bench_county_admin", "bench_dashboard_reviewer"

FINDINGS = """
INSERT INTO matching_finding (created_at, updated_at, run_id, department, period, rule, rule_label, village_id,
    household_id, name, id_number, subject, figures, fingerprint, status, released, note, action, action_note)
SELECT now(), now(), CASE WHEN d < 0.5 THEN %(run_a)s ELSE %(run_b)s END,
       CASE WHEN d < 0.5 THEN 'medical_insurance' ELSE 'civil_affairs' END,
       CASE WHEN d < 0.5 THEN '2026-10' ELSE '2026-11' END, 'bench', '基准问题', h.village_id, h.id, 'B' || g, '',
       g::text, '[]'::jsonb, '', (ARRAY['待核实', '属实', '不属实', '已处理'])[1 + floor(s * 4)::int], true, '', '', ''
FROM (SELECT g, pg_temp.r(g, 91) AS d, pg_temp.r(g, 92) AS s FROM generate_series(1, %(n)s) AS g
      WHERE pg_temp.r(g, 90) < 0.01 OFFSET 0) AS x
JOIN registry_household h ON h.id = x.g
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_args(parser, database="shoudi_bench_dashboard")
    parser.add_argument("--rebuild", action="store_true", help="build the data again even with --keep")
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args()


def setup_more(n: int) -> None:
    """What bench_worklist does not load: members, incomes and lines, findings; and a township reviewer."""
    from decimal import Decimal

    from django.db import connection, transaction

    from shoudi.accounts.roles import TOWNSHIP_REVIEWER
    from shoudi.accounts.testing import make_user
    from shoudi.matching.models import DepartmentList, MatchRun
    from shoudi.monitoring.models import MonitoringLine
    from shoudi.regions.models import Region

    county = Region.objects.get(code=COUNTY)
    make_user(REVIEWER, TOWNSHIP_REVIEWER, Region.objects.get(code=f"{COUNTY}001"), name="基准镇审核员")
    for year, amount in ((2024, "7600"), (2025, "8000")):
        MonitoringLine.objects.create(region=county, year=year, amount=Decimal(amount))
    runs = {}
    for department, period in (("medical_insurance", "2026-10"), ("civil_affairs", "2026-11")):
        department_list = DepartmentList.objects.create(
            department=department, period=period, file=f"b/{department}.csv", file_name=f"{department}.csv"
        )
        runs[department] = MatchRun.objects.create(
            list=department_list, department=department, period=period, status="done"
        ).pk
    params = {"n": n, "run_a": runs["medical_insurance"], "run_b": runs["civil_affairs"]}
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(RAND_FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION"))
        run_steps(
            cur,
            [
                ("members", MEMBERS, None),
                ("incomes 2025", INCOMES.format(per_capita=PER_CAPITA_2025), {"year": 2025}),
                ("incomes 2024", INCOMES.format(per_capita=PER_CAPITA_2024), {"year": 2024}),
                ("findings", FINDINGS, None),
            ],
            params,
        )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")


def direct_figures(today: datetime.date) -> dict[tuple[str, str], int]:
    """The baseline: every card's figures for the county straight from the registry (no summary rows)."""
    from shoudi.dashboards.cards import all_cards

    totals: dict[tuple[str, str], int] = defaultdict(int)
    for card in all_cards():
        if card.compute is not None:
            for _code, bucket, value in card.compute(None, today):
                totals[(card.key, bucket)] += value
    return {key: value for key, value in totals.items() if value}


def summary_figures() -> dict[tuple[str, str], int]:
    from shoudi.dashboards.selectors import region_figures
    from shoudi.regions.models import Region

    figures = region_figures(Region.objects.get(code=COUNTY))
    return {(card, bucket): value for card, buckets in figures.items() for bucket, value in buckets.items() if value}


def measure(label: str, repeat: int, fn) -> list[float]:
    seconds = []
    for _ in range(repeat):
        _, s = timed(fn)
        seconds.append(s)
    return seconds


def transition_and_refresh(today: datetime.date) -> tuple[float, float]:
    """One 县级审定 of a case (the county admin approves: the case is identified), committed: the change listener
    marks the village stale after the commit; then the worker's refresh of that stale village. (Both seconds.)"""
    from django.db import transaction

    from shoudi.accounts.models import User
    from shoudi.dashboards.models import VillageRefresh
    from shoudi.dashboards.refresh import refresh_stale
    from shoudi.monitoring import choices as mc
    from shoudi.monitoring import services
    from shoudi.monitoring.models import MonitoringCase

    admin = User.objects.get(username=ADMIN)
    case = MonitoringCase.objects.filter(step=mc.COUNTY_REVIEW, chain=mc.IDENTIFICATION).order_by("pk").first()

    def approve():
        with transaction.atomic():
            services.county_review(case=case, user=admin, approve=True, missing_confirmed=True, decided_on=today)

    _, transition_s = timed(approve)
    assert VillageRefresh.objects.filter(stale=True).count() == 1
    done, refresh_s = timed(refresh_stale)
    assert done == 1
    return transition_s, refresh_s


def line(label: str, seconds: list[float], baseline: float | None = None, unit: float = 1000.0) -> str:
    median, best = statistics.median(seconds), min(seconds)
    ratio = f"   {median / baseline:6.3f} × baseline" if baseline else ""
    return f"  {label:<34} median {median * unit:9.1f} ms   best {best * unit:9.1f} ms{ratio}"


def main() -> int:
    args = parse_args()
    n = args.households
    os.environ.setdefault("SHOUDI_ALLOWED_HOSTS", "testserver")
    build = load_or_reuse(args)
    start_django(args.server, args.database, data_prefix="shoudi-bench-dashboard-")
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client
    from django.utils import timezone

    from shoudi.accounts.models import User
    from shoudi.dashboards.refresh import rebuild
    from shoudi.regions.models import Region

    today = timezone.localdate()
    try:
        print(f"Dashboard benchmark: {n:,} households, PostgreSQL database {args.database}, today {today}", flush=True)
        call_command("migrate", verbosity=0)
        if build:
            _, setup_s = timed(setup_data, n, today)
            _, more_s = timed(setup_more, n)
            print(f"  setup {setup_s + more_s:.1f} s", flush=True)
        repeat = args.repeat
        direct_figures(today)  # warm the cache once, untimed
        baseline = measure("baseline", repeat, lambda: direct_figures(today))
        base = statistics.median(baseline)
        rebuilds = measure("rebuild", repeat, lambda: rebuild(today))
        expected, stored = direct_figures(today), summary_figures()
        admin, reviewer = User.objects.get(username=ADMIN), User.objects.get(username=REVIEWER)
        township = Region.objects.get(code=f"{COUNTY}001")
        client = Client()
        client.force_login(admin)
        assert client.get("/dashboard/").status_code == 200
        county_page = measure("county", repeat, lambda: client.get("/dashboard/"))
        client.force_login(reviewer)
        assert client.get(f"/dashboard/region/{township.pk}/").status_code == 200
        township_page = measure("township", repeat, lambda: client.get(f"/dashboard/region/{township.pk}/"))
        transitions, refreshes = zip(*(transition_and_refresh(today) for _ in range(repeat)), strict=True)

        from shoudi.dashboards.models import VillageFigure

        print(
            f"  summary rows {VillageFigure.objects.count():,}, figures {len(stored):,}, load {os.getloadavg()[0]:.2f}"
        )
        print(line("baseline: direct aggregate queries", baseline))
        print(line("full rebuild of the summary rows", rebuilds, base) + "   (target ≤ 2 ×)")
        print(line("county dashboard (GET, rendered)", county_page, base) + "   (target ≤ 300 ms)")
        print(line("township dashboard (GET, rendered)", township_page, base) + "   (target ≤ 150 ms)")
        print(line("县级审定, committed (marks it stale)", list(transitions)))
        print(line("the worker's refresh of that village", list(refreshes), base) + "   (target ≤ 50 ms)")
        print(f"  peak RSS {peak_rss_mib():.0f} MiB")
        # the transitions moved figures since the rebuild: compare with a fresh count
        expected = direct_figures(today)
        stored = summary_figures()
        problems = sorted(set(expected.items()) ^ set(stored.items()))
        for problem in problems[:20]:
            print("MISMATCH", problem)
        return 1 if problems else 0
    finally:
        connections.close_all()
        if not args.keep:
            from _data import recreate_database

            recreate_database(args.server, args.database, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
