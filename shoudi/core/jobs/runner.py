"""Running one job inside the worker: claim it, hand the job function a ``JobContext``, record how it ended.

Every write the runner makes is conditional on the job still being this run's (status running, same attempt number):
when a reaper has meanwhile declared the worker dead, or the job was retried, the stale run stops at its next
progress write instead of overwriting the newer state.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, connections
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import get_valid_filename

from ..context import acting_as
from ..models import Job
from .registry import get_job_type

__all__ = ["JobAbandoned", "JobContext", "JobError", "execute_job", "job_dir", "running_here", "worker_host"]

logger = logging.getLogger("shoudi.jobs")

PROGRESS_EVERY_SECONDS = 0.5
MAX_LOG_LINES = 5000
STOPPED_MESSAGE = "工作进程被停止，任务未完成，可重新运行"
INTERNAL_ERROR_MESSAGE = "任务因系统内部错误未完成，详细原因已记入服务器日志；可重新运行，仍失败请联系系统管理员"
# the reaper's verdict (services.reap_stale_jobs): a run judged dead that then finishes its work records its success
DEAD_WORKER_MESSAGE = "工作进程意外中断，任务未完成，可重新运行"


class JobError(Exception):
    """An error a job raises for the user to read: its message is shown as it is, without the exception type."""


class JobAbandoned(BaseException):  # like CancelledError: it must pass through ``except Exception`` in job code
    """This run no longer owns the job (declared dead by a reaper, or retried): stop without writing anything."""


def job_dir(job_id: int) -> Path:
    """Where a job's result files live: ``MEDIA_ROOT/jobs/<id>/``."""
    return Path(settings.MEDIA_ROOT) / "jobs" / str(job_id)


def describe_error(exc: BaseException) -> str:
    """The message users read for an exception, in Chinese and without a traceback.

    A ``JobError`` (and a ``PermissionDenied`` or ``ValidationError`` a service raises for the user) as written;
    anything else is a fault of the program, whose type and text — often English, sometimes a whole traceback
    (``PdfError``) — go to the server log only (``execute_job``)."""
    if isinstance(exc, JobError):
        return str(exc) or "任务出错"
    if isinstance(exc, KeyboardInterrupt | SystemExit):
        return STOPPED_MESSAGE
    if isinstance(exc, MemoryError):
        return "内存不足，任务未完成，可重新运行"
    if isinstance(exc, LookupError) and str(exc).startswith("未知的任务类型"):
        return str(exc)
    if isinstance(exc, ValidationError):
        return "；".join(exc.messages) or "任务出错"
    if isinstance(exc, PermissionDenied):
        return str(exc) or "您的角色无权进行此操作"
    return INTERNAL_ERROR_MESSAGE


