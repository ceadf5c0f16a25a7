"""Background jobs: progress, result file, failure, a killed worker, retry and scope — as users see them."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shoudi.core.jobs import DEAD_WORKER_MESSAGE, JobAbandoned, JobContext, job_dir, reap_stale_jobs, start_job
from shoudi.core.jobs.runner import worker_host
from shoudi.core.models import AccessLog, Job

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "job-status"}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    return settings.MEDIA_ROOT


def page(client, job, **extra) -> str:
    response = client.get(job.get_absolute_url(), **extra)
    assert response.status_code == 200
    return response.content.decode()


# --- a job that succeeds, one that fails ---------------------------------------------------------------------------


def test_finished_job_shows_100_percent_and_downloads_its_file(run_now, world, client_for):
    job = run_now(kind="core.demo", user=world.officer_a, params={"steps": 5})

    assert (job.status, job.done, job.total, job.attempts) == (Job.SUCCEEDED, 5, 5, 1)
    assert job.worker_pid == os.getpid() and job.task_id
    assert job.result == {"计数": 5}
    assert job.region_code == world.village_a.code
    client = client_for(world.officer_a)
    html = page(client, job)
    assert "已完成" in html and "100%" in html and "开始计数，共 5 步" in html
    assert 'hx-trigger="every 1s"' not in html  # finished: the page stops polling
    assert 'id="job-download"' in html and "演示结果.txt" in html

    response = client.get(f"/system/jobs/{job.pk}/download/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"] and quote("演示结果.txt") in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("演示任务结果") and "第 5 步" in text and "共 5 步" in text
    assert (job_dir(job.pk) / "演示结果.txt").is_file()
    logged = AccessLog.objects.get(action=AccessLog.DOWNLOAD)
    assert (logged.user, logged.object_id, logged.region_code) == (world.officer_a, str(job.pk), world.village_a.code)


def test_failed_job_shows_its_error_and_a_retry_button(run_now, world, client_for):
    job = run_now(kind="core.demo", user=world.officer_a, params={"steps": 4, "fail": True})

    assert job.status == Job.FAILED
    assert job.error == "演示任务按要求在第 3 步失败"
    assert job.done == 2 and job.finished_at is not None
    assert "Traceback" not in job.log and "失败：演示任务按要求在第 3 步失败" in job.log  # the traceback: server log
    html = page(client_for(world.officer_a), job)
    assert "失败" in html and "演示任务按要求在第 3 步失败" in html
    assert 'id="job-retry"' in html and 'id="job-download"' not in html and "100%" not in html


def test_progress_writes_are_throttled(run_now, world, django_assert_max_num_queries):
    # 1,000 steps in well under a second: a handful of writes, not one per step.
    with django_assert_max_num_queries(20):
        job = run_now(kind="core.demo", user=world.officer_a, params={"steps": 1000})
    assert (job.status, job.done, job.total) == (Job.SUCCEEDED, 1000, 1000)


def test_unfinished_job_page_polls_a_partial(world, client_for, media):
    job = start_job(kind="core.demo", user=world.officer_a, params={})  # never enqueued: the test never commits
    client = client_for(world.officer_a)
    html = page(client, job)
    assert 'hx-trigger="every 1s"' in html and "排队中" in html
    partial = page(client, job, **HTMX)
    assert partial.lstrip().startswith('<div id="job-status"') and "<html" not in partial
    assert 'hx-trigger="every 1s"' in partial

    Job.objects.filter(pk=job.pk).update(
        status=Job.RUNNING,
        done=3,
        total=4,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        worker_host="worker-host",
        worker_pid=1234,
    )
    partial = page(client, job, **HTMX)
    assert "75%" in partial and "运行中" in partial and 'hx-trigger="every 1s"' in partial


def test_unknown_kind_is_refused(world):
    with pytest.raises(LookupError):
        start_job(kind="no.such", user=world.officer_a, params={})


# --- scope ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("officer_a", 200), ("admin", 200), ("officer_b", 404), ("reviewer_a", 404), ("inspector", 404)],
)
def test_job_page_and_download_in_and_out_of_scope(run_now, world, client_for, who, status):
    job = run_now(kind="core.demo", user=world.officer_a, params={"steps": 2})
    client = client_for(getattr(world, who))
    assert client.get(job.get_absolute_url()).status_code == status
    assert client.get(f"/system/jobs/{job.pk}/download/").status_code == status
    listed = f'href="/system/jobs/{job.pk}/"' in client.get("/system/jobs/").content.decode()
    assert listed == (status == 200)


def test_anonymous_is_sent_to_login(client, world):
    job = start_job(kind="core.demo", user=world.officer_a, params={})
    for url in ("/system/jobs/", job.get_absolute_url(), f"/system/jobs/{job.pk}/download/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_retry_by_owner_or_county_admin_only(world, client_for, media, django_capture_on_commit_callbacks):
    job = start_job(kind="core.demo", user=world.officer_a, params={})
    Job.objects.filter(pk=job.pk).update(status=Job.FAILED, error="出错了", done=3, total=9, attempts=1)
    url = f"/system/jobs/{job.pk}/retry/"

    assert client_for(world.officer_b).post(url).status_code == 404
    assert client_for(world.reviewer_a).post(url).status_code == 404
    assert Job.objects.get(pk=job.pk).status == Job.FAILED

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post(url)
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.error) == (Job.QUEUED, 0, None, "")
    assert "县管理员 重新运行了此任务" in job.log
    assert DBTaskResult.objects.get(id=job.task_id).status == "READY"  # enqueued for the worker


def test_only_failed_jobs_can_be_retried(run_now, world, client_for):
    job = run_now(kind="core.demo", user=world.officer_a, params={"steps": 1})
    client = client_for(world.officer_a)
    assert 'id="job-retry"' not in page(client, job)
    response = client.post(f"/system/jobs/{job.pk}/retry/", follow=True)
    assert "只有失败的任务可以重新运行" in response.content.decode()
    assert Job.objects.get(pk=job.pk).status == Job.SUCCEEDED


# --- dead workers --------------------------------------------------------------------------------------------------


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


@pytest.fixture
def live_pid():
    """The pid of a process that stays alive during the test (standing in for a busy worker)."""
    proc = subprocess.Popen(["sleep", "30"])
    yield proc.pid
    proc.kill()
    proc.wait()


def test_reaper_judges_by_process_and_heartbeat(world, settings, live_pid):
    now = timezone.now()
    old = now - timedelta(seconds=settings.SHOUDI_JOB_STALE_SECONDS + 1)

    def running(**fields) -> Job:
        values = {"worker_host": worker_host(), "worker_pid": live_pid, "heartbeat_at": now, **fields}
        return Job.objects.create(
            kind="core.demo",
            title="计数",
            user=world.officer_a,
            status=Job.RUNNING,
            attempts=1,
            started_at=now,
            **values,
        )

    gone = running(worker_pid=dead_pid())
    alive = running()
    reused_pid = running(heartbeat_at=old)  # the pid is alive, but it is not our worker any more
    # Our own pid, but this process is not running the job: left by a predecessor that had the same pid.
    inherited_pid = running(worker_pid=os.getpid())
    elsewhere = running(worker_host="another-host", worker_pid=dead_pid())  # no pid check across hosts
    elsewhere_silent = running(worker_host="another-host", heartbeat_at=old)

    assert sorted(reap_stale_jobs()) == sorted([gone.pk, reused_pid.pk, inherited_pid.pk, elsewhere_silent.pk])
    assert Job.objects.get(pk=gone.pk).error == DEAD_WORKER_MESSAGE
    assert {Job.objects.get(pk=j.pk).status for j in (alive, elsewhere)} == {Job.RUNNING}
    assert reap_stale_jobs() == []


def test_queued_job_whose_task_failed_before_starting_is_marked_failed(world):
    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="shoudi.gone.task",
        backend_name="default",
        status="FAILED",
        exception_class_path="builtins.ImportError",
        traceback="ImportError",
    )
    job = Job.objects.create(kind="core.demo", title="计数", user=world.officer_a, task_id=str(task.id))
    assert reap_stale_jobs(job_ids=[job.pk]) == [job.pk]
    job.refresh_from_db()
    assert job.status == Job.FAILED and "可重新运行" in job.error


def test_a_run_declared_dead_stops_at_its_next_write(world):
    job = Job.objects.create(
        kind="core.demo",
        title="计数",
        user=world.officer_a,
        status=Job.RUNNING,
        attempts=1,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        worker_host=worker_host(),
        worker_pid=dead_pid(),
    )
    ctx = JobContext(job, attempt=1)
    ctx.set_total(10)
    assert reap_stale_jobs() == [job.pk]
    ctx.advance()
    with pytest.raises(JobAbandoned):
        ctx.flush()
    job.refresh_from_db()
    assert (job.status, job.error, job.done) == (Job.FAILED, DEAD_WORKER_MESSAGE, 0)


# --- the real worker process ---------------------------------------------------------------------------------------


def database_url() -> str:
    """The test database, for a worker started as another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return "sqlite:///" + str(Path(db["NAME"]).resolve())
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def start_worker(tmp_path, *args, **env_extra) -> subprocess.Popen:
    log = (tmp_path / f"worker-{time.monotonic_ns()}.log").open("w")
    env = {**os.environ, "DATABASE_URL": database_url(), "SHOUDI_DATA_DIR": str(tmp_path), **env_extra}
    proc = subprocess.Popen(
        [sys.executable, "-m", "shoudi", "worker", "--no-reload", "--no-startup-delay", "--interval", "0.1", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()  # the worker has its own copy of the descriptor
    proc.log_path = Path(log.name)
    return proc


def wait_for(predicate, what: str, worker=None, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if worker is not None and worker.poll() is not None:
            break
        time.sleep(0.05)
    output = worker.log_path.read_text() if worker is not None else ""
    raise AssertionError(f"timed out waiting for {what}\n{output}")


def stop(proc) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait(5)


def test_a_killed_worker_leaves_the_job_failed_and_retriable(transactional_db, world, client_for, media, tmp_path):
    job = start_job(kind="core.demo", user=world.officer_a, params={"steps": 20, "sleep": 0.1})
    worker = start_worker(tmp_path)
    try:
        running = wait_for(
            lambda: Job.objects.filter(pk=job.pk, status=Job.RUNNING, done__gt=0).first(), "the job to run", worker
        )
        assert running.worker_pid == worker.pid
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(5)
    finally:
        stop(worker)

    # Nobody is left to finish it; the reaper (worker start, worker thread, job page) sees the process is gone.
    assert Job.objects.get(pk=job.pk).status == Job.RUNNING
    assert reap_stale_jobs() == [job.pk]
    job.refresh_from_db()
    assert (job.status, job.error) == (Job.FAILED, DEAD_WORKER_MESSAGE)
    assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"
    client = client_for(world.officer_a)
    html = page(client, job)
    assert DEAD_WORKER_MESSAGE in html and 'id="job-retry"' in html

    assert client.post(f"/system/jobs/{job.pk}/retry/").status_code == 302
    assert Job.objects.get(pk=job.pk).status == Job.QUEUED
    worker = start_worker(tmp_path)
    try:
        done = wait_for(lambda: Job.objects.filter(pk=job.pk, status=Job.SUCCEEDED).first(), "the retry", worker)
        assert (done.attempts, done.done, done.worker_pid, done.error) == (2, 20, worker.pid, "")
        assert "100%" in page(client, done)
        assert client.get(f"/system/jobs/{job.pk}/download/").status_code == 200
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(10) == 0, worker.log_path.read_text()
    finally:
        stop(worker)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_worker_stops_cleanly_after_the_running_job(transactional_db, world, media, tmp_path, signum):
    job = start_job(kind="core.demo", user=world.officer_a, params={"steps": 8, "sleep": 0.1})
    worker = start_worker(tmp_path)
    try:
        wait_for(lambda: Job.objects.filter(pk=job.pk, status=Job.RUNNING).exists(), "the job to run", worker)
        worker.send_signal(signum)
        assert worker.wait(15) == 0, worker.log_path.read_text()
    finally:
        stop(worker)
    job.refresh_from_db()
    assert (job.status, job.done) == (Job.SUCCEEDED, 8)


def test_job_list_queries_do_not_grow_with_rows(world, client_for, django_assert_max_num_queries):
    client = client_for(world.admin)
    for i in range(3):
        Job.objects.create(kind="core.demo", title=f"计数{i}", user=world.officer_a, region_code=world.village_a.code)
    client.get("/system/jobs/")
    with django_assert_max_num_queries(12) as few:
        client.get("/system/jobs/")
    for i in range(20):
        Job.objects.create(kind="core.demo", title=f"多{i}", user=world.officer_b, region_code=world.village_b.code)
    with django_assert_max_num_queries(len(few)):
        html = client.get("/system/jobs/").content.decode()
    assert "多19" in html and "计数0" in html


def test_a_long_silent_step_keeps_its_heartbeat(transactional_db, world, media, tmp_path, settings):
    # One step longer than the stale limit, with no progress to report: the runner's heartbeat keeps it alive.
    settings.SHOUDI_JOB_STALE_SECONDS = 2
    job = start_job(kind="core.demo", user=world.officer_a, params={"steps": 1, "sleep": 3})
    worker = start_worker(tmp_path, SHOUDI_JOB_STALE_SECONDS="2")
    try:
        wait_for(lambda: Job.objects.filter(pk=job.pk, status=Job.RUNNING).exists(), "the job to run", worker)
        time.sleep(2.4)
        assert reap_stale_jobs() == []
        done = wait_for(lambda: Job.objects.filter(pk=job.pk, status=Job.SUCCEEDED).first(), "the job", worker)
        assert done.attempts == 1
    finally:
        stop(worker)


def test_worker_reaps_at_start_and_then_periodically(transactional_db, world, tmp_path, settings):
    old = timezone.now() - timedelta(seconds=settings.SHOUDI_JOB_STALE_SECONDS + 1)

    def left_running_elsewhere() -> Job:
        return Job.objects.create(
            kind="core.demo",
            title="计数",
            user=world.officer_a,
            status=Job.RUNNING,
            attempts=1,
            started_at=old,
            heartbeat_at=old,
            worker_host="another-host",
            worker_pid=4321,
        )

    before = left_running_elsewhere()
    worker = start_worker(tmp_path, "--reap-interval", "0.2")
    try:
        wait_for(lambda: Job.objects.filter(pk=before.pk, status=Job.FAILED).exists(), "the reap at start", worker)
        later = left_running_elsewhere()
        wait_for(lambda: Job.objects.filter(pk=later.pk, status=Job.FAILED).exists(), "the periodic reap", worker)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(10) == 0
    finally:
        stop(worker)
    assert "已将 1 个意外中断的任务标记为失败" in worker.log_path.read_text()
