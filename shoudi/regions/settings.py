"""One base for settings that vary by region: a row per region (and year), one default, the most specific wins.

The base lives in ``regions``, not in ``core``: it needs a foreign key to ``Region``, core knows no app above it,
and every settings model (assistance, monitoring, matching) already sits above regions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse

from shoudi.core.models import ChangeLoggedModel

if TYPE_CHECKING:
    from .models import Region

__all__ = ["RegionSettings", "YearlyRegionSettings"]

DEFAULT_EXISTS = "已有全县默认设置（适用区划留空的一行），请修改那一行"
REGION_EXISTS = "该区划已有设置，请修改那一行"


def _code_of(region: Region | str | None) -> str:
    if region is None:
        return ""
    return region if isinstance(region, str) else region.code


class RegionSettings(ChangeLoggedModel):
    """Settings of a region; a row without a region is the default for every region without one of its own.

    ``for_region`` returns the row of the region itself, else of its township, else of its county, else the
    default, else an unsaved instance with the field defaults. There is at most one row per region and one default.
    """

    region = models.ForeignKey(
        "regions.Region", verbose_name="适用区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_code_field = "region__code"
    scope_read_ancestors = True  # a township or village user reads the settings of his county and the default

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["region"], name="%(app_label)s_%(class)s_one_per_region", violation_error_message=REGION_EXISTS
            ),
            # NULLs are distinct in a unique index: the default rows get a constant key of their own
            models.UniqueConstraint(
                Coalesce(F("region"), Value(0)),
                condition=Q(region__isnull=True),
                name="%(app_label)s_%(class)s_one_default",
                violation_error_message=DEFAULT_EXISTS,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region.name if self.region_id else '默认'}{self._meta.verbose_name}"

    def get_absolute_url(self) -> str:
        return reverse(f"{self._meta.app_label}:{self._meta.model_name}_list")

    @classmethod
    def for_region(cls, region: Region | str | None, year: int | None = None):
        """The settings in force for ``region`` (a Region or its code; None: the default) in ``year``."""
        code = _code_of(region)
        codes = [code[:n] for n in (6, 9, 12) if n <= len(code)]
        rows = cls.objects.filter(Q(region__isnull=True) | Q(region__code__in=codes), cls._year_filter(year))
        best = max(rows.select_related("region"), key=cls._specificity, default=None)
        return best if best is not None else cls()

    @classmethod
    def _year_filter(cls, year: int | None) -> Q:
        return Q()

    def _specificity(self) -> tuple:
        return (len(self.region.code) if self.region_id else 0,)


class YearlyRegionSettings(RegionSettings):
    """Region settings that may also be set for one year: a row without a year applies to every year.

    The region decides first, the year second: the county's row for every year beats the default for this year.
    """

    year = models.PositiveSmallIntegerField("年度", null=True, blank=True, help_text="留空表示各年度通用")

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year"],
                name="%(app_label)s_%(class)s_one_per_region_year",
                violation_error_message="该区划该年度已有设置，请修改那一行",
            ),
            models.UniqueConstraint(
                fields=["region"],
                condition=Q(year__isnull=True),
                name="%(app_label)s_%(class)s_one_per_region",
                violation_error_message="该区划已有各年度通用的设置，请修改那一行",
            ),
            models.UniqueConstraint(
                Coalesce(F("year"), Value(0)),
                condition=Q(region__isnull=True),
                name="%(app_label)s_%(class)s_one_default",
                violation_error_message="已有全县默认设置（适用区划留空、年度相同的一行），请修改那一行",
            ),
        ]

    def __str__(self) -> str:
        where = self.region.name if self.region_id else "默认"
        return f"{where}{f' {self.year} 年' if self.year else ''}{self._meta.verbose_name}"

    @classmethod
    def _year_filter(cls, year: int | None) -> Q:
        return Q(year__isnull=True) | Q(year=year) if year is not None else Q(year__isnull=True)

    def _specificity(self) -> tuple:
        return (*super()._specificity(), self.year is not None)
