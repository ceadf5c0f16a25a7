"""The code tables of the national export's enumerated columns (DOMAIN.md §2, §3, §8): value, code, name, synonyms.

Registered in wiring.py (store ``vocabularies``); the household import, matching's column reader, forms and filters
read them through ``core.vocabulary``. What is stored is the ``value`` (the standard name, or the code of 残疾类别 and
等级); a value the table does not know is kept as written and listed by the import (docs/adr/0009).
"""

from __future__ import annotations

import re

from shoudi.core.cells import NO_WORDS, YES_WORDS
from shoudi.core.vocabulary import Term, Vocabulary

__all__ = ["BY_TARGET", "VOCABULARIES"]


def _t(value: str, *synonyms: str, code: str = "", name: str = "") -> Term:
    return Term(value, code=code, name=name, synonyms=synonyms)


def _plain(*values: str) -> tuple[Term, ...]:
    return tuple(Term(v) for v in values)


ID_TYPE = Vocabulary(
    "id_type",
    "证件类型",
    (
        _t("居民身份证（户口簿）", "居民身份证", "身份证", "居民身份证号", "第二代居民身份证", "户口簿", code="01"),
        _t("中国人民解放军军官证", "军官证", code="02"),
        _t("中国人民武装警察警官证", "武警警官证", "警官证", code="03"),
        _t("港澳台居民居住证", "港澳居民居住证", "台湾居民居住证"),
        _t("外国人永久居留身份证", "外国人永久居留证"),
        _t("残疾人证", "残疾证", "中华人民共和国残疾人证"),
        _t("其他", "其它"),
    ),
    note="国家证件类型代码表",
)

GENDER = Vocabulary("gender", "性别", (_t("男", "男性", "M", code="1"), _t("女", "女性", "F", code="2")))

RELATION = Vocabulary(
    "relation",
    "与户主关系",
    (
        _t("户主", "本人", "户主本人"),
        _t("配偶", "妻子", "丈夫", "妻", "夫"),
        _t("之子", "儿子", "子"),
        _t("之女", "女儿", "女"),
        _t("之儿媳", "儿媳", "儿媳妇"),
        _t("之女婿", "女婿"),
        _t("之孙子", "孙子"),
        _t("之孙女", "孙女"),
        _t("之外孙子", "外孙子", "外孙"),
        _t("之外孙女", "外孙女"),
        _t("之父", "父亲", "父"),
        _t("之母", "母亲", "母"),
        _t("之岳父", "岳父"),
        _t("之岳母", "岳母"),
        _t("之公公", "公公"),
        _t("之婆婆", "婆婆"),
        _t("之祖父", "祖父", "爷爷"),
        _t("之祖母", "祖母", "奶奶"),
        _t("之外祖父", "外祖父", "外公"),
        _t("之外祖母", "外祖母", "外婆"),
        _t("之兄弟姐妹", "兄弟姐妹", "兄弟", "姐妹", "哥哥", "弟弟", "姐姐", "妹妹"),
        _t("之曾孙子", "曾孙子", "曾孙"),
        _t("之曾孙女", "曾孙女"),
        _t("之侄儿", "侄儿", "侄子"),
        _t("之侄女", "侄女"),
        _t("之兄弟媳妇", "兄弟媳妇", "弟媳", "嫂子"),
        _t("之叔伯", "叔伯", "叔叔", "伯伯"),
        _t("其他", "其它"),
    ),
)

# GB/T 3304 民族代码; 97 其他, 98 外国血统中国籍人士
_ETHNIC_NAMES = (
    "汉",
    "蒙古",
    "回",
    "藏",
    "维吾尔",
    "苗",
    "彝",
    "壮",
    "布依",
    "朝鲜",
    "满",
    "侗",
    "瑶",
    "白",
    "土家",
    "哈尼",
    "哈萨克",
    "傣",
    "黎",
    "傈僳",
    "佤",
    "畲",
    "高山",
    "拉祜",
    "水",
    "东乡",
    "纳西",
    "景颇",
    "柯尔克孜",
    "土",
    "达斡尔",
    "仫佬",
    "羌",
    "布朗",
    "撒拉",
    "毛南",
    "仡佬",
    "锡伯",
    "阿昌",
    "普米",
    "塔吉克",
    "怒",
    "乌孜别克",
    "俄罗斯",
    "鄂温克",
    "德昂",
    "保安",
    "裕固",
    "京",
    "塔塔尔",
    "独龙",
    "鄂伦春",
    "赫哲",
    "门巴",
    "珞巴",
    "基诺",
)
ETHNICITY = Vocabulary(
    "ethnicity",
    "民族",
    (
        *(_t(f"{name}族", name, code=f"{i:02d}") for i, name in enumerate(_ETHNIC_NAMES, start=1)),
        _t("其他", "其它", code="97"),
        _t("外国血统中国籍人士", code="98"),
    ),
    note="GB/T 3304 民族代码",
)

