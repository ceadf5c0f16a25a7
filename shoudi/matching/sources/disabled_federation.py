"""残联: certified disabled persons. 残疾人证号 = ID number + category digit + grade digit (DOMAIN §2), so the
certificate alone says the category and grade; separate 残疾类别/等级 columns are used when it does not.

- 残疾未录入: the registry member has no 残疾类别 although certified.
- 残疾类别/等级不一致: the registry's category or grade differs from the certificate.
"""

from __future__ import annotations

from shoudi.registry import choices as rc
from shoudi.registry.vocabularies import DISABILITY_CATEGORY, DISABILITY_GRADE

from . import Column, Figure, Rule, Source, case_label, id_column, in_registry, name_column

CATEGORY_LABELS = dict(rc.DISABILITY_CATEGORIES)
GRADE_LABELS = dict(rc.DISABILITY_GRADES)
CATEGORIES = ", ".join(f"'{k}'" for k in CATEGORY_LABELS)

COLUMNS = (
    # a list with only the certificate number is read too: its first 18 characters are the ID number
    id_column("残疾人证件号码", "残疾人身份证号", "残疾人证号", "残疾证号", "残疾人证号码"),
    name_column(),
    Column(
        "code",
        "残疾人证号",
        ("残疾证号", "残疾人证号码", "残疾证编号", "证号"),
        kind="text",
        help="可选；第 19、20 位为残疾类别和等级",
    ),
    Column(
        "category",
        "残疾类别",
        ("残疾类型", "残疾种类"),
        kind="choice",
        values=DISABILITY_CATEGORY.spellings(),
    ),
    Column(
        "grade",
        "残疾等级",
        ("残疾级别",),
        kind="choice",
        values=DISABILITY_GRADE.spellings(),
    ),
)

CERT_CATEGORY = case_label("s_category", CATEGORY_LABELS)
CERT_GRADE = case_label("s_grade", GRADE_LABELS, "'未注明'")

RULES = (
    Rule(
        "disability_missing",
        "持证残疾人系统未录入残疾信息",
        in_registry(f"m_status = '正常' AND s_category IN ({CATEGORIES}) AND COALESCE(m_dis_cat, '') = ''"),
        (Figure("证载残疾类别", CERT_CATEGORY), Figure("证载残疾等级", CERT_GRADE)),
        help="核实后在家庭成员信息中录入残疾类别、等级，健康状况注明“残疾”。",
    ),
    Rule(
        "disability_differs",
        "残疾类别/等级与残疾人证不一致",
        in_registry(
            f"m_status = '正常' AND s_category IN ({CATEGORIES}) AND COALESCE(m_dis_cat, '') <> ''"
            " AND (m_dis_cat <> s_category OR (COALESCE(s_grade, '') <> ''"
            " AND COALESCE(m_dis_grade, '') <> s_grade))"
        ),
        (
            Figure("证载残疾类别", CERT_CATEGORY),
            Figure("证载残疾等级", CERT_GRADE),
            Figure("系统残疾类别", case_label("m_dis_cat", CATEGORY_LABELS)),
            Figure("系统残疾等级", case_label("m_dis_grade", GRADE_LABELS, "'未填写'")),
        ),
        help="以残疾人证为准更正家庭成员的残疾类别、等级。",
    ),
)


def derive(values: dict) -> None:
    """The certificate number's 19th and 20th characters are the category and grade; they win over the columns."""
    code = values.get("code") or ""
    if len(code) >= 20 and code[18] in CATEGORY_LABELS:
        values["category"] = code[18]
        values["grade"] = code[19] if code[19] in GRADE_LABELS else values.get("grade", "")


SOURCE = Source(
    department="disabled_federation",
    title="残联持证残疾人名单",
    description="持证残疾人名单：证件号码（或残疾人证号）、姓名，可含残疾类别、等级。",
    columns=COLUMNS,
    rules=RULES,
    derive=derive,
)
