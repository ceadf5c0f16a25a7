"""Matching's part of retention (core.retention): a department list's file and its staging rows (every ID number of
the department's list) go after the retention days; the list record (who sent what, when, its counts), its runs and
their findings stay. A list a run still works on (queued, running, or in preview awaiting release) is kept."""

from __future__ import annotations

import datetime
import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from shoudi.core.retention import remove_file

from . import choices as c
from .engine import clear_rows
from .models import DepartmentList, ListRow, MatchRun

__all__ = ["purge_department_lists"]


def purge_department_lists(before: datetime.datetime, dry_run: bool) -> int:
    """Lists uploaded before ``before`` that still hold a file or staging rows."""
    busy = MatchRun.objects.filter(list=OuterRef("pk"), status__in=(c.QUEUED, c.RUNNING, c.PREVIEW))
    old = (
        DepartmentList.objects.filter(created_at__lt=before)
        .filter(~Q(file="") | Exists(ListRow.objects.filter(list=OuterRef("pk"))))
        .exclude(Exists(busy))
    )
    previews = _unconfirmed_uploads(before)
    if dry_run:
        return old.count() + len(previews)
    for folder in previews:  # uploaded, previewed, never confirmed (the upload page forgets them after a day, too)
        shutil.rmtree(folder, ignore_errors=True)
    count = len(previews)
    for dlist in old.only("pk", "file"):
        with transaction.atomic():
            clear_rows(dlist.pk)
            if dlist.file:
                remove_file(dlist.file.name)
            DepartmentList.objects.filter(pk=dlist.pk).update(file="")  # no change-log row: nothing a person edited
        count += 1
    return count


def _unconfirmed_uploads(before: datetime.datetime) -> list[Path]:
    root = Path(settings.MEDIA_ROOT) / "matching" / "uploads"
    if not root.is_dir():
        return []
    limit = before.timestamp()
    return [folder for folder in root.iterdir() if folder.is_dir() and folder.stat().st_mtime < limit]