POLITICAL = Vocabulary(
    "political_status",
    "政治面貌",
    (
        _t("中共党员", "党员", "中国共产党党员", code="01"),
        _t("中共预备党员", "预备党员", code="02"),
        _t("共青团员", "团员", code="03"),
        _t("群众", "无", code="13"),
    ),
    note="GB/T 4762 政治面貌代码",
)

EDUCATION = Vocabulary(
    "education",
    "文化程度",
    (
        _t("文盲或半文盲", "文盲", "半文盲", "文盲半文盲"),
        _t("小学", "小学文化"),
        _t("初中", "初中文化"),
        _t("高中", "高中(中专)", "中专", "职高", "高中文化"),
        _t("大专", "大专及以上", "专科"),
        _t("本科及以上", "本科", "研究生", "大学本科"),
        _t("技师"),
        _t("高职高专"),
    ),
)

_GRADES = "一二三四五"
STUDENT_STATUS = Vocabulary(
    "student_status",
    "在校生状况",
    (
        _t("学龄前儿童", "学龄前"),
        _t("学前教育", "幼儿园", "学前班"),
        _t("小学", *(f"{g}年级" for g in "一二三四五六"), *(f"小学{g}年级" for g in "一二三四五六")),
        _t("七年级", "初一", "初中一年级"),
        _t("八年级", "初二", "初中二年级"),
        _t("九年级", "初三", "初中三年级"),
        *(_t(f"普通高中{g}年级", f"高{g}", f"高中{g}年级") for g in _GRADES[:3]),
        *(_t(f"中职{g}年级", f"中专{g}年级") for g in _GRADES[:3]),
        *(_t(f"高职高专{g}年级", f"大专{g}年级") for g in _GRADES[:3]),
        *(_t(f"技师学院{g}年级") for g in _GRADES[:4]),
        *(_t(f"本科{g}年级", f"大学{g}年级") for g in _GRADES),
        _t("硕士研究生及以上", "研究生", "硕士研究生", "博士研究生"),
    ),
    # "非在校生" means not a student: blank
    rule=lambda key, known: "" if key in ("非在校生", "不在校", "非在校", "无") else None,
)

HEALTH = Vocabulary(
    "health",
    "健康状况",
    (
        _t("健康"),
        _t("长期慢性病", "慢性病", "慢病"),
        _t("患有大病", "大病", "重病"),
        _t("残疾", "残疾人"),
    ),
    multiple=True,
)

_DISABILITIES = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")
DISABILITY_CATEGORY = Vocabulary(
    "disability_category",
    "残疾类别",
    tuple(
        _t(str(i), f"{label}残疾", f"{i}{label}", f"{i}{label}残疾", name=label)
        for i, label in enumerate(_DISABILITIES, start=1)
    ),
)
DISABILITY_GRADE = Vocabulary(
    "disability_grade",
    "残疾等级",
    tuple(
        _t(str(i), f"{label}残疾", f"{i}级", name=label) for i, label in enumerate(("一级", "二级", "三级", "四级"), 1)
    ),
)

LABOUR_SKILL = Vocabulary(
    "labour_skill",
    "劳动技能",
    (
        _t("普通劳动力", "普通劳动"),
        _t("技能劳动力", "技能劳动"),
        _t("弱劳动力或半劳动力", "弱劳动力", "半劳动力", "弱劳动力或半劳动", "弱劳动力/半劳动力", "弱劳动力、半劳动力"),
        _t("丧失劳动力", "丧失劳动"),
        _t("无劳动力", "无劳动"),
    ),
)

DIBAO = Vocabulary(
    "dibao",
    "享受低保政策情况",
    (
        _t("农村低保", "低保", "是"),
        _t("城市低保"),
        _t("未享受", "否", "无", "不享受", "未享受低保"),
    ),
)
TEKUN = Vocabulary(
    "tekun",
    "享受特困供养政策情况",
    (
        _t("农村特困", "特困", "特困供养", "是"),
        _t("城市特困"),
        _t("不享受", "否", "无", "未享受"),
    ),
)

