"""The vocabulary of the 低收入人口 register (S003 三(二)): its categories, where a designation came from, the
分类帮扶 actions and their states, and the 关爱行动."""

from __future__ import annotations

from shoudi.core.vocabulary import Term, Vocabulary

__all__ = [
    "ACTION_KINDS",
    "ACTION_STATUS",
    "APPLIED",
    "APPROVED",
    "CARE_KINDS",
    "CATEGORIES",
    "CATEGORY_VOCABULARY",
    "ELIMINATED",
    "HAND",
    "LIST",
    "REJECTED",
    "SOURCES",
]

# the categories kept as designations; 风险消除户 is derived from monitoring (a case whose risk was eliminated)
CATEGORY_VOCABULARY = Vocabulary(
    "lowincome_category",
    "低收入人口类别",
    (
        Term("农村低保", synonyms=("低保", "低保户", "农村低保户", "农村最低生活保障", "低保对象")),
        Term(
            "特困供养（分散）",
            synonyms=("分散供养特困", "分散特困", "特困（分散）", "分散供养特困人员", "特困分散供养"),
        ),
        Term(
            "特困供养（集中）",
            synonyms=("集中供养特困", "集中特困", "特困（集中）", "集中供养特困人员", "特困集中供养"),
        ),
        Term("低保边缘", synonyms=("低保边缘户", "低保边缘家庭", "低保边缘人口")),
        Term("残疾人家庭", synonyms=("残疾人户", "重度残疾人家庭")),
        Term("农村“两无”老年人", synonyms=("两无老人", "两无老年人", "农村两无老年人", '农村"两无"老年人')),
        Term("孤儿"),
        Term("事实孤儿", synonyms=("事实无人抚养儿童",)),
        Term("留守儿童", synonyms=("农村留守儿童",)),
    ),
    note="民政名单中不认识的类别按原文保存并提示；风险消除户由监测记录得出，不在此登记",
)
CATEGORIES = [(v, v) for v in CATEGORY_VOCABULARY.values]
ELIMINATED = "风险消除户"  # derived: the household's last case was eliminated and none is open

LIST, HAND = "民政名单", "手工录入"
SOURCES = [(LIST, LIST), (HAND, HAND)]

ACTION_KINDS = [(v, v) for v in ("申请低保", "申请特困", "落实帮扶措施")]
APPLIED, APPROVED, REJECTED = "申请中", "已批准", "未批准"
ACTION_STATUS = [(v, v) for v in (APPLIED, APPROVED, REJECTED)]
TRANSITIONS = {APPLIED: {APPROVED, REJECTED}}  # a decision is final

CARE_KINDS = [(v, v) for v in ("两无老人关爱", "留守儿童关爱", "孤儿关爱", "事实孤儿关爱")]
