"""The employment app's background job: the rows of a confirmed verification round (``services.fill_round``)."""

from shoudi.core.jobs import JobError, job

from . import services
from .models import VerificationRound


@job(services.ROUND_JOB, title="生成务工信息核实名单")
def round_rows_job(ctx, *, round_id: int) -> dict:
    """Write the round's rows with live progress; a second run writes only the persons still without one."""
    round_ = VerificationRound.objects.select_related("county").get(pk=round_id)
    ctx.log(f"生成{round_.county.name}{round_}名单（年龄基准日 {round_.reference_date:%Y-%m-%d}）")
    kept = round_.rows.count()
    if kept:
        ctx.log(f"已写入的 {kept} 人保留，不重复写入")
    try:
        written = services.fill_round(round_id, progress=ctx.set_progress)
    except services.RoundRefused as refused:
        raise JobError(str(refused)) from None
    round_.refresh_from_db()
    ctx.log(f"本次写入 {written} 人，共 {round_.persons} 人待核实")
    return {"待核实人数": round_.persons, "本次写入": written}
