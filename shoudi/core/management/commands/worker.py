"""``shoudi worker``: the background-job worker (django-tasks-db's ``db_worker`` plus dead-job reaping).

At start it marks jobs left "running" by a dead worker as failed; while it runs, a thread repeats that every
``--reap-interval`` seconds, so jobs of a worker killed on another machine are marked once their heartbeat goes
stale. SIGINT or SIGTERM stop it cleanly: when idle at once, otherwise after the current job (a second signal
stops the job, which is then recorded as failed and retriable).
"""

import logging
import threading

from django.db import connections
from django_tasks_db.management.commands.db_worker import Command as DBWorkerCommand

from shoudi.core.jobs import reap_stale_jobs
from shoudi.core.nightly import FREQUENT_SECONDS, run_frequent_steps, run_nightly_steps, seconds_until_night
from shoudi.core.retention import purge

logger = logging.getLogger("shoudi.jobs")


PURGE_EVERY = 24 * 3600  # seconds between two runs of the retention rules


def purge_daily(stop: threading.Event) -> None:
    """Once a day, the retention rules (core.retention); a failed run is logged and tried again the next day."""
    while not stop.wait(PURGE_EVERY):
        try:
            purge()
        except Exception:
            logger.exception("the retention run failed")
        finally:
            connections.close_all()


def nightly(stop: threading.Event) -> None:
    """Every night after 02:00 local time, the registered nightly steps (core.nightly)."""
    while not stop.wait(seconds_until_night()):
        try:
            run_nightly_steps()
        finally:
            connections.close_all()


def frequently(stop: threading.Event) -> None:
    """Every few seconds, the frequent steps (core.nightly), e.g. the dashboards' stale villages."""
    while not stop.wait(FREQUENT_SECONDS):
        try:
            run_frequent_steps()
        finally:
            connections.close_all()


def reap_periodically(interval: float, stop: threading.Event) -> None:
    """The reaper thread's loop; a failed round is logged and the next one tried."""
    while not stop.wait(interval):
        try:
            reap_stale_jobs()
        except Exception:
            logger.exception("reaping stale jobs failed")
        finally:
            connections.close_all()  # this thread's connections only


class Command(DBWorkerCommand):
    help = "运行后台任务工作进程（先把意外中断的任务标记为失败，再处理队列；Ctrl+C 或 SIGTERM 退出）"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--reap-interval",
            type=float,
            default=60.0,
            help="Seconds between checks for jobs whose worker died (0: only at start; default: %(default)s)",
        )

    def handle(self, *args, reap_interval: float, **options) -> None:
        reaped = reap_stale_jobs()
        if reaped:
            self.stdout.write(f"已将 {len(reaped)} 个意外中断的任务标记为失败：{', '.join(map(str, reaped))}")
        connections.close_all()
        stop = threading.Event()
        if reap_interval > 0:
            threading.Thread(
                target=reap_periodically, args=(reap_interval, stop), name="job-reaper", daemon=True
            ).start()
        threading.Thread(target=purge_daily, args=(stop,), name="retention", daemon=True).start()
        threading.Thread(target=nightly, args=(stop,), name="nightly", daemon=True).start()
        threading.Thread(target=frequently, args=(stop,), name="frequent", daemon=True).start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
