"""Background jobs: long work run by the task worker, with progress, log lines, a result file and an error.

Job code::

    from shoudi.core.jobs import job

    @job("regions.import", title="导入区划")
    def import_regions(ctx, *, path: str) -> dict:
        rows = read(path)
        ctx.set_total(len(rows))
        for row in rows:
            ...
            ctx.advance()
        ctx.log("导入完成")
        ctx.save_result_file(report_bytes, "导入报告.xlsx")
        return {"新增": 12}          # merged into ctx.result, shown on the job page

A view or service starts it with ``start_job(kind="regions.import", user=request.user, params={"path": …})`` and
redirects to ``job.get_absolute_url()``. Every job runs through one django-tasks task (``run_job``); the worker
is ``shoudi worker``.
"""

from . import demo  # noqa: F401  (registers core.demo)
from .registry import JobType, get_job_type, job, job_types
from .runner import JobAbandoned, JobContext, JobError, job_dir
from .services import DEAD_WORKER_MESSAGE, reap_stale_jobs, retry_job, start_job
from .tasks import run_job

__all__ = [
    "DEAD_WORKER_MESSAGE",
    "JobAbandoned",
    "JobContext",
    "JobError",
    "JobType",
    "get_job_type",
    "job",
    "job_dir",
    "job_types",
    "reap_stale_jobs",
    "retry_job",
    "run_job",
    "start_job",
]
