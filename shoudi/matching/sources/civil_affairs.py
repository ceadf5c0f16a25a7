"""民政: the 低保 / 特困 / 低保边缘 roster, with deaths.

- 低保/特困/低保边缘户未纳入监测: such a household with no open monitoring record must get a 一户一画像 review
  (S004 (二)二: 坚决杜绝以纳入低保为由不识别为监测对象) → one finding per household.
- 低保/特困标识不一致: the registry's 享受低保/特困 flags disagree with the roster (either way).
- 已死亡: the roster says the person died while the registry still lists him → member status review.

The three groups that need a 一户一画像 before a finding about them is closed without a clue (``portrait_group``):
低保 → 新申请低保, 低保边缘 → 低保边缘, 特困 → 分散供养特困 unless the optional column 供养方式 says 集中 (a 特困 person
whose list says nothing of it counts as 分散: the guard errs towards a portrait). A stopped or dead person is none.
"""

from __future__ import annotations

from shoudi.matching import choices as c

from . import Column, Figure, Rule, Source, id_column, in_registry, name_column

DIBAO, TEKUN, EDGE = "低保", "特困", "低保边缘"
DEAD, STOPPED = "死亡", "停保"
DISPERSED, CENTRALISED = "分散", "集中"
# 救助类型 → the 一户一画像 group (assistance.choices.PORTRAIT_GROUPS)
PORTRAIT_GROUPS = {DIBAO: "新申请低保", EDGE: "低保边缘", TEKUN: "分散供养特困"}

COLUMNS = (
    id_column("救助对象证件号码", "保障对象身份证号"),
    name_column(),
    Column(
        "category",
        "救助类型",
        ("保障类型", "救助类别", "对象类别", "人员类别", "保障类别", "对象类型"),
        kind="choice",
        required=True,
        values={
            "低保": DIBAO,
            "农村低保": DIBAO,
            "城市低保": DIBAO,
            "最低生活保障": DIBAO,
            "低保对象": DIBAO,
            "城乡低保": DIBAO,
            "特困": TEKUN,
            "特困供养": TEKUN,
            "特困人员": TEKUN,
            "农村特困": TEKUN,
            "城市特困": TEKUN,
            "分散供养特困": TEKUN,
            "集中供养特困": TEKUN,
            "五保": TEKUN,
            "五保户": TEKUN,
            "低保边缘": EDGE,
            "低保边缘家庭": EDGE,
            "低保边缘户": EDGE,
            "边缘": EDGE,
            "最低生活保障边缘家庭": EDGE,
        },
        contains=(("边缘", EDGE), ("特困", TEKUN), ("五保", TEKUN), ("低保", DIBAO)),
    ),
    Column(
        "status",
        "人员状态",
        ("保障状态", "救助状态", "状态"),
        kind="choice",
        values={
            "正常": "正常",
            "在保": "正常",
            "享受中": "正常",
            "死亡": DEAD,
            "已死亡": DEAD,
            "去世": DEAD,
            "停保": STOPPED,
            "退保": STOPPED,
            "终止": STOPPED,
            "停发": STOPPED,
            "注销": STOPPED,
        },
        help="可选；停保的人员不视为享受",
    ),
    Column("event_date", "死亡日期", ("死亡时间", "注销日期"), kind="date", help="可选；填写即视为已死亡"),
    Column(
        "detail",
        "供养方式",
        ("特困供养方式", "供养形式"),
        kind="choice",
        values={
            "分散": DISPERSED,
            "分散供养": DISPERSED,
            "居家供养": DISPERSED,
            "集中": CENTRALISED,
            "集中供养": CENTRALISED,
            "敬老院": CENTRALISED,
            "福利院": CENTRALISED,
        },
        contains=(("分散", DISPERSED), ("集中", CENTRALISED)),
        help="可选；特困人员分散供养或集中供养（分散供养特困须一户一画像）",
    ),
)

ALIVE = f"(COALESCE(s_status, '') <> '{DEAD}' AND s_event_date IS NULL)"
RECEIVING = f"(COALESCE(s_status, '') <> '{STOPPED}' AND {ALIVE})"
LIST_DIBAO = f"(s_category = '{DIBAO}' AND {RECEIVING})"
LIST_TEKUN = f"(s_category = '{TEKUN}' AND {RECEIVING})"
REG_DIBAO = "m_dibao IN ('农村低保', '城市低保')"
REG_TEKUN = "m_tekun IN ('农村特困', '城市特困')"
ON_LIST = f"CASE WHEN s_id IS NULL THEN '名单中无此人' WHEN NOT {RECEIVING} THEN '停保' ELSE s_category END"

RULES = (
    Rule(
        "welfare_not_monitored",
        "低保/特困/低保边缘户未纳入监测",
        in_registry(f"s_category IN ('{DIBAO}', '{TEKUN}', '{EDGE}') AND {RECEIVING} AND open_case = 0"),
        (Figure("救助类型", "s_category"), Figure("户内名单人数", "n_in_household")),
        level="household",
        action=c.CLUE,
        help="新纳入低保、特困、低保边缘的农户须“一户一画像”分析收入和刚性支出，有风险的按程序纳入监测。",
    ),
    Rule(
        "welfare_flag_mismatch",
        "低保/特困标识与民政名单不一致",
        # a death on the list is the 已死亡 rule's business, not a flag to correct
        in_registry(
            f"m_status = '正常' AND {ALIVE} AND (({LIST_DIBAO} AND NOT COALESCE({REG_DIBAO}, FALSE))"
            f" OR ({LIST_TEKUN} AND NOT COALESCE({REG_TEKUN}, FALSE))"
            f" OR ({REG_DIBAO} AND NOT COALESCE({LIST_DIBAO}, FALSE))"
            f" OR ({REG_TEKUN} AND NOT COALESCE({LIST_TEKUN}, FALSE)))"
        ),
        (
            Figure("民政名单", ON_LIST),
            Figure("系统低保", "COALESCE(NULLIF(m_dibao, ''), '未填写')"),
            Figure("系统特困", "COALESCE(NULLIF(m_tekun, ''), '未填写')"),
        ),
        help="系统“享受低保/特困供养政策情况”与民政名单不同，核实后在系统中更正。",
        population=f"m_id IS NOT NULL AND m_status = '正常' AND ({REG_DIBAO} OR {REG_TEKUN})",
        population_label="系统中享受低保/特困的人员",
    ),
    Rule(
        "deceased",
        "民政名单显示已死亡",
        in_registry(f"m_status = '正常' AND (s_status = '{DEAD}' OR s_event_date IS NOT NULL)"),
        (Figure("人员状态", f"'{DEAD}'"), Figure("死亡日期", "COALESCE(CAST(s_event_date AS TEXT), '')")),
        help="核实后将家庭成员状态改为“死亡”，并调整家庭人口数。",
    ),
)


def portrait_group(*, category: str, detail: str = "", status: str = "", event_date=None) -> str:
    """The 一户一画像 group of a list row (新申请低保, 分散供养特困, 低保边缘), or "" for none."""
    if status in (DEAD, STOPPED) or event_date is not None:
        return ""
    if category == TEKUN and detail == CENTRALISED:
        return ""
    return PORTRAIT_GROUPS.get(category, "")


SOURCE = Source(
    department="civil_affairs",
    title="民政低保、特困、低保边缘及死亡名单",
    description="低保、特困、低保边缘人员名单（可含人员状态、死亡日期）。",
    columns=COLUMNS,
    rules=RULES,
)
