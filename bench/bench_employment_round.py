"""Benchmark: confirming a verification round (务工信息核实) for N persons, against a plain bulk_create of the rows.

The confirmation runs in the worker (``services.start_round`` queues the job, ``services.fill_round`` writes the
rows in batches, each its own transaction, with progress after each): this measures what that costs over the least
Django can do to write the same rows, measured in the same run.

The script makes a fresh database (an SQLite file in a temporary data directory by default, or ``--database-url``
for PostgreSQL, whose database it drops and recreates), migrates it and loads one county (10 townships × 50
villages) with N persons in 脱贫户 of 1–5 (seeded: every run loads the same rows): born between 1950 and 2008, so
that most are 16–60 on the round's date and some older, about half of whom have 务工 recorded. Then, ``--repeat``
times, alternating which goes first:

- **baseline**: the candidates' (member, village, group, age) read into memory in one query (untimed, its time
  printed), then timed: the ``Verification`` objects made and one transaction of ``bulk_create`` of them for a round
  made with the ORM, in batches of ``services.BATCH``; the rows are deleted afterwards (untimed);
- **round**: ``start_round`` and the job that writes the rows (``execute_job``, as the worker runs it) end to end:
  the job claimed, the candidates counted and read page by page, the batches written and committed, progress
  written, the round set 核实中 with its count; the round is withdrawn afterwards (untimed).

Both must write the same rows (as many as the preview counts). It prints the best time of each, rows per second and
the ratio round / baseline. No target: the figure says what the background job costs.

    .venv/bin/python bench/bench_employment_round.py [--persons 100000] [--repeat 3] [--keep]
        [--database-url postgres://postgres@127.0.0.1:5432/shoudi_bench_round]
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
COUNTY = "520197"
TOWNSHIPS, VILLAGES_PER_TOWNSHIP = 10, 50
DAY = datetime.date(2026, 12, 31)
SEED = 20261206


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, alternating the order; the best counts")
    parser.add_argument("--database-url", default="", help="a PostgreSQL database to drop, create and use")
    parser.add_argument("--keep", action="store_true", help="keep the data directory (and database) afterwards")
    return parser.parse_args()


def recreate_postgres(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def setup(persons: int):
    """Regions, households and members; returns the county and a superuser to start the rounds."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from shoudi.accounts.models import User
    from shoudi.regions.models import Region
    from shoudi.registry.models import Household, Member

    call_command("migrate", verbosity=0)
    rng = random.Random(SEED)
    with transaction.atomic():
        county = Region.objects.create(code=COUNTY, name="基准县")
        townships = Region.objects.bulk_create(
            [
                Region(code=f"{COUNTY}{t:03d}", name=f"基准{t}镇", level="township", parent=county)
                for t in range(1, TOWNSHIPS + 1)
            ]
        )
        villages = Region.objects.bulk_create(
            [
                Region(code=f"{town.code}{v:03d}", name=f"基准{t}镇{v}村", level="village", parent=town)
                for t, town in enumerate(townships, start=1)
                for v in range(1, VILLAGES_PER_TOWNSHIP + 1)
            ]
        )
        households, sizes, left = [], [], persons
        while left > 0:
            size = min(left, rng.choice((1, 2, 3, 3, 4, 5)))
            village = villages[len(households) % len(villages)]
            households.append(
                Household(
                    household_no=f"{village.code}{len(households) + 1:06d}",
                    village=village,
                    household_type="脱贫户",
                    lifted_year=2018,
                    size=size,
                )
            )
            sizes.append(size)
            left -= size
        households = Household.objects.bulk_create(households, batch_size=2000)
        members = []
        for home, size in zip(households, sizes, strict=True):
            for k in range(size):
                born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randint(0, 58 * 365))
                members.append(
                    Member(
                        household=home,
                        name=f"成员{len(members) + 1}",
                        id_type="居民身份证",
                        id_number=f"{COUNTY}{born:%Y%m%d}{len(members) % 1000:03d}{rng.randint(0, 9)}",
                        birth_date=born,
                        relation="户主" if k == 0 else "配偶",
                        employed=rng.random() < 0.5,
                        status="正常",
                    )
                )
        Member.objects.bulk_create(members, batch_size=2000)
        admin = User.objects.create_superuser("bench-admin", password="x")  # noqa: S106 - a throw-away database
    with connection.cursor() as cur:
        cur.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
    return county, admin


