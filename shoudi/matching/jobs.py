"""Matching's background jobs: the preview of an uploaded list, a match run, and the base list export."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from shoudi.core.audit import log_access
from shoudi.core.jobs import JobError, job, job_dir
from shoudi.core.models import AccessLog
from shoudi.core.uploads import UploadRefused, check_stored_upload, write_job_data
from shoudi.regions.models import Region

from .baselist import write_base_list
from .models import MatchRun
from .reading import FIELDS, FileRejected, Layout, detect_layout, preview_rows
from .report import write_report
from .services import RunRefused, check_department, execute_run, profile_for
from .sources import Source


@job("matching.run", title="部门数据比对")
def run_job(ctx, *, run_id: int) -> dict:
    """Load the list, match it, write the findings and the report (the job's result file)."""
    run = MatchRun.objects.select_related("list").get(pk=run_id)
    ctx.set_total(None)
    try:
        run = execute_run(run, log=ctx.log)
    except (FileRejected, RunRefused) as exc:
        raise JobError(str(exc)) from exc
    for rule in run.counts.values():
        ctx.log(
            f"{rule['label']}：命中 {rule['hits']}" + (f"，比对结果 {rule['findings']}" if "findings" in rule else "")
        )
    path = job_dir(ctx.job.pk) / "report.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    count = write_report(run, str(path))
    ctx.save_result_file(path, f"{run.get_department_display()}{run.period}比对报告.xlsx")
    log_access(
        user=ctx.user,
        action=AccessLog.EXPORT,
        obj=None,
        region_code=run.region_code,
        record_count=count,
        detail=f"生成{run}报告（含完整证件号码）",
    )
    s = run.summary
    return {
        "名单行数": s["rows_total"],
        "载入行数": s["rows_loaded"],
        "未载入行数": s["rows_rejected"],
        "不在系统中": s["not_in_registry"],
        "比对结果": s["findings"],
        "新增": s["new"],
        "连续出现": s["recurring"],
        "已消失": s["resolved"],
    }


@job("matching.export_base", title="导出基础名单")
def export_base_job(ctx, *, period: str, region_code: str = "") -> dict:
    """The 脱贫人口 and 监测对象 base list as Excel (the job's result file); recorded in the access log."""
    if ctx.user is not None and not ctx.user.is_superuser:
        own = ctx.user.region.code if ctx.user.region_id else ""
        if not own or not region_code.startswith(own):  # "" would be every county's list
            raise JobError("导出范围超出您的管辖区划，未导出")
    region = Region.objects.filter(code=region_code).first() if region_code else None
    path = job_dir(ctx.job.pk) / "base.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    ctx.log("正在导出基础名单")
    count = write_base_list(
        str(path), period=period, region_code=region_code, region_name=region.name if region else "", user=ctx.user
    )
    ctx.save_result_file(path, f"{region.name if region else ''}{period}基础名单.xlsx")
    return {"人数": count}


@job("matching.preview", title="部门名单预览")
def preview_job(
    ctx, *, path: str, file_name: str, department: str, region_code: str, mapping: dict | None = None
) -> dict:
    """Find the header and map the columns (the department's profile first), then read the first rows as they
    would be loaded; the upload limits are checked again before the file is opened."""
    stored = Path(settings.MEDIA_ROOT) / path
    if not stored.is_file():
        raise JobError("上传的文件已失效，请重新上传")
    try:
        check_stored_upload(stored, name=file_name)
        source = check_department(ctx.user, department)
        ctx.log(f"读取 {file_name} 的表头")
        layout = detect_layout(stored, source, profile_for(department, region_code))
        context = preview_context(stored, source, layout, layout.mapping if mapping is None else mapping)
    except (UploadRefused, FileRejected) as exc:
        raise JobError(str(exc)) from None
    write_job_data(job_dir(ctx.job.pk), context)
    ctx.log(f"表头在第 {layout.header_row} 行，预览 {len(context['preview'])} 行")
    return {"表头行": layout.header_row, "预览行数": len(context["preview"])}


def preview_context(path: Path, source: Source, layout: Layout, mapping: dict[str, str]) -> dict:
    """What the upload page shows for a list read with ``mapping``: the columns to map and the first rows (JSON)."""
    layout.mapping = mapping
    rows, parsed = preview_rows(path, source, layout)
    keys = ["id_number", "name", *[col.key for col in source.columns if col.key not in ("id_number", "name")]]
    index = {key: FIELDS.index(key) for key in keys}
    shown = [col for col in sorted(source.columns, key=lambda col: keys.index(col.key)) if mapping.get(col.key)]
    return {
        "layout": {
            "header_index": layout.header_index,
            "header_row": layout.header_row,
            "headers": layout.headers,
            "mapping": mapping,
            "sheet": layout.sheet,
        },
        "headers": [h for h in layout.headers if h],
        "fields": [
            {
                "key": col.key,
                "label": col.label,
                "required": col.required,
                "help": col.help,
                "header": mapping.get(col.key, ""),
            }
            for col in source.columns
        ],
        "preview_columns": [col.label for col in shown],
        "preview": [
            (row[0], [str(row[index[col.key]]) if row[index[col.key]] is not None else "" for col in shown])
            for row in rows
        ],
        "preview_issues": [{"row": i.row, "column": i.column, "message": i.message} for i in parsed.issues],
    }


def stored_layout(data: dict) -> Layout:
    """The layout the preview job found, for the confirmation (which reads the file no more)."""
    saved = data["layout"]
    return Layout(
        header_index=saved["header_index"],
        headers=saved["headers"],
        mapping=dict(saved["mapping"]),
        sheet=saved["sheet"],
    )
