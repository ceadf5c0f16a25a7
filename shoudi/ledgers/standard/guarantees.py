"""The standard ledgers of the guarantees (items 6–10): 控辍保学, 参保, 住房安全, 饮水安全, 兜底保障."""

from __future__ import annotations

from collections import defaultdict
from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q

from shoudi.assistance import choices as ac
from shoudi.assistance.models import GuaranteeProblem
from shoudi.monitoring.policy import school_age_rule
from shoudi.registry.models import Household, Member

from ..definitions import Column, Filter, LedgerDefinition, Lookup
from .parts import (
    CADRE,
    CASE,
    DIBAO,
    HEAD,
    NOT_IN_SCHOOL,
    NOTHING,
    TEKUN,
    age,
    cadre_columns,
    case_column,
    disability,
    disability_grade,
    head_columns,
    household_columns,
    household_type_filter,
    in_register,
    measures_of,
    monitored_filter,
    person_columns,
    place,
    problems_of,
    reference_date,
    seq,
    value_of,
)

__all__ = ["DEFINITIONS"]

# --- 6. 控辍保学台账 --------------------


def _school_age_rules(ctx) -> dict:
    """County code → the school-age rule in force there on the reference date (监测参数)."""
    day = ctx.params["reference"]
    return ctx.memo(f"school-age-{day}", lambda: {code: school_age_rule(code, day) for code in ctx.counties() or [""]})


def _school_age_not_in_school(ctx):
    day = ctx.params["reference"]
    by_rule = defaultdict(list)
    for county, rule in _school_age_rules(ctx).items():
        by_rule[rule].append(county)
    ages = NOTHING
    for rule, counties in by_rule.items():
        born_after, born_by = rule.birth_bounds(day)
        q = Q(birth_date__gt=born_after, birth_date__lte=born_by)
        if len(by_rule) > 1:  # counties with rules of their own: each county's children by its rule
            q &= reduce(or_, (Q(household__village__code__startswith=county) for county in counties))
        ages |= q
    return Q(status="正常", student_status__in=NOT_IN_SCHOOL) & ages


def _school_age(row, ctx):
    rules = _school_age_rules(ctx)
    rule = rules.get(row["household__village__code"][:6]) or next(iter(rules.values()))
    return rule.age(row["birth_date"], ctx.params["reference"])


def _dropout_note(ctx) -> str:
    rules = set(_school_age_rules(ctx).values())
    what = next(iter(rules)).describe() if len(rules) == 1 else "按学年计算，各县按本县监测参数的学龄截止日和年龄"
    return f"口径：{what}；在校生状况为空、学龄前儿童或学前教育"


DROPOUT_LEDGER = LedgerDefinition(
    code="dropout",
    title="控辍保学台账",
    description=(
        "义务教育阶段适龄儿童少年（按学年计算，默认当学年8月31日前满6周岁至16周岁）中在校生状况为空或学龄前的，"
        "含未上学原因"
    ),
    model=Member,
    unit="人",
    columns=(
        seq(),
        *place(),
        *household_columns(),
        *head_columns(id_number=False),
        *person_columns(),
        Column("birth_date", "出生日期", "birth_date", kind="birth_date"),
        Column("age", "年龄（周岁）", age, kind="int", fields=("birth_date",), width=7),
        Column(
            "school_age",
            "学年年龄（周岁）",
            _school_age,
            kind="int",
            fields=("birth_date", "household__village__code"),
            width=8,
        ),
        Column("student_status", "在校生状况", "student_status", width=12),
        Column("out_of_school_reason", "义务教育阶段未上学原因", "out_of_school_reason", width=22),
        Column("health", "健康状况", "health", kind="health", width=12),
        Column("disability", "残疾类别", disability, fields=("disability_category",), width=8),
        case_column(default=False),
        *cadre_columns(default=False),
    ),
    params=(reference_date(),),
    base=_school_age_not_in_school,
    filters=(
        Filter("no_reason", "仅未说明未上学原因的", lambda ctx, v: Q(out_of_school_reason="")),
        household_type_filter(),
    ),
    order_by=("household__village__code", "household__household_no", "id"),
    lookups={"head": HEAD, "case": CASE, "cadre": CADRE},
    note=_dropout_note,
)


# --- 7. 参保台账 --------------------

INSURANCE_LEDGER = LedgerDefinition(
    code="insurance",
    title="参保台账",
    description="未参加基本医疗保险的人员（城乡居民医保和职工医保均未参加或未填写）",
    model=Member,
    unit="人",
    columns=(
        seq(),
        *place(),
        *household_columns(),
        case_column(),
        *person_columns(),
        Column("age", "年龄（周岁）", age, kind="int", fields=("birth_date",), width=7),
        Column("resident_medical", "城乡居民基本医疗保险", "resident_medical", kind="bool", width=11),
        Column("employee_medical", "城镇职工基本医疗保险", "employee_medical", kind="bool", width=11),
        Column("critical_illness", "大病保险", "critical_illness", kind="bool"),
        Column("medical_aid", "医疗救助", "medical_aid", kind="bool"),
        Column("dibao", "享受低保政策情况", "dibao", width=10, default=False),
        Column("tekun", "享受特困供养政策情况", "tekun", width=10, default=False),
        Column("health", "健康状况", "health", kind="health", width=12),
        Column("status", "人员状态", "status", width=8, default=False),
    ),
    base=lambda ctx: ~Q(resident_medical=True) & ~Q(employee_medical=True),
    filters=(in_register(), household_type_filter(), monitored_filter()),
    order_by=("household__village__code", "household__household_no", "id"),
    lookups={"case": CASE},
    note=lambda ctx: "口径：城乡居民基本医疗保险、城镇职工基本医疗保险均不为“是”",
)


