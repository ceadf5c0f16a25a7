"""Where a check-in was made, as evidence: the distance from the team's place and from the member's previous
check-in, and the doubts they raise. Pure functions: no database, no clock."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["EARTH_RADIUS_M", "Doubt", "Position", "distance_m", "doubts"]

EARTH_RADIUS_M = 6_371_000


@dataclass(frozen=True)
class Position:
    latitude: float
    longitude: float
    accuracy: float | None = None  # metres, as the phone reports it

    @classmethod
    def of(cls, latitude, longitude, accuracy=None) -> Position | None:
        if latitude is None or longitude is None:
            return None
        return cls(float(latitude), float(longitude), float(accuracy) if accuracy is not None else None)


def distance_m(a: Position, b: Position) -> float:
    """The great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(a.latitude), math.radians(b.latitude)
    dphi, dlambda = phi2 - phi1, math.radians(b.longitude - a.longitude)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Doubt:
    """What a check-in's position says: its distance from the team's place (None: unknown) and why it is doubtful
    ("" : it is not)."""

    distance: int | None
    note: str

    @property
    def flagged(self) -> bool:
        return bool(self.note)


def _km(metres: float) -> str:
    return f"{metres / 1000:.1f} 公里"


def doubts(
    *,
    here: Position | None,
    site: Position | None,
    far_metres: int,
    previous: tuple[Position, datetime.datetime] | None = None,
    at: datetime.datetime | None = None,
    max_speed_kmh: int = 120,
) -> Doubt:
    """The doubts about a check-in at ``here``: farther from the team's ``site`` than ``far_metres`` (beyond what the
    phone's accuracy explains), or so far from the ``previous`` located check-in that reaching it would need more than
    ``max_speed_kmh``. A check-in without a position is not doubtful by itself (the position is optional)."""
    if here is None:
        return Doubt(None, "")
    notes, distance = [], None
    slack = here.accuracy or 0.0
    if site is not None:
        metres = distance_m(here, site)
        distance = round(metres)
        if metres - slack > far_metres:
            notes.append(f"距驻村地点 {_km(metres)}")
    if previous is not None and at is not None:
        before, when = previous
        metres = max(0.0, distance_m(here, before) - slack - (before.accuracy or 0.0))
        hours = max((at - when).total_seconds(), 60) / 3600  # two taps a few seconds apart are not a jump
        if metres > 1000 and metres / 1000 / hours > max_speed_kmh:
            notes.append(f"与上次签到相距 {_km(metres)}，间隔 {_duration(at - when)}，位置跳变异常")
    return Doubt(distance, "；".join(notes))


def _duration(delta: datetime.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)} 分钟"
    return f"{minutes // 60} 小时 {minutes % 60} 分钟"


def decimal6(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))
