"""The standard ledgers of the cases and the assistance (S000 附件1/2, items 1–5): 监测对象, 脱贫户, 结对帮扶,
帮扶措施, 走访.
"""

from __future__ import annotations

import datetime

from django.db.models import Q

from shoudi.assistance import choices as ac
from shoudi.assistance.models import Measure, Pairing, Visit
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.models import Member

from ..definitions import Column, Filter, LedgerDefinition, Param
from .parts import (
    CADRE,
    CASE,
    HEAD,
    LAST_VISIT,
    MEASURES,
    cadre_columns,
    case_column,
    head_columns,
    household_columns,
    household_type_filter,
    in_register,
    measure_columns,
    measure_status_filter,
    monitored_filter,
    not_ended,
    person_columns,
    place,
    seq,
    value_of,
)

__all__ = ["DEFINITIONS"]

# --- 1. 监测对象台账 --------------------


def _risks(row, ctx):
    return "、".join(row["risk_types"] or ()) or None


def _step(row, ctx):
    return mc.STEP_LABELS.get((row["chain"], row["step"])) or dict(mc.STEPS).get(row["step"], row["step"])


def _eliminated_filter(ctx, value):
    return Q(step=mc.ELIMINATED) if value == "yes" else ~Q(step=mc.ELIMINATED)


MONITORING_LEDGER = LedgerDefinition(
    code="monitoring",
    title="监测对象台账",
    description="“三类人员”监测和帮扶台账：类别、风险、识别程序各环节日期、风险消除、帮扶干部和帮扶措施",
    model=MonitoringCase,
    unit="户",
    columns=(
        seq(),
        *place(),
        *household_columns(),
        *head_columns(),
        Column("category", "监测对象类别", "category", width=14),
        Column("risks", "致贫/返贫风险", _risks, fields=("risk_types",), width=18),
        Column("source", "发现方式", "source", width=12),
        Column("clue_date", "线索日期", "clue_date", kind="date"),
        Column("publicity_start", "公示开始", "publicity_start", kind="date"),
        Column("publicity_end", "公示结束", "publicity_end", kind="date"),
        Column("identified_on", "识别监测时间", "identified_on", kind="date"),
        Column("step", "当前环节", _step, fields=("chain", "step"), width=14),
        Column(
            "eliminated", "风险是否已消除", lambda row, ctx: row["step"] == mc.ELIMINATED, kind="bool", fields=("step",)
        ),
        Column("elimination_type", "风险消除方式", "elimination_type", width=10),
        Column("eliminated_on", "风险消除时间", "eliminated_on", kind="date"),
        *cadre_columns(),
        Column("measures", "帮扶措施", value_of("measures"), lookups=("measures",), width=40),
        Column("last_visit", "最近走访日期", value_of("visit"), kind="date", lookups=("visit",), default=False),
    ),
    filters=(
        Filter("identified", "仅已纳入监测（含已消除）", lambda ctx, v: Q(identified_on__isnull=False), default=True),
        Filter("eliminated", "风险是否已消除", _eliminated_filter, choices=(("no", "未消除"), ("yes", "已消除"))),
        Filter("category", "监测对象类别", lambda ctx, v: Q(category=v), choices=tuple(mc.CATEGORIES)),
        household_type_filter(),
    ),
    order_by=("household__village__code", "household__household_no", "clue_date", "id"),
    lookups={"head": HEAD, "cadre": CADRE, "measures": MEASURES, "visit": LAST_VISIT},
)


# --- 2. 脱贫户台账 --------------------

LIFTED_LEDGER = LedgerDefinition(
    code="lifted",
    title="脱贫户台账",
    description="脱贫户家庭成员花名册（一人一行，户信息重复），含健康、劳动力、务工和监测情况",
    model=Member,
    unit="人",
    columns=(
        seq(),
        *place(),
        Column("household_no", "户编号", "household__household_no", kind="code"),
        Column("lifted_year", "脱贫年度", "household__lifted_year", kind="int", width=7),
        Column("size", "家庭人口数", "household__size", kind="int", width=7),
        Column("household_phone", "户联系电话", "household__phone", kind="phone", mask_model="registry.household"),
        *person_columns(),
        Column("birth_date", "出生日期", "birth_date", kind="birth_date", default=False),
        Column("ethnicity", "民族", "ethnicity", width=8, default=False),
        Column("education", "文化程度", "education", width=10, default=False),
        Column("student_status", "在校生状况", "student_status", width=12),
        Column("health", "健康状况", "health", kind="health", width=12),
        Column("labour_skill", "劳动技能", "labour_skill", width=12),
        Column("employed", "是否务工", "employed", kind="bool"),
        Column("work_place", "务工所在地", "work_place", width=14),
        Column("work_months", "务工时间（月）", "work_months", kind="int", default=False),
        Column("public_welfare_job", "公益性岗位", "public_welfare_job", width=10, default=False),
        Column("phone", "本人联系电话", "phone", kind="phone", default=False),
        case_column(),
        *cadre_columns(default=False),
    ),
    filters=(
        in_register(),
        Filter("heads_only", "仅列户主（一户一行）", lambda ctx, v: Q(relation="户主")),
        monitored_filter(),
    ),
    base=lambda ctx: Q(household__household_type="脱贫户"),
    order_by=("household__village__code", "household__household_no", "id"),
    lookups={"case": CASE, "cadre": CADRE},
)


