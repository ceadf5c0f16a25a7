"""家庭结构: the 户主 count, 户主 and 配偶 of the same sex, more than one 配偶, 家庭人口数 against the members, and
relations against age (a 之子 older than the 户主, a 之父 younger)."""

from __future__ import annotations

from .base import HOUSEHOLD, TOWNSHIP, Figure, Params, Rule

TOPIC = "家庭结构"


def _year(born, params: Params):
    return born.year if born else ""


RULES = [
    Rule(
        "2_01_010",
        "户主人数不是一人",
        TOPIC,
        "错误",
        TOWNSHIP,
        HOUSEHOLD,
        "户 {户编号} 有 {户主人数} 名户主（家庭成员 {成员数} 人），每户应有且只有一名户主",
        {"户编号": "household_no", "户主人数": "heads", "成员数": "n_members"},
        when=lambda p: "n_members > 0 AND heads <> 1",
        note="状态正常的家庭成员中与户主关系为“户主”的人数",
    ),
    Rule(
        "2_01_020",
        "户主与配偶性别相同",
        TOPIC,
        "错误",
        TOWNSHIP,
        HOUSEHOLD,
        "户 {户编号} 的户主{户主}与配偶性别相同（按证件号码）",
        {"户编号": "household_no", "户主": "head_name"},
        when=lambda p: "(head_male > 0 AND spouse_male > 0) OR (head_female > 0 AND spouse_female > 0)",
    ),
    Rule(
        "2_01_030",
        "配偶多于一人",
        TOPIC,
        "错误",
        TOWNSHIP,
        HOUSEHOLD,
        "户 {户编号} 登记了 {配偶人数} 名配偶",
        {"户编号": "household_no", "配偶人数": "spouses"},
        when=lambda p: "spouses > 1",
    ),
    Rule(
        "2_01_040",
        "家庭人口数与家庭成员数不符",
        TOPIC,
        "错误",
        TOWNSHIP,
        HOUSEHOLD,
        "户 {户编号} 的家庭人口数为 {家庭人口数}，状态正常的家庭成员却有 {成员数} 人",
        {"户编号": "household_no", "家庭人口数": "size", "成员数": "n_members"},
        when=lambda p: "size IS NOT NULL AND size <> n_members",
    ),
    Rule(
        "2_02_010",
        "子女辈年龄大于户主",
        TOPIC,
        "疑点",
        TOWNSHIP,
        HOUSEHOLD,
        "户 {户编号} 的子女辈成员最早 {子女出生年份} 年出生，早于户主{户主}（{户主出生年份} 年）",
        {
            "户编号": "household_no",
            "户主": "head_name",
            "子女出生年份": Figure("eldest_child_birth", _year),
            "户主出生年份": Figure("head_birth", _year),
        },
        when=lambda p: "eldest_child_birth < head_birth",
        note="之子、之女、孙辈、曾孙辈的出生日期早于户主（按证件号码）",
    ),
    Rule(
        "2_02_020",
        "父母辈年龄小于户主",
        TOPIC,
        "疑点",
        TOWNSHIP,
        HOUSEHOLD,
        "户 {户编号} 的父母辈成员最晚 {父母出生年份} 年出生，晚于户主{户主}（{户主出生年份} 年）",
        {
            "户编号": "household_no",
            "户主": "head_name",
            "父母出生年份": Figure("youngest_parent_birth", _year),
            "户主出生年份": Figure("head_birth", _year),
        },
        when=lambda p: "youngest_parent_birth > head_birth",
        note="之父、之母、岳父母、公婆、祖辈的出生日期晚于户主",
    ),
]
