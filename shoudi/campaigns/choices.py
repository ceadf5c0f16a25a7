"""The vocabularies of a campaign: the progress of a work item, and the phases of S004 三 (时间安排)."""

from __future__ import annotations

import calendar
import datetime

NOT_STARTED, ONGOING, DONE = "not_started", "ongoing", "done"
PROGRESS_CHOICES = [(NOT_STARTED, "未开始"), (ONGOING, "推进中"), (DONE, "已完成")]
PROGRESS_LABELS = dict(PROGRESS_CHOICES)

BEFORE, RUNNING, ENDED = "未开始", "进行中", "已结束"  # a campaign's state on a day (from its dates, never stored)
STATE_CHOICES = [(BEFORE, BEFORE), (RUNNING, RUNNING), (ENDED, ENDED)]

PROBLEM_SOURCE = "专项排查"  # work.choices.SOURCES: the source of every problem a campaign finds

# S004 三: 动员部署 in July, 集中攻坚 in August–September, 巩固提升 in October — (name, first month, last month)
S004_PHASES = (("动员部署", 7, 7), ("集中攻坚", 8, 9), ("巩固提升", 10, 10))


def s004_phases(year: int) -> list[tuple[str, datetime.date, datetime.date]]:
    """The three phases of S004 in ``year``: (name, first day, last day)."""
    return [
        (name, datetime.date(year, first, 1), datetime.date(year, last, calendar.monthrange(year, last)[1]))
        for name, first, last in S004_PHASES
    ]
