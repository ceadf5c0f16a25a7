"""Benchmark: every data-quality rule over the bench county (shoudi.quality.engine).

Targets (issue 18): PostgreSQL, 1,000,000 persons: all rules in ≤ 60 s and ≤ 3 × one scan of each table touched,
the baseline measured in the same run; a second run with nothing changed writes nothing; SQLite, county scale
(100,000 persons): ≤ 10 s. The figures are printed; no time is asserted (the script fails only when the second
run writes or the rules find nothing).

    .venv/bin/python bench/bench_quality.py                       # PostgreSQL, 1,000,000 persons
    .venv/bin/python bench/bench_quality.py --persons 100000 --sqlite
    .venv/bin/python bench/bench_quality.py --persons 100000 --keep [--server … --database …]

The county is bench/_data.py's (520199, 10 townships × 50 villages); its households and members are generated
here in Python (seeded) and written with COPY (PostgreSQL) or executemany (SQLite): 2–4 members a household (户主,
配偶, children at school by their age), valid ID numbers, incomes of 2024 and 2025, open and eliminated cases, a few
低保 measures, and about 0.3 % of households spoilt for each of a dozen rules.

- **baseline**: one scan of each table the rules read: ``SELECT count(c1), count(c2) … FROM t`` over the columns
  they read (every row's columns deformed once), run once untimed to warm the cache, then timed; their sum.
- **rules**: ``evaluate`` of every rule for the county (the passes and the rules' own queries; nothing written).
- **first run**: ``run`` end to end (the rules, the hits, their problems and steps).
- **second run**: the same again, which must write nothing (rows counted in every table it writes).
"""

from __future__ import annotations

import argparse
import datetime
import random
import sys
import tempfile
import time
from decimal import Decimal

from _data import (
    BASE_DIR,
    COUNTY,
    add_database_args,
    create_regions,
    peak_rss_mib,
    recreate_database,
    start_django,
    timed,
)

SEED = 2026
SPOIL = 0.003  # the share of households spoilt for each rule below
TABLES = {
    "registry_member": [
        "household_id",
        "id_number",
        "id_type",
        "birth_date",
        "gender",
        "relation",
        "education",
        "student_status",
        "out_of_school_reason",
        "health",
        "disability_category",
        "disability_grade",
        "labour_skill",
        "employed",
        "work_months",
        "public_welfare_job",
        "phone",
        "resident_medical",
        "employee_medical",
        "dibao",
        "tekun",
        "status",
        "name",
    ],
    "registry_household": ["village_id", "household_no", "phone", "household_type", "size"],
    "registry_incomerecord": [
        "household_id",
        "year",
        "wage",
        "business",
        "property_income",
        "transfer",
        "business_cost",
        "household_size",
        "net_income",
        "per_capita",
    ],
    "monitoring_monitoringcase": ["household_id", "is_open", "risk_types", "step", "identified_on", "eliminated_on"],
    "assistance_measure": ["household_id", "category", "sub_item", "status"],
}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_database_args(parser, database="shoudi_bench_quality")
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--sqlite", action="store_true", help="a temporary SQLite database instead of PostgreSQL")
    return parser.parse_args()


# --- the county ---------------------------------------------------------------------------------------------------


