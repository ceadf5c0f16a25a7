"""Reads of the employment app: who a verification round covers (and the preview's counts per village), a round's
progress per village, the 零就业家庭 in a user's scope, the subsidies under the floor, and the settings in force for
many rows at once."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, QuerySet, Value, When

from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.models import Household, Member
from shoudi.registry.selectors import zero_employment

from . import choices as c
from .models import Attendance, EmploymentSettings, Post, Verification, VerificationRound

__all__ = [
    "LIFTED",
    "SettingsResolver",
    "VillageCount",
    "birth_cutoff",
    "candidates",
    "covered_households",
    "covered_members",
    "flagged_attendance",
    "flagged_posts",
    "floor_case",
    "preview",
    "progress",
    "zero_employment_households",
]

LIFTED = "脱贫户"


def _identified(path: str = "pk") -> Exists:
    return Exists(MonitoringCase.objects.filter(household=OuterRef(path), identified_on__isnull=False))


def covered_households(households: QuerySet[Household] | None = None) -> QuerySet[Household]:
    """The households employment assistance is about: 脱贫户 and households identified for monitoring (脱贫人口（含
    监测对象）, S004 (十)), as the department base list counts them."""
    households = Household.objects.all() if households is None else households
    return households.filter(Q(household_type=LIFTED) | _identified())


def covered_members(members: QuerySet[Member] | None = None) -> QuerySet[Member]:
    """The current members (not 死亡 or 迁出) of the covered households."""
    members = Member.objects.all() if members is None else members
    return members.filter(status="正常").filter(Q(household__household_type=LIFTED) | _identified("household_id"))


def birth_cutoff(day: datetime.date, years: int) -> datetime.date:
    """The last birth date of someone ``years`` old or more on ``day`` (29 February: the 28th in a common year, as
    ``core.dates.age_on`` counts birthdays)."""
    year = day.year - years
    try:
        return day.replace(year=year)
    except ValueError:
        return datetime.date(year, 2, 28)


def candidates(county_code: str, reference_date: datetime.date, settings: EmploymentSettings) -> dict[str, QuerySet]:
    """The persons a round of the county covers, by group: aged ``verify_from_age``–``verify_to_age`` on the date,
    and those older whose 务工 is recorded (已务工 or a 公益性岗位). A person without a birth date is in neither."""
    members = covered_members().filter(household__village__code__startswith=county_code, birth_date__isnull=False)
    youngest = birth_cutoff(reference_date, settings.verify_from_age)
    oldest = birth_cutoff(reference_date, settings.verify_to_age + 1)  # born on or before: older than the range
    return {
        c.WORKING_AGE: members.filter(birth_date__lte=youngest, birth_date__gt=oldest),
        c.OVER_60: members.filter(birth_date__lte=oldest).filter(Q(employed=True) | ~Q(public_welfare_job="")),
    }


@dataclass
class VillageCount:
    code: str
    name: str
    township: str
    working_age: int = 0
    over_60: int = 0
    total: int = 0
    verified: int = 0
    employed: int = 0

    @property
    def persons(self) -> int:
        return self.working_age + self.over_60

    @property
    def rate(self) -> str:
        return f"{self.verified * 100 / self.total:.1f}%" if self.total else "—"


def _village(rows: dict, code: str, name: str, township: str) -> VillageCount:
    if code not in rows:
        rows[code] = VillageCount(code, name, township or "")
    return rows[code]


def preview(county_code: str, reference_date: datetime.date, settings: EmploymentSettings) -> list[VillageCount]:
    """The preview of a round: per village, how many persons of each group it would write (one grouped query per
    group)."""
    rows: dict[str, VillageCount] = {}
    place = ("household__village__code", "household__village__name", "household__village__parent__name")
    for group, qs in candidates(county_code, reference_date, settings).items():
        for code, name, township, n in qs.order_by().values_list(*place).annotate(n=Count("pk")):
            row = _village(rows, code, name, township)
            if group == c.WORKING_AGE:
                row.working_age = n
            else:
                row.over_60 = n
    return [rows[code] for code in sorted(rows)]


def progress(round_: VerificationRound, user) -> list[VillageCount]:
    """A round's progress per village in the user's scope: persons, verified, found employed."""
    qs = Verification.objects.restrict(user, "view").filter(round=round_).order_by()
    rows: dict[str, VillageCount] = {}
    grouped = qs.values_list("village__code", "village__name", "village__parent__name").annotate(
        working=Count("pk", filter=Q(group=c.WORKING_AGE)),
        older=Count("pk", filter=Q(group=c.OVER_60)),
        verified=Count("pk", filter=Q(verified_at__isnull=False)),
        employed=Count("pk", filter=Q(employed=True)),
    )
    for code, name, township, working, older, verified, employed in grouped:
        row = _village(rows, code, name, township)
        row.working_age, row.over_60, row.total = working, older, working + older
        row.verified, row.employed = verified, employed
    return [rows[code] for code in sorted(rows)]


def zero_employment_households(user, households: QuerySet[Household] | None = None) -> QuerySet[Household]:
    """零就业家庭 among the covered households the user sees: with labour and nobody employed (the registry's one
    definition); a household leaves the list as soon as one member is recorded employed."""
    households = Household.objects.restrict(user, "view") if households is None else households
    return zero_employment(covered_households(households))


class SettingsResolver:
    """``EmploymentSettings`` for many region codes from one read: the most specific row wins, else the default."""

    def __init__(self):
        self.rows = {
            (row.region.code if row.region_id else ""): row
            for row in EmploymentSettings.objects.select_related("region")
        }
        self.memo: dict[str, EmploymentSettings] = {}

    def __call__(self, code: str) -> EmploymentSettings:
        if code not in self.memo:
            found = next((self.rows[code[:n]] for n in (12, 9, 6) if code[:n] in self.rows and len(code) >= n), None)
            self.memo[code] = found or self.rows.get("") or EmploymentSettings()
        return self.memo[code]


def floor_case(code_field: str) -> Case:
    """The subsidy floor in force for each row, as SQL: the most specific settings row whose region holds the row's
    code, else the default (minimum wage × share, up to the fen)."""
    rows = sorted(
        EmploymentSettings.objects.select_related("region"),
        key=lambda row: -(len(row.region.code) if row.region_id else 0),
    )
    default = next((row for row in rows if not row.region_id), None) or EmploymentSettings()
    whens = [
        When(**{f"{code_field}__startswith": row.region.code}, then=Value(row.subsidy_floor))
        for row in rows
        if row.region_id
    ]
    field = DecimalField(max_digits=12, decimal_places=2)
    return Case(*whens, default=Value(default.subsidy_floor), output_field=field)


def flagged_attendance(attendance: QuerySet[Attendance] | None = None) -> QuerySet[Attendance]:
    """考勤 whose subsidy paid is under the floor: exactly the floor passes, one fen under is flagged."""
    attendance = Attendance.objects.all() if attendance is None else attendance
    floor = floor_case("placement__member__household__village__code")
    return attendance.annotate(floor=floor).filter(subsidy_paid__lt=F("floor"))


def flagged_posts(posts: QuerySet[Post] | None = None) -> QuerySet[Post]:
    """公益性岗位 whose subsidy standard itself is under the floor of its region."""
    posts = Post.objects.all() if posts is None else posts
    return posts.annotate(floor=floor_case("region__code")).filter(monthly_subsidy__lt=F("floor"))
