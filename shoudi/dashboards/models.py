"""The dashboards' summary rows: per village, each card's figures (one row per figure), and when they were made.

The pages add these rows up for a township or the county instead of counting the registry on every view; the
rows are refreshed for the villages a change touches (``refresh``), every night, and by ``shoudi rebuild_dashboard``.
"""

from __future__ import annotations

from django.db import models

__all__ = ["VillageFigure", "VillageRefresh"]


class VillageFigure(models.Model):
    """One figure of one card for one village (``bucket`` names it inside the card, e.g. "h:脱贫户")."""

    # the village's code is kept on the row, so that a township's or the county's figures are one prefix range
    village_code = models.CharField("行政村代码", max_length=12)
    card = models.CharField("卡片", max_length=40)
    bucket = models.CharField("指标", max_length=80)
    value = models.BigIntegerField("数值", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "看板汇总数据"
        constraints = [
            models.UniqueConstraint(fields=["village_code", "card", "bucket"], name="dashboard_figure_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.village_code} {self.card} {self.bucket} = {self.value}"


class VillageRefresh(models.Model):
    """When a village's figures were last computed (the page's 数据截至 is the oldest of its villages)."""

    village_code = models.CharField("行政村代码", max_length=12, unique=True)
    refreshed_at = models.DateTimeField("计算时间")

    class Meta:
        verbose_name = verbose_name_plural = "看板汇总时间"

    def __str__(self) -> str:
        return f"{self.village_code} {self.refreshed_at}"
