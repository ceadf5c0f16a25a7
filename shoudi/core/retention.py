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
    """Result files of jobs finished before ``before``; the job row (who ran what, when, its summary) stays."""
    from .jobs.runner import job_dir
    from .models import Job

    old = Job.objects.filter(finished_at__lt=before).exclude(result_file="")
    if dry_run:
        return old.count()
    count = 0
    for pk, result_file in old.values_list("pk", "result_file"):
        remove_file(result_file)
        shutil.rmtree(job_dir(pk), ignore_errors=True)
        count += 1
    old.update(result_file="", result_name="")
    return count