class County:
    """Rows of households, members, incomes, cases and measures, drawn from one seeded generator."""

    def __init__(self, persons: int, villages: list[int], today: datetime.date):
        from shoudi.core.dates import SchoolAgeRule
        from shoudi.core.idnumbers import check_character

        self.rng = random.Random(SEED)
        self.check = check_character
        self.school = SchoolAgeRule()
        self.today = today
        self.villages = villages
        self.persons = persons
        self.households, self.members, self.incomes, self.cases, self.measures = [], [], [], [], []
        self.spoilt: dict[str, int] = {}
        self.born_on: dict[datetime.date, int] = {}

    def spoil(self, kind: str) -> bool:
        if self.rng.random() < SPOIL:
            self.spoilt[kind] = self.spoilt.get(kind, 0) + 1
            return True
        return False

    def number(self, born: datetime.date, male: bool) -> str:
        """A valid number of its own: the sequence counts the people born that day (odd for men)."""
        count = self.born_on[born] = self.born_on.get(born, -1) + 1
        first17 = f"{COUNTY}{born:%Y%m%d}{(count * 2 + (1 if male else 0)) % 1000:03d}"
        return first17 + self.check(first17)

    def build(self) -> None:
        g = 0
        while len(self.members) < self.persons:
            g += 1
            self._household(g)

    def _member(self, g, relation, born, male, **fields):
        row = {
            "household_id": g,
            "name": f"{relation}{g}",
            "id_type": "居民身份证（户口簿）",
            "id_number": self.number(born, male),
            "gender": "男" if male else "女",
            "birth_date": born,
            "relation": relation,
            "ethnicity": "汉族",
            "political_status": "群众",
            "education": "初中",
            "student_status": "",
            "out_of_school_reason": "",
            "health": "健康",
            "disability_category": "",
            "disability_grade": "",
            "labour_skill": "普通劳动力",
            "employed": None,
            "work_months": None,
            "public_welfare_job": "",
            "work_place": "",
            "phone": f"139{len(self.members):08d}",
            "resident_medical": True,
            "employee_medical": None,
            "dibao": "未享受",
            "tekun": "不享受",
        }
        row.update(fields)
        self.members.append(row)
        return row

    def _household(self, g: int) -> None:
        size = 2 + g % 3
        lifted = self.rng.random() < 0.25
        head, spouse, members, head_age = self._people(g, size)
        phone = self._spoil_people(head, spouse, members, head_age, first_member=len(self.members) - size)
        recorded_size = size + 1 if self.spoil("2_01_040") else size
        self.households.append(
            (
                g,
                self.villages[g % len(self.villages)],
                f"Q{g:010d}",
                phone,
                "脱贫户" if lifted else "一般农户",
                2016 + g % 5 if lifted else None,
                recorded_size,
            )
        )
        self._incomes(g, size)
        self._cases(g, head, spouse)

    def _people(self, g: int, size: int):
        rng, today = self.rng, self.today
        head_age = rng.randint(32, 75)
        head_born = today.replace(year=today.year - head_age) - datetime.timedelta(days=rng.randint(1, 300))
        start = len(self.members)
        head = self._member(g, "户主", head_born, True)
        if head_age > 60:
            head["labour_skill"] = "弱劳动力或半劳动力"
        elif rng.random() < 0.5:
            head.update(employed=True, work_months=rng.randint(3, 12))
        if rng.random() < 0.08:
            head["health"] = "长期慢性病"
        spouse = self._member(g, "配偶", head_born + datetime.timedelta(days=700), False)
        for i in range(size - 2):
            age = rng.randint(3, 17)
            born = today.replace(year=today.year - age) - datetime.timedelta(days=rng.randint(1, 300))
            school_age = self.school.age(born, today)
            status = (
                "学前教育"
                if school_age < 6
                else "小学"
                if school_age <= 11
                else {12: "七年级", 13: "八年级", 14: "九年级"}.get(school_age, "普通高中一年级")
            )
            self._member(
                g,
                "之子" if i == 0 else "之女",
                born,
                i == 0,
                education="",
                student_status=status,
                labour_skill="无劳动力",
                phone="",
            )
        return head, spouse, self.members[start:], head_age

    def _spoil_people(self, head, spouse, members, head_age, *, first_member: int) -> str:
        """Spoil one field each, as careless entry or an old import leaves them; returns the household's phone."""
        start, size = first_member, len(members)
        phone = f"138{head['household_id']:08d}"
        if self.spoil("1_01_020"):
            head["id_number"] = head["id_number"][:17] + ("0" if head["id_number"][17] != "0" else "1")
        if start > 0 and self.spoil("1_01_050"):
            spouse["id_number"] = self.members[start - 1]["id_number"]
        if self.spoil("2_01_020"):
            spouse["gender"] = "男"
        if size > 2 and members[2]["student_status"] not in ("", "学前教育") and self.spoil("3_01_010"):
            members[2].update(employed=True, work_months=4)
        if 16 <= head_age <= 60 and head["health"] == "健康" and self.spoil("3_01_020"):
            head["labour_skill"] = "无劳动力"
        if self.spoil("5_03_010"):
            spouse["resident_medical"] = False
        if self.spoil("7_01_010"):
            phone = "8812345"
        if self.spoil("7_01_020"):
            spouse["phone"] = "1391234"
        return phone

    def _incomes(self, g: int, size: int) -> None:
        rng = self.rng
        # incomes: per capita mostly 10,000–40,000, ~3 % below the line; 2025 within ±10 % of 2024 but for a few
        first = rng.randint(3000, 7900) if rng.random() < 0.03 else rng.randint(10000, 40000)
        change = 0.5 if self.spoil("4_03_010") else rng.uniform(0.9, 1.1)
        for year, per_capita in ((2024, Decimal(first)), (2025, Decimal(int(first * change)))):
            net = per_capita * size
            wage = (net * Decimal("0.6")).quantize(Decimal("0.01"))
            transfer = (net * Decimal("0.1")).quantize(Decimal("0.01"))
            business = net - wage - transfer + 1000
            recorded = net + 500 if year == 2025 and self.spoil("4_01_010") else net
            self.incomes.append((g, year, wage, business, 0, transfer, 1000, size, recorded, per_capita))

    def _cases(self, g: int, head: dict, spouse: dict) -> None:
        rng = self.rng
        draw = rng.random()
        if draw < 0.02:  # open, identified
            risk = "因病" if head["health"] != "健康" or self.spoil("5_02_010") else "因学"
            self.cases.append((g, True, [risk], "monitoring", datetime.date(2025, 3, 1), None))
        elif draw < 0.03:  # eliminated; a few after two months
            soon = self.spoil("8_01_010") or rng.random() < 0.1
            eliminated = datetime.date(2025, 5, 1) if soon else datetime.date(2025, 11, 1)
            self.cases.append((g, False, ["因学"], "eliminated", datetime.date(2025, 3, 1), eliminated))
        if 0.03 <= draw < 0.04:  # 低保 households without a case
            self.measures.append((g, "综合保障", "低保"))
            if not self.spoil("6_01_010"):
                spouse["dibao"] = "农村低保"


