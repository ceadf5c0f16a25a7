"""Monitoring's background jobs."""

from shoudi.core.jobs import job
from shoudi.regions.models import Region

from .screening import screen


@job("monitoring.screen", title="预警筛查")
def screen_job(ctx, *, year: int, region_code: str = "") -> dict:
    """Run the early-warning rules in the starter's region and write the clues."""
    region = Region.objects.filter(code=region_code).first() if region_code else None
    ctx.log(f"开始筛查 {year} 年收入数据" + (f"（{region.full_name}）" if region else ""))
    result = screen(year=year, region=region, progress=lambda done, total, message="": ctx.set_progress(done, total))
    for line in result.lines():
        ctx.log(line)
    return {"新增线索": result.clues, **dict(result.hits)}
