"""The national system's person-level export (DOMAIN.md §8): its columns, their aliases, and where each goes.

One row per person, the household's columns repeated on every member's row; a title row and an export-details row
above the header. Shoudi's own export writes exactly ``COLUMNS`` in this order, so exporting and re-importing
changes nothing.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from . import choices

__all__ = [
    "CATEGORIES",
    "COLUMNS",
    "ELIMINATION_TYPES",
    "HEADER_ROW_INDEX",
    "IGNORED_HEADERS",
    "RISK_TYPES",
    "VALUE_ALIASES",
    "Column",
    "alias_map",
    "normalize_header",
    "write_national_xlsx",
]

HEADER_ROW_INDEX = 2  # 0-based: title, export details, header


@dataclass(frozen=True)
class Column:
    header: str  # the name Shoudi writes
    target: str  # "household.<field>", "member.<field>", "income.<field>", "national.<key>" or "place.<county|...>"
    # text / phone / int / bool / money / yearmonth / id_number / choice / multichoice / risk
    kind: str = "text"
    aliases: tuple[str, ...] = ()

    @property
    def section(self) -> str:
        """The part before the dot: place / household / member / income / national."""
        return self.target.partition(".")[0]

    @property
    def key(self) -> str:
        """The part after the dot: a model field, a national_data key or an income field."""
        return self.target.partition(".")[2]


def _c(header, target, kind="text", *aliases):
    return Column(header, target, kind, tuple(aliases))


COLUMNS: tuple[Column, ...] = (
    # place and household
    _c("县", "place.county", "text", "县(市、区、旗)", "县（市、区、旗）", "县(市,区,旗)", "区县"),
    _c("乡", "place.township", "text", "乡(镇)", "乡（镇）", "乡镇", "镇(乡)"),
    _c("村", "place.village", "text", "行政村", "村(社区)", "村（社区）"),
    _c("村民小组", "household.group_name", "text", "组", "小组"),
    _c("户编号", "household.household_no", "text", "户编码", "家庭编号"),
    _c("户类型", "household.household_type", "choice", "农户类型"),
    _c("脱贫年度", "household.lifted_year", "int", "脱贫年份"),
    _c("家庭人口数", "household.size", "int", "家庭人口", "人口数"),
    _c("户联系电话", "household.phone", "phone", "联系电话", "户主联系电话"),
    _c("家庭住址", "household.address", "text", "住址", "详细地址"),
    _c("是否易地扶贫搬迁户", "household.relocated", "bool", "是否易地搬迁户", "易地扶贫搬迁户", "是否搬迁户"),
    _c("安置区", "household.resettlement_site", "text", "安置点", "安置地点"),
    _c("整户无劳动能力兜底保障户", "household.no_labour_guarantee", "bool", "是否整户无劳动能力兜底保障户"),
    # person
    _c("姓名", "member.name", "text", "成员姓名"),
    _c("性别", "member.gender", "text"),
    _c("证件类型", "member.id_type", "choice", "证件种类"),
    _c("证件号码", "member.id_number", "id_number", "身份证号", "身份证号码", "公民身份号码", "证件号"),
    _c("与户主关系", "member.relation", "choice", "与户主的关系"),
    _c("民族", "member.ethnicity", "text"),
    _c("政治面貌", "member.political_status", "choice"),
    _c("文化程度", "member.education", "choice"),
    _c("在校生状况", "member.student_status", "choice", "在校生情况"),
    _c("义务教育阶段未上学原因", "member.out_of_school_reason", "text", "失学辍学原因"),
    _c("健康状况", "member.health", "multichoice", "健康状态"),
    _c("残疾类别", "member.disability_category", "choice"),
    _c("残疾等级", "member.disability_grade", "choice"),
    _c("劳动技能", "member.labour_skill", "choice", "劳动能力"),
    _c("是否已务工", "member.employed", "bool", "是否务工", "务工状态"),
    _c("务工所在地", "member.work_place", "text", "务工地点", "务工所在县"),
    _c("务工时间（月）", "member.work_months", "int", "务工时间(月)", "务工时间", "务工月数"),
    _c("公益性岗位", "member.public_welfare_job", "text", "是否公益性岗位"),
    _c("家庭成员联系电话", "member.phone", "phone", "成员联系电话", "本人联系电话"),
    _c("是否参加城乡居民基本医疗保险", "member.resident_medical", "bool", "城乡居民基本医疗保险"),
    _c("是否参加城镇职工基本医疗保险", "member.employee_medical", "bool", "城镇职工基本医疗保险"),
    _c("是否参加大病保险", "member.critical_illness", "bool", "大病保险"),
    _c("是否参加城乡居民基本养老保险", "member.resident_pension", "bool", "城乡居民基本养老保险"),
    _c("是否参加城镇职工基本养老保险", "member.employee_pension", "bool", "城镇职工基本养老保险"),
    _c("是否接受医疗救助", "member.medical_aid", "bool", "医疗救助"),
    _c("享受低保政策情况", "member.dibao", "choice", "是否享受低保", "低保"),
    _c("享受特困供养政策情况", "member.tekun", "choice", "是否特困供养", "特困供养"),
    # monitoring (kept on the household for the monitoring module)
    _c("监测对象类别", "national.category", "choice", "监测类型", "监测对象类型"),
    _c("识别监测时间", "national.identified_on", "yearmonth", "纳入监测时间", "识别时间"),
    _c("致贫/返贫风险1", "national.risk1", "risk", "返贫致贫风险1", "致贫返贫风险1", "风险类型1"),
    _c("致贫/返贫风险2", "national.risk2", "risk", "返贫致贫风险2", "致贫返贫风险2", "风险类型2"),
    _c("致贫/返贫风险3", "national.risk3", "risk", "返贫致贫风险3", "致贫返贫风险3", "风险类型3"),
    _c("致贫/返贫风险4", "national.risk4", "risk", "返贫致贫风险4", "致贫返贫风险4", "风险类型4"),
    _c("致贫/返贫风险5", "national.risk5", "risk", "返贫致贫风险5", "致贫返贫风险5", "风险类型5"),
    _c("风险是否已消除", "national.eliminated", "bool", "是否消除风险"),
    _c("风险消除方式", "national.elimination_type", "choice"),
    _c("风险消除时间", "national.eliminated_on", "yearmonth"),
    # income of the latest year
    _c("工资性收入", "income.wage", "money", "工资性收入（元）", "工资性收入(元)"),
    _c("生产经营性收入", "income.business", "money", "生产经营性收入（元）", "生产经营性收入(元)"),
    _c("财产性收入", "income.property_income", "money", "财产性收入（元）", "财产性收入(元)"),
    _c("转移性收入", "income.transfer", "money", "转移性收入（元）", "转移性收入(元)"),
    _c("生产经营性支出", "income.business_cost", "money", "生产经营性支出（元）", "生产经营性支出(元)"),
    _c("家庭纯收入", "income.net_income", "money", "家庭纯收入（元）", "家庭纯收入(元)"),
    _c("人均纯收入（元）", "income.per_capita", "money", "人均纯收入", "人均纯收入(元)"),
    _c("合规自付支出", "income.compliant_medical", "money", "合规自付支出（元）", "合规自付支出(元)"),
    # guarantees (the national columns ask about problems: 是 = a problem)
    _c("是否危房户", "household.housing_problem", "bool", "危房户"),
    _c("是否解决安全饮用水", "household.water_secure", "bool", "是否安全饮水", "饮水安全"),
    _c("是否义务教育阶段适龄儿童少年失学辍学", "household.education_problem", "bool", "是否有失学辍学"),
    _c(
        "是否有家庭成员未参加城乡居民（职工）基本医疗保险",
        "household.insurance_problem",
        "bool",
        "是否有家庭成员未参加城乡居民(职工)基本医疗保险",
        "是否有家庭成员未参加基本医疗保险",
    ),
    # measures: comma-separated sub-items, blank = none
    _c("产业帮扶", "national.measure_industry"),
    _c("就业帮扶", "national.measure_employment"),
    _c("金融帮扶", "national.measure_finance"),
    _c("公益岗位帮扶", "national.measure_public_job"),
    _c("健康帮扶", "national.measure_health"),
    _c("义务教育保障", "national.measure_compulsory_education"),
    _c("其他教育帮扶", "national.measure_other_education"),
    _c("综合保障", "national.measure_social_security"),
    _c("住房安全保障", "national.measure_housing"),
    _c("饮水安全保障", "national.measure_water"),
    _c("社会帮扶", "national.measure_social"),
    _c("搬迁", "national.measure_relocation"),
    _c("生产生活条件改善", "national.measure_living_conditions"),
    _c("基础设施建设", "national.measure_infrastructure"),
    _c("实施开发式帮扶措施情况", "national.measure_developmental"),
)


def normalize_header(header) -> str:
    """A header as compared: NFKC (full-width brackets and letters folded), no whitespace, no required-marker ``*``."""
    text = unicodedata.normalize("NFKC", str(header or ""))
    return "".join(text.split()).strip("*")


def alias_map() -> dict[str, Column]:
    """Normalised header text (spaces removed, full-width brackets folded) → column."""
    mapping: dict[str, Column] = {}
    for column in COLUMNS:
        for name in (column.header, *column.aliases):
            mapping[normalize_header(name)] = column
    return mapping


# Columns some exports add that Shoudi neither needs nor keeps as extra data (a row number, the province, the city),
# and the two columns of Shoudi's own error report, so that a corrected report can be imported again.
IGNORED_HEADERS = frozenset(
    normalize_header(h)
    for h in (
        "序号",
        "原行号",
        "错误原因",
        "省",
        "省(区、市)",
        "省(自治区、直辖市)",
        "省份",
        "市",
        "市(州)",
        "市(州、盟)",
        "地市",
        "地(市、州、盟)",
    )
)

# --- Values ---------------------------------------------------------------------------------------------------------

CATEGORIES = ("脱贫不稳定户", "边缘易致贫户", "突发严重困难户")
ELIMINATION_TYPES = ("帮扶消除", "自然消除")
RISK_TYPES = (
    "因病",
    "因残",
    "因学",
    "因自然灾害",
    "因意外事故",
    "因产业项目失败",
    "因务工就业不稳",
    "缺劳动力",
    "因安全住房",
    "因安全饮水",
    "其他",
)
DISASTER_SUBTYPES = ("洪涝", "地质", "旱灾", "生物", "气象", "地震", "其他")

# Written variants → the value Shoudi keeps, per target. Keys are compared after NFKC and with whitespace removed.
VALUE_ALIASES: dict[str, dict[str, str]] = {
    "household.household_type": {
        **choices.HOUSEHOLD_TYPE_ALIASES,
        "脱贫户（含监测）": "脱贫户",
        "一般户": "一般农户",
        "普通户": "一般农户",
        "脱贫": "脱贫户",
    },
    "member.labour_skill": {
        **choices.LABOUR_ALIASES,
        "丧失劳动": "丧失劳动力",
        "无劳动": "无劳动力",
        "弱劳动力或半劳动": "弱劳动力或半劳动力",
        "弱劳动力/半劳动力": "弱劳动力或半劳动力",
    },
    "member.id_type": {
        "身份证": "居民身份证",
        "居民身份证号": "居民身份证",
        "第二代居民身份证": "居民身份证",
        "残疾证": "残疾人证",
        "中华人民共和国残疾人证": "残疾人证",
    },
    "member.political_status": {"党员": "中共党员", "预备党员": "中共预备党员", "团员": "共青团员"},
    "member.education": {
        "文盲": "文盲或半文盲",
        "半文盲": "文盲或半文盲",
        "本科": "本科及以上",
        "研究生": "本科及以上",
        "大专及以上": "大专",
        "中专": "高中",
        "高中(中专)": "高中",
        "职高": "高中",
    },
    "member.student_status": {
        "学龄前": "学龄前儿童",
        "幼儿园": "学前教育",
        "一年级": "小学",
        "二年级": "小学",
        "三年级": "小学",
        "四年级": "小学",
        "五年级": "小学",
        "六年级": "小学",
        "初一": "七年级",
        "初二": "八年级",
        "初三": "九年级",
        "高一": "普通高中一年级",
        "高二": "普通高中二年级",
        "高三": "普通高中三年级",
        "研究生": "硕士研究生及以上",
        "非在校生": "",
        "不在校": "",
    },
    "member.dibao": {
        "否": "未享受",
        "无": "未享受",
        "不享受": "未享受",
        "未享受低保": "未享受",
        "低保": "农村低保",
        "是": "农村低保",
    },
    "member.tekun": {
        "否": "不享受",
        "无": "不享受",
        "未享受": "不享受",
        "特困": "农村特困",
        "特困供养": "农村特困",
        "是": "农村特困",
    },
    "member.disability_category": {
        **{label: code for code, label in choices.DISABILITY_CATEGORIES},
        **{label + "残疾": code for code, label in choices.DISABILITY_CATEGORIES},
        **{code + label: code for code, label in choices.DISABILITY_CATEGORIES},
        **{code + label + "残疾": code for code, label in choices.DISABILITY_CATEGORIES},
    },
    "member.disability_grade": {
        **{label: code for code, label in choices.DISABILITY_GRADES},
        **{label + "残疾": code for code, label in choices.DISABILITY_GRADES},
        **{code + "级": code for code, _label in choices.DISABILITY_GRADES},
    },
    "member.health": {"慢性病": "长期慢性病", "大病": "患有大病", "重病": "患有大病", "残疾人": "残疾"},
    "national.category": {
        "脱贫不稳定": "脱贫不稳定户",
        "边缘易致贫": "边缘易致贫户",
        "突发严重困难": "突发严重困难户",
        "边缘户": "边缘易致贫户",
        "边缘易致贫人口": "边缘易致贫户",
        "脱贫不稳定人口": "脱贫不稳定户",
        "突发严重困难人口": "突发严重困难户",
    },
    "national.elimination_type": {"帮扶": "帮扶消除", "自然": "自然消除"},
    # risks: "务工就业不稳" → "因务工就业不稳" is done by adding 因; these are the other spellings seen
    "national.risk": {
        "因灾": "因自然灾害",
        "自然灾害": "因自然灾害",
        "意外事故": "因意外事故",
        "灾害": "因自然灾害",
        "因意外": "因意外事故",
        "产业项目失败": "因产业项目失败",
        "因住房安全": "因安全住房",
        "因饮水安全": "因安全饮水",
        "住房安全": "因安全住房",
        "饮水安全": "因安全饮水",
        "因就业不稳": "因务工就业不稳",
        "就业不稳": "因务工就业不稳",
        "因缺劳动力": "缺劳动力",
        "因务工就业不稳定": "因务工就业不稳",
    },
}

# Allowed values of the national.* choice columns (member and household choices come from the model fields).
NATIONAL_CHOICES: dict[str, tuple[str, ...]] = {"category": CATEGORIES, "elimination_type": ELIMINATION_TYPES}

# --- Writing a workbook in the national layout ----------------------------------------------------------------------


def write_national_xlsx(
    path,
    rows: Iterable[Mapping[str, object] | Sequence],
    *,
    title: str,
    details: str = "",
    headers: Sequence[str] | None = None,
) -> int:
    """Write rows in the national layout: title (row 1), export details (row 2), header (row 3), one row per person.

    ``rows`` are dicts keyed by header (missing keys are blank cells) or sequences in header order. Strings stay text
    (户编号, 证件号码, phones and YYYYMM are never turned into numbers), numbers and Decimals become numbers, booleans
    是/否, dates Excel dates. XlsxWriter's constant_memory mode keeps memory flat whatever the size. Returns the
    number of data rows written.
    """
    from shoudi.core.excel import open_workbook, write_header, write_title  # only needed when writing

    headers = list(headers or (c.header for c in COLUMNS))
    book = open_workbook(path)
    sheet = book.add_worksheet("农户信息")
    date_fmt = book.format("date")
    write_title(sheet, book, title, details)
    write_header(sheet, HEADER_ROW_INDEX, headers, book.format("head"), minimum=8, maximum=24, pad=2)
    # the typed writers by hand, not core.excel.write_cell: Decimals are numbers here and a row has ~100 cells
    write_string, write_number = sheet.write_string, sheet.write_number
    r = HEADER_ROW_INDEX
    for row in rows:
        r += 1
        values = [row.get(h) for h in headers] if isinstance(row, Mapping) else row
        for c, value in enumerate(values):
            if value is None or value == "":
                continue
            kind = type(value)
            if kind is str:
                write_string(r, c, value)
            elif kind is bool:
                write_string(r, c, "是" if value else "否")
            elif kind is int or kind is float or kind is Decimal:
                write_number(r, c, float(value) if kind is Decimal else value)
            elif isinstance(value, datetime.date):
                day = value if isinstance(value, datetime.datetime) else datetime.datetime(*value.timetuple()[:3])
                sheet.write_datetime(r, c, day.replace(tzinfo=None), date_fmt)
            else:
                write_string(r, c, str(value))
    book.close()
    return r - HEADER_ROW_INDEX
