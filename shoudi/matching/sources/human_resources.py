"""人社: employment and social insurance records, compared with the registry's 务工 fields (S004 (十)五:
核实核准就业务工信息).

- 就业未录入: the department records employment (or 城镇职工 insurance, which only employment gives) while the
  registry says the person does not work.
- 失业但系统为已务工: the department records the person as unemployed while the registry says he works.
"""

from __future__ import annotations

from . import Column, Figure, Rule, Source, id_column, in_registry, name_column, yes_no

EMPLOYED, UNEMPLOYED, EMPLOYEE_INSURANCE = "就业", "失业", "职工社保"

COLUMNS = (
    id_column(),
    name_column(),
    Column(
        "status",
        "就业状态",
        ("就业情况", "是否就业", "就业失业状态", "务工状态"),
        kind="choice",
        values={
            "就业": EMPLOYED,
            "已就业": EMPLOYED,
            "在岗": EMPLOYED,
            "灵活就业": EMPLOYED,
            "是": EMPLOYED,
            "务工": EMPLOYED,
            "已务工": EMPLOYED,
            "单位就业": EMPLOYED,
            "自主创业": EMPLOYED,
            "失业": UNEMPLOYED,
            "未就业": UNEMPLOYED,
            "登记失业": UNEMPLOYED,
            "否": UNEMPLOYED,
            "无业": UNEMPLOYED,
            "未务工": UNEMPLOYED,
        },
    ),
    Column(
        "category",
        "参保险种",
        ("社会保险", "社保险种", "参保类型", "险种"),
        kind="choice",
        values={"城乡居民养老保险": "", "城乡居民基本养老保险": "", "居民养老": ""},
        contains=(
            ("职工", EMPLOYEE_INSURANCE),
            ("企业", EMPLOYEE_INSURANCE),
            ("机关事业", EMPLOYEE_INSURANCE),
            ("失业保险", EMPLOYEE_INSURANCE),
            ("工伤", EMPLOYEE_INSURANCE),
        ),
        report_unknown=False,
    ),
    Column("detail", "就业单位", ("工作单位", "用人单位", "务工地点", "就业地点"), help="可选"),
)

RULES = (
    Rule(
        "employment_not_recorded",
        "部门有就业或职工社保记录，系统未标注务工",
        in_registry(
            f"m_status = '正常' AND (s_status = '{EMPLOYED}' OR s_category = '{EMPLOYEE_INSURANCE}')"
            " AND COALESCE(m_employed, 0) = 0"
        ),
        (
            Figure("部门就业状态", "COALESCE(NULLIF(s_status, ''), '未注明')"),
            Figure("职工社保", f"CASE WHEN s_category = '{EMPLOYEE_INSURANCE}' THEN '有' ELSE '无' END"),
            Figure("就业单位", "COALESCE(s_detail, '')"),
            Figure("系统是否已务工", yes_no("m_employed")),
        ),
        help="核实务工情况，在系统中更正“是否已务工”、务工地点和时间。",
    ),
    Rule(
        "unemployed_but_working",
        "部门登记失业，系统为已务工",
        in_registry(f"m_status = '正常' AND s_status = '{UNEMPLOYED}' AND m_employed = 1"),
        (Figure("部门就业状态", "s_status"), Figure("系统是否已务工", yes_no("m_employed"))),
        help="核实是否仍在务工；已不务工的更正系统并落实就业帮扶。",
    ),
)

SOURCE = Source(
    department="human_resources",
    title="人社就业及社会保险名单",
    description="就业登记、失业登记及社会保险参保名单：比对系统中的务工信息。",
    columns=COLUMNS,
    rules=RULES,
)
