"""住建: housing safety appraisals (房屋安全鉴定). A C- or D-grade house of a registry household is a housing
guarantee problem (S001 items 21–22): one finding per household."""

from __future__ import annotations

from shoudi.matching import choices as c

from . import Column, Figure, Rule, Source, id_column, in_registry, name_column

COLUMNS = (
    id_column("房屋所有人证件号码", "户主证件号码", "户主身份证号", "产权人身份证号"),
    name_column("房屋所有人", "户主", "产权人"),
    Column(
        "grade",
        "鉴定等级",
        ("房屋鉴定等级", "安全鉴定等级", "危房等级", "鉴定结果", "房屋等级"),
        kind="choice",
        required=True,
        values={
            "A": "A",
            "B": "B",
            "C": "C",
            "D": "D",
            "a级": "A",
            "b级": "B",
            "c级": "C",
            "d级": "D",
            "a类": "A",
            "b类": "B",
            "c类": "C",
            "d类": "D",
            "c级危房": "C",
            "d级危房": "D",
            "安全": "A",
            "基本安全": "B",
            "局部危险": "C",
            "整体危险": "D",
        },
    ),
    Column("event_date", "鉴定日期", ("鉴定时间",), kind="date", help="可选"),
    Column("detail", "房屋地址", ("地址", "住址"), help="可选"),
)

RULES = (
    Rule(
        "unsafe_house",
        "住房经鉴定为 C/D 级危房",
        in_registry("s_grade IN ('C', 'D')"),
        (
            Figure("鉴定等级", "s_grade || '级'"),
            Figure("鉴定日期", "COALESCE(CAST(s_event_date AS TEXT), '')"),
            Figure("系统住房安全", "CASE h_housing WHEN 1 THEN '安全' WHEN 0 THEN '不安全' ELSE '未核查' END"),
        ),
        level="household",
        action=c.PROBLEM,
        help="核实住房安全情况，属实的登记住房安全保障问题并纳入危房改造计划。",
    ),
)

SOURCE = Source(
    department="housing",
    title="住建房屋安全鉴定名单",
    description="农户住房安全鉴定结果（A/B/C/D 级）：比对 C、D 级危房。",
    columns=COLUMNS,
    rules=RULES,
)
