"""动态监测: an elimination sooner after identification than the minimum months, and risk types the members
contradict (缺劳动力 while most can work, 因务工就业不稳 with nobody working)."""

from __future__ import annotations

from django.db.models import Q

from ..household_pass import risk
from .base import CASE, HOUSEHOLD, TOWNSHIP, Figure, Params, Rule

TOPIC = "动态监测"


def _min_months(value, params: Params):
    return params.min_months


RULES = [
    Rule(
        "8_01_010",
        "风险消除距识别不足最短监测期",
        TOPIC,
        "错误",
        TOWNSHIP,
        CASE,
        "户 {户编号} {识别时间} 识别、{消除时间} 风险消除，只监测了 {监测月数} 个月，不足 {最短月数} 个月",
        {
            "户编号": "household__household_no",
            "识别时间": "identified_on",
            "消除时间": "eliminated_on",
            "监测月数": "months",
            "最短月数": Figure("pk", _min_months),
        },
        when=lambda p: Q(months__lt=p.min_months),
        note="最短月数见监测参数“识别后最短监测月数”",
    ),
    Rule(
        "8_02_010",
        "缺劳动力风险但多数成员有劳动能力",
        TOPIC,
        "疑点",
        TOWNSHIP,
        HOUSEHOLD,
        "户 {户编号} 的监测风险含“缺劳动力”，家庭成员 {成员数} 人中 {劳动力人数} 人为普通或技能劳动力",
        {"户编号": "household_no", "成员数": "n_members", "劳动力人数": "able"},
        when=lambda p: f"{risk('缺劳动力')} AND able * 2 > n_members",
        note="进行中的监测记录；普通劳动力、技能劳动力过半",
    ),
    Rule(
        "8_02_020",
        "因务工就业不稳风险但无务工成员",
        TOPIC,
        "疑点",
        TOWNSHIP,
        HOUSEHOLD,
        "户 {户编号} 的监测风险含“因务工就业不稳”，家庭成员 {成员数} 人中却无人务工",
        {"户编号": "household_no", "成员数": "n_members"},
        when=lambda p: f"{risk('因务工就业不稳')} AND working = 0",
        note="务工：是否已务工为是、务工时间大于 0 或有公益性岗位",
    ),
]
