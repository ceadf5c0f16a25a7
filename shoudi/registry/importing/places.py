"""Where the households of a file go: 乡/村 matched by name under the county, missing ones given codes (and created
on a commit when allowed), and the user's scope over the villages."""

from __future__ import annotations

from dataclasses import dataclass

from shoudi.core.cells import CellError
from shoudi.regions.importing import RowError
from shoudi.regions.models import Region

from .results import DB_CHUNK, HouseholdImportResult, MissingRegion

__all__ = ["Place", "PlaceResolver", "VillageScope"]


def _next_code(parent_code: str, taken: set[str]) -> str:
    length = len(parent_code) + 3
    used = [int(c[len(parent_code) :]) for c in taken if len(c) == length and c.startswith(parent_code)]
    number = max(used, default=0) + 1
    if number > 999:
        raise CellError(f"区划 {parent_code} 下已没有可用的代码")
    code = f"{parent_code}{number:03d}"
    taken.add(code)
    return code


@dataclass
class Place:
    """How one (县, 乡, 村) of the file resolves."""

    village: Region | None = None
    error: str = ""
    column: str = ""
    township_name: str = ""
    village_name: str = ""
    new_township: str = ""  # the code a missing township gets
    new_village: str = ""


class PlaceResolver:
    """Matches the file's place names to regions: the county of the user (or by name), then 乡 and 村 by name."""

    def __init__(self, user, result: HouseholdImportResult, headers: dict[str, str], *, create: bool, requested: bool):
        self.user = user
        self.result = result
        self.headers = headers
        self.create = create
        self.denied = "（您无权新建乡镇或村，请联系县级管理员）" if requested and not create else ""
        self.places: dict[tuple, Place] = {}
        self.counties = list(Region.objects.filter(level="county").order_by("code"))
        self.user_county = None
        region = getattr(user, "region", None) if user is not None and getattr(user, "region_id", None) else None
        if region is not None:
            self.user_county = next((c for c in self.counties if c.code == region.code[:6]), None)
        self.children: dict[int, dict[str, Region]] = {}
        self.taken = set(Region.objects.values_list("code", flat=True))
        self.new_townships: dict[tuple[int, str], str] = {}
        self.new_villages: dict[tuple[str, str], str] = {}
        self.warned_counties: set[str] = set()

    def _children(self, region: Region) -> dict[str, Region]:
        if region.pk not in self.children:
            self.children[region.pk] = {"".join(r.name.split()): r for r in region.children.order_by("code")}
        return self.children[region.pk]

    def county(self, name: str, row: int) -> tuple[Region | None, str]:
        if self.user_county is not None:
            if name and name != "".join(self.user_county.name.split()):
                return None, f"县“{name}”不是您所在的县（{self.user_county.name}）"
            return self.user_county, ""
        matches = [c for c in self.counties if "".join(c.name.split()) == name] if name else []
        if len(matches) == 1:
            return matches[0], ""
        if len(matches) > 1:
            return None, f"系统中有多个名为“{name}”的县，无法确定"
        if len(self.counties) == 1:
            county = self.counties[0]
            if name and name not in self.warned_counties:
                self.warned_counties.add(name)
                self.result.warnings.append(
                    RowError(
                        row,
                        self.headers.get("place.county", "县"),
                        f"文件中的县“{name}”与系统中的县“{county.name}”名称不同，按“{county.name}”导入",
                    )
                )
            return county, ""
        if not name:
            return None, "未填写县，系统中有多个县，无法确定"
        return None, f"县“{name}”在系统中不存在"

    def resolve(self, key: tuple[str, str, str], row: int) -> Place:
        place = self.places.get(key)
        if place is not None:
            return place
        county_name, township_name, village_name = key
        place = self.places[key] = Place(township_name=township_name, village_name=village_name)
        if not township_name:
            place.error, place.column = "乡镇不能为空", self.headers.get("place.township", "乡")
            return place
        if not village_name:
            place.error, place.column = "村不能为空", self.headers.get("place.village", "村")
            return place
        county, message = self.county(county_name, row)
        if county is None:
            place.error, place.column = message, self.headers.get("place.county", "县")
            return place
        township = self._children(county).get(township_name)
        if township is None:
            place.new_township = self.new_townships.get((county.pk, township_name)) or ""
            if not place.new_township:
                try:
                    place.new_township = _next_code(county.code, self.taken)
                except CellError as exc:
                    place.error, place.column = str(exc), self.headers.get("place.township", "乡")
                    return place
                self.new_townships[(county.pk, township_name)] = place.new_township
            place.new_village = self.new_villages.get((place.new_township, village_name)) or ""
            if not place.new_village:
                place.new_village = _next_code(place.new_township, self.taken)
                self.new_villages[(place.new_township, village_name)] = place.new_village
            if not self.create:
                place.error = f"乡镇“{township_name}”在系统中不存在{self.denied}"
                place.column = self.headers.get("place.township", "乡")
            return place
        village = self._children(township).get(village_name)
        if village is None:
            place.new_village = self.new_villages.get((township.code, village_name)) or ""
            if not place.new_village:
                try:
                    place.new_village = _next_code(township.code, self.taken)
                except CellError as exc:
                    place.error, place.column = str(exc), self.headers.get("place.village", "村")
                    return place
                self.new_villages[(township.code, village_name)] = place.new_village
            if not self.create:
                place.error = f"村“{village_name}”在系统中不存在（{township.name}）{self.denied}"
                place.column = self.headers.get("place.village", "村")
            return place
        place.village = village
        return place

    def missing(self, households_per_place: dict[tuple, int], created: bool) -> list[MissingRegion]:
        regions: dict[str, MissingRegion] = {}
        for key, place in self.places.items():
            count = households_per_place.get(key, 0)
            county_name = self.user_county.name if self.user_county is not None else key[0]
            if place.new_township:
                old = regions.get(place.new_township)
                regions[place.new_township] = MissingRegion(
                    "乡镇",
                    place.township_name,
                    county_name,
                    place.new_township,
                    (old.households if old else 0) + count,
                    created,
                )
            if place.new_village:
                old = regions.get(place.new_village)
                regions[place.new_village] = MissingRegion(
                    "村",
                    place.village_name,
                    place.township_name,
                    place.new_village,
                    (old.households if old else 0) + count,
                    created,
                )
        return [regions[code] for code in sorted(regions)]

    def create_regions(self) -> None:
        """Create the missing townships and villages (ordinary saves, so the change log records them)."""
        by_code = {}
        for place in self.places.values():
            if place.error or place.village is not None:
                continue
            if place.new_township and place.new_township not in by_code:
                county = Region.objects.get(code=place.new_township[:6])
                township = Region(code=place.new_township, name=place.township_name, parent=county)
                township.save()
                by_code[place.new_township] = township
            if place.new_village not in by_code:
                parent = by_code.get(place.new_village[:9]) or Region.objects.get(code=place.new_village[:9])
                village = Region(code=place.new_village, name=place.village_name, parent=parent)
                village.save()
                by_code[place.new_village] = village
            place.village = by_code[place.new_village]


class VillageScope:
    """Which villages the user may import into (None = everything: the command line)."""

    def __init__(self, user):
        self.user = user
        self.allowed: dict[int, bool] = {}

    def check(self, village_ids) -> None:
        if self.user is None:
            return
        unknown = [pk for pk in set(village_ids) if pk not in self.allowed]
        for start in range(0, len(unknown), DB_CHUNK):
            part = unknown[start : start + DB_CHUNK]
            ok = set(Region.objects.restrict(self.user, "view").filter(pk__in=part).values_list("pk", flat=True))
            self.allowed.update({pk: pk in ok for pk in part})

    def allows(self, village_id: int) -> bool:
        if self.user is None:
            return True
        if village_id not in self.allowed:
            self.check([village_id])
        return self.allowed[village_id]


# --- Writing in bulk ----------------------------------------------------------------------------------------------
