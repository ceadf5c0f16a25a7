"""Benchmark: department matching (shoudi.matching) of a 医保 list against the registry, end to end from the file.

Issue targets:

- province scale on PostgreSQL: 10,000,000 registry persons × a 2,000,000-row list; the full run (load + all rules +
  findings) ≤ 2 × a baseline measured in the same run: a raw COPY of the list plus one SQL join producing the same
  matches;
- county scale on SQLite: 400,000 persons × a 100,000-row Excel list, end to end from the file, ≤ 5 s.

    .venv/bin/python bench/bench_matching.py sqlite [--persons 400000] [--rows 100000]
    .venv/bin/python bench/bench_matching.py postgres [--persons 10000000] [--rows 2000000] [--keep] [--reuse]
        [--server postgres://postgres@127.0.0.1:5432] [--database shoudi_bench_matching]

``--reuse`` takes a database kept by ``--keep`` as it is and matches the next month's list, so the run also
links each finding to last month's.

Both build one county (520199, 10 townships × 50 villages) of households of three persons with valid ID numbers;
脱贫户 and identified (监测) households make up about the list's size in persons. The list holds 98 % of those
persons (2 % not insured), about 1.5 % of them with a 合规自付 cost above the line, 0.2 % with another spelling of
the name, plus 1 % persons from elsewhere (not in the registry). The data come from a hash of the row number, the
same in every run.

- **baseline** (PostgreSQL): COPY of the CSV into a plain table, then one statement (a hash full join of the list
  with the registry, as the run does) writing the rows that match any of the four rules into a table, and their
  counts. (SQLite: calamine reading the Excel file, ``executemany`` into a plain table, one join.)
- **run**: ``match_file(department="medical_insurance", path=…)`` — read and check every row (ID numbers by
  GB 11643), load them, match, write the findings with their links to earlier ones, count per rule.

The script checks that the per-rule counts of the run equal the baseline's and prints both times and the ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import (
    BASE_DIR,
    COUNTY,
    RAND_FUNCTION,
    TOWNSHIPS,
    VILLAGES_PER_TOWNSHIP,
    create_regions,
    database_exists,
    peak_rss_mib,
    recreate_database,
    run_steps,
    start_django,
    timed,
    vacuum_analyze,
)

PERIOD = "2025-05"
RULES = ["not_insured", "high_medical", "name_mismatch", "not_in_registry"]
PER_HOUSEHOLD = 3
# salts of pg_temp.r used here (bench_screening uses 1–10, bench_worklist 20–79)
S_LIFTED, S_CASE, S_DEAD, S_ABSENT, S_RENAMED, S_COSTLY, S_COST = 100, 101, 102, 103, 104, 105, 106


def lifted_share(persons: int, rows: int) -> float:
    """The share of 脱贫户 that makes the 脱贫/监测 persons on the list about ``rows``."""
    base = rows * 0.99 / (persons * 0.995 * 0.98)  # 1 % outsiders; 0.5 % dead; 2 % not insured
    return max(0.01, min(0.95, (base - 0.02) / 0.98))  # 2 % of the other households are identified


# --- PostgreSQL: set-based data ---------------------------------------------------------------------------------

CHECK_FUNCTION = """
CREATE FUNCTION pg_temp.idn(first17 text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT first17 || substr('10X98765432', 1 + (
    substr(first17, 1, 1)::int * 7 + substr(first17, 2, 1)::int * 9 + substr(first17, 3, 1)::int * 10
  + substr(first17, 4, 1)::int * 5 + substr(first17, 5, 1)::int * 8 + substr(first17, 6, 1)::int * 4
  + substr(first17, 7, 1)::int * 2 + substr(first17, 8, 1)::int * 1 + substr(first17, 9, 1)::int * 6
  + substr(first17, 10, 1)::int * 3 + substr(first17, 11, 1)::int * 7 + substr(first17, 12, 1)::int * 9
  + substr(first17, 13, 1)::int * 10 + substr(first17, 14, 1)::int * 5 + substr(first17, 15, 1)::int * 8
  + substr(first17, 16, 1)::int * 4 + substr(first17, 17, 1)::int * 2) % 11, 1) $$
"""

PG_HOUSEHOLDS = """
INSERT INTO registry_household (id, created_at, updated_at, household_no, group_name, address, phone, household_type,
    lifted_year, size, relocated, resettlement_site, no_labour_guarantee, national_data, village_id)
SELECT g, now(), now(), 'M' || lpad(g::text, 10, '0'), '', '', '',
       CASE WHEN pg_temp.r(g, %(s_lifted)s) < %(lifted)s THEN '脱贫户' ELSE '一般农户' END, NULL, 3, false, '',
       false, '{}'::jsonb, v.id
FROM generate_series(1, %(households)s) AS g
JOIN (SELECT id, row_number() OVER (ORDER BY code) - 1 AS k FROM regions_region WHERE level = 'village') AS v
  ON v.k = g %% %(villages)s
"""

# person k = 3 (g − 1) + m: birth date and sequence from k, so every ID number is distinct and valid
PG_MEMBERS = """
INSERT INTO registry_member (created_at, updated_at, name, name_initials, id_type, id_number, gender, birth_date,
    relation, ethnicity, political_status, education, student_status, out_of_school_reason, health,
    disability_category, disability_grade, labour_skill, work_place, public_welfare_job, phone, dibao, tekun, status,
    extra, household_id)
SELECT now(), now(), '员' || k, '', '居民身份证',
       pg_temp.idn('520199' || to_char(date '1940-01-01' + (k %% 25000)::int, 'YYYYMMDD')
                   || lpad(((k / 25000) %% 1000)::text, 3, '0')),
       '', date '1940-01-01' + (k %% 25000)::int, CASE WHEN m = 1 THEN '户主' WHEN m = 2 THEN '配偶' ELSE '之子' END,
       '汉族', '群众', '初中', '', '', '健康', '', '', '普通劳动力', '', '', '', '未享受', '不享受',
       CASE WHEN pg_temp.r(k, %(s_dead)s) < 0.005 THEN '死亡' ELSE '正常' END, '{}'::jsonb, g
FROM (SELECT g, m, 3 * (g - 1) + m AS k FROM generate_series(1, %(households)s) AS g
      CROSS JOIN (VALUES (1), (2), (3)) AS t(m)) AS x
"""

PG_CASES = """
INSERT INTO monitoring_monitoringcase (created_at, updated_at, category, risk_types, disaster_subtype, source,
    clue_date, clue_note, clue_rules, clue_figures, chain, step, step_since, is_open, returned_reason,
    elimination_type, delayed_exit_confirmed, closed_reason, imported, household_id, identified_on)
SELECT now(), now(), '边缘易致贫户', '["因病"]'::jsonb, '', '基层干部排查', date '2024-03-01', '', '[]'::jsonb,
       '{}'::jsonb, 'identification', 'monitoring', now(), true, '', '', false, '', false, g, date '2024-03-01'
FROM generate_series(1, %(households)s) AS g WHERE pg_temp.r(g, %(s_case)s) < 0.02
"""

# The 医保 list: the 脱贫/监测 persons alive but 2 %, then 1 % outsiders (valid IDs of another province).
PG_LIST = """
COPY (
  SELECT CASE WHEN pg_temp.r(m.id, {s_renamed}) < 0.002 THEN '异' || m.id ELSE m.name END AS "姓名",
         m.id_number AS "证件号码", '正常参保' AS "参保状态",
         round((CASE WHEN pg_temp.r(m.id, {s_costly}) < 0.015 THEN 10500 + 30000 * pg_temp.r(m.id, {s_cost})
                     ELSE 3000 * pg_temp.r(m.id, {s_cost}) END)::numeric, 2) AS "合规自付费用"
  FROM registry_member m JOIN registry_household h ON h.id = m.household_id
  WHERE m.status = '正常' AND pg_temp.r(m.id, {s_absent}) >= 0.02
    AND (h.household_type = '脱贫户' OR EXISTS (SELECT 1 FROM monitoring_monitoringcase c
                                                WHERE c.household_id = h.id AND c.identified_on IS NOT NULL))
  UNION ALL
  SELECT '外' || g, pg_temp.idn('130101' || to_char(date '1950-01-01' + (g % 20000)::int, 'YYYYMMDD')
                                || lpad(((g / 20000) % 1000)::text, 3, '0')),
         '正常参保', 500
  FROM generate_series(1, {outsiders}) AS g
) TO STDOUT WITH (FORMAT csv, HEADER)
"""

BASELINE_TABLE = "CREATE UNLOGGED TABLE bench_list (name text, id_number varchar(18), status text, cost numeric(14, 2))"
# The same four rules as the 医保 source over the same full join, the matching rows written to a table.
BASELINE_JOIN = """
CREATE TEMP TABLE bench_hits AS
SELECT l.id_number, r.m_id,
       (l.id_number IS NULL AND r.base = 1 AND r.status = '正常') AS not_insured,
       (r.m_id IS NOT NULL AND l.cost > CASE WHEN r.household_type = '脱贫户' THEN %(lifted)s ELSE %(other)s END)
           AS high_medical,
       (l.id_number IS NOT NULL AND r.m_id IS NOT NULL AND l.name <> r.name) AS name_mismatch,
       (r.m_id IS NULL) AS not_in_registry
FROM bench_list l
FULL JOIN (SELECT m.id AS m_id, m.id_number, m.name, m.status, h.household_type,
                  CASE WHEN h.household_type = '脱贫户' OR c.identified = 1 THEN 1 ELSE 0 END AS base
           FROM registry_member m JOIN registry_household h ON h.id = m.household_id
           LEFT JOIN (SELECT household_id, MAX(CASE WHEN identified_on IS NOT NULL THEN 1 ELSE 0 END) AS identified
                      FROM monitoring_monitoringcase GROUP BY household_id) c ON c.household_id = h.id) r
  ON r.id_number = l.id_number
WHERE (l.id_number IS NULL AND r.base = 1 AND r.status = '正常')
   OR (r.m_id IS NOT NULL AND l.cost > CASE WHEN r.household_type = '脱贫户' THEN %(lifted)s ELSE %(other)s END)
   OR (l.id_number IS NOT NULL AND r.m_id IS NOT NULL AND l.name <> r.name)
   OR r.m_id IS NULL
"""
BASELINE_COUNTS = (
    "SELECT COUNT(*) FILTER (WHERE not_insured), COUNT(*) FILTER (WHERE high_medical), "
    "COUNT(*) FILTER (WHERE name_mismatch), COUNT(*) FILTER (WHERE not_in_registry) FROM bench_hits"
)


def pg_setup(persons: int, rows: int) -> None:
    from django.db import connection, transaction

    households = persons // PER_HOUSEHOLD
    params = {
        "households": households,
        "villages": TOWNSHIPS * VILLAGES_PER_TOWNSHIP,
        "lifted": lifted_share(persons, rows),
        "s_lifted": S_LIFTED,
        "s_dead": S_DEAD,
        "s_case": S_CASE,
    }
    create_regions()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(RAND_FUNCTION)
        cur.execute(CHECK_FUNCTION)
        run_steps(
            cur, [("households", PG_HOUSEHOLDS, None), ("members", PG_MEMBERS, None), ("cases", PG_CASES, None)], params
        )
        cur.execute("SELECT setval(pg_get_serial_sequence('registry_household', 'id'), %s)", [households])
    vacuum_analyze()
    # the gigabytes the load and VACUUM dirtied are written out now, not by a checkpoint spread over the first
    # measured month (a county's database is not measured a minute after ten million rows were inserted)
    with connection.cursor() as cur:
        _, seconds = timed(cur.execute, "CHECKPOINT")
    print(f"  {'checkpoint':<14} {'':>10}       {seconds:6.1f} s", flush=True)


def pg_write_list(path: Path, rows: int) -> int:
    from django.db import connection

    sql = PG_LIST.format(
        s_renamed=S_RENAMED, s_costly=S_COSTLY, s_cost=S_COST, s_absent=S_ABSENT, outsiders=rows // 100
    )
    count = -1  # the header line
    # the same session as the setup: pg_temp.r and pg_temp.idn exist
    with connection.cursor() as cur, path.open("wb") as out, cur.cursor.copy(sql) as copy:
        for block in copy:
            out.write(block)
            count += bytes(block).count(b"\n")
    return count


def pg_baseline(path: Path, thresholds: tuple[Decimal, Decimal]) -> dict[str, int]:
    """COPY the CSV as it is into a plain table, one join writing the matches, their counts."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DROP TABLE IF EXISTS bench_list")
        cur.execute("DROP TABLE IF EXISTS bench_hits")
        cur.execute(BASELINE_TABLE)
        with cur.cursor.copy("COPY bench_list FROM STDIN WITH (FORMAT csv, HEADER)") as copy, path.open("rb") as f:
            while block := f.read(1 << 20):
                copy.write(block)
        cur.execute(BASELINE_JOIN, {"lifted": thresholds[0], "other": thresholds[1]})
        cur.execute(BASELINE_COUNTS)
        counts = dict(zip(RULES, cur.fetchone(), strict=True))
        transaction.set_rollback(True)
    return counts


