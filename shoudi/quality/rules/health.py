"""健康与残疾: 残疾 without its category or grade (and the reverse), a 因病 or 因残 risk with nobody ill or disabled,
and members without basic medical insurance."""

from __future__ import annotations

from django.db.models import Q

from ..household_pass import risk
from .base import COUNTY, HOUSEHOLD, MEMBER, TOWNSHIP, Rule

TOPIC = "健康与残疾"
NAME = "name"


def _disabled() -> Q:
    return Q(health__contains="残疾")


RULES = [
    Rule(
        "5_01_010",
        "残疾人未填写残疾类别或等级",
        TOPIC,
        "错误",
        TOWNSHIP,
        MEMBER,
        "{姓名}健康状况为“{健康状况}”，残疾类别“{残疾类别}”、残疾等级“{残疾等级}”应填写完整",
        {"姓名": NAME, "健康状况": "health", "残疾类别": "disability_category", "残疾等级": "disability_grade"},
        when=lambda p: _disabled() & (Q(disability_category="") | Q(disability_grade="")),
    ),
    Rule(
        "5_01_020",
        "填写了残疾类别但健康状况不含残疾",
        TOPIC,
        "疑点",
        TOWNSHIP,
        MEMBER,
        "{姓名}填写了残疾类别“{残疾类别}”，健康状况却是“{健康状况}”",
        {"姓名": NAME, "健康状况": "health", "残疾类别": "disability_category"},
        when=lambda p: ~Q(disability_category="") & ~_disabled(),
    ),
    Rule(
        "5_02_010",
        "因病风险但无患病成员",
        TOPIC,
        "疑点",
        TOWNSHIP,
        HOUSEHOLD,
        "户 {户编号} 的监测风险含“因病”，家庭成员 {成员数} 人中却无长期慢性病或大病患者",
        {"户编号": "household_no", "成员数": "n_members"},
        when=lambda p: f"{risk('因病')} AND ill = 0",
        note="进行中的监测记录的致贫/返贫风险",
    ),
    Rule(
        "5_02_020",
        "因残风险但无残疾成员",
        TOPIC,
        "疑点",
        TOWNSHIP,
        HOUSEHOLD,
        "户 {户编号} 的监测风险含“因残”，家庭成员 {成员数} 人中却无残疾人",
        {"户编号": "household_no", "成员数": "n_members"},
        when=lambda p: f"{risk('因残')} AND disabled = 0",
        note="进行中的监测记录的致贫/返贫风险；残疾人：健康状况含残疾或填写了残疾类别",
    ),
    Rule(
        "5_03_010",
        "未参加基本医疗保险",
        TOPIC,
        "疑点",
        COUNTY,
        MEMBER,
        "{姓名}未参加城乡居民基本医疗保险，也未登记参加城镇职工基本医疗保险",
        {"姓名": NAME},
        when=lambda p: Q(resident_medical=False) & ~Q(employee_medical=True),
        note="“是否参加城乡居民基本医疗保险”为否、“城镇职工基本医疗保险”不为是",
    ),
]
