"""The cards the dashboards bring themselves (registered in wiring.py): registry, monitoring, assistance, matching
and work-card figures. Each card counts, per village, exactly the rows its links list (queries.py)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.urls import reverse

from shoudi.accounts.models import User
from shoudi.accounts.roles import COUNTY_ADMIN
from shoudi.assistance.worklist import all_items, kinds, tally
from shoudi.matching import choices as matching_choices
from shoudi.matching.models import Finding
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.monitoring.policy import lines_by_county, settings_for
from shoudi.regions.models import Region
from shoudi.registry.models import Household, IncomeRecord, Member

from .cards import Card, CardContext, CardData, Series
from .queries import COVERAGE, below_floor, coverage_conditions, monitored_cases, work_card_condition

__all__ = ["BUILTIN_CARDS", "one_pass"]

CASES, HOUSEHOLDS, ASSISTANCE, FINDINGS, INCOMES = "cases", "households", "assistance", "findings", "incomes"


_NAMES: ContextVar[dict | None] = ContextVar("dashboard_village_names", default=None)


@contextmanager
def one_pass():
    """Within a refresh, the villages' ids are read once, not by every query of every card."""
    token = _NAMES.set({})
    try:
        yield
    finally:
        _NAMES.reset(token)


def _village_names(codes: list[str] | None) -> dict[int, str]:
    """village id → code of the villages of ``codes`` (None: all)."""
    memo = _NAMES.get()
    key = None if codes is None else tuple(codes)
    if memo is not None and key in memo:
        return memo[key]
    villages = Region.objects.filter(level="village")
    if codes is not None:
        villages = villages.filter(code__in=codes)
    names = dict(villages.values_list("pk", "code"))
    if memo is not None:
        memo[key] = names
    return names


def _grouped(qs: QuerySet, village: str, codes: list[str] | None, *fields: str, **counts) -> Iterator[tuple]:
    """(village code, *fields, count) of ``qs`` grouped by the village (``village``: the path to it) and
    ``fields``, for the villages of ``codes`` (None: all); with ``counts`` (name → aggregate), those instead."""
    names = _village_names(codes)
    if codes is not None:
        qs = qs.filter(**{f"{village}__in": list(names)})
    counts = counts or {"n": Count("pk")}
    rows = qs.order_by().values(village, *fields).annotate(**counts).values_list(village, *fields, *counts)
    for village_id, *rest in rows:
        if village_id in names:
            yield (names[village_id], *rest)


def _by_county(codes: list[str] | None) -> dict[str, list[str] | None]:
    """The villages asked for, by county (None: every village of the county)."""
    if codes is None:
        counties = Region.objects.filter(level="county").values_list("code", flat=True)
        return dict.fromkeys(counties)
    grouped: dict[str, list[str]] = defaultdict(list)
    for code in codes:
        grouped[code[:6]].append(code)
    return dict(grouped)


def _in_county(codes: list[str] | None, county: str, village: str) -> dict:
    if codes is None:
        return {f"{village}__code__startswith": county}
    return {f"{village}__in": list(_village_names(codes))}


def _share(part: int, whole: int) -> str:
    return f"{part * 100 / whole:.1f}%" if whole else "—"


def _change(now: int, before: int) -> str:
    if not before:
        return "—" if not now else "新增"
    return f"{(now - before) * 100 / before:+.1f}%"


# --- 户类型 -------------------------------------------------------------------------------------------------------


def households_compute(codes, today):
    for code, htype, n in _grouped(Household.objects.all(), "village", codes, "household_type"):
        yield code, f"h:{htype}", n
    members = Member.objects.filter(status="正常")
    for code, htype, n in _grouped(members, "household__village", codes, "household__household_type"):
        yield code, f"p:{htype}", n


