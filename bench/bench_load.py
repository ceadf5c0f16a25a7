"""Load test: 20 concurrent users of mixed roles on the demo county, PostgreSQL, against loopback only.

    .venv/bin/python bench/bench_load.py [--users 20] [--seconds 120] [--think 3] [--keep] [--database NAME]

Builds the demo county into a fresh database (``--keep`` keeps it, and a later run reuses it), starts gunicorn on
127.0.0.1 (2 workers × 4 threads, as docs/production.md sets it up), then runs ``--users`` threads for ``--seconds``:
each signs in as one of the six demo roles (round robin) and opens, again and again, a random page of its own menu
or its home page, as a person clicking through would, reading each page for 1–5 s (``--think 3``, the mean;
``--think 0`` clicks without pause: a saturation test of throughput, not of people). It prints p50/p95/p99 and
errors per page (ids folded) and, as the baseline measured in the same run under the same load, the same figures
for ``/healthz`` (one SQL query, no template): a page's ratio to it is what the page itself costs. Target: p95 ≤
300 ms for every page, 0 errors.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _data import BASE_DIR, database_exists, recreate_database

LOGINS = ("admin", "yibao", "shenhe", "xinxiyuan", "ganbu", "ducha")
PASSWORD = "shoudi-demo-2026"  # noqa: S105 - the demo county's printed password
TARGET_P95_MS = 300
LINK = re.compile(r'class="nav-link[^"]*" href="(/[^"]*)"')
IDS = re.compile(r"/\d+(?=/|$)")


def shoudi(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "shoudi", *args], env=env, cwd=BASE_DIR, check=True)


def prepare(server: str, database: str, keep: bool) -> dict:
    env = {**os.environ, "DATABASE_URL": f"{server}/{database}", "SHOUDI_DATA_DIR": tempfile.mkdtemp("-bench-load")}
    if not (keep and database_exists(server, database)):
        recreate_database(server, database)
        t0 = time.perf_counter()
        shoudi(env, "migrate", "--verbosity", "0")
        shoudi(env, "demo")
        print(f"演示县建库 {time.perf_counter() - t0:.0f} s")
    return env


class Browser:
    """One signed-in person: a cookie jar and the CSRF token."""

    def __init__(self, base: str, username: str):
        self.base = base
        self.username = username
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        page = self.get("/login/")[1]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token})
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.base + "/login/", data=data.encode(), headers={"Referer": self.base}
        )
        self.opener.open(request, timeout=60).read()
        self.pages = ["/", *dict.fromkeys(LINK.findall(self.get("/")[1]))]

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, ""


def drive(
    browser: Browser,
    until: list[float],
    ready: threading.Barrier,
    seed: int,
    think: float,
    timings,
    errors,
    statuses,
    lock,
):
    """One person clicking through his pages until the window closes (it opens once everyone has signed in)."""
    rng = random.Random(seed)
    ready.wait()
    while time.perf_counter() < until[0]:
        path = rng.choice(browser.pages) if rng.random() > 0.1 else "/healthz"
        t0 = time.perf_counter()
        try:
            status, _ = browser.get(path)
        except Exception:  # a refused or reset connection is an error like a 500
            status = 0
        ms = (time.perf_counter() - t0) * 1000
        key = f"{IDS.sub('/<id>', path)} ({browser.username})" if path != "/healthz" else "/healthz"
        with lock:
            timings[key].append(ms)
            if status >= 400 or status == 0:
                errors[key] += 1
                statuses[f"{key} → {status or '连接失败'}"] += 1
        if think:
            time.sleep(rng.uniform(think / 3, think * 5 / 3))  # a person reads the page before the next click


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default=os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432"))
    parser.add_argument("--database", default="shoudi_bench_load")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--think",
        type=float,
        default=3.0,
        help="每人两次点击之间平均停顿秒数（1–5 s 随机时为 3；0 为不停顿的饱和压测）",
    )
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    env = prepare(args.server, args.database, args.keep)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    bind = f"127.0.0.1:{args.port}"
    server = subprocess.Popen(
        [
            str(gunicorn),
            "shoudi.wsgi",
            "--bind",
            bind,
            "--workers",
            "2",
            "--threads",
            "4",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=BASE_DIR,
    )
    base = f"http://{bind}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.2)
        timings: dict[str, list[float]] = defaultdict(list)
        errors: dict[str, int] = defaultdict(int)
        statuses: dict[str, int] = defaultdict(int)
        lock = threading.Lock()
        browsers = [Browser(base, LOGINS[i % len(LOGINS)]) for i in range(args.users)]  # sign-in is not timed
        until = [0.0]
        ready = threading.Barrier(args.users + 1)
        threads = [
            threading.Thread(target=drive, args=(b, until, ready, i, args.think, timings, errors, statuses, lock))
            for i, b in enumerate(browsers)
        ]
        for thread in threads:
            thread.start()
        until[0] = time.perf_counter() + args.seconds
        ready.wait()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        if not args.keep:
            recreate_database(args.server, args.database, drop_only=True)

    baseline = statistics.median(timings["/healthz"]) if timings.get("/healthz") else float("nan")
    pause = f"每次点击后停顿平均 {args.think:g} s" if args.think else "不停顿（饱和）"
    print(
        f"\n{args.users} 个并发用户 × {args.seconds:.0f} s，{pause}，PostgreSQL，演示县；"
        f"基线 /healthz p50 {baseline:.0f} ms"
    )
    print(f"{'页面（角色）':<56} {'次数':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'×基线':>6} {'错误':>4}")
    failed = []
    for key in sorted(timings, key=lambda k: -percentile(timings[k], 0.95)):
        values = timings[key]
        p50, p95, p99 = (percentile(values, q) for q in (0.5, 0.95, 0.99))
        print(f"{key:<58} {len(values):>6} {p50:>6.0f} {p95:>6.0f} {p99:>6.0f} {p50 / baseline:>6.1f} {errors[key]:>4}")
        if p95 > TARGET_P95_MS or errors[key]:
            failed.append(key)
    for key, count in sorted(statuses.items()):
        print(f"错误：{key} × {count}")
    total = sum(len(v) for v in timings.values())
    print(f"\n共 {total} 次请求，{sum(errors.values())} 个错误；目标 每页 p95 ≤ {TARGET_P95_MS} ms、0 错误：", end="")
    print("达到" if not failed else f"未达到（{len(failed)} 页）")
    return 0 if not failed else 1


if __name__ == "__main__":
    raise SystemExit(main())
