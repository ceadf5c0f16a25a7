"""Benchmark: every page the crawl opens (shoudi.core.crawl.walk), timed on the full demo county on SQLite.

Target (issue 14): every page answers in ≤ 1 s on SQLite. The target lives here, printed as pass/fail; no test
asserts a time.

The script builds the demo county (`shoudi demo`, 20,000 households) in an SQLite database of its own data directory
(--data-dir, default a temporary one; --keep keeps it and a later run with the same directory reuses it), then walks
the pages of each of the six demo roles as the crawl test does, through the Django test client (rendering included,
no network). Each page is opened --repeat times after one untimed opening; the median counts.

Baseline, measured in the same run: GET /healthz (one request through the whole middleware, one SQL statement),
the least a page can cost. Ratios are printed against it.

    .venv/bin/python bench/bench_pages.py [--data-dir DIR] [--keep] [--repeat 3] [--slowest 15] [--target 1.0]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", help="the SQLite data directory (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory for the next run")
    parser.add_argument("--repeat", type=int, default=3, help="timed openings of each page (default 3)")
    parser.add_argument("--slowest", type=int, default=15, help="how many of the slowest pages to print")
    parser.add_argument("--target", type=float, default=1.0, help="seconds a page may take (default 1.0)")
    args = parser.parse_args()

    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="shoudi-bench-pages-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["SHOUDI_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)  # SQLite: the target is set for it
    os.environ["SHOUDI_ALLOWED_HOSTS"] = "testserver"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shoudi.settings")
    sys.path.insert(0, str(BASE_DIR))
    import logging

    import django

    django.setup()
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # 4xx/5xx are counted and printed below
    try:
        return run(args, data_dir)
    finally:
        if not args.keep and not args.data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)


def run(args, data_dir: Path) -> int:
    import io

    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from shoudi.accounts.demo import DEMO_USERS
    from shoudi.accounts.models import User
    from shoudi.core.crawl import walk
    from shoudi.core.menu import menu_for

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("demo", "--if-empty", stdout=io.StringIO())
    print(f"data: {data_dir} (demo county ready in {time.perf_counter() - started:.0f} s)")

    def timed(client, url: str) -> tuple[int, str, str, float]:
        cache.clear()  # the 待办 badge is cached per user and day: every opening pays for it, as a first visit does
        client.get(url)
        seconds = []
        for _ in range(args.repeat):
            cache.clear()
            start = time.perf_counter()
            response = client.get(url)
            seconds.append(time.perf_counter() - start)
        content_type = response.get("Content-Type", "")
        html = "" if response.streaming or not content_type.startswith("text/html") else response.content.decode()
        return response.status_code, content_type, html, statistics.median(seconds)

    admin = Client()
    admin.force_login(User.objects.get(username="admin"))
    baseline = timed(admin, "/healthz")[3]
    print(f"baseline GET /healthz: {baseline * 1000:.1f} ms (median of {args.repeat})")

    pages = []
    for username, *_ in DEMO_USERS:
        user = User.objects.get(username=username)
        client = Client(raise_request_exception=False)
        client.force_login(user)
        menu = [item["url"] for _group, items in menu_for(user) for item in items]
        role_started = time.perf_counter()
        walked = [(username, page) for page in walk(lambda url, c=client: timed(c, url), menu)]
        pages += walked
        print(f"{username:<10} {len(walked):>3} pages, walked in {time.perf_counter() - role_started:.1f} s")

    pages.sort(key=lambda item: -item[1].seconds)
    over = [(u, p) for u, p in pages if p.seconds > args.target]
    errors = [(u, p) for u, p in pages if p.status >= 500]
    print(f"\nslowest {args.slowest} of {len(pages)} pages (median seconds, × baseline):")
    for username, page in pages[: args.slowest]:
        mark = "FAIL" if page.seconds > args.target else "ok  "
        print(
            f"  {mark} {page.seconds:7.3f} s {page.seconds / baseline:8.0f}×  {username:<10} {page.status} {page.url}"
        )
    print(f"\nmedian page: {statistics.median(p.seconds for _u, p in pages):.3f} s; server errors: {len(errors)}")
    verdict = "PASS" if not over else "FAIL"
    print(f"target every page ≤ {args.target:g} s on SQLite: {verdict} ({len(over)} of {len(pages)} pages slower)")
    return 0 if not over else 1


if __name__ == "__main__":
    sys.exit(main())