def households_present(ctx: CardContext) -> CardData:
    types = sorted({b[2:] for b in ctx.figures if b.startswith("h:")}, key=lambda t: -ctx.value(f"h:{t}"))
    return CardData(
        categories=types,
        series=[
            Series(
                "户数",
                [ctx.value(f"h:{t}") for t in types],
                [ctx.link("registry:household_list", htype=t) for t in types],
            ),
            Series(
                "人数",
                [ctx.value(f"p:{t}") for t in types],
                [ctx.link("registry:member_list", htype=t, status="正常") for t in types],
            ),
        ],
        unit="户/人",
        category_title="户类型",
    )


# --- 监测对象 -------------------------------------------------------------------------------------------------------


def categories_compute(codes, today):
    for code, category, n in _grouped(monitored_cases(), "household__village", codes, "category"):
        yield code, f"c:{category}", n


def categories_present(ctx: CardContext) -> CardData:
    names = mc.CATEGORY_VALUES
    values = [ctx.value(f"c:{name}") for name in names]
    links = [ctx.link("monitoring:case_list", identified="true", is_open="true", category=name) for name in names]
    total = sum(values)
    return CardData(
        categories=names,
        series=[Series("监测对象", values, links)],
        notes=[f"监测对象（帮扶中）共 {total} 户"],
        category_title="监测对象类别",
    )


def funnel_compute(codes, today):
    counts = {
        "clue": Count("pk"),
        "identified": Count("pk", filter=Q(identified_on__isnull=False)),
        "eliminated": Count("pk", filter=Q(eliminated_on__isnull=False)),
    }
    for code, *values in _grouped(MonitoringCase.objects.all(), "household__village", codes, **counts):
        yield from ((code, bucket, n) for bucket, n in zip(counts, values, strict=True))


def funnel_present(ctx: CardContext) -> CardData:
    clue, identified, eliminated = (ctx.value(b) for b in ("clue", "identified", "eliminated"))
    return CardData(
        categories=["线索", "识别纳入", "风险消除"],
        series=[
            Series(
                "户次",
                [clue, identified, eliminated],
                [
                    ctx.link("monitoring:case_list"),
                    ctx.link("monitoring:case_list", identified="true"),
                    ctx.link("monitoring:case_list", eliminated="true"),
                ],
            )
        ],
        unit="户次",
        notes=[
            f"识别率（识别/线索）{_share(identified, clue)}",
            f"消除率（消除/识别）{_share(eliminated, identified)}",
        ],
        category_title="环节",
    )


# --- 每月识别与消除 --------------------------------------------------------------------------------------------------

MONTHLY = (("c", "clue_date", "新增线索", "clue_month"), ("i", "identified_on", "识别纳入", "identified_month"))
MONTHLY += (("e", "eliminated_on", "风险消除", "eliminated_month"),)


def monthly_compute(codes, today):
    names = _village_names(codes)
    cases = MonitoringCase.objects.all()
    if codes is not None:
        cases = cases.filter(household__village__in=list(names))
    fields = [field for _, field, _, _ in MONTHLY]
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for village_id, *days in cases.values_list("household__village", *fields).iterator(chunk_size=5000):
        for (prefix, _, _, _), day in zip(MONTHLY, days, strict=True):
            if day is not None and village_id in names:
                counts[(names[village_id], f"{prefix}:{day.year:04d}-{day.month:02d}")] += 1
    for (code, bucket), n in counts.items():
        yield code, bucket, n


def _months_back(today: datetime.date, count: int) -> list[str]:
    index = today.year * 12 + today.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def monthly_present(ctx: CardContext) -> CardData:
    months = _months_back(ctx.today, 12)
    this, last = months[-1], months[-2]
    a_year_ago = f"{ctx.today.year - 1:04d}-{ctx.today.month:02d}"
    series, notes = [], []
    for prefix, _, name, param in MONTHLY:
        series.append(
            Series(
                name,
                [ctx.value(f"{prefix}:{m}") for m in months],
                [ctx.link("monitoring:case_list", **{param: m}) for m in months],
            )
        )
        now, before, ago = (ctx.value(f"{prefix}:{m}") for m in (this, last, a_year_ago))
        notes.append(
            f"{name}：本月 {now}，上月 {before}（环比 {_change(now, before)}），"
            f"去年同月 {ago}（同比 {_change(now, ago)}）"
        )
    return CardData(
        categories=[f"{m[:4]}年{int(m[5:])}月" for m in months],
        series=series,
        unit="户次",
        notes=notes,
        category_title="月份",
    )


