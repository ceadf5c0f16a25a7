"""The household import's part of retention (core.retention): uploaded national exports, whole-county files full of
ID numbers, are deleted after the retention days; the import record (who, when, what it found and did) stays."""

from __future__ import annotations

import datetime

from shoudi.core.retention import remove_file

from .models import HouseholdImport

EXPIRED = "文件已超过保存期限并被删除，请重新上传"


def purge_import_uploads(before: datetime.datetime, dry_run: bool) -> int:
    running = (HouseholdImport.PREVIEWING, HouseholdImport.COMMITTING)
    old = HouseholdImport.objects.filter(created_at__lt=before).exclude(file="").exclude(status__in=running)
    if dry_run:
        return old.count()
    count = 0
    for record in old:
        remove_file(record.file.name)
        if record.status == HouseholdImport.PREVIEWED:  # never committed: it can no longer be
            record.status = HouseholdImport.FAILED
            record.result = {**(record.result or {}), "file_error": EXPIRED, "summary": EXPIRED}
        record.file = ""
        record.save(update_fields=["file", "status", "result"])
        count += 1
    return count
