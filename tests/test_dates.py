"""The shared date arithmetic: 周岁 on and around a birthday (29 February included) and whole months between days."""

from __future__ import annotations

import datetime

from shoudi.core.dates import age_on, months_between, years_before

D = datetime.date


def test_age_turns_on_the_birthday_itself():
    born = D(2010, 6, 15)
    assert age_on(born, D(2026, 6, 14)) == 15
    assert age_on(born, D(2026, 6, 15)) == 16
    assert age_on(born, D(2026, 6, 16)) == 16


def test_age_of_someone_born_on_29_february():
    born = D(2008, 2, 29)
    assert age_on(born, D(2026, 2, 28)) == 17  # a common year: not yet
    assert age_on(born, D(2026, 3, 1)) == 18
    assert age_on(born, D(2028, 2, 28)) == 19
    assert age_on(born, D(2028, 2, 29)) == 20


def test_age_without_a_birth_date_is_unknown():
    assert age_on(None, D(2026, 1, 1)) is None


def test_member_age_on_uses_the_same_rule():
    from shoudi.registry.models import Member

    assert Member(birth_date=D(2008, 2, 29)).age_on(D(2026, 2, 28)) == 17
    assert Member(birth_date=None).age_on(D(2026, 2, 28)) is None


def test_months_between_counts_whole_months():
    assert months_between(D(2025, 1, 15), D(2025, 7, 15)) == 6
    assert months_between(D(2025, 1, 15), D(2025, 7, 14)) == 5
    assert months_between(D(2025, 11, 30), D(2026, 2, 28)) == 2  # 30 February does not exist: not yet 3 months
    assert months_between(D(2025, 3, 1), D(2025, 3, 31)) == 0
    assert months_between(D(2025, 7, 15), D(2025, 1, 15)) == -6


def test_years_before_keeps_the_day_or_falls_back_to_28_february():
    assert years_before(D(2026, 6, 15), 6) == D(2020, 6, 15)
    assert years_before(D(2028, 2, 29), 1) == D(2027, 2, 28)
