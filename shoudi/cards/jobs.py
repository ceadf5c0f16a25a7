"""The background job that renders a batch of work cards into one PDF (two worker processes, then a merge).

The job kind keeps its first name, ``ledgers.workcards`` (from when the cards were part of the ledgers app), so that
jobs already recorded still run again and show their title.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from shoudi.core.audit import log_access
from shoudi.core.jobs import JobError, job
from shoudi.core.models import AccessLog
from shoudi.core.scope import user_can
from shoudi.regions.models import Region
from shoudi.registry.models import Household

from .workcards import card_households, work_cards, write_cards_pdf

__all__ = ["PDF_WORKERS", "workcards_pdf_job"]

PDF_WORKERS = 2


@job("ledgers.workcards", title="批量生成工作卡 PDF")
def workcards_pdf_job(ctx, *, region: str) -> dict:
    """All work cards of ``region`` in the starter's scope, one a page, as the job's result file."""
    user = ctx.user
    place = Region.objects.filter(code=region).first()
    if place is None:
        raise JobError(f"区划代码 {region} 不存在")
    if user is not None and not user_can(user, Household, "export"):
        raise JobError("您的角色无权批量打印工作卡")
    cards = work_cards(card_households(user, region), user=user)
    if not cards:
        raise JobError(f"{place.full_name}没有需要制卡的农户（仅已识别的监测对象制作工作卡）")
    green = sum(1 for c in cards if c.is_eliminated)
    ctx.set_total(len(cards))
    ctx.log(
        f"{place.full_name}：共 {len(cards)} 张工作卡（红卡 {len(cards) - green}，绿卡 {green}），"
        f"由 {PDF_WORKERS} 个进程生成"
    )
    with tempfile.TemporaryDirectory(prefix="shoudi-cards-") as tmp:
        target = Path(tmp) / "cards.pdf"
        pages = write_cards_pdf(cards, target, workers=PDF_WORKERS, progress=ctx.advance)
        ctx.log(f"已生成 {pages} 页")
        ctx.save_result_file(target, f"工作卡-{place.name}.pdf")
    log_access(
        user=user,
        action=AccessLog.EXPORT,
        region_code=region,
        record_count=len(cards),
        detail=f"批量生成工作卡 PDF：{place.full_name}",
    )
    return {"工作卡": len(cards), "红卡": len(cards) - green, "绿卡": green}
