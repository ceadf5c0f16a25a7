"""劳动力与教育: students with work, labour skill against schooling and health, the grade against the age, 文化程度 of
a pupil, and school-age children out of school without a reason (控辍保学)."""

from __future__ import annotations

from django.db.models import Q

from ..passes import IN_SCHOOL_EXCLUDED
from .base import MEMBER, TOWNSHIP, Figure, Params, Rule
from .identity import gross_age_mismatch

TOPIC = "劳动力与教育"
NO_LABOUR = ("无劳动力", "丧失劳动力")

# 在校生状况 → the school-year ages (age on the cut-off day) of a pupil who started on time and never repeated
GRADE_AGES: dict[str, tuple[int, int]] = {
    "小学": (6, 11),
    "七年级": (12, 12),
    "八年级": (13, 13),
    "九年级": (14, 14),
    **{f"普通高中{g}年级": (15 + i, 15 + i) for i, g in enumerate("一二三")},
    **{f"中职{g}年级": (15 + i, 15 + i) for i, g in enumerate("一二三")},
    **{f"高职高专{g}年级": (18 + i, 18 + i) for i, g in enumerate("一二三")},
    **{f"技师学院{g}年级": (15 + i, 15 + i) for i, g in enumerate("一二三四")},
    **{f"本科{g}年级": (18 + i, 18 + i) for i, g in enumerate("一二三四五")},
}
COMPULSORY = ("小学", "七年级", "八年级", "九年级")  # 义务教育阶段的在校生状况
EARLY, LATE = 1, 2  # a year early, two late (a late start, a repeated year) still fit


def in_school() -> Q:
    return ~Q(student_status__in=IN_SCHOOL_EXCLUDED)


def _age(born, params: Params):
    return params.age(born)


def _school_age(born, params: Params):
    return params.school_age(born)


def _grade_mismatch(params: Params) -> Q:
    cutoff = params.cutoff
    out = Q()
    for status, (youngest, oldest) in GRADE_AGES.items():
        too_young = Q(birth_date__gt=params.born_by(youngest - EARLY, cutoff))
        too_old = Q(birth_date__lte=params.born_after(oldest + LATE, cutoff))
        out |= Q(student_status=status) & (too_young | too_old)
    return (
        ~Q(student_status="") & out & Q(birth_date__isnull=False) & ~gross_age_mismatch(params)
    )  # that one is the ID's (1_02_010)


def _school_age_out_of_school(params: Params) -> Q:
    born_after, born_by = params.school.birth_bounds(params.today)
    return Q(
        birth_date__gt=born_after,
        birth_date__lte=born_by,
        student_status__in=IN_SCHOOL_EXCLUDED,
        out_of_school_reason="",
    )


def _working_age(params: Params) -> Q:
    settings = params.settings
    return Q(birth_date__lte=params.born_by(settings.working_age_min)) & Q(
        birth_date__gt=params.born_after(settings.working_age_max)
    )


NAME = "name"

RULES = [
    Rule(
        "3_01_010",
        "在校生有务工信息",
        TOPIC,
        "错误",
        TOWNSHIP,
        MEMBER,
        "{姓名}是在校生（{在校生状况}），却登记为已务工（务工 {务工月数} 个月）",
        {"姓名": NAME, "在校生状况": "student_status", "务工月数": "work_months"},
        when=lambda p: (Q(employed=True) | Q(work_months__gt=0)) & in_school(),
    ),
    Rule(
        "3_01_020",
        "劳动年龄内健康非在校生为无劳动力",
        TOPIC,
        "疑点",
        TOWNSHIP,
        MEMBER,
        "{姓名}{年龄} 岁、健康、不在校，劳动技能却是“{劳动技能}”",
        {"姓名": NAME, "年龄": Figure("birth_date", _age), "劳动技能": "labour_skill"},
        when=lambda p: Q(labour_skill__in=NO_LABOUR) & Q(student_status="", health="健康") & _working_age(p),
        note="年龄按今天计算，范围见数据质量参数（默认 16–60 周岁）",
    ),
    Rule(
        "3_01_030",
        "在校生劳动技能不是无劳动力",
        TOPIC,
        "错误",
        TOWNSHIP,
        MEMBER,
        "{姓名}是在校生（{在校生状况}），劳动技能应为“无劳动力”，现为“{劳动技能}”",
        {"姓名": NAME, "在校生状况": "student_status", "劳动技能": "labour_skill"},
        when=lambda p: in_school() & ~Q(labour_skill="无劳动力"),
    ),
    Rule(
        "3_02_010",
        "在校年级与年龄不符",
        TOPIC,
        "疑点",
        TOWNSHIP,
        MEMBER,
        "{姓名}本学年 {学年年龄} 岁，在校生状况为“{在校生状况}”，与年龄不符",
        {"姓名": NAME, "学年年龄": Figure("birth_date", _school_age), "在校生状况": "student_status"},
        when=_grade_mismatch,
        note="年龄按学年截止日计算；比按时入学的年龄小 1 岁以上或大 2 岁以上",
    ),
    Rule(
        "3_02_020",
        "义务教育在校生填写了文化程度",
        TOPIC,
        "提示",
        TOWNSHIP,
        MEMBER,
        "{姓名}是义务教育阶段在校生（{在校生状况}），文化程度应为空，现为“{文化程度}”",
        {"姓名": NAME, "在校生状况": "student_status", "文化程度": "education"},
        when=lambda p: Q(student_status__in=COMPULSORY) & ~Q(education=""),
        note="在校生状况为小学至九年级",
    ),
    Rule(
        "3_02_030",
        "义务教育适龄儿童未在校且无未上学原因",
        TOPIC,
        "错误",
        TOWNSHIP,
        MEMBER,
        "{姓名}本学年 {学年年龄} 岁，属义务教育适龄，在校生状况为“{在校生状况}”，未填写未上学原因",
        {"姓名": NAME, "学年年龄": Figure("birth_date", _school_age), "在校生状况": "student_status"},
        when=_school_age_out_of_school,
        note="适龄范围按监测参数的控辍保学年龄和学龄截止日",
    ),
]
