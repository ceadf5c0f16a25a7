"""卫健: the family-doctor list of chronic patients (慢病签约, S004 (五)): every 脱贫/监测 patient of the four
diseases 高血压, 糖尿病, 结核病 and 严重精神障碍 is signed (应签尽签) and served at least four times a year.

- 慢病患者未签约: a 脱贫/监测 patient of one of the four diseases the list marks as not signed.
- 慢病签约服务不足4次: signed, but fewer than four services this year (3 → a finding, 4 → none). A blank count is
  not read as 0: the rule says nothing until the count is known (an unreadable count is reported with its row).

Another 病种 (冠心病 …) is loaded as written and reported once, never refused; it opens no finding. The list's
latest rows also feed the 慢病签约台账 (ledgers.standard.sectors). A person listed on two rows (two diseases) is
loaded once, like every list's repeated ID; a cell naming several diseases is read by the first it names.
"""

from __future__ import annotations

from shoudi.matching import choices as c

from . import Column, Figure, Rule, Source, id_column, in_registry, name_column

__all__ = ["DISEASES", "MIN_SERVICES", "NOT_SIGNED", "SIGNED", "SOURCE"]

HYPERTENSION, DIABETES, TUBERCULOSIS, MENTAL = "高血压", "糖尿病", "结核病", "严重精神障碍"
DISEASES = (HYPERTENSION, DIABETES, TUBERCULOSIS, MENTAL)
SIGNED, NOT_SIGNED = "已签约", "未签约"
MIN_SERVICES = 4  # 年度服务不少于4次 (S004 (五))

COLUMNS = (
    id_column("患者证件号码", "患者身份证号", "居民身份证号"),
    name_column("患者姓名", "居民姓名"),
    Column(
        "category",
        "病种",
        ("慢病病种", "疾病名称", "慢病类型", "疾病类型", "病种名称", "慢性病种类"),
        kind="choice",
        required=True,
        values={
            "高血压": HYPERTENSION,
            "高血压病": HYPERTENSION,
            "原发性高血压": HYPERTENSION,
            "糖尿病": DIABETES,
            "2型糖尿病": DIABETES,
            "Ⅱ型糖尿病": DIABETES,
            "1型糖尿病": DIABETES,
            "结核病": TUBERCULOSIS,
            "肺结核": TUBERCULOSIS,
            "结核": TUBERCULOSIS,
            "严重精神障碍": MENTAL,
            "重性精神病": MENTAL,
            "精神分裂症": MENTAL,
            "双相情感障碍": MENTAL,
            "偏执性精神病": MENTAL,
            "分裂情感性障碍": MENTAL,
            "癫痫所致精神障碍": MENTAL,
            "精神发育迟滞伴发精神障碍": MENTAL,
        },
        contains=(("高血压", HYPERTENSION), ("糖尿病", DIABETES), ("结核", TUBERCULOSIS), ("精神", MENTAL)),
        help="高血压、糖尿病、结核病、严重精神障碍；其他病种按原样载入并提示",
    ),
    Column(
        "status",
        "是否签约",
        ("签约状态", "签约情况", "家庭医生签约", "是否签约家庭医生"),
        kind="choice",
        values={
            "是": SIGNED,
            "已签约": SIGNED,
            "签约": SIGNED,
            "已签": SIGNED,
            "履约中": SIGNED,
            "否": NOT_SIGNED,
            "未签约": NOT_SIGNED,
            "未签": NOT_SIGNED,
            "解约": NOT_SIGNED,
            "已解约": NOT_SIGNED,
            "到期未续约": NOT_SIGNED,
        },
        help="可选；不填则名单中的人员均视为已签约",
    ),
    Column(
        "amount",
        "本年度服务次数",
        ("年度服务次数", "服务次数", "履约次数", "随访次数", "本年度随访次数", "年度随访次数"),
        kind="money",
        required=True,
        help="本年度家庭医生服务（随访）次数",
    ),
    Column("detail", "签约医生", ("家庭医生", "签约团队", "责任医生"), help="可选"),
)

DISEASE_LIST = ", ".join(f"'{d}'" for d in DISEASES)
IN_BASE = f"base = 1 AND m_status = '正常' AND s_category IN ({DISEASE_LIST})"
SIGNED_SQL = f"COALESCE(s_status, '') <> '{NOT_SIGNED}'"

RULES = (
    Rule(
        "chronic_not_signed",
        "慢病患者未签约家庭医生",
        in_registry(f"{IN_BASE} AND s_status = '{NOT_SIGNED}'"),
        (Figure("病种", "s_category"), Figure("签约情况", f"'{NOT_SIGNED}'")),
        action=c.MEASURE,
        help="脱贫人口和监测对象中的四类慢病患者应签尽签；请协调乡镇卫生院落实家庭医生签约。",
    ),
    Rule(
        "chronic_few_services",
        "慢病签约年度服务不足4次",
        in_registry(f"{IN_BASE} AND {SIGNED_SQL} AND s_amount IS NOT NULL AND s_amount < {MIN_SERVICES}"),
        (
            Figure("病种", "s_category"),
            Figure("本年度服务次数", "CAST(CAST(s_amount AS INTEGER) AS TEXT)"),
            Figure("应服务次数", f"'{MIN_SERVICES}'"),
        ),
        action=c.MEASURE,
        help="签约后年度服务不少于4次；请督促签约医生补足随访服务，解决“有签约无服务”。",
    ),
)


SOURCE = Source(
    department="health",
    title="卫健慢病患者家庭医生签约名单",
    description=(
        "四类慢病（高血压、糖尿病、结核病、严重精神障碍）患者家庭医生签约名单：脱贫/监测人口未签约的，"
        "或本年度服务不足4次的。"
    ),
    columns=COLUMNS,
    rules=RULES,
)
