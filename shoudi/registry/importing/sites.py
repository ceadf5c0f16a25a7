"""The 安置区 column of the national export: a site's name, matched to the county's 易地扶贫搬迁安置点.

A name the county has no site for never refuses the household (a descriptive value, docs/adr/0009). When the importer
may add sites (the county keeps the list; the command line may too), the check says the site will be created and the
commit creates it in the county — lying in the village of the first household naming it, to be verified — and says so
in the import's warnings. Any other importer (a village officer) creates no site: the household stays unlinked and the
warning keeps the name as written, for the county to register."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

from shoudi.core.scope import user_can
from shoudi.regions.importing import RowError
from shoudi.regions.models import Region

from ..models import ResettlementSite

__all__ = ["SiteResolver"]

NAME_LENGTH = ResettlementSite._meta.get_field("name").max_length


def site_name(value) -> str:
    """The name as written, inner spaces squeezed ("城南  安置点" and "城南 安置点" are one site)."""
    return " ".join(str(value or "").split())


class SiteResolver:
    """(county code, name) → site id for one import run; unknown names warned about once and, when writing, created."""

    def __init__(self, result, *, user, write: bool, lock: Callable[[], AbstractContextManager]):
        self.result = result
        self.write = write
        self.lock = lock
        self.can_add = user is None or user_can(user, ResettlementSite, "add")  # None: the command line
        self.unregistered: set[tuple[str, str]] = set()  # names warned about that this importer may not create
        sites = ResettlementSite.objects.values_list("pk", "county__code", "name")
        self.known: dict[tuple[str, str], int] = {(code[:6], name): pk for pk, code, name in sites}
        self.planned: dict[tuple[str, str], int] = {}  # a preview's stand-in ids of the sites it would create
        self.counties: dict[str, Region | None] = {}

    def resolve(self, value, *, village_code: str, village: Region | None, row: int, header: str) -> int | None:
        """The id of the site named ``value`` in the county of ``village_code`` (None for a blank cell)."""
        name = site_name(value)
        if not name or not village_code:
            return None
        if len(name) > NAME_LENGTH:
            self.result.warnings.append(RowError(row, header, f"安置区名称超过 {NAME_LENGTH} 个字，已截断"))
            name = name[:NAME_LENGTH]
        key = (village_code[:6], name)
        site_id = self.known.get(key)
        if site_id is not None:
            return site_id
        if not self.can_add:
            if key not in self.unregistered:
                self.unregistered.add(key)
                self.result.warnings.append(
                    RowError(row, header, f"安置区“{name}”尚未登记为安置点，请县级管理员在安置点名单中登记")
                )
            return None
        if not self.write:
            if key not in self.planned:
                self.planned[key] = -(len(self.planned) + 1)  # differs from any link: the household shows as changed
                self.result.warnings.append(
                    RowError(row, header, f"安置区“{name}”尚未登记为安置点，确认导入时将在本县新建该安置点")
                )
            return self.planned[key]
        county = self._county(key[0])
        if county is None:
            return None
        with self.lock():  # the writer thread shares the connection
            site = ResettlementSite.objects.create(county=county, name=name, community=village)
        self.known[key] = site.pk
        where = f"，所在社区暂记为{village.name}" if village is not None else ""
        self.result.warnings.append(
            RowError(row, header, f"安置区“{name}”尚未登记，已新建安置点{where}，请在安置点名单中核实")
        )
        return site.pk

    def _county(self, code: str) -> Region | None:
        if code not in self.counties:
            self.counties[code] = Region.objects.filter(code=code, level="county").first()
        return self.counties[code]