def postgres(args) -> int:
    reuse = args.reuse and database_exists(args.server, args.database)
    if not reuse:
        recreate_database(args.server, args.database)
    start_django(args.server, args.database, data_prefix="shoudi-bench-matching-")
    from django.core.management import call_command
    from django.db import connection, connections

    try:
        print(
            f"Matching benchmark (PostgreSQL): {args.persons:,} persons × a {args.rows:,}-row list, "
            f"database {args.database}" + (" (kept from an earlier run)" if reuse else ""),
            flush=True,
        )
        _, migrate_s = timed(call_command, "migrate", verbosity=0)
        print(f"  migrate        {'':>10}       {migrate_s:6.1f} s", flush=True)
        setup_s = 0.0
        if reuse:
            with connection.cursor() as cur:
                cur.execute(RAND_FUNCTION)
                cur.execute(CHECK_FUNCTION)
        else:
            _, setup_s = timed(pg_setup, args.persons, args.rows)
        folder = Path(os.environ["SHOUDI_DATA_DIR"])
        path = folder / "医保参保名单.csv"
        written, list_s = timed(pg_write_list, path, args.rows)
        print(
            f"  list (CSV)     {written:>10,} rows  {list_s:6.1f} s  {path.stat().st_size / 2**20:,.0f} MiB", flush=True
        )
        return measure(path, written, setup_s, baseline=pg_baseline, vendor="PostgreSQL", period=next_period())
    finally:
        connections.close_all()
        if not args.keep:
            recreate_database(args.server, args.database, drop_only=True)


