"""S004's rhythm month by month with a fixed clock, across a year end, and configured numbers."""

import datetime

import pytest

from shoudi.assistance.models import RhythmSettings
from shoudi.assistance.rhythm import LIFTED, MONITORED, obligations, period_bounds, regime

D = datetime.date
DEFAULT = RhythmSettings()


def duties(today, *, lifted=False, identified=None, eliminated=None, visits=(), assessments=(), settings=DEFAULT):
    return {
        o.kind: o
        for o in obligations(
            lifted=lifted,
            identified_on=identified,
            eliminated_on=eliminated,
            visits=visits,
            assessments=assessments,
            today=today,
            settings=settings,
        )
    }


def test_periods_are_calendar_months_and_quarters():
    assert period_bounds(D(2026, 12, 15), 1) == (D(2026, 12, 1), D(2026, 12, 31))
    assert period_bounds(D(2027, 1, 3), 1, -1) == (D(2026, 12, 1), D(2026, 12, 31))
    assert period_bounds(D(2027, 2, 10), 3) == (D(2027, 1, 1), D(2027, 3, 31))
    assert period_bounds(D(2027, 2, 10), 3, -1) == (D(2026, 10, 1), D(2026, 12, 31))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 3, 1), None),  # not yet identified
        (D(2026, 3, 10), MONITORED),
        (D(2026, 9, 9), MONITORED),  # eliminated 2026-06-10: under 6 months
        (D(2026, 12, 9), MONITORED),
        (D(2026, 12, 10), LIFTED),  # 6 months after elimination
        (D(2027, 1, 5), LIFTED),
    ],
)
def test_regime_follows_identification_and_elimination(today, expected):
    assert (
        regime(lifted=False, identified_on=D(2026, 3, 10), eliminated_on=D(2026, 6, 10), today=today, settings=DEFAULT)
        == expected
    )


def test_monitored_household_month_by_month_across_the_year_end():
    identified = D(2026, 10, 20)
    visits = [(D(2026, 10, 25), "入户"), (D(2026, 11, 3), "电话"), (D(2027, 1, 8), "入户")]
    assessments = [D(2026, 12, 28)]
    oct_ = duties(D(2026, 10, 28), identified=identified, visits=visits, assessments=assessments)
    assert oct_["visit"].done and not oct_["visit"].overdue
    assert not oct_["assessment"].done and not oct_["assessment"].overdue  # Q4 assessment still due
    nov = duties(D(2026, 11, 15), identified=identified, visits=visits, assessments=assessments)
    assert not nov["visit"].done and not nov["visit"].overdue  # a phone call is not a home visit; due in November
    dec = duties(D(2026, 12, 2), identified=identified, visits=visits, assessments=assessments)
    assert not dec["visit"].done and dec["visit"].overdue  # November passed without a home visit
    jan = duties(D(2027, 1, 5), identified=identified, visits=visits, assessments=assessments)
    assert jan["visit"].overdue and not jan["visit"].done  # December missed too
    assert not jan["assessment"].overdue and not jan["assessment"].done  # Q4 done on 12-28; Q1 due
    jan10 = duties(D(2027, 1, 10), identified=identified, visits=visits, assessments=assessments)
    assert jan10["visit"].done and not jan10["visit"].overdue
    apr = duties(D(2027, 4, 2), identified=identified, visits=visits, assessments=assessments)
    assert apr["assessment"].overdue  # nothing in Q1


def test_lifted_household_needs_monthly_contact_and_quarterly_visit():
    visits = [(D(2026, 8, 10), "入户"), (D(2026, 11, 5), "电话"), (D(2026, 12, 2), "微信")]
    dec = duties(D(2026, 12, 20), lifted=True, visits=visits)
    assert dec["contact"].done and not dec["contact"].overdue
    assert not dec["visit"].done and dec["visit"].overdue is False  # Q4 visit still due until 12-31
    jan = duties(D(2027, 1, 3), lifted=True, visits=visits)
    assert not jan["contact"].done and not jan["contact"].overdue  # December had the WeChat contact
    assert jan["visit"].overdue  # Q4 ended without a home visit
    assert "assessment" not in jan


def test_eliminated_six_months_ago_moves_to_the_lighter_rhythm():
    kinds = duties(D(2027, 1, 15), identified=D(2026, 1, 5), eliminated=D(2026, 7, 1), visits=[])
    assert set(kinds) == {"contact", "visit"}
    assert not kinds["contact"].overdue  # the lighter duty began only this month
    assert set(duties(D(2026, 12, 15), identified=D(2026, 1, 5), eliminated=D(2026, 7, 1))) == {"visit", "assessment"}


def test_ordinary_household_has_no_rhythm():
    assert duties(D(2026, 12, 1)) == {}


def test_numbers_are_configuration():
    every_two = RhythmSettings(monitored_visit_months=2, monitored_assessment_months=6)
    kinds = duties(D(2026, 12, 15), identified=D(2026, 1, 1), visits=[(D(2026, 11, 20), "入户")], settings=every_two)
    assert kinds["visit"].done and kinds["visit"].period_start == D(2026, 11, 1)
    assert kinds["assessment"].period_start == D(2026, 7, 1)