HOUSEHOLD_TYPE = Vocabulary(
    "household_type",
    "户类型",
    (
        _t("脱贫户", "脱贫户(含监测)", "脱贫户（含监测）", "脱贫"),
        _t("一般农户", "普通农户", "一般户", "普通户"),
    ),
)

CATEGORY = Vocabulary(
    "category",
    "监测对象类别",
    (
        _t("脱贫不稳定户", "脱贫不稳定", "脱贫不稳定人口"),
        _t("边缘易致贫户", "边缘易致贫", "边缘户", "边缘易致贫人口"),
        _t("突发严重困难户", "突发严重困难", "突发严重困难人口"),
    ),
)

ELIMINATION_TYPE = Vocabulary("elimination_type", "风险消除方式", (_t("帮扶消除", "帮扶"), _t("自然消除", "自然")))

DISASTER_SUBTYPES = ("洪涝", "地质", "旱灾", "生物", "气象", "地震", "其他")
_DISASTER_RE = re.compile(r"因?(?:自然)?灾害?[(\-—:]?(" + "|".join(DISASTER_SUBTYPES) + r")(?:灾害?)?\)?")


def _risk_rule(key: str, known) -> str | None:
    """因 may be left out (务工就业不稳); a natural disaster may name its kind: 因自然灾害(洪涝)."""
    if not key.startswith("因") and (value := known("因" + key)) is not None:
        return value
    match = _DISASTER_RE.fullmatch(key)
    return f"因自然灾害({match.group(1)})" if match else None


RISK = Vocabulary(
    "risk",
    "致贫/返贫风险",
    (
        _t("因病"),
        _t("因残"),
        _t("因学"),
        _t("因自然灾害", "因灾", "自然灾害", "灾害"),
        _t("因意外事故", "意外事故", "因意外"),
        _t("因产业项目失败", "产业项目失败"),
        _t("因务工就业不稳", "因就业不稳", "就业不稳", "因务工就业不稳定"),
        _t("缺劳动力", "因缺劳动力"),
        _t("因安全住房", "因住房安全", "住房安全"),
        _t("因安全饮水", "因饮水安全", "饮水安全"),
        _t("其他", "其它"),
    ),
    rule=_risk_rule,
)


def _cases(words) -> tuple[str, ...]:
    return tuple(sorted({v for w in words for v in (w, w.upper(), w.capitalize())}))


# every 是否 column: a word no one knows is imported blank (a yes/no field holds nothing else) and listed
YES_NO = Vocabulary(
    "yes_no", "是/否", (Term("是", synonyms=_cases(YES_WORDS - {"是"})), Term("否", synonyms=_cases(NO_WORDS - {"否"})))
)

MEMBER_STATUS = Vocabulary("member_status", "成员状态", _plain("正常", "死亡", "迁出"))

VOCABULARIES = (
    ID_TYPE,
    GENDER,
    RELATION,
    ETHNICITY,
    POLITICAL,
    EDUCATION,
    STUDENT_STATUS,
    HEALTH,
    DISABILITY_CATEGORY,
    DISABILITY_GRADE,
    LABOUR_SKILL,
    DIBAO,
    TEKUN,
    HOUSEHOLD_TYPE,
    CATEGORY,
    ELIMINATION_TYPE,
    RISK,
    YES_NO,
)

# national column target → the key of its vocabulary (national.COLUMNS). The five risk columns share one; the
# measure columns' sub-items are the assistance app's vocabularies (registered there, read only if registered).
BY_TARGET = {
    "member.id_type": "id_type",
    "member.gender": "gender",
    "member.relation": "relation",
    "member.ethnicity": "ethnicity",
    "member.political_status": "political_status",
    "member.education": "education",
    "member.student_status": "student_status",
    "member.health": "health",
    "member.disability_category": "disability_category",
    "member.disability_grade": "disability_grade",
    "member.labour_skill": "labour_skill",
    "member.dibao": "dibao",
    "member.tekun": "tekun",
    "household.household_type": "household_type",
    "national.category": "category",
    "national.elimination_type": "elimination_type",
    **{f"national.risk{i}": "risk" for i in range(1, 6)},
}
