"""Benchmark: a 400,000-person ledger (脱贫户台账) against raw XlsxWriter writing the same rows.

Target (issue): the ledger end to end (query, lookups, masking decisions, subtotal bookkeeping, write) in ≤ 1.3× the
time raw XlsxWriter ``constant_memory`` takes to write the same rows, measured in the same run; peak memory ≤ 1 GB.

The script makes a fresh database (an SQLite file in a temporary data directory by default, or ``--database-url``
for PostgreSQL, whose database it drops and recreates), migrates it and loads one county in bulk SQL: 500 villages,
N persons in households of 1–5 (all 脱贫户, so the 脱贫户台账 lists every one of them) and an identified case for ~5 %
of the households (the ledger's 监测对象类别 column reads them). The data is drawn from a seeded generator: every
run loads the same rows. Then, each in its own process so that each peak RSS is its own:

- **baseline**: the ledger's cells are read into memory first (untimed), then timed: raw XlsxWriter in
  ``constant_memory`` mode writes them — title, subtitle, header, then per cell ``write_string`` / ``write_number``
  chosen per column with the same formats, the way a careful hand-written export would;
- **ledger**: ``engine.write_xlsx`` for the standard 脱贫户台账 end to end, as ``shoudi ledger lifted`` runs it.

Both must write the same number of rows. The script prints seconds, rows per second, the ratio ledger / baseline and
each process's peak RSS, and exits non-zero when a target is missed.

    .venv/bin/python bench/bench_ledger.py [--persons 400000] [--repeat 3] [--keep]
        [--database-url postgres://postgres@127.0.0.1:5432/shoudi_bench_ledger]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
COUNTY = "520198"
TOWNSHIPS, VILLAGES_PER_TOWNSHIP = 10, 50
TARGET_RATIO, TARGET_RSS_MB = 1.3, 1024
SEED = 20250901

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟强军磊洋勇杰涛明超华平刚辉鹏飞斌波芳娜敏静丽艳娟霞秀英玲桂兰萍红梅琴燕云琳雪莉凤珍翠花慧巧美春"
RELATIONS = ("配偶", "之子", "之女", "之孙子", "之孙女", "之父", "之母")
HEALTH = ("健康",) * 8 + ("长期慢性病", "患有大病", "残疾", "残疾,长期慢性病")
SKILLS = ("普通劳动力",) * 5 + ("技能劳动力", "弱劳动力或半劳动力", "丧失劳动力", "无劳动力", "")
PLACES = ("县内", "省内县外", "浙江省宁波市", "广东省东莞市", "福建省泉州市", "江苏省苏州市", "")
GRADES = ("小学", "七年级", "八年级", "九年级", "普通高中一年级", "中职二年级", "本科一年级")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=400_000)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="run baseline and ledger this many times, alternating which goes first; the best counts",
    )
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (dropped and recreated); default SQLite")
    parser.add_argument("--keep", action="store_true", help="keep the data directory / database afterwards")
    parser.add_argument("--phase", choices=("setup", "baseline", "ledger"), help=argparse.SUPPRESS)
    parser.add_argument("--out", default="", help=argparse.SUPPRESS)
    return parser.parse_args()


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shoudi.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()


# --- setup: regions, households, members, cases -------------------------------------------------------------------


def insert(model, rows: list[dict], *, batch: int = 5000) -> None:
    """INSERT rows given as {field: value} (dates and JSON as Python values); fields not given take their default
    ("" for text without one). One executemany per batch."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not f.primary_key or f.attname in rows[0]]
    now = datetime.datetime.now(datetime.UTC)
    defaults = {}
    for f in fields:
        if f.attname in rows[0]:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value = now
        elif f.has_default():
            value = f.get_default()
        else:
            value = None if f.null else ""
        defaults[f.attname] = f.get_db_prep_save(value, connection)
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(f.column for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    prepare = {
        f.attname: (lambda v, f=f: f.get_db_prep_save(v, connection))
        for f in fields
        if f.get_internal_type() in ("DateField", "DateTimeField", "JSONField")
    }
    names = [f.attname for f in fields]
    with connection.cursor() as cur:
        for start in range(0, len(rows), batch):
            chunk = []
            for row in rows[start : start + batch]:
                values = []
                for name in names:
                    if name in row:
                        value = row[name]
                        values.append(prepare[name](value) if name in prepare else value)
                    else:
                        values.append(defaults[name])
                chunk.append(values)
            cur.executemany(sql, chunk)


def setup(persons: int) -> None:
    from django.core.management import call_command
    from django.db import connection, transaction

    from shoudi.monitoring.models import MonitoringCase
    from shoudi.regions.models import Region
    from shoudi.registry.models import Household, Member

    started = time.perf_counter()
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
        village_ids = [v.pk for v in villages]
        village_codes = {v.pk: v.code for v in villages}

        households, members, cases = [], [], []
        left, hid = persons, 0
        per_village = persons // 3 // len(village_ids) + 1  # about three persons a household
        while left > 0:
            hid += 1
            size = min(left, rng.choice((1, 2, 3, 3, 3, 4, 4, 5)))
            village = village_ids[(hid - 1) // per_village % len(village_ids)]
            households.append(
                {
                    "id": hid,
                    "household_no": f"{village_codes[village]}{hid:06d}",
                    "village_id": village,
                    "group_name": f"{rng.randint(1, 12)}组",
                    "phone": f"1{rng.randint(3, 9)}{rng.randint(0, 10**9 - 1):09d}",
                    "household_type": "脱贫户",
                    "lifted_year": rng.randint(2014, 2020),
                    "size": size,
                }
            )
            left -= size
        insert(Household, households)
        seq = 0
        for h in households:
            for k in range(h["size"]):
                seq += 1
                born = datetime.date(1940, 1, 1) + datetime.timedelta(days=rng.randint(0, 30000))
                male = rng.random() < 0.5
                child = born.year >= 2007
                members.append(
                    {
                        "household_id": h["id"],
                        "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                        "id_type": "居民身份证",
                        "id_number": f"{COUNTY}{born:%Y%m%d}{seq % 1000:03d}{rng.choice('0123456789X')}",
                        "gender": "男" if male else "女",
                        "birth_date": born,
                        "relation": "户主" if k == 0 else rng.choice(RELATIONS),
                        "ethnicity": "汉族",
                        "student_status": rng.choice(GRADES) if child and rng.random() < 0.9 else "",
                        "health": rng.choice(HEALTH),
                        "labour_skill": "" if child else rng.choice(SKILLS),
                        "employed": None if child else rng.random() < 0.5,
                        "work_place": "" if child else rng.choice(PLACES),
                        "status": "正常",
                    }
                )
        insert(Member, members)
        today = datetime.date(2025, 6, 30)
        for h in households:
            if rng.random() < 0.05:
                cases.append(
                    {
                        "household_id": h["id"],
                        "category": rng.choice(("脱贫不稳定户", "突发严重困难户")),
                        "risk_types": ["因病"],
                        "clue_date": today,
                        "identified_on": today,
                        "chain": "identification",
                        "step": "monitoring",
                        "is_open": True,
                        "step_since": datetime.datetime.now(datetime.UTC),
                    }
                )
        insert(MonitoringCase, cases)
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("SELECT setval(pg_get_serial_sequence('registry_household', 'id'), %s)", [hid])
    with connection.cursor() as cur:
        cur.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM ANALYZE")
    print(
        json.dumps(
            {
                "households": len(households),
                "persons": len(members),
                "cases": len(cases),
                "seconds": time.perf_counter() - started,
            }
        )
    )


# --- the two measured phases ----------------------------------------------------------------------------------------


def lifted_ledger():
    from shoudi.ledgers import engine

    ledger = engine.resolve("lifted")
    ctx = engine.make_context(ledger, None, COUNTY, today=datetime.date(2025, 12, 31))
    return engine, ledger, ctx


def baseline(out: str) -> None:
    import xlsxwriter

    engine, ledger, ctx = lifted_ledger()
    columns = ledger.visible_columns(ctx)
    rows = list(engine.iter_cells(ledger, ctx))  # untimed: the same cells the ledger writes
    loaded_rss = peak_rss_mb()

    start = time.perf_counter()
    book = xlsxwriter.Workbook(
        out,
        {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    sheet = book.add_worksheet("脱贫户台账")
    head = book.add_format({"bold": True, "border": 1, "bg_color": "#DDEBF7"})
    text = book.add_format({"num_format": "@"})
    integer = book.add_format({"num_format": "0"})
    sheet.write_string(0, 0, ledger.title)
    sheet.write_string(1, 0, engine.subtitle_of(ledger, ctx))
    for c, column in enumerate(columns):
        sheet.set_column(c, c, column.column_width)
        sheet.write_string(2, c, column.label, head)
    sheet.freeze_panes(3, 0)
    writers = [
        (sheet.write_number, integer)
        if column.kind in ("int", "money", "number")
        else (sheet.write_string, text if column.kind in ("id", "phone", "code") else None)
        for column in columns
    ]
    r = 3
    for row in rows:
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            write, cell_format = writers[c]
            write(r, c, value, cell_format)
        r += 1
    book.close()
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "seconds": seconds,
                "rows": len(rows),
                "rss_mb": peak_rss_mb(),
                "loaded_rss_mb": loaded_rss,
                "columns": len(columns),
                "bytes": Path(out).stat().st_size,
            }
        )
    )


def ledger_phase(out: str) -> None:
    engine, ledger, ctx = lifted_ledger()
    start = time.perf_counter()
    count = engine.count_rows(ledger, ctx)
    counted = time.perf_counter() - start
    written = engine.write_xlsx(ledger, ctx, out)
    seconds = time.perf_counter() - start
    assert written == count, (written, count)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "count_seconds": counted,
                "rows": written,
                "rss_mb": peak_rss_mb(),
                "bytes": Path(out).stat().st_size,
            }
        )
    )


