"""The synthetic county the PostgreSQL benchmarks share: database, Django start-up, regions and the registry.

One county (520199) of 10 townships × 50 villages and N households loaded set-based in SQL
(``INSERT … SELECT generate_series``). Every random number is drawn from a hash of the row number (``pg_temp.r``),
so every run loads the same data. A benchmark adds its own tables with the same function and its own salts:
bench_screening uses salts 1–10, bench_worklist 20–79.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import psycopg

__all__ = [
    "BASE_DIR",
    "COUNTY",
    "HOUSEHOLDS",
    "LIFTED",
    "MEMBERS",
    "RAND_FUNCTION",
    "TOWNSHIPS",
    "VILLAGES_PER_TOWNSHIP",
    "add_database_args",
    "create_regions",
    "database_exists",
    "peak_rss_mib",
    "recreate_database",
    "run_steps",
    "start_django",
    "timed",
    "vacuum_analyze",
]

BASE_DIR = Path(__file__).resolve().parent.parent
COUNTY = "520199"
TOWNSHIPS, VILLAGES_PER_TOWNSHIP = 10, 50


def add_database_args(parser: argparse.ArgumentParser, *, database: str) -> None:
    """The options every benchmark takes: size, server, database name and whether to keep the database."""
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument(
        "--server",
        default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"),
        help="PostgreSQL server URL without the database name",
    )
    parser.add_argument("--database", default=database)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (to inspect or re-run)")


def recreate_database(server: str, name: str, *, drop_only: bool = False) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def database_exists(server: str, name: str) -> bool:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def start_django(server: str, database: str, *, data_prefix: str) -> None:
    """Point Django at the benchmark database (and a throw-away data directory), then ``django.setup()``."""
    os.environ["DATABASE_URL"] = f"{server}/{database}"
    os.environ["SHOUDI_DATA_DIR"] = tempfile.mkdtemp(prefix=data_prefix)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shoudi.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - start


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


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
# Whether household g is a 脱贫户, for the statements of a benchmark that need it without reading the table.
LIFTED = "pg_temp.r({g}, 1) < 0.25"

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


def create_regions():
    """The county, its townships and villages (Django objects); returns the county."""
    from shoudi.regions.models import Region

    county = Region.objects.create(code=COUNTY, name="基准县")
    townships = Region.objects.bulk_create(
        [
            Region(code=f"{COUNTY}{t:03d}", name=f"基准镇{t}", level="township", parent=county)
            for t in range(1, TOWNSHIPS + 1)
        ]
    )
    Region.objects.bulk_create(
        [
            Region(code=f"{town.code}{v:03d}", name=f"{town.name}{v}村", level="village", parent=town)
            for town in townships
            for v in range(1, VILLAGES_PER_TOWNSHIP + 1)
        ]
    )
    return county


def run_steps(cur, steps, params: dict) -> None:
    """Execute (label, sql, extra params) steps on ``cur``, printing the rows written and the seconds of each."""
    for label, sql, extra in steps:
        _, seconds = timed(cur.execute, sql, {**params, **(extra or {})})
        print(f"  {label:<14} {cur.rowcount:>10,} rows  {seconds:6.1f} s", flush=True)


def vacuum_analyze() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        _, seconds = timed(cur.execute, "VACUUM ANALYZE")
    print(f"  {'vacuum analyze':<14} {'':>10}       {seconds:6.1f} s", flush=True)
