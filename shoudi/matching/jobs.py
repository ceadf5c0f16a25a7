"""Matching's background jobs: a match run, and the base list export."""

from __future__ import annotations

from shoudi.core.audit import log_access
from shoudi.core.jobs import JobError, job, job_dir
from shoudi.core.models import AccessLog
from shoudi.regions.models import Region

from .baselist import write_base_list
from .models import MatchRun
from .reading import FileRejected
from .report import write_report
from .services import RunRefused, execute_run


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
