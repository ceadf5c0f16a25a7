"""The township's ledgers of its village-stationed teams (S004 (一)): 人员信息台账, the monthly 考勤台账 (members under
the minimum flagged) and the year's totals, the 请销假台账, the summary of the work logs, and the 后盾单位帮扶台账.

A member's figures come from ``teams.attendance`` and ``teams.logs``, read once per ledger for the teams of its rows
(the lookups are keyed by team: the ledger's "household" path is the member's team)."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db.models import Q

from shoudi.teams import choices as tc
from shoudi.teams.attendance import SettingsResolver, month_bounds, month_rows, year_rows
from shoudi.teams.logs import missing_log_days
from shoudi.teams.models import Absence, Team, TeamMember, UnitFund, UnitVisit, WorkLog
from shoudi.teams.selectors import previous_month

from ..definitions import Column, Filter, LedgerContext, LedgerDefinition, Lookup, Param
from .parts import seq

__all__ = ["DEFINITIONS"]

TEAM = "team__"  # from a member row to its team (the engine's "household" path: the lookups are keyed by team)
STATES = dict(tc.ABSENCE_STATES)


def _month_param() -> Param:
    def last_month(ctx: LedgerContext) -> datetime.date:
        year, month = previous_month(ctx.today)
        return datetime.date(year, month, 1)

    return Param("month", "考勤月份（该月任一日）", "date", last_month)


def _year_param() -> Param:
    return Param("year", "年度", "year", lambda ctx: ctx.today.year)


def _month_of(ctx: LedgerContext) -> tuple[int, int]:
    day = ctx.params["month"]
    return day.year, day.month


def _team_members(team_ids) -> list[TeamMember]:
    return list(TeamMember.objects.filter(team_id__in=team_ids).select_related("team__village", "unit"))


def _by_team(rows, key=lambda row: row.member) -> dict[int, dict[int, object]]:
    grouped: dict[int, dict[int, object]] = defaultdict(dict)
    for row in rows:
        member = key(row)
        grouped[member.team_id][member.pk] = row
    return grouped


def _assigned_in(start: datetime.date, end: datetime.date) -> Q:
    return Q(start_date__lte=end) & (Q(end_date__isnull=True) | Q(end_date__gte=start))


def _place() -> list[Column]:
    return [
        Column("township", "乡镇", "team__village__parent__name", width=10),
        Column("village", "驻村", "team__village__name", width=10),
    ]


def _member_columns() -> list[Column]:
    return [
        Column("name", "姓名", "name", width=9),
        Column("post", "队内职务", "post", width=8),
        Column("unit", "派出单位", "unit__name", width=18),
    ]


def _of(lookup: str, attribute: str):
    def value(row, ctx):
        figures = (row[lookup] or {}).get(row["id"])
        return getattr(figures, attribute) if figures is not None else None

    return value


# --- 驻村工作队人员信息台账 --------------------


def _term_end(row, ctx):
    start, years = row["start_date"], row["term_years"]
    try:
        return start.replace(year=start.year + years)
    except ValueError:
        return start.replace(year=start.year + years, day=28)


MEMBERS_LEDGER = LedgerDefinition(
    code="team-members",
    title="驻村工作队人员信息台账",
    description="各村驻村第一书记、队长、队员：派出单位、职务、联系方式、驻村起止和任期",
    model=TeamMember,
    unit="人",
    columns=(
        seq(),
        *_place(),
        *_member_columns(),
        Column("unit_level", "单位层级", "unit__level", width=7),
        Column("position", "单位职务", "position", width=12),
        Column("id_number", "身份证号", "id_number", kind="id", mask_model="teams.teammember"),
        Column("phone", "联系电话", "phone", kind="phone", mask_model="teams.teammember"),
        Column("start_date", "驻村开始日期", "start_date", kind="date"),
        Column("term_years", "任期（年）", "term_years", kind="int", width=7),
        Column("term_end", "任期届满", _term_end, kind="date", fields=("start_date", "term_years")),
        Column("end_date", "驻村结束日期", "end_date", kind="date"),
        Column("end_reason", "结束原因", "end_reason", width=14, default=False),
        Column(
            "cadre", "兼任结对帮扶干部", lambda row, ctx: row["cadre_id"] is not None, kind="bool", fields=("cadre_id",)
        ),
    ),
    filters=(Filter("current", "仅在岗队员", lambda ctx, value: Q(end_date__isnull=True), default=True),),
    order_by=("team__village__code", "start_date", "id"),
    household=TEAM,
)


# --- 月度考勤台账 and the year's totals --------------------


def _attendance(ctx: LedgerContext, team_ids) -> dict:
    year, month = _month_of(ctx)
    return _by_team(month_rows(_team_members(team_ids), year, month, today=ctx.today))


def _flag(row, ctx):
    figures = (row["attendance"] or {}).get(row["id"])
    return figures.flag if figures is not None else ""


ATTENDANCE = Lookup("teams.checkin", _attendance)
IN_MONTH = ("attendance",)

ATTENDANCE_LEDGER = LedgerDefinition(
    code="team-attendance",
    title="驻村工作队月度考勤台账",
    description="各队员当月在村天数（含事前报备的公出）、请假、住宿和“住四晚干五天”，不足规定天数的标明",
    model=TeamMember,
    unit="人",
    columns=(
        seq(),
        *_place(),
        *_member_columns(),
        Column(
            "village_days", "在村天数", _of("attendance", "village_days"), kind="int", fields=("id",), lookups=IN_MONTH
        ),
        Column(
            "official_days",
            "其中公出",
            _of("attendance", "official_days"),
            kind="int",
            fields=("id",),
            lookups=IN_MONTH,
        ),
        Column("leave_days", "请假天数", _of("attendance", "leave_days"), kind="int", fields=("id",), lookups=IN_MONTH),
        Column("nights", "在村住宿（晚）", _of("attendance", "nights"), kind="int", fields=("id",), lookups=IN_MONTH),
        Column(
            "short_weeks",
            "住四晚干五天未达标（周）",
            lambda row, ctx: len(_of("attendance", "short_weeks")(row, ctx) or ()),
            kind="int",
            fields=("id",),
            lookups=IN_MONTH,
        ),
        Column(
            "doubtful",
            "位置存疑（天）",
            _of("attendance", "doubtful_days"),
            kind="int",
            fields=("id",),
            lookups=IN_MONTH,
        ),
        Column("required", "应驻村天数", _of("attendance", "required"), kind="int", fields=("id",), lookups=IN_MONTH),
        Column("flag", "考勤情况", _flag, fields=("id",), lookups=IN_MONTH, width=14),
    ),
    base=lambda ctx: _assigned_in(*month_bounds(*_month_of(ctx))),
    params=(_month_param(),),
    order_by=("team__village__code", "start_date", "id"),
    household=TEAM,
    lookups={"attendance": ATTENDANCE},
    note=lambda ctx: "考勤月份 {}年{}月；在村天数含手机签到、补录和事前报备的公出".format(*_month_of(ctx)),
)


def _year(ctx: LedgerContext, team_ids) -> dict:
    return _by_team(year_rows(_team_members(team_ids), ctx.params["year"], today=ctx.today))


IN_YEAR = ("year",)

YEARLY_LEDGER = LedgerDefinition(
    code="team-attendance-year",
    title="驻村工作队年度考勤汇总",
    description="各队员本年度在村天数、请假、公出合计，不足规定天数的月数",
    model=TeamMember,
    unit="人",
    columns=(
        seq(),
        *_place(),
        *_member_columns(),
        Column(
            "village_days", "在村天数合计", _of("year", "village_days"), kind="int", fields=("id",), lookups=IN_YEAR
        ),
        Column("official_days", "其中公出", _of("year", "official_days"), kind="int", fields=("id",), lookups=IN_YEAR),
        Column("leave_days", "请假天数合计", _of("year", "leave_days"), kind="int", fields=("id",), lookups=IN_YEAR),
        Column(
            "months_under",
            "不足规定天数（月）",
            _of("year", "months_under"),
            kind="int",
            fields=("id",),
            lookups=IN_YEAR,
        ),
        Column(
            "short_weeks",
            "住四晚干五天未达标（周）",
            _of("year", "short_weeks"),
            kind="int",
            fields=("id",),
            lookups=IN_YEAR,
        ),
    ),
    base=lambda ctx: _assigned_in(datetime.date(ctx.params["year"], 1, 1), datetime.date(ctx.params["year"], 12, 31)),
    params=(_year_param(),),
    order_by=("team__village__code", "start_date", "id"),
    household=TEAM,
    lookups={"year": Lookup("teams.checkin", _year)},
)


# --- 请销假台账 --------------------

ABSENCES_LEDGER = LedgerDefinition(
    code="team-absences",
    title="驻村工作队请销假台账",
    description="队员请假（按天数分级审批）和事前报备的公出：起止、事由、审批、销假",
    model=Absence,
    unit="次",
    columns=(
        seq(),
        Column("township", "乡镇", "member__team__village__parent__name", width=10),
        Column("village", "驻村", "member__team__village__name", width=10),
        Column("name", "姓名", "member__name", width=9),
        Column("post", "队内职务", "member__post", width=8),
        Column("category", "类别", "category", width=6),
        Column("kind", "事由类型", "kind", width=8),
        Column("start_date", "开始日期", "start_date", kind="date"),
        Column("end_date", "结束日期", "end_date", kind="date"),
        Column("days", "天数", "days", kind="int", total=True),
        Column("reason", "事由", "reason", width=20),
        Column("destination", "去向", "destination", width=12, default=False),
        Column("state", "状态", lambda row, ctx: STATES.get(row["state"], row["state"]), fields=("state",), width=12),
        Column("township_by", "乡镇审批人", "township_by", width=9),
        Column("township_opinion", "乡镇意见", "township_opinion", width=12, default=False),
        Column("county_by", "县委组织部审批人", "county_by", width=9),
        Column("county_opinion", "县委组织部意见", "county_opinion", width=12, default=False),
        Column("returned_on", "销假日期", "returned_on", kind="date"),
    ),
    base=lambda ctx: Q(start_date__year=ctx.params["year"]) | Q(end_date__year=ctx.params["year"]),
    filters=(
        Filter("category", "类别", lambda ctx, value: Q(category=value), choices=tuple(tc.CATEGORIES)),
        Filter("not_withdrawn", "不含已撤回", lambda ctx, value: ~Q(state=tc.WITHDRAWN), default=True),
    ),
    params=(_year_param(),),
    order_by=("member__team__village__code", "start_date", "id"),
    household="member__team__",
)


# --- 驻村工作日志汇总 --------------------


def _logs(ctx: LedgerContext, team_ids) -> dict:
    start, end = month_bounds(*_month_of(ctx))
    end = min(end, ctx.today - datetime.timedelta(days=1))
    members = _team_members(team_ids)
    missing = missing_log_days(members, start, end)
    counts: dict[int, list] = defaultdict(list)
    for member_id, day in WorkLog.objects.filter(member__in=members, day__range=(start, end)).values_list(
        "member_id", "day"
    ):
        counts[member_id].append(day)
    summary: dict[int, dict[int, dict]] = defaultdict(dict)
    for member in members:
        written = sorted(counts.get(member.pk, []))
        summary[member.team_id][member.pk] = {
            "written": len(written),
            "last": written[-1] if written else None,
            "missing": missing.get(member.pk, []),
        }
    return summary


def _log(key: str):
    def value(row, ctx):
        figures = (row["logs"] or {}).get(row["id"])
        return figures[key] if figures is not None else None

    return value


def _missing_days(row, ctx):
    days = _log("missing")(row, ctx) or []
    return "、".join(f"{d.month}月{d.day}日" for d in days) or None


LOGS = ("logs",)

LOGS_LEDGER = LedgerDefinition(
    code="team-logs",
    title="驻村工作日志汇总",
    description="各队员当月工作日志篇数，在村或应在岗而未写日志的日期",
    model=TeamMember,
    unit="人",
    columns=(
        seq(),
        *_place(),
        *_member_columns(),
        Column("written", "日志篇数", _log("written"), kind="int", fields=("id",), lookups=LOGS, total=True),
        Column(
            "missing_count",
            "缺少日志（天）",
            lambda row, ctx: len(_log("missing")(row, ctx) or []),
            kind="int",
            fields=("id",),
            lookups=LOGS,
            total=True,
        ),
        Column("missing", "缺少日志的日期", _missing_days, fields=("id",), lookups=LOGS, width=30),
        Column("last", "最近一篇", _log("last"), kind="date", fields=("id",), lookups=LOGS),
    ),
    base=lambda ctx: _assigned_in(*month_bounds(*_month_of(ctx))),
    params=(_month_param(),),
    order_by=("team__village__code", "start_date", "id"),
    household=TEAM,
    lookups={"logs": Lookup("teams.worklog", _logs)},
)


# --- 后盾单位帮扶台账 --------------------

QUARTERS = ("一", "二", "三", "四")


def _unit_visits(ctx: LedgerContext, team_ids) -> dict:
    year = ctx.params["year"]
    visits: dict[int, dict] = defaultdict(lambda: {"quarters": [0, 0, 0, 0], "talks": 0})
    rows = UnitVisit.objects.filter(team_id__in=team_ids, visited_on__year=year).values_list(
        "team_id", "visited_on", "talk_held"
    )
    for team_id, day, talk in rows:
        visits[team_id]["quarters"][(day.month - 1) // 3] += 1
        visits[team_id]["talks"] += bool(talk)
    return visits


def _funds(ctx: LedgerContext, team_ids) -> dict:
    year, rules = ctx.params["year"], SettingsResolver()
    funds: dict[int, dict] = defaultdict(lambda: {"amount": 0.0, "paid": [], "unpaid": 0, "code": ""})
    rows = UnitFund.objects.filter(team_id__in=team_ids, year=year).values_list(
        "team_id", "team__village__code", "amount", "paid_on"
    )
    for team_id, code, amount, paid_on in rows:
        entry = funds[team_id]
        entry["amount"] += float(amount)
        entry["code"] = code
        if paid_on is None:
            entry["unpaid"] += 1
        else:
            entry["paid"].append(paid_on)
    for entry in funds.values():
        entry["due"] = rules(entry["code"]).fund_due(year)
    return funds


def _quarters(row, ctx):
    visits = row["visits"]
    counts = visits["quarters"] if visits else [0, 0, 0, 0]
    last = 4 if ctx.params["year"] < ctx.today.year else (ctx.today.month - 1) // 3 + 1
    return "；".join(f"{QUARTERS[i]}季度{counts[i]}次" for i in range(last))


def _missed_quarters(row, ctx):
    visits = row["visits"]
    counts = visits["quarters"] if visits else [0, 0, 0, 0]
    done = 4 if ctx.params["year"] < ctx.today.year else (ctx.today.month - 1) // 3  # quarters already over
    return sum(1 for i in range(done) if not counts[i])


def _fund_state(row, ctx):
    funds = row["funds"]
    if not funds:
        return "未登记"
    due = funds["due"]
    if funds["unpaid"]:
        return f"未拨付（期限 {due:%m-%d}）" + ("，已逾期" if ctx.today > due else "")
    return "按期拨付" if max(funds["paid"]) <= due else f"逾期拨付（期限 {due:%m-%d}）"


UNITS_LEDGER = LedgerDefinition(
    code="team-units",
    title="后盾单位帮扶台账",
    description="各驻点村的后盾单位：领导每季度到村指导和谈心谈话、当年帮扶资金及是否按期拨付",
    model=Team,
    unit="村",
    columns=(
        seq(),
        Column("township", "乡镇", "village__parent__name", width=10),
        Column("village", "驻点村", "village__name", width=10),
        Column("unit", "后盾单位", "unit__name", width=18),
        Column("level", "单位层级", "unit__level", width=7),
        Column("main_leader", "主要领导", "unit__main_leader", width=9),
        Column("deputy_leader", "分管领导", "unit__deputy_leader", width=9),
        Column("quarters", "到村指导（分季度）", _quarters, lookups=("visits",), width=34),
        Column("missed", "未到村指导的季度", _missed_quarters, kind="int", lookups=("visits",)),
        Column(
            "talks",
            "谈心谈话（次）",
            lambda row, ctx: (row["visits"] or {}).get("talks", 0),
            kind="int",
            lookups=("visits",),
        ),
        Column(
            "amount",
            "帮扶资金（元）",
            lambda row, ctx: (row["funds"] or {}).get("amount"),
            kind="money",
            lookups=("funds",),
            total=True,
        ),
        Column("fund_state", "拨付情况", _fund_state, lookups=("funds",), width=20),
    ),
    params=(_year_param(),),
    order_by=("village__code",),
    household="",
    lookups={"visits": Lookup("teams.unitvisit", _unit_visits), "funds": Lookup("teams.unitfund", _funds)},
)

DEFINITIONS = (MEMBERS_LEDGER, ATTENDANCE_LEDGER, YEARLY_LEDGER, ABSENCES_LEDGER, LOGS_LEDGER, UNITS_LEDGER)