# --- 风险类型 -------------------------------------------------------------------------------------------------------


def risks_compute(codes, today):
    counts: dict[tuple[str, str], int] = defaultdict(int)
    names = _village_names(codes)
    cases = monitored_cases()
    if codes is not None:
        cases = cases.filter(household__village__in=list(names))
    for village_id, risks in cases.values_list("household__village", "risk_types").iterator(chunk_size=5000):
        for risk in set(risks or ()):
            if risk in mc.RISK_VALUES and village_id in names:
                counts[(names[village_id], risk)] += 1
    for (code, risk), n in counts.items():
        yield code, f"r:{risk}", n


def risks_present(ctx: CardContext) -> CardData:
    risks = sorted((r for r in mc.RISK_VALUES if ctx.value(f"r:{r}")), key=lambda r: -ctx.value(f"r:{r}"))
    return CardData(
        categories=risks,
        series=[
            Series(
                "监测对象",
                [ctx.value(f"r:{r}") for r in risks],
                [ctx.link("monitoring:case_list", identified="true", is_open="true", risk=r) for r in risks],
            )
        ],
        notes=["一户可有多项风险"],
        category_title="风险类型",
    )


# --- 帮扶覆盖 -------------------------------------------------------------------------------------------------------

COVERAGE_LABELS = {
    "paired": "识别后按期落实帮扶干部",
    "measured": "识别后按期落实帮扶措施",
    "visited_month": "本月已走访",
    "visited_quarter": "本季度已走访",
}


def coverage_compute(codes, today):
    for county, county_codes in _by_county(codes).items():
        cases = monitored_cases().filter(**_in_county(county_codes, county, "household__village"))
        conditions = coverage_conditions(county, today)
        counts = {"base": Count("pk"), **{kind: Count("pk", filter=conditions[kind]) for kind in COVERAGE}}
        for code, *values in _grouped(cases, "household__village", None, **counts):
            yield from ((code, bucket, n) for bucket, n in zip(counts, values, strict=True))


def coverage_present(ctx: CardContext) -> CardData:
    base = ctx.value("base")
    done = [ctx.value(kind) for kind in COVERAGE]
    common = {"identified": "true", "is_open": "true"}
    return CardData(
        categories=[COVERAGE_LABELS[kind] for kind in COVERAGE],
        series=[
            Series("已落实", done, [ctx.link("monitoring:case_list", **common, **{k: "true"}) for k in COVERAGE]),
            Series(
                "未落实",
                [base - n for n in done],
                [ctx.link("monitoring:case_list", **common, **{k: "false"}) for k in COVERAGE],
            ),
        ],
        notes=[f"监测对象 {base} 户"]
        + [f"{COVERAGE_LABELS[k]} {_share(n, base)}" for k, n in zip(COVERAGE, done, strict=True)],
        category_title="帮扶工作",
    )


# --- 逾期事项 -------------------------------------------------------------------------------------------------------


def _overdue_items():
    """The worklist's overdue items that are a region's, whoever looks: an item of the rows waiting for one user
    (roles None: a problem's responsible person, his reviewer) has no figure of a region (the problem cards count
    overdue problems by region)."""
    return [item for item in all_items() if item.overdue and item.roles is not None]


def _system_user(region: Region) -> User:
    """An unsaved county-admin user of ``region``: the worklist's items over that region, whoever looks."""
    return User(username="dashboard", role=COUNTY_ADMIN, region=region)


