"""The dashboards' summary rows: per village, each card's figures (one row per figure), and when they were made.

The pages add these rows up for a township or the county instead of counting the registry on every view. A change
marks its villages stale; the worker computes stale villages again within seconds (``refresh``), every village
every night, and ``shoudi rebuild_dashboard`` on request.
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
    """When a village's figures were last computed (the page's 数据截至 is the oldest of its villages), and whether a
    change has come since (``stale``: the worker computes it again within seconds; a page of a few villages first)."""

    village_code = models.CharField("行政村代码", max_length=12, unique=True)
    refreshed_at = models.DateTimeField("计算时间", null=True, blank=True)
    stale = models.BooleanField("待更新", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "看板汇总时间"
        indexes = [models.Index(fields=["stale"], name="dashboard_refresh_stale", condition=models.Q(stale=True))]

    def __str__(self) -> str:
        return f"{self.village_code} {self.refreshed_at}"
