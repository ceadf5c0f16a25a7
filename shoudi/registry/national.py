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

from . import vocabularies

__all__ = [
    "CATEGORIES",
    "COLUMNS",
    "ELIMINATION_TYPES",
    "HEADER_ROW_INDEX",
    "IGNORED_HEADERS",
    "RISK_TYPES",
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
    # text / phone / int / bool / money / yearmonth / id_number; choice / multichoice / risk: a code table
    # (vocabularies.BY_TARGET), whose unknown values are kept as written
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
    _c("性别", "member.gender", "choice"),
    _c("证件类型", "member.id_type", "choice", "证件种类"),
    _c("证件号码", "member.id_number", "id_number", "身份证号", "身份证号码", "公民身份号码", "证件号"),
    _c("与户主关系", "member.relation", "choice", "与户主的关系"),
    _c("民族", "member.ethnicity", "choice"),
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
BY_TARGET_COLUMN = {c.target: c for c in COLUMNS}

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

# the national values monitoring reads (the code tables are vocabularies.py)
CATEGORIES = vocabularies.CATEGORY.values
ELIMINATION_TYPES = vocabularies.ELIMINATION_TYPE.values
RISK_TYPES = vocabularies.RISK.values
DISASTER_SUBTYPES = vocabularies.DISASTER_SUBTYPES

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