# --- SQLite: the same data from Python ---------------------------------------------------------------------------


def _rand(g: int, salt: int) -> float:
    return random.Random(g * 1000 + salt).random()


def _idn(first17: str) -> str:
    return first17 + "10X98765432"[2 * int(first17, 13) % 11]


def sqlite_setup(persons: int, rows: int, list_path: Path) -> int:
    """Registry rows through executemany (all columns, defaults from the models); the list as .xlsx."""
    import datetime

    from django.db import connection, transaction

    from shoudi.core.excel import write_rows_xlsx
    from shoudi.monitoring.models import MonitoringCase
    from shoudi.registry.models import Household, Member

    rng = random.Random(20250501)
    county = create_regions()
    villages = list(county.children.values_list("children__id", flat=True).order_by("children__code"))
    households = persons // PER_HOUSEHOLD
    lifted_share_ = lifted_share(persons, rows)

    def insert(model, values: list[dict]) -> None:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key or "id" in values[0]]
        defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in fields}
        sql = (
            f"INSERT INTO {model._meta.db_table} ({', '.join(f.column for f in fields)}) "
            f"VALUES ({', '.join(['?'] * len(fields))})"
        )
        now = str(datetime.datetime.now(datetime.UTC).replace(tzinfo=None))
        data = [
            [
                row.get(f.attname, now if f.attname in ("created_at", "updated_at") else defaults[f.attname])
                for f in fields
            ]
            for row in values
        ]
        connection.connection.executemany(sql, data)

    lifted, identified = [], set()
    with transaction.atomic():
        homes, people, cases = [], [], []
        for g in range(1, households + 1):
            is_lifted = rng.random() < lifted_share_
            lifted.append(is_lifted)
            homes.append(
                {
                    "id": g,
                    "household_no": f"M{g:010d}",
                    "village_id": villages[g % len(villages)],
                    "household_type": "脱贫户" if is_lifted else "一般农户",
                    "national_data": "{}",
                    "size": 3,
                }
            )
            if rng.random() < 0.02:
                identified.add(g)
                cases.append(
                    {
                        "household_id": g,
                        "category": "边缘易致贫户",
                        "identified_on": "2024-03-01",
                        "step": "monitoring",
                        "is_open": True,
                        "clue_date": "2024-03-01",
                        "step_since": "2024-03-01 00:00:00",
                        "risk_types": "[]",
                        "clue_rules": "[]",
                        "clue_figures": "{}",
                        "chain": "identification",
                    }
                )
            for m in (1, 2, 3):
                k = 3 * (g - 1) + m
                born = datetime.date(1940, 1, 1) + datetime.timedelta(days=k % 25000)
                people.append(
                    {
                        "household_id": g,
                        "name": f"员{k}",
                        "id_number": _idn(f"520199{born:%Y%m%d}{(k // 25000) % 1000:03d}"),
                        "birth_date": born.isoformat(),
                        "relation": ("户主", "配偶", "之子")[m - 1],
                        "status": "死亡" if rng.random() < 0.005 else "正常",
                        "extra": "{}",
                    }
                )
        insert(Household, homes)
        insert(Member, people)
        insert(MonitoringCase, cases)
    listed = []
    for person in people:
        g = person["household_id"]
        if person["status"] != "正常" or not (lifted[g - 1] or g in identified) or rng.random() < 0.02:
            continue
        name = person["name"] if rng.random() >= 0.002 else "异" + person["name"]
        cost = 10500 + 30000 * rng.random() if rng.random() < 0.015 else 3000 * rng.random()
        listed.append([name, person["id_number"], "正常参保", round(cost, 2)])
    for g in range(1, rows // 100 + 1):
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=g % 20000)
        listed.append([f"外{g}", _idn(f"130101{born:%Y%m%d}{(g // 20000) % 1000:03d}"), "正常参保", 500])
    write_rows_xlsx(
        str(list_path), title="医保局参保名单", headers=["姓名", "证件号码", "参保状态", "合规自付费用"], rows=listed
    )
    return len(listed)