class JobContext:
    """What a job function receives: progress, log lines, a result file and a ``result`` dict for small figures.

    Progress and log lines are kept in memory and written at most every ``PROGRESS_EVERY_SECONDS`` (each write also
    refreshes ``heartbeat_at``); ``flush()`` writes at once. A background thread refreshes the heartbeat while a
    long step makes no progress, so only a dead worker — not a slow step — goes stale.
    """

    def __init__(self, job: Job, *, attempt: int):
        self.job = job
        self.attempt = attempt
        self.result: dict = dict(job.result or {}) if isinstance(job.result, dict) else {}
        self.done = job.done
        self.total = job.total
        self._lines = job.log.splitlines() if job.log else []
        self._dirty: set[str] = set()
        self._last_write = 0.0
        self._stop_beat = threading.Event()
        self._beat_thread: threading.Thread | None = None

    # --- what job code calls ------------------------------------------------------------------------------------
    @property
    def user(self):
        """The user who started the job (its scope applies to what the job reads)."""
        return self.job.user

    @property
    def params(self) -> dict:
        """The parameters the job was started with."""
        return self.job.params or {}

    def set_total(self, total: int | None) -> None:
        """How many items the job will process (None: not known yet)."""
        self.total = total
        self._dirty.add("total")
        self._maybe_write(force=True)

    def advance(self, k: int = 1) -> None:
        """``k`` more items done."""
        self.done += k
        self._dirty.add("done")
        self._maybe_write()

    def set_progress(self, done: int, total: int | None = None) -> None:
        """Progress as an absolute count (and optionally a new total)."""
        self.done = done
        self._dirty.add("done")
        if total is not None:
            self.total = total
            self._dirty.add("total")
        self._maybe_write()

    def log(self, line: str) -> None:
        """Append a line (with the time) to the log shown on the job page."""
        stamp = timezone.localtime().strftime("%H:%M:%S")
        for part in str(line).splitlines() or [""]:
            self._lines.append(f"[{stamp}] {part}")
        if len(self._lines) > MAX_LOG_LINES:
            self._lines = ["……（较早的日志已省略）", *self._lines[-(MAX_LOG_LINES - 1) :]]
        logger.info("job %s: %s", self.job.pk, line)
        self._dirty.add("log")
        self._maybe_write()

    def save_result_file(self, content: bytes | str | os.PathLike, name: str) -> Path:
        """Keep the job's downloadable result: raw ``bytes``, or a file path (copied). ``name`` is the download name.

        The file goes to ``MEDIA_ROOT/jobs/<id>/``; a later call replaces the earlier result.
        """
        directory = job_dir(self.job.pk)
        directory.mkdir(parents=True, exist_ok=True)
        stored = directory / (get_valid_filename(Path(name).name) or "result")
        if isinstance(content, bytes):
            stored.write_bytes(content)
        else:
            source = Path(content)
            if source.resolve() != stored.resolve():
                shutil.copyfile(source, stored)
        self.job.result_file = stored.relative_to(Path(settings.MEDIA_ROOT)).as_posix()
        self.job.result_name = Path(name).name
        self._dirty.update({"result_file", "result_name"})
        self._maybe_write(force=True)
        return stored

    def flush(self) -> None:
        """Write pending progress and log lines now."""
        self._maybe_write(force=True)

    # --- the runner's side --------------------------------------------------------------------------------------
    @property
    def log_text(self) -> str:
        return "\n".join(self._lines)

    def _fields(self) -> dict:
        values = {
            "done": self.done,
            "total": self.total,
            "log": self.log_text,
            "result_file": self.job.result_file,
            "result_name": self.job.result_name,
        }
        return {name: values[name] for name in self._dirty}

    def _maybe_write(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_write < PROGRESS_EVERY_SECONDS:
            return
        self.write(**self._fields())

    def write(self, *, finished: bool = False, **fields) -> None:
        """Update this run's job row (and its heartbeat); ``JobAbandoned`` when the job is no longer this run's.

        ``finished``: the final write of a run whose work has committed. It also replaces a reaper's verdict on this
        very run (failed as a dead worker, not retried since): the reaper judged by a stale heartbeat — a long commit
        can hold the heartbeat back — while the work was in fact done."""
        fields["heartbeat_at"] = timezone.now()
        mine = Q(status=Job.RUNNING)
        if finished:
            mine |= Q(status=Job.FAILED, error=DEAD_WORKER_MESSAGE)
        updated = Job.objects.filter(mine, pk=self.job.pk, attempts=self.attempt).update(**fields)
        self._last_write = time.monotonic()
        self._dirty.clear()
        if not updated:
            raise JobAbandoned(f"job {self.job.pk} attempt {self.attempt} was taken over")

    def start_heartbeat(self) -> None:
        interval = max(1.0, settings.SHOUDI_JOB_STALE_SECONDS / 5)
        self._beat_thread = threading.Thread(
            target=self._beat, args=(interval,), name=f"job-{self.job.pk}-heartbeat", daemon=True
        )
        self._beat_thread.start()

    def stop_heartbeat(self) -> None:
        self._stop_beat.set()
        if self._beat_thread is not None:
            self._beat_thread.join(timeout=5)

    def _beat(self, interval: float) -> None:
        try:
            while not self._stop_beat.wait(interval):
                try:
                    Job.objects.filter(pk=self.job.pk, status=Job.RUNNING, attempts=self.attempt).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # e.g. SQLite locked by the job's own long commit: beat again next time
                    logger.exception("heartbeat of job %s failed", self.job.pk)
                    connections.close_all()
        finally:
            connections.close_all()  # this thread's connections only


def worker_host() -> str:
    """This machine's name, as recorded on the jobs it runs."""
    return socket.gethostname()[:100]


# Jobs this process is running now. A restarted container often gets the same pid as the worker it replaces; a
# job recorded under this host and pid but not in this set was therefore left by a dead predecessor.
_running_here: set[int] = set()


def running_here() -> frozenset[int]:
    """Ids of the jobs this process is running."""
    return frozenset(_running_here)


def execute_job(job_id: int, *, task_id: str = "") -> None:
    """Run job ``job_id`` if it is still queued; record success or failure on the job and re-raise a failure.

    Called by the ``run_job`` task. The job runs as the user who started it (``acting_as``, source "job"), so the
    change log attributes its writes to him.
    """
    now = timezone.now()
    claim = {
        "status": Job.RUNNING,
        "started_at": now,
        "heartbeat_at": now,
        "finished_at": None,
        "worker_host": worker_host(),
        "worker_pid": os.getpid(),
        "attempts": F("attempts") + 1,
    }
    if task_id:
        claim["task_id"] = str(task_id)[:64]
    _running_here.add(job_id)  # before the claim commits, so that this process's reaper never sees it unowned
    try:
        _claim_and_run(job_id, claim)
    finally:
        _running_here.discard(job_id)


def _claim_and_run(job_id: int, claim: dict) -> None:
    if not Job.objects.filter(pk=job_id, status=Job.QUEUED).update(**claim):
        logger.warning("job %s is not queued (missing, running elsewhere or finished); skipped", job_id)
        return
    job = Job.objects.select_related("user").get(pk=job_id)
    ctx = JobContext(job, attempt=job.attempts)
    if job.attempts > 1:
        ctx.log(f"—— 第 {job.attempts} 次运行 ——")
    ctx.start_heartbeat()
    try:
        with acting_as(job.user, source="job"):
            try:
                job_type = get_job_type(job.kind)
                returned = job_type.func(ctx, **(job.params or {}))
                if isinstance(returned, dict):
                    ctx.result.update(returned)
                ctx.write(
                    finished=True,
                    status=Job.SUCCEEDED,
                    error="",
                    finished_at=timezone.now(),
                    result=ctx.result or None,
                    log=ctx.log_text,
                    done=ctx.done,
                    total=ctx.total if ctx.total is not None else ctx.done,
                    result_file=job.result_file,
                    result_name=job.result_name,
                )
            except JobAbandoned:
                logger.warning("job %s was declared dead or retried while this run went on; stopped", job_id)
                raise
            except BaseException as exc:
                message = describe_error(exc)
                # the traceback is for the maintainers (server log), never the job page: users read ``message``
                logger.error("job %s (%s) failed: %s", job_id, job.kind, message, exc_info=exc)
                ctx.log(f"失败：{message}")
                _record_failure(
                    ctx,
                    status=Job.FAILED,
                    finished_at=timezone.now(),
                    error=message,
                    result=ctx.result or None,
                    log=ctx.log_text,
                    done=ctx.done,
                    total=ctx.total,
                    result_file=job.result_file,
                    result_name=job.result_name,
                )
                raise
    finally:
        ctx.stop_heartbeat()


def _record_failure(ctx: JobContext, **fields) -> None:
    try:
        ctx.write(**fields)
    except DatabaseError:
        # The job may have failed because its database connection broke: record it over a fresh one.
        if connection.in_atomic_block:
            raise
        connection.close()
        ctx.write(**fields)
