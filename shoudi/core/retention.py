"""Retention: files holding personal data are not kept forever. After ``SHOUDI_RETENTION_DAYS`` (default 180) the
job results, uploads and staging rows the apps register (store ``retention_rules``) are deleted; the records that
say what happened — the job, the import, the change log and the access log — are kept.

``shoudi purge_files`` runs every rule; the worker runs it once a day.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from .registry import registry

__all__ = ["RetentionRule", "purge", "retention_days"]

logger = logging.getLogger("shoudi.retention")


@dataclass(frozen=True)
class RetentionRule:
    """``purge(before, dry_run) -> int``: remove what was finished before ``before``; the number of items removed
    (or, with ``dry_run``, that would be)."""

    key: str
    title: str
    purge: Callable[[datetime.datetime, bool], int]


def retention_days() -> int:
    return int(getattr(settings, "RETENTION_DAYS", 180))


def purge(days: int | None = None, *, dry_run: bool = False) -> list[tuple[str, int]]:
    """Run every rule for what is older than ``days`` (default: the configured retention); (title, count) each."""
    days = retention_days() if days is None else days
    before = timezone.now() - datetime.timedelta(days=days)
    done = [(rule.title, rule.purge(before, dry_run)) for rule in registry.entries("retention_rules")]
    if not dry_run:
        logger.info("retention (%s days): %s", days, "; ".join(f"{t} {n}" for t, n in done))
    return done


def remove_file(relative: str) -> None:
    """A stored file (relative to MEDIA_ROOT) and its directory when that is left empty."""
    path = Path(settings.MEDIA_ROOT) / relative
    path.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not empty, or already gone
        path.parent.rmdir()


def purge_job_results(before: datetime.datetime, dry_run: bool) -> int:
    """Result files of jobs finished before ``before``, and what a finished job left in its directory without
    making it its result (a failed export's half-written file); the job row (who ran what, when, its summary)
    stays."""
    from .jobs.runner import job_dir
    from .models import Job

    old = Job.objects.filter(finished_at__lt=before).exclude(result_file="")
    leftovers = _leftover_job_dirs(before)
    if dry_run:
        return old.count() + len(leftovers)
    count = 0
    for pk, result_file in old.values_list("pk", "result_file"):
        remove_file(result_file)
        shutil.rmtree(job_dir(pk), ignore_errors=True)
        count += 1
    old.update(result_file="", result_name="")
    for folder in leftovers:
        shutil.rmtree(folder, ignore_errors=True)
    return count + len(leftovers)


def _leftover_job_dirs(before: datetime.datetime) -> list[Path]:
    from .models import Job

    root = Path(settings.MEDIA_ROOT) / "jobs"
    folders = {int(p.name): p for p in root.iterdir() if p.is_dir() and p.name.isdigit()} if root.is_dir() else {}
    rows = Job.objects.filter(pk__in=list(folders)).values_list("pk", "finished_at", "result_file")
    jobs = {pk: (finished, result_file) for pk, finished, result_file in rows}
    gone = []
    for pk, folder in folders.items():
        if pk not in jobs:  # the job row itself was deleted
            expired = folder.stat().st_mtime < before.timestamp()
        else:
            finished, result_file = jobs[pk]
            expired = not result_file and finished is not None and finished < before
        if expired:
            gone.append(folder)
    return gone
