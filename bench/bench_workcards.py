"""Benchmark: 1,000 work cards (S000 附件3) in one PDF, with rare characters in every card.

Target (issue): 1,000 work cards in one PDF with full rare-character coverage in ≤ 20 s here (2 cores).

The script makes a temporary data directory (SQLite), migrates it and loads one village with N households that each
have an identified case (every other one eliminated: red and green cards), 3–5 members whose names use the rare
characters of rural names (䶮, 𠮷, 㵘, 𬀩 … and the common-but-uncommon 堃, 喆, 犇 …), a paired cadre and measures.
Then, in the same run:

- **select**: ``work_cards(card_households(...))``, the batch selector (constant number of queries);
- **baseline**: the cards as one HTML document rendered by WeasyPrint in this process, as a plain
  ``HTML(...).write_pdf()`` would (garbage collector on);
- **parallel**: ``write_cards_pdf(cards, workers=2)``, what the job and ``shoudi workcards`` do: HTML in chunks,
  two spawned worker processes with the collector off, pypdf merge.

It prints seconds, cards per second, CPU seconds (this process and its children) and the ratio baseline /
parallel, then checks the parallel PDF: N pages in order (each page holds its 户编号), every rare character in
``pdftotext``'s text and every font embedded (``pdffonts``). Exits non-zero when a check fails or select + parallel
exceeds the target.

    .venv/bin/python bench/bench_workcards.py [--cards 1000] [--workers 2] [--skip-baseline] [--keep DIR]
"""

from __future__ import annotations

import argparse
import datetime
import gc
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 20.0
# Characters outside the common fonts (WenQuanYi lacks them; Noto Sans CJK SC has them): Extension A, B, E, G.
RARE = "䶮𠮷㵘㐀𬀩𬭚𫖯𬳶𬍤𫗧𬞟𬌗𠙶𬇕𰻝"
# Uncommon but in the basic block: names people do carry.
UNCOMMON = "堃喆犇淼焱垚玥珺旸昉琤翀昇暘"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cards", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-baseline", action="store_true", help="do not time the one-process baseline")
    parser.add_argument("--keep", default="", help="copy the PDF into this directory")
    return parser.parse_args()


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def load(n: int) -> str:
    """One village with ``n`` card households; returns the village code."""
    import random

    from shoudi.accounts.testing import make_region
    from shoudi.assistance.models import Cadre, Measure, Pairing
    from shoudi.monitoring import choices as mc
    from shoudi.monitoring.models import MonitoringCase
    from shoudi.registry.models import Household, Member
    from shoudi.registry.testing import _check

    rng = random.Random(20261123)
    make_region("520199", "基准县")
    make_region("520199001", "基准镇")
    village = make_region("520199001001", "基准村")
    cadres = [
        Cadre.objects.create(
            name=f"干部{i}", unit="基准县农业农村局", position="科员", phone=f"1390000{i:04d}", region=village
        )
        for i in range(20)
    ]
    households = Household.objects.bulk_create(
        [
            Household(
                household_no=f"520199001001{i:06d}",
                village=village,
                group_name=f"{i % 9 + 1}组",
                address=f"基准村{i % 9 + 1}组{i}号",
                phone=f"138{i:08d}",
                household_type="脱贫户",
                lifted_year=2019,
            )
            for i in range(n)
        ]
    )
    members, cases, pairings, measures = [], [], [], []
    relations = ["户主", "配偶", "之子", "之女", "之孙子"]
    for i, household in enumerate(households):
        for k in range(3 + i % 3):
            born = datetime.date(1950 + (i + k * 17) % 60, 1 + k, 1 + i % 28)
            first17 = f"520199{born:%Y%m%d}{(i * 5 + k) % 1000:03d}"
            rare = RARE[(i + k) % len(RARE)] if k < 2 else UNCOMMON[(i + k) % len(UNCOMMON)]
            members.append(
                Member(
                    household=household,
                    name=f"{SURNAMES[i % len(SURNAMES)]}{rare}{'明' if k % 2 else ''}",
                    id_number=first17 + _check(first17),
                    relation=relations[k],
                    birth_date=born,
                    gender="男" if k % 2 == 0 else "女",
                    health=rng.choice(["健康", "健康", "长期慢性病", "残疾"]),
                    labour_skill=rng.choice(["普通劳动力", "弱劳动力或半劳动力", "无劳动力"]),
                    student_status="小学" if k == 4 else "",
                    employed=k == 2,
                    work_place="浙江省宁波市" if k == 2 else "",
                )
            )
        eliminated = i % 2 == 1
        cases.append(
            MonitoringCase(
                household=household,
                category=mc.CATEGORY_VALUES[i % 3],
                risk_types=["因病", "因学"][: 1 + i % 2],
                clue_date=datetime.date(2024, 2, 1),
                identified_on=datetime.date(2024, 3, 1),
                step=mc.ELIMINATED if eliminated else mc.MONITORING,
                is_open=not eliminated,
                eliminated_on=datetime.date(2025, 6, 1) if eliminated else None,
            )
        )
        pairings.append(
            Pairing(household=household, cadre=cadres[i % len(cadres)], start_date=datetime.date(2024, 3, 5))
        )
        for category, item, status in (
            ("产业帮扶", "养殖业", "已落实"),
            ("健康帮扶", "家庭医生签约", "实施中"),
            ("就业帮扶", "外出务工补贴", "已落实"),
            ("其他教育帮扶", "雨露计划", "计划"),
        ):
            measures.append(Measure(household=household, category=category, sub_item=item, content=item, status=status))
    Member.objects.bulk_create(members, batch_size=2000)
    MonitoringCase.objects.bulk_create(cases, batch_size=2000)
    Pairing.objects.bulk_create(pairings, batch_size=2000)
    Measure.objects.bulk_create(measures, batch_size=2000)
    return village.code


