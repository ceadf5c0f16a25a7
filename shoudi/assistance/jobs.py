"""The cadre import as a job: the request stores the file, the worker checks the upload limits again, reads every
row and imports the directory when no row has an error (all or nothing, as the import itself)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from shoudi.core.jobs import JobError, job, job_dir
from shoudi.core.tabular import FileRejected
from shoudi.core.uploads import UploadRefused, check_stored_upload, write_job_data

from .importing import import_cadres


@job("assistance.import_cadres", title="导入帮扶干部")
def import_cadres_job(ctx, *, path: str, filename: str) -> dict:
    stored = Path(settings.MEDIA_ROOT) / path
    if not stored.is_file():
        raise JobError("上传的文件已失效，请重新上传")
    try:
        check_stored_upload(stored, name=filename)
        ctx.set_total(None)
        ctx.log(f"检查文件 {filename}")
        result = import_cadres(stored, user=ctx.user)
    except (UploadRefused, FileRejected) as exc:
        write_job_data(job_dir(ctx.job.pk), {"filename": filename, "errors": [], "error": str(exc)})
        raise JobError(str(exc)) from None
    finally:
        stored.unlink(missing_ok=True)  # imported or not, the file is not needed again: a new upload starts over
    write_job_data(
        job_dir(ctx.job.pk),
        {"filename": filename, "committed": result.committed, "summary": result.summary(), "errors": result.errors},
    )
    ctx.log(result.summary())
    if not result.committed:
        raise JobError(f"文件未导入：{len(result.errors)} 处错误，请修改后重新上传")
    return {"新增": result.created, "更新": result.updated, "未变": result.unchanged}
