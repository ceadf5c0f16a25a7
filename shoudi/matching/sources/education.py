"""教育: the enrolment (学籍) list. 控辍保学 (S004 (三)): every 脱贫/监测 child aged 6–16 must be at school.

The age is taken on the first day of the period's month, in completed years: for 2025-05 a child born on
2019-05-01 is 6 and counted, one born on 2019-05-02 is 5 and not; one born on 2008-05-02 is 16 and counted, one
born on 2008-05-01 is 17 and not. The ages are configuration (比对参数).
"""

from __future__ import annotations

from shoudi.matching import choices as c

from . import Column, Figure, Rule, Source, id_column, in_registry, name_column

ENROLLED, SUSPENDED, DROPPED = "在读", "休学", "辍学"

COLUMNS = (
    id_column("学生证件号码", "学生身份证号"),
    name_column(),
    Column(
        "status",
        "学籍状态",
        ("在校状态", "就读状态", "在校情况", "学生状态"),
        kind="choice",
        values={
            "在读": ENROLLED,
            "在校": ENROLLED,
            "正常": ENROLLED,
            "在籍在校": ENROLLED,
            "就读": ENROLLED,
            "休学": SUSPENDED,
            "辍学": DROPPED,
            "失学": DROPPED,
            "退学": DROPPED,
            "疑似辍学": DROPPED,
            "在籍不在校": DROPPED,
        },
        help="可选；不填则名单中的学生均视为在读",
    ),
    Column("detail", "学校名称", ("就读学校", "学校", "所在学校"), help="可选"),
    Column("grade", "年级", ("就读年级", "在读年级"), help="可选"),
)

RULES = (
    Rule(
        "school_age_not_enrolled",
        "义务教育适龄儿童少年不在学籍名单",
        in_registry(
            f"base = 1 AND m_status = '正常' AND m_birth_date > %(born_after)s AND m_birth_date <= %(born_by)s"
            f" AND (s_id IS NULL OR s_status IN ('{SUSPENDED}', '{DROPPED}'))"
        ),
        (
            Figure("出生日期", "CAST(m_birth_date AS TEXT)"),
            Figure("比对期年龄", "age_at_period"),
            Figure("学籍情况", "CASE WHEN s_id IS NULL THEN '学籍名单中无此人' ELSE s_status END"),
        ),
        action=c.MEASURE,
        help="核实是否失学辍学（含在外地就读、送教上门等情况）；失学辍学的落实控辍保学措施。",
    ),
)


def params(settings, period) -> dict:
    # age ≤ max ⟺ born after (period − (max + 1) years); age ≥ min ⟺ born on or before (period − min years)
    return {
        "born_after": period.replace(year=period.year - settings.school_age_max - 1).isoformat(),
        "born_by": period.replace(year=period.year - settings.school_age_min).isoformat(),
    }


SOURCE = Source(
    department="education",
    title="教育学籍名单",
    description="在校学生学籍名单：比对本辖区脱贫/监测家庭 6–16 周岁儿童少年是否在学籍中。",
    columns=COLUMNS,
    rules=RULES,
    params=params,
)
