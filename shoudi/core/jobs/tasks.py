"""The one django-tasks task behind every job: ``run_job(job_id)``; the job's kind decides what it does."""

from django_tasks import task

from .runner import execute_job

__all__ = ["run_job"]


@task(takes_context=True)
def run_job(context, job_id: int) -> None:
    """Run the job ``job_id`` (see ``execute_job``); a failure is recorded on the job and re-raised for django-tasks."""
    execute_job(job_id, task_id=str(context.task_result.id))
