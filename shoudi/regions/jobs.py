"""The region import as two jobs: the check (a preview of every row and error, nothing written) and the import of the
checked file. The request only stores the upload; the worker checks the upload limits again before reading it."""

from __future__ import annotations

import contextlib
from pathlib import Path

from django.conf import settings

from shoudi.core.jobs import JobError, job, job_dir
from shoudi.core.uploads import UploadRefused, check_stored_upload, write_job_data

from .importing import ImportResult, import_regions

PREVIEW_ROWS = 1000  # rows shown on the preview page (the counts and errors cover them all)


def _data(result: ImportResult, filename: str) -> dict:
    return {
        "filename": filename,
        "committed": result.committed,
        "ok": result.ok,
        "new": result.new,
        "changed": result.changed,
        "unchanged": result.unchanged,
        "error_count": result.error_count,
        "summary": result.summary(),
        "errors": [{"row": e.row, "field": e.field, "message": e.message} for e in result.errors],
        "row_count": len(result.rows),
        "rows": [
            {
                "row": r.row,
                "code": r.code,
                "name": r.name,
                "parent_code": r.parent_code,
                "status": r.status,
                "status_label": r.status_label,
                "level_label": r.level_label,
                "old_name": r.old_name,
            }
            for r in result.rows[:PREVIEW_ROWS]
        ],
    }


def _read(ctx, path: str, filename: str, *, dry_run: bool) -> ImportResult:
    stored = Path(settings.MEDIA_ROOT) / path
    if not stored.is_file():
        raise JobError("上传的文件已失效，请重新上传")
    try:
        check_stored_upload(stored, name=filename)
    except UploadRefused as exc:
        stored.unlink(missing_ok=True)
        raise JobError(str(exc)) from None
    ctx.set_total(None)
    result = import_regions(stored, user=ctx.user, filename=filename, dry_run=dry_run)
    ctx.set_progress(len(result.rows), len(result.rows))
    write_job_data(job_dir(ctx.job.pk), _data(result, filename))
    ctx.log(f"{filename}：{result.summary()}")
    return result


@job("regions.import_preview", title="行政区划导入检查")
def import_preview(ctx, *, path: str, filename: str) -> dict:
    """Check every row; the file stays for the import only when it has no error."""
    result = _read(ctx, path, filename, dry_run=True)
    if not result.ok:
        (Path(settings.MEDIA_ROOT) / path).unlink(missing_ok=True)
    return {"新增": result.new, "修改": result.changed, "未变": result.unchanged, "错误": result.error_count}


@job("regions.import_commit", title="行政区划导入")
def import_commit(ctx, *, path: str, filename: str, preview_job: int) -> dict:
    """Import the checked file; it is checked again inside the transaction (the list may have changed since)."""
    try:
        result = _read(ctx, path, filename, dry_run=False)
    finally:
        with contextlib.suppress(OSError):
            (Path(settings.MEDIA_ROOT) / path).unlink()
    if not result.committed:
        raise JobError(f"文件未导入，共 {result.error_count} 处错误，请改正后重新上传")
    return {"新增": result.new, "修改": result.changed, "未变": result.unchanged}
