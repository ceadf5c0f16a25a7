"""The household import as two jobs: the preview (checks, counts, error report) and the commit, which then runs the
steps other apps register for a committed import (national cases, national measures …), each logged.

A failing step fails the job with the step's message; the households stay imported. 重试后续步骤 on the import page
starts the steps job (``registry.import_steps``; retried like any job once it exists), which runs only the steps not
done yet, for the same households, without importing again: the import keeps its household ids and the steps done.
The commit job keeps its log and its error report. (Retrying the commit job from the job page does the same.)
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from shoudi.core.jobs import JobError, job
from shoudi.core.registry import registry
from shoudi.core.uploads import UploadRefused, check_stored_upload

from .importing import commit_household_import, preview_household_import
from .layouts import recording_for
from .models import HouseholdImport

ERRORS_SHOWN = 200
STEP_CHUNK = 500  # households per call of a step (SQLite takes at most 999 parameters a statement)


def pending_steps(done: Iterable[str] = ()) -> list:
    """The registered post-import steps not in ``done``, in their order."""
    done = set(done)
    return [step for step in registry.entries("post_import_steps") if step.name not in done]


def run_post_import_steps(
    household_ids: list[int],
    *,
    user,
    log: Callable[[str], None],
    done: Iterable[str] = (),
    on_done: Callable[[str], None] | None = None,
) -> list[str]:
    """Run the steps not in ``done`` for these households, a few hundred at a time; log each; call ``on_done(name)``
    after each step that finished. Returns the names run. A step that raises stops here with ``JobError`` (its
    message, in Chinese): the steps after it do not run, and a retry starts again at that step."""
    ran = []
    for step in pending_steps(done):
        counts: Counter = Counter()
        try:
            for start in range(0, len(household_ids), STEP_CHUNK):
                counts.update(step.run(household_ids=household_ids[start : start + STEP_CHUNK], user=user) or {})
        except JobError as exc:
            raise JobError(f"后续步骤“{step.title}”未完成：{exc}") from exc
        except Exception as exc:
            message = str(exc).strip() or type(exc).__name__
            raise JobError(f"后续步骤“{step.title}”未完成：{message}") from exc
        figures = "，".join(f"{label} {n}" for label, n in counts.items())
        log(f"{step.title}：{figures or '完成'}")
        ran.append(step.name)
        if on_done is not None:
            on_done(step.name)
    return ran


def _summary(result) -> dict:
    """What the preview page shows, kept as JSON on the import."""
    return {
        "summary": result.summary(),
        "file_error": result.file_error,
        "income_year": result.income_year,
        "income_year_source": result.income_year_source,
        "rows": result.rows,
        "households": result.household_count,
        "has_errors": result.has_errors,
        "villages": [
            {"name": v.name, "code": v.code, "households": v.households, "members": v.members}
            for v in result.village_list
        ],
        "totals": {"households": result.totals.households, "members": result.totals.members},
        "errors": [str(e) for e in result.errors[:ERRORS_SHOWN]],
        "error_count": len(result.errors),
        "error_rows": len(result.report_rows),
        "warnings": [str(w) for w in result.warnings[:ERRORS_SHOWN]],
        "unknown_columns": result.unknown_columns,
        "unknown_values": result.unknown_value_rows(ERRORS_SHOWN),
        "unknown_value_count": len(result.unknown_values),
        "missing_members": [
            {
                "household_no": m.household_no,
                "village": m.village,
                "name": m.name,
                "id_number": m.id_number,
                "relation": m.relation,
            }
            for m in result.missing_members[:500]
        ],
        "missing_member_count": len(result.missing_members),
        "missing_regions": [
            {
                "level": r.level,
                "name": r.name,
                "parent": r.parent,
                "code": r.code,
                "households": r.households,
                "created": r.created,
            }
            for r in result.missing_regions
        ],
        "can_create_regions": result.can_create_regions,
    }


def _progress(ctx):
    return lambda done, total, message="": ctx.set_progress(done, total)


def _report(ctx, result, name: str) -> None:
    if result.report_rows:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"{Path(name).stem}-错误报告.xlsx"
            result.write_error_report(path)
            ctx.save_result_file(path, path.name)
        ctx.log(f"错误报告：{len(result.report_rows)} 行，可在本页下载")


def _check_stored(upload: HouseholdImport) -> None:
    """The upload limits again, before the file is parsed: a refused file fails the import with the reason."""
    try:
        check_stored_upload(upload.file.path, name=upload.file_name)
    except UploadRefused as exc:
        upload.preview = {**(upload.preview or {}), "summary": str(exc), "file_error": str(exc)}
        upload.status = HouseholdImport.FAILED
        upload.save(update_fields=["preview", "status"])
        raise JobError(str(exc)) from None


@job("registry.import_preview", title="农户信息导入检查")
def import_preview(ctx, *, import_id: int) -> dict:
    upload = HouseholdImport.objects.get(pk=import_id)
    ctx.log(f"检查文件 {upload.file_name}")
    _check_stored(upload)
    result = preview_household_import(
        upload.file.path,
        user=upload.user,
        income_year=upload.income_year,
        create_missing_regions=upload.create_regions,
        progress=_progress(ctx),
    )
    upload.preview = _summary(result)
    upload.status = HouseholdImport.FAILED if result.file_error else HouseholdImport.PREVIEWED
    upload.save(update_fields=["preview", "status"])
    ctx.log(result.summary())
    _report(ctx, result, upload.file_name)
    if result.file_error:
        raise JobError(result.file_error)
    return {"农户": result.household_count, "错误行": len(result.report_rows)}


@job("registry.import_commit", title="农户信息导入")
def import_commit(ctx, *, import_id: int) -> dict:
    upload = HouseholdImport.objects.get(pk=import_id)
    if upload.status == HouseholdImport.COMMITTED:  # the job retried after a failed step: only the steps left run
        return _steps_left(ctx, upload)
    ctx.log(f"导入文件 {upload.file_name}")
    _check_stored(upload)
    with recording_for(upload):  # the layout of the file, remembered for the county's export, names the upload
        result = commit_household_import(
            upload.file.path,
            user=upload.user,
            income_year=upload.income_year,
            create_missing_regions=upload.create_regions,
            progress=_progress(ctx),
        )
    upload.result = _summary(result)
    upload.status = HouseholdImport.COMMITTED if result.committed else HouseholdImport.FAILED
    upload.household_ids = sorted(result.household_ids) if result.committed else []
    upload.steps_done = []
    upload.save(update_fields=["result", "status", "household_ids", "steps_done"])
    ctx.log(result.summary())
    _report(ctx, result, upload.file_name)
    if not result.committed:
        raise JobError(result.file_error or "导入未完成")
    _run_steps(ctx, upload)
    return _counts(upload)


@job("registry.import_steps", title="农户信息导入后续步骤")
def import_steps(ctx, *, import_id: int) -> dict:
    """重试后续步骤: the steps not done yet of a committed import, for its households."""
    return _steps_left(ctx, HouseholdImport.objects.get(pk=import_id))


def _steps_left(ctx, upload: HouseholdImport) -> dict:
    if upload.status != HouseholdImport.COMMITTED:
        raise JobError("该文件尚未导入，不能只运行后续步骤")
    ctx.log(f"文件 {upload.file_name} 已导入（{len(upload.household_ids)} 户），继续未完成的后续步骤")
    _run_steps(ctx, upload)
    return _counts(upload)


def _run_steps(ctx, upload: HouseholdImport) -> None:
    def done(name: str) -> None:
        upload.steps_done = [*upload.steps_done, name]
        upload.save(update_fields=["steps_done"])

    run_post_import_steps(upload.household_ids, user=upload.user, log=ctx.log, done=upload.steps_done, on_done=done)


def _counts(upload: HouseholdImport) -> dict:
    households = (upload.result.get("totals") or {}).get("households") or {}
    return {"新增户": households.get("new", 0), "修改户": households.get("changed", 0)}


@job("registry.export", title="导出农户信息（国家系统格式）")
def export_job(ctx, *, region_code: str, all_columns: bool = False) -> dict:
    from .exporting import export_households

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"农户信息_{region_code}.xlsx"
        result = export_households(
            path, region=region_code, user=ctx.user, progress=_progress(ctx), all_columns=all_columns
        )
        ctx.save_result_file(path, path.name)
    ctx.log(f"已导出 {result.households} 户 {result.members} 人（{result.columns_text}）")
    return {"户数": result.households, "人数": result.members}