def sqlite_baseline(path: Path, thresholds: tuple[Decimal, Decimal]) -> dict[str, int]:
    """calamine reads the sheet, executemany loads it as it is, one join (list LEFT JOIN registry UNION ALL the
    absent persons, as the run does on SQLite) writes the matches."""
    from django.db import connection, transaction
    from python_calamine import CalamineWorkbook

    cells = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()[3:]
    with transaction.atomic(), connection.cursor() as cur:
        raw = connection.connection
        raw.execute("CREATE TEMP TABLE bench_list (name text, id_number text, status text, cost real)")
        raw.executemany("INSERT INTO bench_list VALUES (?, ?, ?, ?)", cells)
        raw.execute("CREATE INDEX bench_list_id ON bench_list (id_number)")
        lifted, other = float(thresholds[0]), float(thresholds[1])
        cases = """(SELECT household_id, MAX(CASE WHEN identified_on IS NOT NULL THEN 1 ELSE 0 END) AS identified
                    FROM monitoring_monitoringcase GROUP BY household_id) c ON c.household_id = h.id"""
        base = "(h.household_type = '脱贫户' OR c.identified = 1)"
        raw.execute(f"""CREATE TEMP TABLE bench_hits AS
            SELECT l.id_number, m.id AS m_id, 0 AS not_insured,
                   m.id IS NOT NULL AND l.cost > CASE WHEN h.household_type = '脱贫户' THEN {lifted} ELSE {other} END
                       AS high_medical,
                   m.id IS NOT NULL AND l.name <> m.name AS name_mismatch, m.id IS NULL AS not_in_registry
            FROM bench_list l LEFT JOIN registry_member m ON m.id_number = l.id_number
            LEFT JOIN registry_household h ON h.id = m.household_id LEFT JOIN {cases}
            UNION ALL
            SELECT NULL, m.id, 1, 0, 0, 0
            FROM registry_member m JOIN registry_household h ON h.id = m.household_id LEFT JOIN {cases}
            WHERE {base} AND m.status = '正常'
              AND NOT EXISTS (SELECT 1 FROM bench_list x WHERE x.id_number = m.id_number)""")
        counts = dict(
            zip(
                RULES,
                raw.execute(
                    "SELECT SUM(not_insured), SUM(high_medical), SUM(name_mismatch), SUM(not_in_registry) "
                    "FROM bench_hits"
                ).fetchone(),
                strict=True,
            )
        )
        raw.execute("DROP TABLE bench_hits")
        raw.execute("DROP TABLE bench_list")
        transaction.set_rollback(True)
        del cur
    return counts


