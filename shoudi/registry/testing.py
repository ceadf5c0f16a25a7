"""Factories for registry tests."""

from __future__ import annotations

import itertools
from decimal import Decimal

from .models import Household, IncomeRecord, Member, ResettlementSite

__all__ = ["make_household", "make_id_number", "make_income", "make_member", "make_site"]

_seq = itertools.count(1)


def make_id_number(birth: str = "19800101", *, area: str = "520102", male: bool = True) -> str:
    """A valid 18-digit number for the birth date YYYYMMDD."""
    n = next(_seq) % 500
    sequence = f"{(n * 2 + (1 if male else 0)) % 1000:03d}"
    first17 = f"{area}{birth}{sequence}"
    return first17 + _check(first17)


def _check(first17: str) -> str:
    from shoudi.core.idnumbers import check_character

    return check_character(first17)


def make_household(village, *, household_no: str | None = None, head: str = "张三", **fields) -> Household:
    household = Household.objects.create(
        household_no=household_no or f"{village.code}{next(_seq):06d}",
        village=village,
        household_type=fields.pop("household_type", "一般农户"),
        **fields,
    )
    if head:
        make_member(household, name=head, relation="户主")
    return household


def make_member(household, *, name="李四", relation="之子", birth="19800101", male=True, **fields) -> Member:
    return Member.objects.create(
        household=household,
        name=name,
        relation=relation,
        id_number=fields.pop("id_number", None) or make_id_number(birth, male=male),
        **fields,
    )


def make_income(household, year=2025, *, size=None, **amounts) -> IncomeRecord:
    values = {k: Decimal(str(v)) for k, v in amounts.items()}
    return IncomeRecord.objects.create(
        household=household, year=year, household_size=size or household.members.count(), **values
    )


def make_site(community, *, name: str = "幸福小区", **fields) -> ResettlementSite:
    """A 安置点 lying in ``community`` (a village), in its county."""
    from shoudi.regions.models import Region

    county = fields.pop("county", None) or Region.objects.get(code=community.code[:6])
    return ResettlementSite.objects.create(county=county, name=name, community=community, **fields)
