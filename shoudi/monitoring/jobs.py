"""Monitoring's background jobs: the screening's preview and the batch that writes its clues."""

from shoudi.core.jobs import job

from .models import ScreeningBatch
from .screening import RULES, run_batch, run_preview


def _progress(ctx):
    return lambda done, total, message="": ctx.set_progress(done, total)


@job("monitoring.screen_preview", title="预警筛查预览")
def screen_preview_job(ctx, *, year: int, region_code: str = "", batch_id: int) -> dict:
    """Count what the rules would raise, per rule and per village, with a sample; no clue is written."""
    batch = ScreeningBatch.objects.get(pk=batch_id)
    ctx.log(f"预览 {year} 年预警筛查：只计数，不生成线索")
    result = run_preview(batch, progress=_progress(ctx))
    for line in result.lines():
        ctx.log(line)
    return {"将新增线索（户）": result.clues, "已有进行中监测记录（户）": result.skipped_open}


@job("monitoring.screen", title="预警筛查")
def screen_job(ctx, *, year: int, region_code: str = "", batch_id: int | None = None) -> dict:
    """Write the clues of a confirmed batch (without one: every rule in the region, as a batch of its own)."""
    if batch_id is None:
        batch = ScreeningBatch.objects.create(
            year=year,
            region_code=region_code,
            rules=list(RULES),
            status=ScreeningBatch.CREATING,
            created_by=ctx.user,
            job=ctx.job,
        )
    else:
        batch = ScreeningBatch.objects.get(pk=batch_id)
    ctx.log(f"开始筛查 {year} 年收入数据，生成线索")
    result = run_batch(batch, progress=_progress(ctx))
    for line in result.lines():
        ctx.log(line)
    return {"新增线索（户）": result.clues, **{RULES[rule]: result.per_rule.get(rule, 0) for rule in batch.rules}}