def sqlite(args) -> int:
    data_dir = tempfile.mkdtemp(prefix="shoudi-bench-matching-sqlite-")
    os.environ["SHOUDI_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shoudi.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    print(
        f"Matching benchmark (SQLite): {args.persons:,} persons × a {args.rows:,}-row Excel list, "
        f"data directory {data_dir}",
        flush=True,
    )
    _, migrate_s = timed(call_command, "migrate", verbosity=0)
    print(f"  migrate        {'':>10}       {migrate_s:6.1f} s", flush=True)
    path = Path(data_dir) / "医保参保名单.xlsx"
    written, setup_s = timed(sqlite_setup, args.persons, args.rows, path)
    print(f"  registry + list {written:>9,} rows  {setup_s:6.1f} s  {path.stat().st_size / 2**20:,.1f} MiB", flush=True)
    return measure(path, written, setup_s, baseline=sqlite_baseline, vendor="SQLite", target=5.0, period=PERIOD)


# --- measuring ----------------------------------------------------------------------------------------------------


def next_period() -> str:
    """The month after the last run in the database (a kept database is matched for the following month: its
    findings link to the earlier ones)."""
    from shoudi.matching.models import MatchRun

    last = MatchRun.objects.filter(status="succeeded").order_by("-period").values_list("period", flat=True).first()
    if last is None:
        return PERIOD
    return _following(last)


