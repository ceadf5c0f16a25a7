"""The ledger of the task lists (任务清单台账; 台账化管理、销号式推进, S003 四(四)): one row per recipient's
assignment of a task and period, with its due date, state, the result reported and the day it was approved (销号)."""

from __future__ import annotations

import datetime

from django.db.models import Q

from shoudi.tasklists import choices as tc
from shoudi.tasklists.models import Assignment

from ..definitions import Column, Filter, LedgerDefinition, Param
from .parts import seq

__all__ = ["DEFINITIONS"]

STATES = dict(tc.STATE_CHOICES)
RESULTS = dict(tc.RESULT_CHOICES)
RECURRENCES = dict(tc.RECURRENCE_CHOICES)


def _recipient(row, ctx):
    return f"{row['region__name']} · {row['unit']}" if row["unit"] else row["region__name"]


def _period(row, ctx):
    start, end = row["period_start"], row["period_end"]
    if end is None:
        return None
    if (end - start).days <= 6:
        return f"{start:%Y-%m-%d}至{end:%Y-%m-%d}（第{start.isocalendar()[1]}周）"
    return f"{start.year}年{start.month}月"


def _overdue(row, ctx):
    return row["state"] in tc.RUNNING_STATES and row["due_date"] < ctx.today


def _in_year(ctx, value):
    year = ctx.params["year"]
    return Q(due_date__gte=datetime.date(year, 1, 1), due_date__lte=datetime.date(year, 12, 31))


class RecipientLedgerDefinition(LedgerDefinition):
    """A ledger of assignments: grouped (按村分组并小计, when a county copies it) by the recipient region, as the
    household ledgers are by the household's village."""

    @property
    def group_fields(self) -> tuple[str, str, str]:
        return "region__code", "region__name", "region__parent__name"


TASKS_LEDGER = RecipientLedgerDefinition(
    code="tasks",
    title="任务清单台账",
    description="县、乡镇下发的任务清单（一月一清单、一周一重点）：每个承办方每期一行，含完成时限、状态、报送成果和销号日期",
    model=Assignment,
    unit="项",
    columns=(
        seq(),
        Column("task_list", "任务清单", "task__task_list__title", width=20),
        Column("task", "任务", "task__title", width=28),
        Column("focus", "本周重点", "task__focus", kind="bool", default=False),
        Column("issuer", "下发单位", "task__issuer_region__name", width=10),
        Column("issued_on", "下发日期", "task__issued_on", kind="date"),
        Column(
            "recurrence",
            "重复",
            lambda row, ctx: RECURRENCES.get(row["task__recurrence"]),
            fields=("task__recurrence",),
        ),
        Column("period", "周期", _period, fields=("period_start", "period_end"), width=26),
        Column("recipient", "承办方", _recipient, fields=("region__name", "unit"), width=16),
        Column("responsible", "责任人", "responsible__name", width=9),
        Column(
            "result_kind",
            "成果形式",
            lambda row, ctx: RESULTS.get(row["task__result_kind"]),
            fields=("task__result_kind",),
        ),
        Column("result_description", "成果要求", "task__result_description", width=20, default=False),
        Column("due_date", "完成时限", "due_date", kind="date"),
        Column("due_workdays", "时限（工作日）", "due_workdays", kind="int", default=False),
        Column("due_fallback", "时限未按节假日计算", "due_fallback", kind="bool", default=False),
        Column("state", "状态", lambda row, ctx: STATES.get(row["state"]), fields=("state",), width=8),
        Column("overdue", "是否逾期", _overdue, kind="bool", fields=("state", "due_date")),
        Column("result_text", "报送成果", "result_text", width=30),
        Column("result_figure", "报送数字", "result_figure", kind="number"),
        Column("submitted_on", "报送日期", "submitted_on", kind="date"),
        Column("done_on", "销号日期", "done_on", kind="date"),
        Column("returned_reason", "退回理由", "returned_reason", width=20, default=False),
    ),
    params=(Param("year", "年度", "year", lambda ctx: ctx.today.year),),
    filters=(
        Filter("in_year", "仅年度内到期的", _in_year, default=True),
        Filter("open", "仅未完成（未销号）", lambda ctx, v: Q(state__in=tc.OPEN_STATES)),
        Filter(
            "overdue",
            "仅已逾期",
            lambda ctx, v: Q(state__in=tc.RUNNING_STATES, due_date__lt=ctx.today),
        ),
        Filter("state", "状态", lambda ctx, v: Q(state=v), choices=tuple(tc.STATE_CHOICES)),
        Filter(
            "recurrence",
            "重复",
            lambda ctx, v: Q(task__recurrence="" if v == "once" else v),
            choices=(("once", "不重复"), *tc.RECURRENCE_CHOICES[1:]),
        ),
    ),
    order_by=("region__code", "due_date", "task_id", "id"),  # 台账 of each recipient, by due date
    household="",
    note=lambda ctx: "口径：按承办方、完成时限排列；逾期指已下发或办理中且完成时限早于统计日期",
)

DEFINITIONS = (TASKS_LEDGER,)