# --- 3. 结对帮扶台账 --------------------

PAIRING_LEDGER = LedgerDefinition(
    code="pairing",
    title="结对帮扶台账",
    description="脱贫户和“三类人员”结对帮扶干部安排：干部、单位、职务、联系电话、结对日期、最近走访",
    model=Pairing,
    unit="户",
    columns=(
        seq(),
        *place(group=False),
        *household_columns(),
        *head_columns(id_number=False),
        case_column(),
        Column("cadre_name", "帮扶干部", "cadre__name", width=9),
        Column("cadre_unit", "单位", "cadre__unit", width=18),
        Column("cadre_position", "职务", "cadre__position", width=10),
        Column("cadre_phone", "干部联系电话", "cadre__phone", kind="phone", mask_model="assistance.cadre"),
        Column("start_date", "结对日期", "start_date", kind="date"),
        Column("end_date", "结束日期", "end_date", kind="date", default=False),
        Column("reason", "结对/调整原因", "reason", width=16),
        Column("last_visit", "最近走访日期", value_of("visit"), kind="date", lookups=("visit",)),
    ),
    filters=(
        Filter("current", "仅当前结对", lambda ctx, v: Q(end_date__isnull=True), default=True),
        household_type_filter(),
    ),
    order_by=("household__village__code", "household__household_no", "start_date", "id"),
    lookups={"head": HEAD, "case": CASE, "visit": LAST_VISIT},
)


MEASURES_LEDGER = LedgerDefinition(
    code="measures",
    title="帮扶措施台账",
    description="每户的帮扶措施：类别、项目、内容、金额、责任部门、计划和落实日期、状态",
    model=Measure,
    unit="条",
    columns=(
        seq(),
        *place(group=False),
        *household_columns(phone=False, size=False),
        *head_columns(id_number=False),
        case_column(),
        *measure_columns(),
    ),
    filters=(
        not_ended(),
        measure_status_filter(),
        Filter("category", "措施类别", lambda ctx, v: Q(category=v), choices=tuple(ac.CATEGORY_CHOICES)),
        household_type_filter(),
    ),
    order_by=("household__village__code", "household__household_no", "id"),
    lookups={"head": HEAD, "case": CASE},
)


# --- 5. 走访台账 --------------------


def _in_year(ctx, value):
    year = ctx.params["year"]
    return Q(visited_on__gte=datetime.date(year, 1, 1), visited_on__lte=datetime.date(year, 12, 31))


VISITS_LEDGER = LedgerDefinition(
    code="visits",
    title="走访台账",
    description="帮扶干部入户、电话、微信走访记录和“两不愁三保障”及饮水安全核查结果",
    model=Visit,
    unit="次",
    columns=(
        seq(),
        *place(group=False),
        *household_columns(phone=False, size=False),
        *head_columns(id_number=False),
        case_column(),
        Column("visited_on", "走访日期", "visited_on", kind="date"),
        Column("kind", "方式", "kind", width=6),
        Column("visitor", "走访人", "visitor", width=9),
        Column("cadre", "帮扶干部", "cadre__name", width=9, default=False),
        Column("content", "走访内容", "content", width=36),
        *(Column(key, label, key, kind="bool", width=10) for key, label in ac.CHECKLIST.items()),
    ),
    params=(Param("year", "年度", "year", lambda ctx: ctx.today.year),),
    filters=(
        Filter("in_year", "仅统计年度内的走访", _in_year, default=True),
        Filter("kind", "走访方式", lambda ctx, v: Q(kind=v), choices=tuple(ac.VISIT_KINDS)),
    ),
    order_by=("household__village__code", "household__household_no", "visited_on", "id"),
    lookups={"head": HEAD, "case": CASE},
)

DEFINITIONS = (MONITORING_LEDGER, LIFTED_LEDGER, PAIRING_LEDGER, MEASURES_LEDGER, VISITS_LEDGER)
