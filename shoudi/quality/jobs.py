"""Data quality's background jobs: a run over a county or a region (after each import, nightly, or started on the
overview page), and the Excel report."""

from __future__ import annotations

from shoudi.core.jobs import JobError, job
from shoudi.regions.models import Region

from .engine import run
from .report import write_report
from .services import REPORT_KIND, RUN_KIND


def _region(code: str) -> Region | None:
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise JobError(f"区划代码 {code} 不存在")
    return region


@job(RUN_KIND, title="数据质量检查")
def run_job(ctx, *, region_code: str = "", rules: list[str] | None = None) -> dict:
    """Every rule (or those given) over the region; new problems raised, fixed ones closed."""
    region = _region(region_code)
    ctx.log(f"开始数据质量检查：{region.name if region else '全部县'}")
    result = run(region=region, rule_codes=rules, progress=lambda done, total: ctx.set_progress(done, total))
    for line in result.lines():
        ctx.log(line)
    counts = result.counts.values()
    return {
        "问题（个）": sum(c.found for c in counts),
        "新增（个）": sum(c.new for c in counts),
        "已整改（个）": sum(c.fixed for c in counts),
    }


@job(REPORT_KIND, title="数据质量报告")
def report_job(ctx, *, region_code: str, rules: list[str] | None = None) -> dict:
    """The Excel report of the region's open problems, grouped by rule."""
    region = _region(region_code)
    if region is None:
        raise JobError("请选择区划")
    path, rows = write_report(region=region, user=ctx.user, rule_codes=rules, progress=ctx.set_progress)
    ctx.save_result_file(path, path.name)
    ctx.log(f"报告已生成：{rows} 个问题")
    return {"问题（个）": rows}
