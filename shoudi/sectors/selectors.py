"""Reads of 送教上门: who is of age on a day, the visits of a month, the children short of two visits this month
(the worklist's line, the list's filter and the dashboard card use the one definition). Set-based: the month's visits
are a correlated count, never a loop over children."""

from __future__ import annotations

import datetime

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from shoudi.core.dates import years_before

from .models import HomeTeaching, HomeTeachingVisit

__all__ = [
    "AGE_FROM",
    "AGE_TO",
    "MIN_VISITS_A_MONTH",
    "current_enrolments",
    "month_bounds",
    "month_visits",
    "of_age",
    "short_this_month",
    "taught_on",
    "with_month_visits",
]

AGE_FROM, AGE_TO = 6, 15  # 义务教育阶段 6–15 周岁 (S001 15)
MIN_VISITS_A_MONTH = 2  # 每月送教上门不少于2次


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The first and last day of ``day``'s calendar month."""
    first = day.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following - datetime.timedelta(days=1)


def of_age(day: datetime.date, prefix: str = "member__") -> Q:
    """Members of 6–15 full years on ``day``: born after the day 16 years before (a child turns 16 on his birthday
    and leaves) and on or before the day 6 years before."""
    return Q(
        **{
            f"{prefix}birth_date__gt": years_before(day, AGE_TO + 1),
            f"{prefix}birth_date__lte": years_before(day, AGE_FROM),
        }
    )


def current_enrolments(day: datetime.date) -> Q:
    """Enrolments running on ``day``: started by then, not ended before it."""
    return Q(start_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gte=day))


def taught_on(day: datetime.date) -> Q:
    """The children to be taught at home on ``day``: enrolled then and of 6–15 then (a child who turned 16 leaves
    the worklist, the card and the 送教上门台账 alike)."""
    return current_enrolments(day) & of_age(day)


def month_visits(day: datetime.date) -> Coalesce:
    """An enrolment's number of visits in ``day``'s calendar month: a correlated count, to annotate enrolments."""
    first, last = month_bounds(day)
    visits = (
        HomeTeachingVisit.objects.filter(enrolment=OuterRef("pk"), taught_on__range=(first, last))
        .order_by()
        .values("enrolment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(visits, output_field=IntegerField()), 0)


def with_month_visits(queryset: QuerySet, day: datetime.date, name: str = "month_visits") -> QuerySet:
    """The enrolments with the number of their visits in ``day``'s calendar month."""
    return queryset.annotate(**{name: month_visits(day)})


def short_this_month(user, today: datetime.date | None = None) -> QuerySet:
    """本月送教上门不足2次: the user's children enrolled today, of 6–15, with fewer than two visits this calendar
    month (last month's do not count)."""
    today = today or timezone.localdate()
    running = HomeTeaching.objects.restrict(user, "view").filter(taught_on(today))
    return with_month_visits(running, today).filter(month_visits__lt=MIN_VISITS_A_MONTH)
