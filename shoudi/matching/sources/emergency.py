"""应急管理: the list of persons affected by a disaster or an accident (受灾人员名单, S004 (二)五).

- 受灾人员: every registry person of the region on the list (alive) is a finding, one per household, whose
  suggested action is 提出监测线索; the clue is then opened with the risk the list's 受灾类型 names (``clue_risk``):
  因自然灾害 (with its sub-type 洪涝/地质/旱灾/生物/气象/地震 where the type says it) or 因意外事故.

A 受灾类型 no variant matches (or none given) is loaded as written, reported once, and read as 因自然灾害: the
应急管理局's 受灾人员 lists come from its natural-disaster statistics (灾情统计), and accidents are named as such
(火灾, 交通事故, 意外 …). The figure shows the type as the list wrote it, so that the village corrects the risk when it
verifies the clue.
"""

from __future__ import annotations

from shoudi.matching import choices as c

from . import Column, Figure, Rule, Source, id_column, in_registry, name_column

__all__ = ["ACCIDENT", "DEFAULT_RISK", "DISASTER", "SOURCE"]

DISASTER, ACCIDENT = "因自然灾害", "因意外事故"
DEFAULT_RISK = DISASTER


def _disaster(kind: str) -> str:
    return f"{DISASTER}({kind})"


FLOOD, GEOLOGICAL, DROUGHT, BIOLOGICAL, WEATHER, EARTHQUAKE = (
    _disaster(k) for k in ("洪涝", "地质", "旱灾", "生物", "气象", "地震")
)

TYPES = {
    "自然灾害": DISASTER,
    "洪涝": FLOOD,
    "洪涝灾害": FLOOD,
    "洪水": FLOOD,
    "暴雨": FLOOD,
    "内涝": FLOOD,
    "山洪": FLOOD,
    "滑坡": GEOLOGICAL,
    "山体滑坡": GEOLOGICAL,
    "泥石流": GEOLOGICAL,
    "崩塌": GEOLOGICAL,
    "地面塌陷": GEOLOGICAL,
    "地质灾害": GEOLOGICAL,
    "干旱": DROUGHT,
    "旱灾": DROUGHT,
    "病虫害": BIOLOGICAL,
    "生物灾害": BIOLOGICAL,
    "风雹": WEATHER,
    "冰雹": WEATHER,
    "大风": WEATHER,
    "台风": WEATHER,
    "雪灾": WEATHER,
    "低温冷冻": WEATHER,
    "低温雨雪冰冻": WEATHER,
    "雷击": WEATHER,
    "气象灾害": WEATHER,
    "地震": EARTHQUAKE,
    "地震灾害": EARTHQUAKE,
    "意外事故": ACCIDENT,
    "意外": ACCIDENT,
    "意外伤害": ACCIDENT,
    "火灾": ACCIDENT,
    "房屋火灾": ACCIDENT,
    "交通事故": ACCIDENT,
    "溺水": ACCIDENT,
    "触电": ACCIDENT,
    "煤气中毒": ACCIDENT,
    "一氧化碳中毒": ACCIDENT,
    "安全生产事故": ACCIDENT,
}

COLUMNS = (
    id_column("受灾人员证件号码", "受灾人身份证号", "户主身份证号"),
    name_column("受灾人员姓名", "受灾人姓名"),
    Column(
        "category",
        "受灾类型",
        ("灾害类型", "灾种", "受灾种类", "事故类型", "灾害种类", "致灾类型"),
        kind="choice",
        values=TYPES,
        contains=(
            ("事故", ACCIDENT),
            ("意外", ACCIDENT),
            ("火", ACCIDENT),
            ("洪", FLOOD),
            ("涝", FLOOD),
            ("雨", FLOOD),
            ("滑坡", GEOLOGICAL),
            ("泥石流", GEOLOGICAL),
            ("地质", GEOLOGICAL),
            ("旱", DROUGHT),
            ("虫", BIOLOGICAL),
            ("雹", WEATHER),
            ("风", WEATHER),
            ("雪", WEATHER),
            ("冻", WEATHER),
            ("地震", EARTHQUAKE),
        ),
        help="可选；自然灾害（洪涝、地质、旱灾、生物、气象、地震）或意外事故；不填或无法识别的按自然灾害提出线索",
    ),
    Column("event_date", "受灾日期", ("受灾时间", "灾害发生时间", "发生日期", "事故日期", "灾害日期"), kind="date"),
    Column(
        "amount",
        "损失金额",
        ("损失", "直接经济损失", "经济损失", "损失（元）", "损失(元)", "直接经济损失（元）", "直接经济损失(元)"),
        kind="money",
        help="可选；直接经济损失（元）",
    ),
    Column("detail", "受灾情况", ("灾情描述", "损失情况", "受损情况", "备注"), help="可选"),
)

RISK_SQL = (
    f"CASE WHEN s_category LIKE '{ACCIDENT}%%' THEN '{ACCIDENT}'"
    f" WHEN s_category LIKE '{DISASTER}%%' THEN s_category ELSE '{DEFAULT_RISK}' END"
)
RISK_LABEL = "致贫/返贫风险"

RULES = (
    Rule(
        "disaster_affected",
        "受灾人员（自然灾害、意外事故）",
        in_registry("s_id IS NOT NULL AND m_status = '正常'"),  # on the list: nobody is hit for being absent
        (
            Figure(RISK_LABEL, RISK_SQL),
            Figure("受灾类型", "COALESCE(NULLIF(s_category, ''), '未填写')"),
            Figure("受灾日期", "COALESCE(CAST(s_event_date AS TEXT), '')"),
            Figure("损失金额", "s_amount", "money"),
            Figure("户内名单人数", "n_in_household"),
        ),
        level="household",
        action=c.CLUE,
        clue_risk=RISK_LABEL,
        help="受灾或发生意外事故的农户，核实损失及对生活的影响；有返贫致贫风险的提出监测线索。",
    ),
)

SOURCE = Source(
    department="emergency",
    title="应急管理受灾人员名单",
    description="自然灾害、意外事故受灾人员名单（可含受灾类型、受灾日期、损失金额）：受灾农户提出监测线索。",
    columns=COLUMNS,
    rules=RULES,
)