def overdue_compute(codes, today):
    if codes is not None and len(codes) <= 5:
        places = list(Region.objects.filter(code__in=codes))  # a few villages: each read alone (narrow)
    else:
        places = list(Region.objects.filter(code__in=list(_by_county(codes))))
    wanted = None if codes is None else set(codes)
    keys = [item.key for item in _overdue_items()]
    for place in places:
        _, villages = tally(_system_user(place), today)  # the worklist's own counts per village
        for row in villages:
            if wanted is None or row["code"] in wanted:
                yield from ((row["code"], f"o:{key}", row[key]) for key in keys if row.get(key))


def overdue_present(ctx: CardContext) -> CardData:
    items, pages = _overdue_items(), kinds()
    return CardData(
        categories=[item.label for item in items],
        series=[
            Series(
                "逾期",
                [ctx.value(f"o:{item.key}") for item in items],
                [ctx.link(pages[item.kind][0], todo=item.key) for item in items],
            )
        ],
        unit="户/条",
        notes=[f"逾期事项共 {sum(ctx.value(f'o:{i.key}') for i in items)} 项"],
        category_title="事项",
    )


# --- 部门比对 -------------------------------------------------------------------------------------------------------


def findings_compute(codes, today):
    findings = Finding.objects.filter(released=True).current()
    for code, department, status, n in _grouped(findings, "village", codes, "department", "status"):
        yield code, f"f:{department}|{status}", n


def findings_present(ctx: CardContext) -> CardData:
    departments = sorted({b[2:].split("|")[0] for b in ctx.figures if b.startswith("f:")})
    statuses = [value for value, _ in matching_choices.FINDING_STATUSES]
    labels = matching_choices.DEPARTMENT_LABELS
    return CardData(
        categories=[str(labels.get(d, d)) for d in departments],
        series=[
            Series(
                status,
                [ctx.value(f"f:{d}|{status}") for d in departments],
                [ctx.link("matching:finding_list", department=d, status=status) for d in departments],
            )
            for status in statuses
        ],
        unit="条",
        category_title="部门",
    )


# --- 收入 -----------------------------------------------------------------------------------------------------------


def income_compute(codes, today):
    incomes = IncomeRecord.objects.all()
    before = IncomeRecord.objects.filter(household=OuterRef("household_id"), year=OuterRef("year") - 1)
    for county, county_codes in _by_county(codes).items():
        place = incomes.filter(**_in_county(county_codes, county, "household__village"))
        years = sorted(set(place.order_by().values_list("year", flat=True).distinct()))
        if not years:
            continue
        lines = {year: lines_by_county([county], year)[county] for year in years}
        below_line = Q(pk__in=[])
        for year, line in lines.items():
            if line is not None:
                below_line |= Q(year=year, per_capita__lt=line)
        below = Q(pk__in=[])
        for year in years:
            below |= below_floor(year, county)
        counts = {  # one pass over the villages' incomes, every year and measure at once
            "all": Count("pk"),
            "line": Count("pk", filter=below_line),
            "floor": Count("pk", filter=below),
            "drop": Count("pk", filter=Q(per_capita__lt=Subquery(before.values("per_capita")[:1]))),
        }
        for code, year, *values in _grouped(place, "household__village", None, "year", **counts):
            yield from ((code, f"y:{year}:{kind}", n) for kind, n in zip(counts, values, strict=True))


INCOME_ROWS = (("all", "有收入记录", "income_year"), ("line", "低于监测线", "below_line_year"))
INCOME_ROWS += (("floor", "低于低收入预警线", "below_floor_year"), ("drop", "人均纯收入不增反降", "income_drop_year"))


