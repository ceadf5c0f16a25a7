"""Benchmark: import of a national person-level export of 100,000 households / ≈ 400,000 persons.

    .venv/bin/python bench/bench_household_import.py [--households 100000] [--regenerate] [--no-postgres]
                                                      [--postgres-url postgres://postgres@127.0.0.1:5432/shoudi_bench]

Generates the file once into bench/out/ (synthetic, seeded), then measures in separate processes, so that each
figure has its own peak memory:

1. the baseline: reading every row with python-calamine alone (``CalamineWorkbook.from_path(...)
   .get_sheet_by_index(0).iter_rows()``);
2. the import on SQLite (a fresh database in a temporary data directory): preview + commit, as the upload page
   does, then the same file again (re-import: nothing to write);
3. the same on PostgreSQL (a fresh database, dropped and created again).

Prints seconds, peak RSS and the ratios to the baseline. Targets: import ≤ 3 × baseline and ≤ 40 s on SQLite,
peak memory ≤ 2 GB, re-import ≤ the first import.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
COUNTY = ("520198", "基准县")
TOWNSHIPS, VILLAGES_PER_TOWNSHIP = 10, 20


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def village_specs():
    from shoudi.registry.synthetic import VillageSpec

    code, county = COUNTY
    return [
        VillageSpec(f"{code}{t:03d}{v:03d}", f"{t}镇{v}村", f"第{t}镇", county)
        for t in range(1, TOWNSHIPS + 1)
        for v in range(1, VILLAGES_PER_TOWNSHIP + 1)
    ]


def setup_django(data_dir: str | None = None) -> None:
    if data_dir:
        os.environ["SHOUDI_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shoudi.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- phases, each run in its own process -------------------------------------------------------------------------


def phase_generate(path: Path, households: int) -> dict:
    setup_django(tempfile.mkdtemp(prefix="shoudi-bench-gen-"))
    from shoudi.registry.synthetic import generate_rows, write_national_xlsx

    started = time.perf_counter()
    rows = write_national_xlsx(
        path,
        generate_rows(village_specs(), households=households, seed=2025, year=2025),
        title=f"{COUNTY[1]}2025年度防返贫监测农户信息",
        details="导出时间：2026-01-20 09:30:00",
    )
    return {"rows": rows, "seconds": time.perf_counter() - started, "peak_mb": peak_mb()}


def phase_baseline(path: Path) -> dict:
    from python_calamine import CalamineWorkbook

    started = time.perf_counter()
    count = 0
    for _row in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows():
        count += 1
    return {"rows": count, "seconds": time.perf_counter() - started, "peak_mb": peak_mb()}


def phase_import(path: Path) -> dict:
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from shoudi.core.context import acting_as
    from shoudi.core.models import ObjectChange
    from shoudi.regions.models import Region
    from shoudi.registry.importing import commit_household_import, preview_household_import
    from shoudi.registry.jobs import run_post_import_steps
    from shoudi.registry.models import Household, IncomeRecord, Member

    code, name = COUNTY
    county = Region.objects.create(code=code, name=name)
    for t in range(1, TOWNSHIPS + 1):
        township = Region.objects.create(code=f"{code}{t:03d}", name=f"第{t}镇", parent=county)
        Region.objects.bulk_create(
            [
                Region(code=f"{code}{t:03d}{v:03d}", name=f"{t}镇{v}村", parent=township, level="village")
                for v in range(1, VILLAGES_PER_TOWNSHIP + 1)
            ]
        )
    figures: dict = {"vendor": connection.vendor}
    with acting_as(None, source="cli"):
        for label in ("first", "again"):
            changes_before = ObjectChange.objects.count()
            started = time.perf_counter()
            preview = preview_household_import(path)
            previewed = time.perf_counter()
            result = commit_household_import(path)
            committed = time.perf_counter()
            assert result.committed and not result.errors, result.summary()
            # what the import job does next: the registered post-import steps (national cases and measures)
            run_post_import_steps(result.household_ids, user=None, log=lambda line: None)
            done = time.perf_counter()
            result.timings["后续步骤"] = round(done - committed, 2)
            figures[label] = {
                "preview": previewed - started,
                "commit": done - previewed,
                "total": done - started,
                "phases": {"预览": preview.timings, "提交": result.timings},
                "summary": result.summary(),
                "preview_summary": preview.summary(),
                "change_rows": ObjectChange.objects.count() - changes_before,
                "peak_mb": peak_mb(),
            }
    figures["counts"] = {
        "households": Household.objects.count(),
        "members": Member.objects.count(),
        "incomes": IncomeRecord.objects.count(),
    }
    figures["peak_mb"] = peak_mb()
    return figures


def run_phase(args: list[str], env: dict | None = None) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )
    return json.loads(output.stdout.strip().splitlines()[-1])


def fresh_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--postgres-url", default="postgres://postgres@127.0.0.1:5432/shoudi_bench")
    parser.add_argument("--phase", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase:
        path = Path(args.file)
        result = {
            "generate": lambda: phase_generate(path, args.households),
            "baseline": lambda: phase_baseline(path),
            "import": lambda: phase_import(path),
        }[args.phase]()
        print(json.dumps(result, ensure_ascii=False))
        return

    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"national-{args.households}.xlsx"
    if args.regenerate or not path.exists():
        print(f"生成 {path.name} …", flush=True)
        gen = run_phase(["--phase", "generate", "--file", str(path), "--households", str(args.households)])
        print(f"  {gen['rows']} 行，{gen['seconds']:.1f} s，{path.stat().st_size / 1e6:.0f} MB", flush=True)

    base = run_phase(["--phase", "baseline", "--file", str(path)])
    print(
        f"基线 python-calamine 读取 {base['rows']} 行：{base['seconds']:.1f} s，峰值内存 {base['peak_mb']:.0f} MB",
        flush=True,
    )

    runs = []
    with tempfile.TemporaryDirectory(prefix="shoudi-bench-") as data_dir:
        env = {"SHOUDI_DATA_DIR": data_dir, "DATABASE_URL": ""}
        runs.append(("SQLite", run_phase(["--phase", "import", "--file", str(path)], env)))
    if not args.no_postgres:
        fresh_postgres(args.postgres_url)
        with tempfile.TemporaryDirectory(prefix="shoudi-bench-") as data_dir:
            env = {"SHOUDI_DATA_DIR": data_dir, "DATABASE_URL": args.postgres_url}
            runs.append(("PostgreSQL", run_phase(["--phase", "import", "--file", str(path)], env)))

    b = base["seconds"]
    for label, fig in runs:
        first, again = fig["first"], fig["again"]
        print(
            f"\n{label}: {fig['counts']['households']} 户 / {fig['counts']['members']} 人 / "
            f"{fig['counts']['incomes']} 条收入"
        )
        print(
            f"  首次导入  预览 {first['preview']:.1f} s + 提交 {first['commit']:.1f} s = {first['total']:.1f} s"
            f"  = {first['total'] / b:.2f} × 基线；变更记录 {first['change_rows']} 条"
        )
        print(
            f"  再次导入  预览 {again['preview']:.1f} s + 提交 {again['commit']:.1f} s = {again['total']:.1f} s"
            f"  = {again['total'] / b:.2f} × 基线，{again['total'] / first['total']:.2f} × 首次；"
            f"变更记录 {again['change_rows']} 条"
        )
        for name in ("first", "again"):
            phases = "；".join(
                f"{step} " + "，".join(f"{k} {v:.1f} s" for k, v in times.items())
                for step, times in fig[name]["phases"].items()
            )
            print(f"  {'首次' if name == 'first' else '再次'}各阶段：{phases}")
        print(f"  峰值内存 {fig['peak_mb']:.0f} MB")
    sqlite = dict(runs)["SQLite"]["first"]["total"]
    print(
        f"\n目标：导入 ≤ 3 × 基线（{3 * b:.1f} s）且 SQLite ≤ 40 s（实际 {sqlite:.1f} s），峰值内存 ≤ 2048 MB，"
        "再次导入 ≤ 首次"
    )


if __name__ == "__main__":
    main()
