"""Factories for the teams tests: a 后盾单位, a team at a village (with its place), a member with a login."""

from __future__ import annotations

import datetime
from decimal import Decimal

from shoudi.accounts.roles import TEAM_MEMBER
from shoudi.accounts.testing import make_user

from . import choices as c
from .models import CheckIn, SupportUnit, Team, TeamMember

__all__ = ["SITE", "make_checkins", "make_member", "make_team", "make_unit"]

SITE = (Decimal("26.583000"), Decimal("106.707000"))  # the team's 村部 in the tests


def make_unit(county, name: str = "县农业农村局", **fields) -> SupportUnit:
    unit, _ = SupportUnit.objects.get_or_create(region=county, name=name, defaults=fields)
    return unit


def make_team(village, *, unit=None, site=SITE) -> Team:
    unit = unit or make_unit(village.parent.parent, main_leader="王局长", deputy_leader="李副局长")
    latitude, longitude = site if site else (None, None)
    return Team.objects.create(village=village, unit=unit, latitude=latitude, longitude=longitude, address="村委会")


def make_member(
    team: Team,
    name: str = "张队员",
    *,
    username: str | None = None,
    post: str = c.MEMBER,
    start_date: datetime.date | None = None,
    **fields,
) -> TeamMember:
    """A member; with ``username``, his login too (role 驻村工作队员 of the team's village)."""
    user = make_user(username, TEAM_MEMBER, team.village, name=name) if username else None
    return TeamMember.objects.create(
        team=team,
        name=name,
        post=post,
        unit=fields.pop("unit", team.unit),
        start_date=start_date or datetime.date(2025, 1, 1),
        user=user,
        **fields,
    )


def make_checkins(member: TeamMember, days, *, night: bool = True, kind: str = c.PHONE) -> list[CheckIn]:
    """A check-in on each day (at 20:00 local time, so each proves that night too)."""
    from django.utils import timezone

    rows = []
    for day in days:
        at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(20, 0)))
        rows.append(CheckIn(member=member, kind=kind, day=day, at=at, night_of=day if night else None))
    return CheckIn.objects.bulk_create(rows)