def income_present(ctx: CardContext) -> CardData:
    years = sorted({int(b.split(":")[1]) for b in ctx.figures if b.startswith("y:")})
    if not years:
        return CardData(categories=[], series=[], notes=["尚无收入记录"], category_title="指标")
    year = years[-1]
    floor = settings_for(ctx.region.code[:6], year).low_income_floor
    labels = [label if key != "floor" else f"低于 {floor:,.0f} 元" for key, label, _ in INCOME_ROWS]
    series = [
        Series(
            f"{y} 年",
            [ctx.value(f"y:{y}:{key}") for key, _, _ in INCOME_ROWS],
            [ctx.link("registry:household_list", **{param: y}) for _, _, param in INCOME_ROWS],
        )
        for y in (year - 1, year)
        if y in years
    ]
    total = ctx.value(f"y:{year}:all")
    notes = [
        f"{year} 年{label} {_share(ctx.value(f'y:{year}:{key}'), total)}"
        for (key, _, _), label in zip(INCOME_ROWS[1:], labels[1:], strict=True)
    ]
    return CardData(categories=labels, series=series, notes=notes, category_title="指标")


# --- 工作卡 ---------------------------------------------------------------------------------------------------------


def workcards_compute(codes, today):
    for colour in ("red", "green"):  # two semi-joins: cheaper than testing every household in one pass
        for code, n in _grouped(Household.objects.filter(work_card_condition(colour)), "village", codes):
            yield code, colour, n


def workcards_present(ctx: CardContext) -> CardData:
    return CardData(
        categories=["红卡（风险未消除）", "绿卡（风险已消除）"],
        series=[
            Series(
                "工作卡",
                [ctx.value("red"), ctx.value("green")],
                [ctx.link("registry:household_list", work_card=c) for c in ("red", "green")],
            )
        ],
        category_title="工作卡",
    )


# --- 各乡镇/各村 ------------------------------------------------------------------------------------------------------


def children_present(ctx: CardContext) -> CardData | None:
    if not ctx.children or ctx.child_figures is None:
        return None
    monitored = ctx.child_figures("case_categories", "c:")
    overdue = ctx.child_figures("overdue", "o:")
    codes = [child.code for child in ctx.children]
    common = {"identified": "true", "is_open": "true"}
    return CardData(
        categories=[child.name for child in ctx.children],
        series=[
            Series(
                "监测对象",
                [monitored.get(code, 0) for code in codes],
                [ctx.link("monitoring:case_list", area=code, **common) for code in codes],
            ),
        ],
        notes=[f"逾期事项：{'，'.join(f'{c.name} {overdue.get(c.code, 0)}' for c in ctx.children[:20])}"],
        drill=[reverse("dashboards:region", args=[child.pk]) for child in ctx.children],
        category_title="乡镇" if ctx.region.level == "county" else "行政村",
    )


BUILTIN_CARDS = [
    Card("children", "各乡镇（村）监测对象", "bar", None, children_present, note="点击柱形查看该地看板"),
    Card(
        "household_types",
        "农户与人口（按户类型）",
        "bar",
        households_compute,
        households_present,
        frozenset({HOUSEHOLDS}),
    ),
    Card("case_categories", "监测对象类别", "pie", categories_compute, categories_present, frozenset({CASES})),
    Card("funnel", "线索 → 识别 → 消除", "funnel", funnel_compute, funnel_present, frozenset({CASES})),
    Card("monthly", "近12个月识别与消除", "line", monthly_compute, monthly_present, frozenset({CASES})),
    Card("risk_types", "致贫返贫风险类型", "hbar", risks_compute, risks_present, frozenset({CASES})),
    Card("coverage", "帮扶覆盖", "stack", coverage_compute, coverage_present, frozenset({CASES, ASSISTANCE})),
    Card(
        "overdue",
        "逾期事项",
        "hbar",
        overdue_compute,
        overdue_present,
        frozenset({CASES, ASSISTANCE, HOUSEHOLDS, FINDINGS}),
    ),
    Card("findings", "部门比对结果", "stack", findings_compute, findings_present, frozenset({FINDINGS})),
    Card("income", "收入监测", "bar", income_compute, income_present, frozenset({INCOMES, HOUSEHOLDS})),
    Card("work_cards", "红绿工作卡", "pie", workcards_compute, workcards_present, frozenset({CASES})),
]
