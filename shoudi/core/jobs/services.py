"""Starting, retrying and reaping jobs: the state changes of ``Job`` outside the runner."""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Concat
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from ..models import Job
from ..scope import user_can
from .registry import get_job_type
from .runner import DEAD_WORKER_MESSAGE, job_dir, running_here, worker_host
from .tasks import run_job

__all__ = ["DEAD_WORKER_MESSAGE", "pid_alive", "reap_stale_jobs", "retry_job", "start_job"]

logger = logging.getLogger("shoudi.jobs")

NOT_STARTED_MESSAGE = "任务未能启动，可重新运行"


@transaction.atomic
def start_job(*, kind: str, user, params: dict | None = None, title: str | None = None) -> Job:
    """Create a queued job of ``kind`` for ``user`` and enqueue it once the surrounding transaction commits.

    ``params`` (JSON values) are passed to the job function as keyword arguments; ``title`` defaults to the kind's
    registered title. The job is filed under the user's region. ``user`` may be None for system jobs, which only
    superusers see.
    """
    job_type = get_job_type(kind)
    if user is not None and not user_can(user, Job, "add"):
        raise PermissionDenied("您的角色无权发起后台任务")
    region = getattr(user, "region", None) if getattr(user, "region_id", None) else None
    job = Job.objects.create(
        kind=kind,
        title=(title or job_type.title)[:200],
        params=params or {},
        user=user,
        region_code=region.code if region is not None else "",
    )
    transaction.on_commit(partial(_enqueue, job.pk))
    return job


def _enqueue(job_id: int) -> None:
    try:
        result = run_job.enqueue(job_id=job_id)
    except Exception as exc:
        logger.exception("could not enqueue job %s", job_id)
        _mark_failed(job_id, from_status=Job.QUEUED, message=f"任务未能加入队列：{exc}")
        return
    # The worker may have claimed it already (and written the same id); only fill in an empty one.
    Job.objects.filter(pk=job_id, status=Job.QUEUED, task_id="").update(task_id=str(result.id)[:64])


@transaction.atomic
def retry_job(*, job: Job, user) -> Job:
    """Queue a failed job again, by its owner or a county admin in scope; progress, error and result are reset.

    The earlier log stays, so the page still shows why the last run failed. The job runs as the user who started
    it, whoever retries it.
    """
    # The job scope is exactly "own jobs, or all in the county for a county admin" (accounts registers it).
    if not user_can(user, Job, "add") or not Job.objects.restrict(user, "view").filter(pk=job.pk).exists():
        raise PermissionDenied("只有任务发起人或县级管理员可以重新运行此任务")
    locked = Job.objects.select_for_update().get(pk=job.pk)
    if locked.status != Job.FAILED:
        raise ValidationError("只有失败的任务可以重新运行")
    who = user.get_full_name() or user.get_username()
    line = f"[{timezone.localtime():%H:%M:%S}] {who} 重新运行了此任务"
    locked.log = f"{locked.log}\n{line}" if locked.log else line
    locked.status = Job.QUEUED
    locked.done, locked.total = 0, None
    locked.error = ""
    locked.result, locked.result_file, locked.result_name = None, "", ""
    locked.task_id, locked.worker_host, locked.worker_pid = "", "", None
    locked.started_at = locked.heartbeat_at = locked.finished_at = None
    locked.save()
    # Callbacks run in order: the old files go before the new run can write any.
    transaction.on_commit(partial(shutil.rmtree, job_dir(locked.pk), ignore_errors=True))
    transaction.on_commit(partial(_enqueue, locked.pk))
    return locked


