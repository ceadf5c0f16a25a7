"""教育: the enrolment (学籍) list. 控辍保学 (S004 (三)): every 脱贫/监测 child of compulsory-education age must be
at school.

The age follows the school year (``core.dates.SchoolAgeRule``, configured in 监测参数): for a period from
September to August it is the age on the cut-off day (31 August by default) of the year the school year began, and
a child counts from 6 to 16 on that day. For 2026-12 a child born on 2020-08-31 is 6 and counted, one born on
2020-09-01 is 5 and not (its schooling starts in September 2027); one born on 2009-09-01 is 16 and counted, one born
on 2009-08-31 is 17 and not.
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

# the age on the school year's cut-off day; the ISO text of the date has the same parts on SQLite and PostgreSQL
_BORN = "CAST(m_birth_date AS TEXT)"
SCHOOL_YEAR_AGE = (
    f"CAST(%(cutoff_year)s AS INTEGER) - CAST(SUBSTR({_BORN}, 1, 4) AS INTEGER)"
    f" - CASE WHEN SUBSTR({_BORN}, 6, 5) > %(cutoff_mmdd)s THEN 1 ELSE 0 END"
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
            Figure("学年年龄", SCHOOL_YEAR_AGE),
            Figure("学籍情况", "CASE WHEN s_id IS NULL THEN '学籍名单中无此人' ELSE s_status END"),
        ),
        action=c.MEASURE,
        help="核实是否失学辍学（含在外地就读、送教上门等情况）；失学辍学的落实控辍保学措施。",
        population=(
            "m_id IS NOT NULL AND base = 1 AND m_status = '正常'"
            " AND m_birth_date > %(born_after)s AND m_birth_date <= %(born_by)s"
        ),
        population_label="脱贫/监测家庭义务教育适龄儿童少年",
    ),
)


def params(settings, period) -> dict:
    rule = settings.school_age_rule(period)
    born_after, born_by = rule.birth_bounds(period)
    cutoff = rule.cutoff(period)
    return {
        "born_after": born_after.isoformat(),
        "born_by": born_by.isoformat(),
        "cutoff_year": cutoff.year,
        "cutoff_mmdd": f"{cutoff:%m-%d}",
    }


SOURCE = Source(
    department="education",
    title="教育学籍名单",
    description=(
        "在校学生学籍名单：比对本辖区脱贫/监测家庭义务教育适龄儿童少年"
        "（按学年计算，默认当学年8月31日前满6周岁至16周岁）是否在学籍中。"
    ),
    columns=COLUMNS,
    rules=RULES,
    params=params,
)
