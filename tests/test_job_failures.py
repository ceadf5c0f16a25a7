"""Issue 15: a failed job tells its user what went wrong in Chinese — never a Python traceback, which goes to the
server log — and the reaper never marks failed a job whose work has committed."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone

from shoudi.core.jobs import DEAD_WORKER_MESSAGE, job, reap_stale_jobs
from shoudi.core.jobs import services as job_services
from shoudi.core.jobs.runner import execute_job, worker_host
from shoudi.core.models import Job, Synonym

LEAK = 'Traceback (most recent call last):\n  File "/srv/shoudi/cards/pdf.py", line 180\nValueError: secret path'


@job("tests.crash", title="测试：程序出错")
def crash(ctx):
    ctx.log("开始处理")
    raise ValueError(LEAK)


@job("tests.long_commit", title="测试：提交很久")
def long_commit(ctx):
    """Writes its work, then — while its commit holds the heartbeat back — the reaper looks at it."""
    Synonym.objects.create(vocabulary="test", text="甲", value="乙")
    Job.objects.filter(pk=ctx.job.pk).update(heartbeat_at=timezone.now() - timedelta(days=1))
    ctx.result["reaped"] = reap_stale_jobs()  # the worker's reaper thread, say, during the commit
    return {"写入": 1}


def test_a_crashed_job_shows_a_chinese_message_and_logs_the_traceback(run_now, world, client_for, caplog):
    with caplog.at_level(logging.ERROR, logger="shoudi.jobs"):
        crashed = run_now(kind="tests.crash", user=world.officer_a, params={})

    assert crashed.status == Job.FAILED and "系统内部错误" in crashed.error
    html = client_for(world.officer_a).get(crashed.get_absolute_url()).content.decode()
    assert crashed.error in html and "开始处理" in html
    for leaked in ("Traceback", "ValueError", "pdf.py", "secret path"):
        assert leaked not in html and leaked not in crashed.log and leaked not in crashed.error
    assert any("secret path" in (r.exc_text or "") for r in caplog.records)  # the maintainers' copy


def test_an_older_jobs_traceback_is_not_shown(world, client_for):
    old = Job.objects.create(
        kind="core.demo",
        title="旧任务",
        region_code=world.village_a.code,
        user=world.officer_a,
        status=Job.FAILED,
        error="任务出错",
        log=f"[10:00:00] 开始\n[10:00:01] 失败：任务出错\n{LEAK}",
    )
    html = client_for(world.officer_a).get(old.get_absolute_url()).content.decode()
    assert "[10:00:00] 开始" in html and "Traceback" not in html and "secret path" not in html


def test_a_service_refusal_reads_as_written(run_now, world):
    refused = run_now(kind="ledgers.workcards", user=world.inspector, params={"region": world.county.code})
    assert refused.status == Job.FAILED and refused.error == "您的角色无权批量打印工作卡"


# --- the reaper and a long commit -------------------------------------------------------------------------------


def test_a_job_reaped_during_its_commit_still_ends_succeeded(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    queued = Job.objects.create(kind="tests.long_commit", title="提交很久", user=world.officer_a)

    execute_job(queued.pk)

    queued.refresh_from_db()
    assert queued.result["reaped"] == [queued.pk]  # the reaper did judge it dead ...
    assert (queued.status, queued.error) == (Job.SUCCEEDED, "")  # ... but its work had committed
    assert queued.result["写入"] == 1 and Synonym.objects.filter(text="甲").exists()


def stale_running_job(world, settings, **worker) -> Job:
    """A running job whose heartbeat is older than the stale limit."""
    stale = timezone.now() - timedelta(seconds=settings.SHOUDI_JOB_STALE_SECONDS + 60)
    return Job.objects.create(
        kind="core.demo",
        title="计数",
        user=world.officer_a,
        status=Job.RUNNING,
        attempts=1,
        started_at=stale,
        heartbeat_at=stale,
        **worker,
    )


def test_the_reaper_spares_a_job_that_beat_after_it_was_read(world, settings, monkeypatch):
    busy = stale_running_job(world, settings, worker_host="another-host", worker_pid=4321)
    real_running_here = job_services.running_here

    def commit_lands_now():
        # between the reaper's read and its write, the worker's long commit ends and its heartbeat lands
        Job.objects.filter(pk=busy.pk).update(heartbeat_at=timezone.now(), done=7)
        return real_running_here()

    monkeypatch.setattr(job_services, "running_here", commit_lands_now)
    assert reap_stale_jobs() == []
    busy.refresh_from_db()
    assert (busy.status, busy.error, busy.done) == (Job.RUNNING, "", 7)


def test_a_silent_job_is_still_reaped(world, settings):
    silent = stale_running_job(world, settings, worker_host=worker_host(), worker_pid=None)
    assert reap_stale_jobs() == [silent.pk]
    assert Job.objects.get(pk=silent.pk).error == DEAD_WORKER_MESSAGE
