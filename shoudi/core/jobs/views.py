"""The job pages: the list, a job with its live progress bar, the result download and the retry button."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views import View
from django.views.decorators.http import require_POST

from ..audit import log_access
from ..models import AccessLog, Job
from ..scope import get_object_for, user_can
from ..views import ObjectListView
from .filters import JobFilterSet
from .registry import get_job_type
from .services import reap_stale_jobs, retry_job
from .tables import STATUS_BADGES, JobTable

__all__ = ["JobDetailView", "JobListView", "job_download", "job_retry", "progress_context"]

LOG_LINES_SHOWN = 200


class JobListView(ObjectListView):
    queryset = Job.objects.select_related("user")
    filterset_class = JobFilterSet
    table_class = JobTable
    title = "后台任务"

    def get(self, request):
        reap_stale_jobs()  # only running jobs are looked at: a few rows
        return super().get(request)


class JobDetailView(View):
    """A job's page; polled by htmx every second (the ``job-status`` partial) until the job has finished.

    ``?progress=1`` answers an htmx poll of the progress display alone (``{% job_progress %}`` on the pages that wait
    for a job); with ``reload=1`` as well, a finished job reloads the page that waited for it.
    """

    template_name = "core/job_detail.html"

    def get(self, request, pk):
        job = get_object_for(request.user, Job.objects.select_related("user"), "view", pk=pk)
        if not job.is_finished and reap_stale_jobs(job_ids=[job.pk]):
            job.refresh_from_db()
        if request.htmx and request.GET.get("progress"):
            reload = bool(request.GET.get("reload"))
            response = render(request, "core/_job_progress.html", progress_context(job, poll=True, reload=reload))
            if reload and job.is_finished:
                response["HX-Refresh"] = "true"
            return response
        template = self.template_name
        if request.htmx and request.htmx.target == "job-status":
            template = f"{self.template_name}#job-status"
        return render(request, template, job_context(request, job))


# what ``JobContext.log`` writes: every line stamped with the time. Unstamped lines in an older job's log are the
# Python traceback runs kept before it went to the server log only; the page does not show them.
LOG_LINE = re.compile(r"\[\d\d:\d\d:\d\d\] ")


def shown_log_lines(log: str) -> list[str]:
    """The job log as users read it: the stamped lines (and the note that earlier lines were left out)."""
    return [line for line in log.splitlines() if LOG_LINE.match(line) or line.startswith("……")]


def job_context(request, job: Job) -> dict:
    lines = shown_log_lines(job.log)
    try:
        kind_title = get_job_type(job.kind).title
    except LookupError:
        kind_title = job.kind
    return {
        "job": job,
        "title": job.title,
        "kind_title": kind_title,
        "badge": STATUS_BADGES[job.status],
        "log_lines": lines[-LOG_LINES_SHOWN:],
        "log_omitted": max(0, len(lines) - LOG_LINES_SHOWN),
        "has_result": result_path(job) is not None,
        "can_retry": job.status == Job.FAILED and user_can(request.user, Job, "add"),
    }


def progress_context(job: Job, *, poll: bool, reload: bool = False) -> dict:
    """What the progress display (core/_job_progress.html) shows."""
    return {"job": job, "badge": STATUS_BADGES[job.status], "poll": poll, "reload": reload}


def result_path(job: Job) -> Path | None:
    """The job's result file on disk, if it has one (and it lies inside the jobs directory)."""
    if not job.result_file:
        return None
    root = (Path(settings.MEDIA_ROOT) / "jobs").resolve()
    path = (Path(settings.MEDIA_ROOT) / job.result_file).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def job_download(request, pk):
    """The result file, for users who may see the job; every download is written to the access log."""
    job = get_object_for(request.user, Job.objects.all(), "view", pk=pk)
    path = result_path(job)
    if path is None:
        raise Http404("此任务没有可下载的结果文件")
    log_access(
        user=request.user,
        action=AccessLog.DOWNLOAD,
        obj=job,
        region_code=job.region_code,
        request=request,
        detail=f"下载后台任务结果：{job.result_name or path.name}",
    )
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name or path.name)


@require_POST
def job_retry(request, pk):
    """重新运行: queue a failed job again."""
    job = get_object_for(request.user, Job.objects.all(), "view", pk=pk)
    try:
        retry_job(job=job, user=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已重新加入队列：{job.title}")
    return redirect(job.get_absolute_url())