# --- 8./9. 住房安全台账、饮水安全台账 --------------------


def _open_problem(kind: str):
    def q(ctx, value):
        return Exists(GuaranteeProblem.objects.filter(household=OuterRef("pk"), kind=kind, resolved_on__isnull=True))

    return q


def guarantee_ledger(
    *, code: str, title: str, what: str, secure: str, checked: str, problem: str, measure: str
) -> LedgerDefinition:
    return LedgerDefinition(
        code=code,
        title=title,
        description=f"脱贫户和监测对象{what}：核查结论为不安全或有未解决的{what}问题的户，含问题和帮扶措施",
        model=Household,
        unit="户",
        columns=(
            seq(),
            *place(""),
            *household_columns(""),
            *head_columns(),
            case_column(),
            Column(secure, f"{what}（核查结论）", secure, kind="bool", width=10),
            Column(checked, "核查日期", checked, kind="date"),
            Column("problems", f"未解决的{what}问题", value_of("problems"), lookups=("problems",), width=30),
            Column("measures", f"{measure}措施", value_of("measures"), lookups=("measures",), width=24),
            *cadre_columns(details=False),
        ),
        filters=(
            Filter(
                "unsafe", f"{what}核查结论为不安全", lambda ctx, v: Q(**{secure: False}), default=True, group="which"
            ),
            Filter("problem", f"有未解决的{what}问题", _open_problem(problem), default=True, group="which"),
            Filter("unchecked", f"尚未核查{what}", lambda ctx, v: Q(**{f"{secure}__isnull": True}), group="which"),
            household_type_filter(""),
        ),
        order_by=("village__code", "household_no"),
        household="",
        lookups={
            "head": HEAD,
            "case": CASE,
            "cadre": CADRE,
            "problems": Lookup("assistance.guaranteeproblem", problems_of(problem)),
            "measures": Lookup("assistance.measure", measures_of(measure)),
        },
    )


HOUSING_LEDGER = guarantee_ledger(
    code="housing",
    title="住房安全台账",
    what="住房安全",
    secure="housing_secure",
    checked="housing_checked_on",
    problem=ac.CHECKLIST["housing_ok"],
    measure="住房安全保障",
)
WATER_LEDGER = guarantee_ledger(
    code="water",
    title="饮水安全台账",
    what="饮水安全",
    secure="water_secure",
    checked="water_checked_on",
    problem=ac.CHECKLIST["water_ok"],
    measure="饮水安全保障",
)


# --- 10. 兜底保障台账 --------------------

WELFARE_LEDGER = LedgerDefinition(
    code="welfare",
    title="兜底保障台账",
    description="享受低保、特困供养的人员，残疾人，整户无劳动能力兜底保障户成员：应保尽保落实情况",
    model=Member,
    unit="人",
    columns=(
        seq(),
        *place(),
        *household_columns(),
        case_column(),
        *person_columns(),
        Column("age", "年龄（周岁）", age, kind="int", fields=("birth_date",), width=7),
        Column("dibao", "享受低保政策情况", "dibao", width=10),
        Column("tekun", "享受特困供养政策情况", "tekun", width=10),
        Column("disability", "残疾类别", disability, fields=("disability_category",), width=8),
        Column("disability_grade", "残疾等级", disability_grade, fields=("disability_grade",), width=8),
        Column("health", "健康状况", "health", kind="health", width=12),
        Column("labour_skill", "劳动技能", "labour_skill", width=12),
        Column(
            "no_labour_guarantee", "整户无劳动能力兜底保障户", "household__no_labour_guarantee", kind="bool", width=12
        ),
        Column("measures", "综合保障措施", value_of("measures"), lookups=("measures",), width=24),
    ),
    filters=(
        in_register(),
        Filter("dibao", "享受低保", lambda ctx, v: Q(dibao__in=DIBAO), default=True, group="kind"),
        Filter("tekun", "享受特困供养", lambda ctx, v: Q(tekun__in=TEKUN), default=True, group="kind"),
        Filter(
            "disabled",
            "残疾人",
            lambda ctx, v: ~Q(disability_category="") | Q(health__contains="残疾"),
            default=True,
            group="kind",
        ),
        Filter(
            "no_labour",
            "整户无劳动能力兜底保障户",
            lambda ctx, v: Q(household__no_labour_guarantee=True),
            default=True,
            group="kind",
        ),
        household_type_filter(),
    ),
    order_by=("household__village__code", "household__household_no", "id"),
    lookups={"case": CASE, "measures": Lookup("assistance.measure", measures_of("综合保障"))},
)

DEFINITIONS = (DROPOUT_LEDGER, INSURANCE_LEDGER, HOUSING_LEDGER, WATER_LEDGER, WELFARE_LEDGER)
