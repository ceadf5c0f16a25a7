"""Large ledgers are written by the job worker: ``ledgers.export`` with progress and the file as its result."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.text import get_valid_filename

from shoudi.core.jobs import JobError, job, job_dir
from shoudi.core.scope import user_can

from .engine import LedgerError, count_rows, file_name, log_export, make_context, resolve, write_xlsx
from .models import SavedLedger

__all__ = ["export_ledger"]


@job("ledgers.export", title="导出台账")
def export_ledger(ctx, *, ledger: str, region_code: str = "", params: dict | None = None) -> dict:
    """Write ledger ``ledger`` (a standard code or ``saved-<id>``) for the region, as the user who started the job:
    his scope, his masking. The file is the job's result; the export goes to the access log."""
    user = ctx.user
    if user is None or not user_can(user, SavedLedger, "export"):
        raise JobError("发起人无权导出台账")
    try:
        built = resolve(ledger, user)
        lctx = make_context(built, user, region_code, params or {})
    except (LedgerError, PermissionDenied) as exc:
        raise JobError(str(exc)) from None
    total = count_rows(built, lctx)
    ctx.set_total(total)
    ctx.log(f"开始导出“{built.title}”（{lctx.region_name}），共 {total} {built.definition.unit}")
    name = file_name(built, lctx)
    directory = job_dir(ctx.job.pk)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / (get_valid_filename(name) or "ledger.xlsx")
    count = write_xlsx(built, lctx, path, progress=lambda done: ctx.set_progress(done, max(total, done)))
    log_export(built, lctx, count, how="后台任务")
    ctx.log(f"已写入 {count} {built.definition.unit}")
    ctx.save_result_file(path, name)
    return {"台账": built.title, "行数": count}
