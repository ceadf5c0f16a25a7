"""收入: 家庭纯收入 against its formula, 人均纯收入 against 纯收入 ÷ 人口, a lifted household or an elimination below
the line, no wage while members work, and a fall of more than the set share with no clue."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, Q

from .base import CASE, COUNTY, HOUSEHOLD, TOWNSHIP, Figure, Params, Rule

TOPIC = "收入"
NO = "household_no"
PER_CAPITA = "per_capita"
LIFTED = "脱贫户"


def _number(value) -> str:
    """A figure of the settings or a line, written into the condition (a Decimal or an integer, nothing else)."""
    return str(Decimal(value))


FORMULA = "(wage + business + property_income + transfer - business_cost)"


def _net_differs(params: Params) -> str:
    return f"inc_id IS NOT NULL AND ABS(net_income - {FORMULA}) > {_number(params.settings.income_tolerance)}"


def _per_capita_differs(params: Params) -> str:
    tolerance = _number(params.settings.income_tolerance)
    return f"household_size > 0 AND ABS(per_capita * household_size - net_income) > {tolerance} * household_size"


def _dropped(params: Params) -> str:
    ratio = _number(Decimal(100 - params.settings.income_drop_percent) / 100)
    return f"prev_per_capita > 0 AND per_capita < prev_per_capita * {ratio} AND case_id IS NULL"


def _year(value, params: Params):
    return params.year


def _line(value, params: Params):
    return params.line


def _drop(value, params: Params):
    return f"{params.settings.income_drop_percent}%"


YEAR = Figure("inc_year", _year)

RULES = [
    Rule(
        "4_01_010",
        "家庭纯收入与各项收入不符",
        TOPIC,
        "错误",
        COUNTY,
        HOUSEHOLD,
        "户 {户编号} {年度} 年家庭纯收入 {家庭纯收入} 元，与工资性 {工资性收入} + 生产经营性 {生产经营性收入} + 财产性 "
        "{财产性收入} + 转移性 {转移性收入} − 生产经营性支出 {生产经营性支出} 不符",
        {
            "户编号": NO,
            "年度": YEAR,
            "家庭纯收入": "net_income",
            "工资性收入": "wage",
            "生产经营性收入": "business",
            "财产性收入": "property_income",
            "转移性收入": "transfer",
            "生产经营性支出": "business_cost",
        },
        when=_net_differs,
        needs_year=True,
        note="最近收入年度；相差超过数据质量参数中的容差（默认 1 元）",
    ),
    Rule(
        "4_01_020",
        "人均纯收入与家庭纯收入除以人口不符",
        TOPIC,
        "错误",
        COUNTY,
        HOUSEHOLD,
        "户 {户编号} {年度} 年人均纯收入 {人均纯收入} 元 × 计算人口 {计算人口数} 人，与家庭纯收入 {家庭纯收入} 元不符",
        {
            "户编号": NO,
            "年度": YEAR,
            "人均纯收入": PER_CAPITA,
            "计算人口数": "household_size",
            "家庭纯收入": "net_income",
        },
        when=_per_capita_differs,
        needs_year=True,
    ),
    Rule(
        "4_02_010",
        "有务工人员但工资性收入为零",
        TOPIC,
        "疑点",
        TOWNSHIP,
        HOUSEHOLD,
        "户 {户编号} 有 {务工人数} 人务工或在公益性岗位，{年度} 年工资性收入却为 0",
        {"户编号": NO, "务工人数": "working", "年度": YEAR},
        when=lambda p: "working > 0 AND wage = 0",
        needs_year=True,
        note="务工：是否已务工为是、务工时间大于 0 或有公益性岗位",
    ),
    Rule(
        "4_03_010",
        "人均纯收入不增反降且未纳入监测",
        TOPIC,
        "疑点",
        TOWNSHIP,
        HOUSEHOLD,
        "户 {户编号} {年度} 年人均纯收入 {人均纯收入} 元，比上年 {上年人均纯收入} 元下降超过 {降幅}，尚无监测线索",
        {
            "户编号": NO,
            "年度": YEAR,
            "人均纯收入": PER_CAPITA,
            "上年人均纯收入": "prev_per_capita",
            "降幅": Figure("pk", _drop),
        },
        when=_dropped,
        needs_year=True,
        note="降幅见数据质量参数（默认 30%）；没有进行中的监测记录",
    ),
    Rule(
        "4_04_010",
        "脱贫户人均纯收入低于监测线且未纳入监测",
        TOPIC,
        "错误",
        COUNTY,
        HOUSEHOLD,
        "脱贫户 {户编号} {年度} 年人均纯收入 {人均纯收入} 元，低于监测线 {监测线} 元，尚未纳入监测",
        {"户编号": NO, "年度": YEAR, "人均纯收入": PER_CAPITA, "监测线": Figure("pk", _line)},
        when=lambda p: f"household_type = '{LIFTED}' AND per_capita < {_number(p.line)} AND case_id IS NULL",
        needs_year=True,
        needs_line=True,
    ),
    Rule(
        "4_11_010",
        "风险消除时人均纯收入低于监测线",
        TOPIC,
        "错误",
        COUNTY,
        CASE,
        "户 {户编号} {消除年度} 年风险消除，当年人均纯收入 {人均纯收入} 元低于监测线 {监测线} 元",
        {
            "户编号": "household__household_no",
            "消除年度": "elimination_year",
            "人均纯收入": "elimination_per_capita",
            "监测线": "elimination_line",
        },
        when=lambda p: Q(elimination_per_capita__lt=F("elimination_line")),
        note="已消除风险的监测记录；消除当年的收入记录与当年监测线",
    ),
]