def load(county: County) -> None:
    from django.db import connection, transaction
    from django.utils import timezone

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    member_columns = list(county.members[0])
    members = [[now, now, "", "正常", "{}", *row.values()] for row in county.members]
    tables = [
        (
            "registry_household",
            "id village_id household_no phone household_type lifted_year size created_at updated_at group_name address "
            "relocated resettlement_site no_labour_guarantee national_data",
            [(*h, now, now, "", "", False, "", False, "{}") for h in county.households],
        ),
        (
            "registry_member",
            " ".join(["created_at", "updated_at", "name_initials", "status", "extra", *member_columns]),
            members,
        ),
        (
            "registry_incomerecord",
            "household_id year wage business property_income transfer business_cost household_size net_income "
            "per_capita compliant_medical created_at updated_at",
            [(*row, 0, now, now) for row in county.incomes],
        ),
        (
            "monitoring_monitoringcase",
            "household_id is_open risk_types step identified_on eliminated_on created_at updated_at category "
            "disaster_subtype source clue_date clue_note clue_rules clue_figures chain step_since returned_reason "
            "elimination_type delayed_exit_confirmed closed_reason imported",
            [
                (
                    g,
                    is_open,
                    _json(risks),
                    step,
                    identified,
                    eliminated,
                    now,
                    now,
                    "边缘易致贫户",
                    "",
                    "基层干部排查",
                    identified,
                    "",
                    "[]",
                    "{}",
                    "identification" if is_open else "elimination",
                    now,
                    "",
                    "" if is_open else "帮扶消除",
                    False,
                    "",
                    False,
                )
                for g, is_open, risks, step, identified, eliminated in county.cases
            ],
        ),
        (
            "assistance_measure",
            "household_id category sub_item content status created_at updated_at department",
            [(g, category, item, item, "已落实", now, now, "") for g, category, item in county.measures],
        ),
    ]
    with transaction.atomic(), connection.cursor() as cur:
        for table, columns, rows in tables:
            names = columns.split()
            started = time.perf_counter()
            if connection.vendor == "postgresql":
                with cur.cursor.copy(f"COPY {table} ({', '.join(names)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(names))
                cur.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({marks})", rows)
            print(f"  {table:<28} {len(rows):>10,} rows  {time.perf_counter() - started:6.1f} s", flush=True)
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('registry_household', 'id'), %s)", [len(county.households)]
            )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def _json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


# --- the measurements ---------------------------------------------------------------------------------------------


def baseline() -> dict[str, float]:
    from django.db import connection

    seconds = {}
    with connection.cursor() as cur:
        for table, columns in TABLES.items():
            sql = f"SELECT {', '.join(f'count({c})' for c in columns)} FROM {table}"
            started = time.perf_counter()
            cur.execute(sql)
            cur.fetchall()
            seconds[table] = time.perf_counter() - started
    return seconds


def written_rows() -> tuple[int, ...]:
    from shoudi.core.models import ObjectChange
    from shoudi.quality.models import Hit
    from shoudi.work.models import Problem, ProblemStep

    return (
        Hit.objects.count(),
        Problem.objects.count(),
        ProblemStep.objects.count(),
        ObjectChange.objects.count(),
        Problem.households.through.objects.count(),
    )