# --- driver ---------------------------------------------------------------------------------------------------------


def run_phase(phase: str, env: dict, *extra: str) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--phase", phase, *extra], env=env, capture_output=True, text=True
    )
    if result.returncode:
        sys.stderr.write(result.stderr)
        raise SystemExit(f"phase {phase} failed (exit {result.returncode})")
    return json.loads(result.stdout.strip().splitlines()[-1])


def recreate_postgres(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


def main() -> int:
    args = parse_args()
    if args.phase:
        django_setup()
        {
            "setup": lambda: setup(args.persons),
            "baseline": lambda: baseline(args.out),
            "ledger": lambda: ledger_phase(args.out),
        }[args.phase]()
        return 0

    data_dir = Path(tempfile.mkdtemp(prefix="shoudi-bench-ledger-"))
    env = {**os.environ, "SHOUDI_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "shoudi.settings"}
    env.pop("DATABASE_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
        recreate_postgres(args.database_url)
    where = "PostgreSQL" if args.database_url else "SQLite"
    try:
        print(f"Setting up {args.persons:,} persons on {where} in {data_dir} …", flush=True)
        made = run_phase("setup", env, "--persons", str(args.persons))
        print(
            f"  {made['households']:,} households, {made['persons']:,} persons, {made['cases']:,} cases "
            f"in {made['seconds']:.1f} s",
            flush=True,
        )
        best_base = best_ledger = None
        for i in range(args.repeat):
            # Alternate the order, so that neither always runs on a cold cache or beside somebody else's load.
            order = ("baseline", "ledger") if i % 2 == 0 else ("ledger", "baseline")
            got = {phase: run_phase(phase, env, "--out", str(data_dir / f"{phase}.xlsx")) for phase in order}
            base, led = got["baseline"], got["ledger"]
            print(
                f"  run {i + 1}: baseline {base['seconds']:6.1f} s   ledger {led['seconds']:6.1f} s "
                f"(ratio {led['seconds'] / base['seconds']:.2f})",
                flush=True,
            )
            if best_base is None or base["seconds"] < best_base["seconds"]:
                best_base = base
            if best_ledger is None or led["seconds"] < best_ledger["seconds"]:
                best_ledger = led
        assert best_base["rows"] == best_ledger["rows"] == made["persons"], (best_base, best_ledger, made)
        ratio = best_ledger["seconds"] / best_base["seconds"]
        print()
        print(f"rows: {best_ledger['rows']:,} × {best_base['columns']} columns ({where})")
        print(
            f"baseline  raw XlsxWriter constant_memory: {best_base['seconds']:6.1f} s  "
            f"({best_base['rows'] / best_base['seconds']:,.0f} rows/s), peak RSS {best_base['rss_mb']:.0f} MB "
            f"(rows held in memory: {best_base['loaded_rss_mb']:.0f} MB before writing), "
            f"{best_base['bytes'] / 1e6:.1f} MB file"
        )
        print(
            f"ledger    engine.write_xlsx end to end:    {best_ledger['seconds']:6.1f} s  "
            f"({best_ledger['rows'] / best_ledger['seconds']:,.0f} rows/s, count {best_ledger['count_seconds']:.2f}"
            f" s), peak RSS {best_ledger['rss_mb']:.0f} MB, {best_ledger['bytes'] / 1e6:.1f} MB file"
        )
        print(f"ratio     ledger / baseline = {ratio:.2f}  (target ≤ {TARGET_RATIO})")
        ok = ratio <= TARGET_RATIO and best_ledger["rss_mb"] <= TARGET_RSS_MB
        print("OK" if ok else "TARGET MISSED")
        return 0 if ok else 1
    finally:
        if args.keep:
            print(f"kept: {data_dir}" + (f" and {args.database_url}" if args.database_url else ""))
        else:
            shutil.rmtree(data_dir, ignore_errors=True)
            if args.database_url:
                recreate_postgres(args.database_url, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
