"""The standard ledgers of the support measures (items 11–14): 易地搬迁, 公益性岗位, 小额信贷, 雨露计划."""

from __future__ import annotations

from django.db.models import Q

from shoudi.assistance.models import Measure
from shoudi.registry.models import Household, Member

from ..definitions import Column, LedgerDefinition, Lookup
from .parts import (
    CADRE,
    CASE,
    HEAD,
    age,
    cadre_columns,
    case_column,
    employed_counts,
    head_columns,
    household_columns,
    household_type_filter,
    in_register,
    measure_status_filter,
    measures_of,
    not_ended,
    person_columns,
    place,
    seq,
    value_of,
    vocational_students,
)

__all__ = ["DEFINITIONS"]

# --- 11. 易地搬迁台账 --------------------

RELOCATION_LEDGER = LedgerDefinition(
    code="relocation",
    title="易地搬迁台账",
    description="易地扶贫搬迁户：安置区、人口、务工人数、监测情况、后续扶持措施",
    model=Household,
    unit="户",
    columns=(
        seq(),
        *place(""),
        *household_columns(""),
        *head_columns(),
        Column("lifted_year", "脱贫年度", "lifted_year", kind="int", width=7),
        Column("resettlement_site", "安置区", "resettlement_site__name", width=18),
        case_column(),
        Column(
            "employed", "务工人数", lambda row, ctx: row["employed"] or 0, kind="int", lookups=("employed",), total=True
        ),
        Column("measures", "后续扶持措施", value_of("measures"), lookups=("measures",), width=24),
        *cadre_columns(details=False),
    ),
    base=lambda ctx: Q(relocated=True),
    filters=(household_type_filter(""),),
    order_by=("village__code", "household_no"),
    household="",
    lookups={
        "head": HEAD,
        "case": CASE,
        "cadre": CADRE,
        "employed": Lookup("registry.member", employed_counts),
        "measures": Lookup("assistance.measure", measures_of("搬迁")),
    },
)


# --- 12. 公益性岗位清单 --------------------


def _contact(row, ctx):
    return row["phone"] or row["household__phone"] or None


PUBLIC_JOBS_LEDGER = LedgerDefinition(
    code="public-jobs",
    title="公益性岗位清单",
    description="在公益性岗位就业的人员：岗位、劳动技能、健康状况、联系电话",
    model=Member,
    unit="人",
    columns=(
        seq(),
        *place(),
        *household_columns(phone=False),
        case_column(),
        *person_columns(relation=False),
        Column("age", "年龄（周岁）", age, kind="int", fields=("birth_date",), width=7),
        Column("public_welfare_job", "公益性岗位", "public_welfare_job", width=12),
        Column("labour_skill", "劳动技能", "labour_skill", width=12),
        Column("health", "健康状况", "health", kind="health", width=12),
        Column("contact", "联系电话", _contact, kind="phone", fields=("phone", "household__phone")),
        Column("measures", "公益岗位帮扶措施", value_of("measures"), lookups=("measures",), width=24, default=False),
    ),
    base=lambda ctx: ~Q(public_welfare_job__in=("", "否", "无")),
    filters=(in_register(), household_type_filter()),
    order_by=("household__village__code", "household__household_no", "id"),
    lookups={"case": CASE, "measures": Lookup("assistance.measure", measures_of("公益岗位帮扶"))},
)


# --- 13./14. 小额信贷清单、雨露计划清单 --------------------

MICROCREDIT_LEDGER = LedgerDefinition(
    code="microcredit",
    title="小额信贷清单",
    description="脱贫户和监测对象小额信贷：贷款内容、金额、放贷部门、发放日期，按村小计",
    model=Measure,
    unit="笔",
    columns=(
        seq(),
        *place(group=False),
        *household_columns(size=False),
        *head_columns(),
        case_column(),
        Column("content", "贷款内容（用途）", "content", width=28),
        Column("amount", "贷款金额（元）", "amount", kind="money", total=True),
        Column("department", "放贷机构/责任部门", "department", width=14),
        Column("planned_on", "计划日期", "planned_on", kind="date", default=False),
        Column("implemented_on", "发放日期", "implemented_on", kind="date"),
        Column("status", "状态", "status", width=8),
    ),
    base=lambda ctx: Q(category="金融帮扶", sub_item="小额信贷"),
    filters=(not_ended(), measure_status_filter(), household_type_filter()),
    order_by=("household__village__code", "household__household_no", "id"),
    lookups={"head": HEAD, "case": CASE},
    grouped=True,
)

YULU_LEDGER = LedgerDefinition(
    code="yulu",
    title="雨露计划清单",
    description="“雨露计划”资助落实清单：受助家庭、在读中职/高职学生、资助金额和日期",
    model=Measure,
    unit="笔",
    columns=(
        seq(),
        *place(group=False),
        *household_columns(size=False),
        *head_columns(id_number=False),
        case_column(),
        Column("students", "在读学生（中职/高职）", value_of("students"), lookups=("students",), width=24),
        Column("content", "资助内容", "content", width=24),
        Column("amount", "资助金额（元）", "amount", kind="money", total=True),
        Column("implemented_on", "资助日期", "implemented_on", kind="date"),
        Column("status", "状态", "status", width=8),
        Column("department", "责任部门", "department", width=12, default=False),
    ),
    base=lambda ctx: Q(category="其他教育帮扶", sub_item="雨露计划"),
    filters=(not_ended(), measure_status_filter(), household_type_filter()),
    order_by=("household__village__code", "household__household_no", "id"),
    lookups={"head": HEAD, "case": CASE, "students": Lookup("registry.member", vocational_students)},
)

DEFINITIONS = (RELOCATION_LEDGER, PUBLIC_JOBS_LEDGER, MICROCREDIT_LEDGER, YULU_LEDGER)