def candidate_rows(county):
    from shoudi.core.dates import age_on
    from shoudi.employment.models import EmploymentSettings
    from shoudi.employment.selectors import candidates

    groups = candidates(county.code, DAY, EmploymentSettings.for_region(county))
    return [
        (group, pk, village_id, age_on(born, DAY))
        for group, qs in groups.items()
        for pk, village_id, born in qs.values_list("pk", "household__village_id", "birth_date")
    ]


READ_SECONDS: list[float] = []


def baseline(county, admin, year: int) -> tuple[float, int]:
    from django.db import transaction

    from shoudi.employment import services
    from shoudi.employment.models import Verification, VerificationRound

    start = time.perf_counter()
    rows = candidate_rows(county)  # not in the baseline's time: the least work is writing them
    READ_SECONDS.append(time.perf_counter() - start)
    round_ = VerificationRound.objects.create(
        county=county, year=year, reference_date=DAY, state="started", started_by=admin
    )
    start = time.perf_counter()
    objs = [
        Verification(round=round_, member_id=pk, village_id=village_id, group=group, age=age)
        for group, pk, village_id, age in rows
    ]
    with transaction.atomic():
        Verification.objects.bulk_create(objs, batch_size=services.BATCH)
    seconds = time.perf_counter() - start
    written = round_.rows.count()
    round_.rows.all()._raw_delete(round_.rows.db)
    round_.delete()
    return seconds, written


def confirm(county, admin) -> tuple[float, int]:
    from shoudi.core.context import acting_as
    from shoudi.core.jobs.runner import execute_job
    from shoudi.core.models import Job
    from shoudi.employment import services

    start = time.perf_counter()
    with acting_as(admin, source="cli"):
        round_ = services.start_round(user=admin, county=county, year=DAY.year, reference_date=DAY)
    execute_job(round_.job_id)
    seconds = time.perf_counter() - start
    round_.refresh_from_db()
    job = Job.objects.get(pk=round_.job_id)
    assert job.status == Job.SUCCEEDED and round_.state == "started", (job.status, job.error, round_.state)
    written = round_.rows.count()
    assert written == round_.persons == job.total, (written, round_.persons, job.total)
    with acting_as(admin, source="cli"):
        services.withdraw_round(user=admin, round_=round_)
    return seconds, written


def main() -> int:
    args = parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="shoudi-bench-round-"))
    os.environ["SHOUDI_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
        recreate_postgres(args.database_url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shoudi.settings")
    sys.path.insert(0, str(BASE_DIR))
    import logging

    import django

    django.setup()
    logging.getLogger("shoudi.jobs").setLevel(logging.WARNING)
    from django.db import connection, connections

    from shoudi.employment.services import BATCH

    where = "PostgreSQL" if args.database_url else "SQLite"
    try:
        print(f"Setting up {args.persons:,} persons on {where} in {data_dir} …", flush=True)
        start = time.perf_counter()
        county, admin = setup(args.persons)
        expected = len(candidate_rows(county))
        print(f"  {expected:,} persons to verify, setup {time.perf_counter() - start:.1f} s", flush=True)
        best = {"baseline": None, "round": None}
        for i in range(args.repeat):
            order = ("baseline", "round") if i % 2 == 0 else ("round", "baseline")
            got = {}
            for phase in order:
                seconds, written = baseline(county, admin, 2000 + i) if phase == "baseline" else confirm(county, admin)
                if written != expected:
                    print(f"MISMATCH {phase}: wrote {written:,} rows, the preview counts {expected:,}")
                    return 1
                got[phase] = seconds
                if best[phase] is None or seconds < best[phase]:
                    best[phase] = seconds
            print(
                f"  run {i + 1}: baseline {got['baseline']:6.2f} s   round {got['round']:6.2f} s "
                f"(ratio {got['round'] / got['baseline']:.2f})",
                flush=True,
            )
        print()
        print(f"rows: {expected:,} ({where}, {connection.vendor}), batches of {BATCH} rows")
        for label, phase in (
            ("baseline  bulk_create, one transaction:", "baseline"),
            ("round     start_round + its job:", "round"),
        ):
            print(f"{label:<40}{best[phase]:6.2f} s  ({expected / best[phase]:,.0f} rows/s)")
        print(f"ratio     round / baseline = {best['round'] / best['baseline']:.2f}")
        print(f"(reading the candidates in one query, left out of the baseline: {min(READ_SECONDS):.2f} s)")
        return 0
    finally:
        connections.close_all()
        if args.keep:
            print(f"kept: {data_dir}" + (f" and {args.database_url}" if args.database_url else ""))
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
            if args.database_url:
                recreate_postgres(args.database_url, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