def pid_alive(pid: int | None) -> bool:
    """Whether process ``pid`` exists on this machine (a zombie — killed, not yet waited for — counts as gone)."""
    if not pid or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by somebody else
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def reap_stale_jobs(*, job_ids: Iterable[int] | None = None) -> list[int]:
    """Mark jobs whose worker is gone as failed (and retriable); returns their ids.

    A running job is dead when its worker ran on this host and that process no longer exists (or is this process,
    which is not running it), or when its heartbeat is older than ``SHOUDI_JOB_STALE_SECONDS`` — which also covers
    another host's worker and a process id reused by some other program.
    The matching django-tasks result is marked failed too. A queued job whose task failed before the runner took
    it (or whose worker died right after taking it) is marked failed as well. ``job_ids`` limits the check, for
    the cheap call made when a job page is viewed.
    """
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.SHOUDI_JOB_STALE_SECONDS)
    host = worker_host()
    reaped: list[int] = []

    running = Job.objects.filter(status=Job.RUNNING)
    queued = Job.objects.filter(status=Job.QUEUED).exclude(task_id="")
    if job_ids is not None:
        job_ids = list(job_ids)
        running, queued = running.filter(pk__in=job_ids), queued.filter(pk__in=job_ids)

    rows = list(
        running.values_list("pk", "attempts", "task_id", "worker_host", "worker_pid", "heartbeat_at", "started_at")
    )
    here = running_here()  # read after the rows: a job is in it from before its claim until after its last write
    for pk, attempts, task_id, host_of_job, pid, heartbeat_at, started_at in rows:
        last_sign = heartbeat_at or started_at
        if host_of_job == host and pid == os.getpid():
            gone = pk not in here  # our own pid, inherited from a dead predecessor (a restarted container)
        else:
            gone = host_of_job == host and not pid_alive(pid)
        gone = gone or last_sign is None or last_sign < stale_before
        verdict = {"attempts": attempts, "heartbeat_at": heartbeat_at, "message": DEAD_WORKER_MESSAGE, "now": now}
        if gone and _mark_failed(pk, from_status=Job.RUNNING, **verdict):
            _fail_task_result(task_id, DEAD_WORKER_MESSAGE, now)
            logger.warning("job %s: worker %s:%s is gone; marked failed", pk, host_of_job, pid)
            reaped.append(pk)

    task_jobs = {}
    for pk, task_id in queued.values_list("pk", "task_id"):
        try:
            task_jobs[uuid.UUID(task_id)] = pk
        except ValueError:  # not a database-backend task
            continue
    if task_jobs:
        lost_tasks = DBTaskResult.objects.filter(id__in=list(task_jobs)).filter(
            Q(status=TaskResultStatus.FAILED) | Q(status=TaskResultStatus.RUNNING, started_at__lt=stale_before)
        )
        for task_id, status in lost_tasks.values_list("id", "status"):
            pk = task_jobs[uuid.UUID(str(task_id))]
            if _mark_failed(pk, from_status=Job.QUEUED, message=NOT_STARTED_MESSAGE, now=now):
                if status == TaskResultStatus.RUNNING:
                    _fail_task_result(str(task_id), NOT_STARTED_MESSAGE, now)
                logger.warning("job %s: its task %s ended before the job started; marked failed", pk, task_id)
                reaped.append(pk)
    return reaped


_UNREAD = object()


def _mark_failed(
    job_id: int, *, from_status: str, message: str, attempts: int | None = None, heartbeat_at=_UNREAD, now=None
) -> bool:
    now = now or timezone.now()
    line = f"[{timezone.localtime(now):%H:%M:%S}] {message}"
    rows = Job.objects.filter(pk=job_id, status=from_status)
    if attempts is not None:
        rows = rows.filter(attempts=attempts)  # the very run we judged dead, not a newer one
    if heartbeat_at is not _UNREAD:
        # ... and only if it has given no sign of life since we read it: a progress write or a long commit that
        # ended in between (PostgreSQL re-checks this condition on the row a blocking commit just wrote) saves it
        rows = rows.filter(Q(heartbeat_at__isnull=True) if heartbeat_at is None else Q(heartbeat_at=heartbeat_at))
    return bool(
        rows.update(
            status=Job.FAILED,
            error=message,
            finished_at=now,
            log=Case(
                When(log="", then=Value(line)),
                default=Concat(F("log"), Value("\n" + line), output_field=models.TextField()),
                output_field=models.TextField(),
            ),
        )
    )


def _fail_task_result(task_id: str, message: str, now) -> None:
    try:
        task_uuid = uuid.UUID(str(task_id))
    except ValueError:
        return
    DBTaskResult.objects.filter(id=task_uuid, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path="shoudi.core.jobs.runner.JobAbandoned",
        traceback=message,
    )
