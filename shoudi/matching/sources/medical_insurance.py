"""医保: the enrolment list with each person's 合规自付 medical cost.

- 未参保: a 脱贫/监测 person in the registry absent from the enrolment list (or listed as not insured) — S001 item
  17 and S004 (五): every 脱贫人口 is insured.
- 医疗费用高: 合规自付费用 above the line — by default 50 % of last year's rural per-capita disposable income for
  脱贫人口 and 100 % for everybody else (the income and both shares are configuration) → a monitoring clue.
"""

from __future__ import annotations

from shoudi.matching import choices as c

from . import Column, Figure, Rule, Source, id_column, in_registry, name_column

NOT_INSURED = "未参保"
INSURED = "参保"

COLUMNS = (
    id_column("参保人证件号码", "参保人身份证号"),
    name_column(),
    Column(
        "status",
        "参保状态",
        ("参保情况", "是否参保", "缴费状态", "参保缴费状态", "人员参保状态"),
        kind="choice",
        values={
            "参保": INSURED,
            "已参保": INSURED,
            "正常参保": INSURED,
            "参保缴费": INSURED,
            "正常": INSURED,
            "在保": INSURED,
            "已缴费": INSURED,
            "是": INSURED,
            "正常缴费": INSURED,
            "未参保": NOT_INSURED,
            "否": NOT_INSURED,
            "停保": NOT_INSURED,
            "中断": NOT_INSURED,
            "暂停": NOT_INSURED,
            "断保": NOT_INSURED,
            "未缴费": NOT_INSURED,
            "终止": NOT_INSURED,
            "暂停参保": NOT_INSURED,
            "终止参保": NOT_INSURED,
        },
        help="可选；不填则名单中的人员均视为已参保",
    ),
    Column(
        "amount",
        "合规自付费用",
        (
            "合规自付支出",
            "合规自付金额",
            "政策范围内个人自付",
            "政策范围内自付费用",
            "个人自付费用",
            "合规自付费用（元）",
            "合规自付费用(元)",
            "合规自付支出（元）",
            "合规自付支出(元)",
            "自付费用",
            "个人负担",
        ),
        kind="money",
        help="可选；年度累计的合规自付医疗费用（元）",
    ),
    Column("detail", "险种", ("参保险种", "险种类型", "参保类型"), help="可选"),
)

THRESHOLD = "CASE WHEN h_type = '脱贫户' THEN %(medical_lifted)s ELSE %(medical_other)s END"

RULES = (
    Rule(
        "not_insured",
        "脱贫/监测人口未参加基本医疗保险",
        in_registry(f"base = 1 AND m_status = '正常' AND (s_id IS NULL OR s_status = '{NOT_INSURED}')"),
        (Figure("参保名单", f"CASE WHEN s_id IS NULL THEN '名单中无此人' ELSE '{NOT_INSURED}' END"),),
        action=c.MEASURE,
        help="脱贫人口、监测对象应全部参加城乡居民基本医疗保险或职工基本医疗保险；请核实后协助参保。",
        population="m_id IS NOT NULL AND base = 1 AND m_status = '正常'",
        population_label="脱贫/监测人口",
    ),
    Rule(
        "high_medical",
        "合规自付医疗费用超过预警线",
        in_registry(f"s_amount IS NOT NULL AND s_amount > {THRESHOLD}"),
        (
            Figure("合规自付费用", "s_amount", "money"),
            Figure(
                "预警线", "CASE WHEN h_type = '脱贫户' THEN %(medical_lifted_text)s ELSE %(medical_other_text)s END"
            ),
            Figure("人员类别", "CASE WHEN h_type = '脱贫户' THEN '脱贫人口' ELSE '其他人员' END"),
        ),
        action=c.CLUE,
        help="医疗支出较大，有返贫致贫风险；核实属实的提出监测线索（部门筛查预警）。",
    ),
)


def params(settings, period) -> dict:
    lifted, other = settings.medical_threshold_lifted, settings.medical_threshold_other
    return {
        "medical_lifted": lifted,
        "medical_other": other,
        "medical_lifted_text": f"{lifted:.2f}",
        "medical_other_text": f"{other:.2f}",
    }


SOURCE = Source(
    department="medical_insurance",
    title="医保参保及医疗费用名单",
    description="参保名单（可含合规自付费用）：未参保的脱贫/监测人口，合规自付费用超过预警线的人员。",
    columns=COLUMNS,
    rules=RULES,
    params=params,
)