def start(args) -> str:
    """Django on a fresh database: a temporary SQLite file, or the PostgreSQL database dropped and created."""
    if not args.sqlite:
        recreate_database(args.server, args.database)
        start_django(args.server, args.database, data_prefix="shoudi-bench-quality-")
        return f"PostgreSQL database {args.database}"
    import os

    os.environ.pop("DATABASE_URL", None)
    os.environ["SHOUDI_DATA_DIR"] = tempfile.mkdtemp(prefix="shoudi-bench-quality-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shoudi.settings")
    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    return f"SQLite in {os.environ['SHOUDI_DATA_DIR']}"


def setup(persons: int):
    from django.core.management import call_command
    from django.utils import timezone

    from shoudi.monitoring.models import MonitoringLine
    from shoudi.regions.models import Region

    _, migrate_s = timed(call_command, "migrate", verbosity=0)
    region = create_regions()
    for year, amount in ((2024, "7600"), (2025, "8000")):
        MonitoringLine.objects.create(region=region, year=year, amount=Decimal(amount))
    villages = list(Region.objects.filter(level="village").order_by("code").values_list("pk", flat=True))
    county = County(persons, villages, timezone.localdate())
    _, generate_s = timed(county.build)
    print(f"  generated {len(county.households):,} households, {len(county.members):,} persons in {generate_s:.1f} s")
    _, load_s = timed(load, county)
    print(f"setup: migrate {migrate_s:.1f} s, generate {generate_s:.1f} s, load {load_s:.1f} s", flush=True)
    return region, county


def passes(params, rules) -> list[tuple[str, float]]:
    """Where the time goes: each pass and each rule with a query of its own, timed alone."""
    from shoudi.quality.passes import PASSES, run_pass

    out = []
    for subject in PASSES:
        chosen = [rule for rule in rules if rule.when and rule.subject == subject]
        _, seconds = timed(
            lambda chosen=chosen, subject=subject: sum(1 for _ in run_pass(subject, chosen, params, COUNTY))
        )
        out.append((f"{subject} pass ({len(chosen)} rules)", seconds))
    for rule in rules:
        if rule.check is not None:
            _, seconds = timed(lambda rule=rule: sum(1 for _ in rule.check(params, COUNTY)))
            out.append((f"{rule.code} {rule.title}", seconds))
    return out


def main() -> int:
    args = parse_args()
    where = start(args)
    from django.db import connections

    from shoudi.quality.engine import evaluate, params_for, run, runnable
    from shoudi.quality.rules import all_rules

    try:
        print(f"Data-quality benchmark: {args.persons:,} persons, {where}", flush=True)
        region, county = setup(args.persons)
        params = params_for(COUNTY)
        rules, skipped = runnable(all_rules(), params)
        assert not skipped, skipped
        baseline()  # warm the cache the same way for both
        scans = baseline()
        found, rules_s = timed(evaluate, params, COUNTY, rules)
        parts = passes(params, rules)
        before = written_rows()
        first, first_s = timed(run, region=region)
        after_first = written_rows()
        second, second_s = timed(run, region=region)
        after_second = written_rows()

        print()
        print(f"{'rule':<44}{'found':>10}{'spoilt':>10}")
        for rule in rules:
            print(
                f"{rule.code + ' ' + rule.title:<44}{len(found[rule.code]):>10,}{county.spoilt.get(rule.code, ''):>10}"
            )
        print()
        for table, seconds in scans.items():
            print(f"  one scan of {table:<28} {seconds:8.2f} s")
        base_s = sum(scans.values())
        target = 10 if args.sqlite else 60
        problems = sum(c.found for c in first.counts.values())
        print(f"baseline (one scan of each table) {base_s:8.2f} s")
        print(f"all rules (evaluate)              {rules_s:8.2f} s   ratio {rules_s / base_s:5.1f} × (target ≤ 3 ×)")
        for label, seconds in parts:
            print(f"  {label:<40} {seconds:8.2f} s")
        verdict = "ok" if first_s <= target else "MISSED"
        print(f"first run (rules + writes)        {first_s:8.2f} s   target ≤ {target} s: {verdict}")
        print(f"  problems raised                 {problems:8,}   rows written {first.written:,}")
        print(f"second run                        {second_s:8.2f} s   rows written {second.written}")
        print(f"persons / second (all rules)      {args.persons / rules_s:10,.0f}")
        print(f"peak RSS                          {peak_rss_mib():8.0f} MiB")
        failures = []
        if second.written or after_second != after_first:
            failures.append(f"second run wrote: {second.written} rows; tables {after_first} → {after_second}")
        if after_first == before or not problems:
            failures.append("the first run found nothing")
        for failure in failures:
            print("FAILED", failure)
        return 1 if failures else 0
    finally:
        connections.close_all()
        if not args.sqlite and not args.keep:
            recreate_database(args.server, args.database, drop_only=True)


if __name__ == "__main__":
    sys.exit(main())