def baseline(cards) -> tuple[float, float, int]:
    """One process, one document, the collector on: a plain WeasyPrint render of the same HTML."""
    from weasyprint import CSS, HTML

    from shoudi.cards.pdf import print_stylesheet
    from shoudi.cards.workcards import cards_html

    started, cpu = time.perf_counter(), cpu_seconds()
    html = cards_html(cards, for_pdf=True)
    document = HTML(string=html).render(stylesheets=[CSS(string=print_stylesheet())])
    data = document.write_pdf()
    pages = len(document.pages)
    del document, data
    gc.collect()
    return time.perf_counter() - started, cpu_seconds() - cpu, pages


def check(path: Path, cards) -> list[str]:
    """Problems with the PDF (empty when it is right)."""
    problems = []
    for tool in ("pdftotext", "pdffonts"):
        if shutil.which(tool) is None:
            return [f"{tool} (poppler-utils) is missing: cannot check the PDF"]
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode("utf-8")
    pages = text.split("\f")[: len(cards)]
    if len(pages) != len(cards) or text.count("\f") != len(cards):
        problems.append(f"{text.count(chr(12))} pages for {len(cards)} cards")
    wrong = [
        i for i, (page, card) in enumerate(zip(pages, cards, strict=False)) if card.household.household_no not in page
    ]
    if wrong:
        problems.append(f"{len(wrong)} pages without their household number, first page {wrong[0] + 1}")
    squashed = "".join(text.split())
    missing = [c for c in RARE + UNCOMMON if c not in squashed]
    if missing:
        problems.append("characters missing from the text layer: " + "".join(missing))
    heads = [c.head_name for c in cards]
    absent = [h for h in heads if h not in squashed]
    if absent:
        problems.append(f"{len(absent)} head names missing from the text layer, e.g. {absent[0]}")
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    not_embedded = [line.split()[0] for line in fonts if line.split()[-5] != "yes"]
    if not_embedded:
        problems.append("fonts not embedded: " + ", ".join(not_embedded))
    return problems


def main() -> int:
    args = parse_args()
    data_dir = tempfile.mkdtemp(prefix="shoudi-bench-cards-")
    os.environ["SHOUDI_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shoudi.settings")
    sys.path.insert(0, str(BASE_DIR))
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # a line per page would distort both runs
    from django.core.management import call_command

    from shoudi.cards.workcards import card_households, work_cards, write_cards_pdf

    try:
        print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; data in {data_dir}")
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        code = load(args.cards)
        print(f"setup (migrate + {args.cards} households): {time.perf_counter() - started:.1f} s")

        started, cpu = time.perf_counter(), cpu_seconds()
        cards = work_cards(card_households(None, code))
        select_s = time.perf_counter() - started
        print(f"select: {select_s:.2f} s for {len(cards)} cards ({cpu_seconds() - cpu:.2f} CPU s)")

        base_s = None
        if not args.skip_baseline:
            base_s, base_cpu, pages = baseline(cards)
            print(
                f"baseline (one process, one document): {base_s:.1f} s, {pages} pages, "
                f"{len(cards) / base_s:.1f} cards/s, {base_cpu:.1f} CPU s"
            )

        target = Path(data_dir) / "workcards.pdf"
        started, cpu = time.perf_counter(), cpu_seconds()
        stats: dict = {}
        pages = write_cards_pdf(cards, target, workers=args.workers, stats=stats)
        par_s = time.perf_counter() - started
        print(
            f"parallel ({args.workers} processes + merge): {par_s:.1f} s, {pages} pages, "
            f"{len(cards) / par_s:.1f} cards/s, {cpu_seconds() - cpu:.1f} CPU s, "
            f"{target.stat().st_size / 1e6:.1f} MB"
        )
        if stats.get("workers"):
            workers = "; ".join(
                f"worker {i + 1}: {w['pages']} pages, layout {w['layout_s']:.1f} s, PDF {w['write_s']:.1f} s, "
                f"{w['cpu_s']:.1f} CPU s"
                for i, w in enumerate(stats["workers"])
            )
            print(f"  of which: HTML {stats['html_s']:.2f} s; {workers}; merge {stats['merge_s']:.2f} s")
        total = select_s + par_s
        print(f"select + parallel: {total:.1f} s ({len(cards) / total:.1f} cards/s); target ≤ {TARGET_SECONDS:.0f} s")
        if base_s:
            print(f"ratio baseline / parallel: {base_s / par_s:.2f} ×")
        print(f"peak RSS (this process): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")

        problems = check(target, cards)
        print(
            "PDF check: "
            + (
                "ok — pages in order, rare characters in the text layer, fonts embedded"
                if not problems
                else "; ".join(problems)
            )
        )
        if args.keep:
            shutil.copy(target, Path(args.keep) / "workcards.pdf")
        if problems:
            return 1
        if total > TARGET_SECONDS:
            print("target missed")
            return 2
        return 0
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
