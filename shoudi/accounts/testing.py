"""Test helpers shared by every app's tests: a small region tree and the three-user fixture."""

from __future__ import annotations

from dataclasses import dataclass

from shoudi.accounts.models import User
from shoudi.accounts.roles import COUNTY_ADMIN, INSPECTOR, TOWNSHIP_REVIEWER, VILLAGE_OFFICER
from shoudi.regions.models import Region

PASSWORD = "Shoudi-test-2026"  # noqa: S105 - test accounts

__all__ = ["PASSWORD", "World", "make_region", "make_user", "make_world"]


def make_region(code: str, name: str) -> Region:
    parent = None
    if len(code) > 6:
        parent = Region.objects.get(code=code[: 6 if len(code) == 9 else 9])
    region, _ = Region.objects.get_or_create(code=code, defaults={"name": name, "parent": parent})
    return region


def make_user(username: str, role: str, region: Region, **extra) -> User:
    user = User(username=username, name=extra.pop("name", username), role=role, region=region, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


@dataclass
class World:
    county: Region
    township_a: Region
    village_a: Region
    village_a2: Region
    township_b: Region
    village_b: Region
    other_county: Region
    other_village: Region
    officer_a: User  # 村级信息员 of village A
    reviewer_a: User  # 乡镇审核员 of the township above A
    officer_b: User  # 村级信息员 of village B (another township)
    admin: User  # 县级管理员
    inspector: User  # 督查(只读), county level


def make_world() -> World:
    county = make_region("520102", "测试县")
    township_a = make_region("520102001", "甲镇")
    village_a = make_region("520102001001", "甲村")
    village_a2 = make_region("520102001002", "甲二村")
    township_b = make_region("520102002", "乙镇")
    village_b = make_region("520102002001", "乙村")
    other_county = make_region("520103", "邻县")
    make_region("520103001", "邻镇")
    other_village = make_region("520103001001", "邻村")
    return World(
        county=county,
        township_a=township_a,
        village_a=village_a,
        village_a2=village_a2,
        township_b=township_b,
        village_b=village_b,
        other_county=other_county,
        other_village=other_village,
        officer_a=make_user("officer_a", VILLAGE_OFFICER, village_a, name="甲村信息员", phone="13800001111"),
        reviewer_a=make_user("reviewer_a", TOWNSHIP_REVIEWER, township_a, name="甲镇审核员"),
        officer_b=make_user("officer_b", VILLAGE_OFFICER, village_b, name="乙村信息员"),
        admin=make_user("admin", COUNTY_ADMIN, county, name="县管理员", phone="13900002222"),
        inspector=make_user("inspector", INSPECTOR, county, name="督查员"),
    )