def _following(period: str) -> str:
    year, month = map(int, period.split("-"))
    return f"{year + month // 12}-{month % 12 + 1:02d}"


def measure(
    path: Path,
    written: int,
    setup_s: float,
    *,
    baseline,
    vendor: str,
    period: str,
    target: float | None = None,
    months: int = 2,
) -> int:
    """Baseline and run alternately, ``months`` times (each run the next month: from the second on, every finding
    links to last month's); each run's ratio is against the baseline measured just before it."""
    from shoudi.matching.models import Finding, MatchingSettings
    from shoudi.matching.services import match_file

    config = MatchingSettings.for_region(COUNTY)
    thresholds = (config.medical_threshold_lifted, config.medical_threshold_other)
    baseline(path, thresholds)  # warm the cache the same way for both: one untimed pass over the registry
    problems, rounds = [], []
    for n in range(months):
        base_counts, baseline_s = timed(baseline, path, thresholds)
        earlier = Finding.objects.current().count()
        run, run_s = timed(match_file, department="medical_insurance", path=path, period=period, region_code="")
        hits = {code: run.counts[code]["hits"] for code in RULES}
        rounds.append((period, baseline_s, run_s, run, earlier))
        problems += [
            f"{period} {code}: baseline {base_counts[code]} ≠ run {hits[code]}"
            for code in RULES
            if base_counts[code] != hits[code]
        ]
        if n == 0:
            print()
            print(f"{'rule':<18}{'baseline':>12}{'run':>12}")
            for code in RULES:
                print(f"{code:<18}{base_counts[code]:>12,}{hits[code]:>12,}")
        period = _following(period)
    print()
    print(f"setup (registry, list)       {setup_s:10.1f} s")
    what = "COPY" if vendor == "PostgreSQL" else "read + insert"
    for period, baseline_s, run_s, run, earlier in rounds:
        ratio = run_s / baseline_s
        verdict = (
            f"target ≤ {target:.0f} s: {'ok' if run_s <= target else 'MISSED'}"
            if target is not None
            else f"target ≤ 2 ×: {'ok' if ratio <= 2 else 'MISSED'}"
        )
        print(
            f"{period}: baseline ({what} + one join) {baseline_s:7.2f} s   run (load + rules + findings) "
            f"{run_s:7.2f} s   ratio {ratio:5.2f} ×   {verdict}"
        )
        print(
            f"         {written / run_s:,.0f} list rows/s; findings written "
            f"{Finding.objects.filter(run=run).count():,} (recurring {run.summary['recurring']:,} of "
            f"{earlier:,} earlier); rows rejected {run.list.rows_rejected:,}"
        )
    print(f"peak RSS                     {peak_rss_mib():10.0f} MiB")
    for problem in problems:
        print("MISMATCH", problem)
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="vendor", required=True)
    lite = sub.add_parser("sqlite", help="county scale, end to end from an Excel file")
    lite.add_argument("--persons", type=int, default=400_000)
    lite.add_argument("--rows", type=int, default=100_000)
    pg = sub.add_parser("postgres", help="province scale, against a raw COPY + one join")
    pg.add_argument("--persons", type=int, default=10_000_000)
    pg.add_argument("--rows", type=int, default=2_000_000)
    pg.add_argument("--server", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    pg.add_argument("--database", default="shoudi_bench_matching")
    pg.add_argument("--keep", action="store_true", help="keep the database afterwards")
    pg.add_argument(
        "--reuse", action="store_true", help="use the kept database as it is (no new registry) and match the next month"
    )
    args = parser.parse_args()
    return sqlite(args) if args.vendor == "sqlite" else postgres(args)


if __name__ == "__main__":
    sys.exit(main())
