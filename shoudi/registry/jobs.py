"""The household import as two jobs: the preview (checks, counts, error report) and the commit."""

from __future__ import annotations

import tempfile
from pathlib import Path

from shoudi.core.jobs import JobError, job

from .importing import commit_household_import, preview_household_import
from .models import HouseholdImport

ERRORS_SHOWN = 200


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
        "villages": [{"name": v.name, "code": v.code, "households": v.households, "members": v.members}
                     for v in result.village_list],
        "totals": {"households": result.totals.households, "members": result.totals.members},
        "errors": [str(e) for e in result.errors[:ERRORS_SHOWN]],
        "error_count": len(result.errors),
        "error_rows": len(result.report_rows),
        "warnings": [str(w) for w in result.warnings[:ERRORS_SHOWN]],
        "unknown_columns": result.unknown_columns,
        "missing_members": [{"household_no": m.household_no, "village": m.village, "name": m.name,
                             "id_number": m.id_number, "relation": m.relation} for m in result.missing_members[:500]],
        "missing_member_count": len(result.missing_members),
        "missing_regions": [{"level": r.level, "name": r.name, "parent": r.parent, "code": r.code,
                             "households": r.households, "created": r.created} for r in result.missing_regions],
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


@job("registry.import_preview", title="农户信息导入检查")
def import_preview(ctx, *, import_id: int) -> dict:
    upload = HouseholdImport.objects.get(pk=import_id)
    ctx.log(f"检查文件 {upload.file_name}")
    result = preview_household_import(upload.file.path, user=upload.user, income_year=upload.income_year,
                                      create_missing_regions=upload.create_regions, progress=_progress(ctx))
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
    ctx.log(f"导入文件 {upload.file_name}")
    result = commit_household_import(upload.file.path, user=upload.user, income_year=upload.income_year,
                                     create_missing_regions=upload.create_regions, progress=_progress(ctx))
    upload.result = _summary(result)
    upload.status = HouseholdImport.COMMITTED if result.committed else HouseholdImport.FAILED
    upload.save(update_fields=["result", "status"])
    ctx.log(result.summary())
    _report(ctx, result, upload.file_name)
    if not result.committed:
        raise JobError(result.file_error or "导入未完成")
    return {"新增户": result.totals.households["new"], "修改户": result.totals.households["changed"]}


@job("registry.export", title="导出农户信息（国家系统格式）")
def export_job(ctx, *, region_code: str) -> dict:
    from .exporting import export_households

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"农户信息_{region_code}.xlsx"
        result = export_households(path, region=region_code, user=ctx.user, progress=_progress(ctx))
        ctx.save_result_file(path, path.name)
    ctx.log(f"已导出 {result.households} 户 {result.members} 人")
    return {"户数": result.households, "人数": result.members}
