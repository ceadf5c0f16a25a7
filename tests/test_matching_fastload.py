"""Loading a CSV list the COPY way on PostgreSQL (``matching.fastload``) gives the rows, totals and issues of the
Python way, row for row: odd rows of every kind, duplicates, GBK, and files COPY cannot take (the Python way then)."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from stdnum.cn import ric

from shoudi.matching import fastload, services
from shoudi.matching.models import Finding, ListRow
from shoudi.matching.reading import MAX_ISSUES, FileRejected, ParsedList
from shoudi.matching.testing import run_list
from shoudi.registry.testing import make_household, make_member

pytestmark = pytest.mark.django_db

POSTGRES = connection.vendor == "postgresql"

A = "520102198001010013"
B = "520102198001010021"
C = "52010219800101003X"
D = "520102197503150046"
E = "520102197503150054"
F = "520102199002280079"
G = "520102200002290088"  # born on a 29 February
H = "520102198507070099"
LOWER_X = "52010219850707011x"
LEGACY = "520102650515123"  # 15 digits: 520102196505151232
FULL_WIDTH = "５２０１０２１９８５０７０７０１２８"  # 520102198507070128
LONG_TEXT = "城乡居民基本医疗保险" * 11  # 110 characters: 100 are kept

# Two title rows, the header on row 3; every odd row a department's export may hold.
LINES = [
    "守望县医保局参保名单",
    "导出日期：2025-05-03",
    "序号,姓名,证件号码,参保状态,合规自付费用,险种",
    f"1,张一,{A},正常参保,1234.56,城乡居民医保",  # 4 plain
    f"2,张二,{B},已参保,-12.5,",  # 5 plain: another spelling, a negative amount, no 险种
    f"3,张三,{C},正常参保,,{LONG_TEXT}",  # 6 plain: check character X, no amount, 险种 cut to 100
    f"4,李四,{LEGACY},正常参保,12,",  # 7 a 15-digit number
    f"5,李五,{LOWER_X},参保缴费 ,0.5,",  # 8 lower-case x; a choice with a space after it
    f'6,李六,{FULL_WIDTH},正常参保," 88 ",',  # 9 full-width digits; spaces around an amount
    f"7,王一, {D} ,正常参保,1,",  # 10 spaces around the ID number
    "8,王二,520102196012310064,正常参保,1,",  # 11 wrong check character
    "9,王三,520102199902300011,正常参保,1,",  # 12 no 30 February
    "10,王四,520102209901010018,正常参保,1,",  # 13 born in 2099
    "11,王五,,正常参保,1,",  # 14 no ID number
    ",,,,,",  # 15 blank
    " , ,  , , , ",  # 16 blank too (spaces only)
    f"12,张一,{A},正常参保,5,",  # 17 the same as row 4
    f"13,王六,{D},正常参保,一万二,",  # 18 the same as row 10 (read in Python); its bad amount is not reported
    f"14,赵一,{E},正常参保,一万二,",  # 19 text in an amount column
    f'15,赵二,{F},"1,234.50元","1,234.50元",',  # 20 thousands and 元; a 参保状态 nobody knows
    f"16,赵三,{G},未知状态,12.1234567,",  # 21 an unknown choice; seven decimals
    f"17,  赵四  ,{H},正常参保,1234567890123,",  # 22 spaces around a name; an amount too large
    f'18,"赵\n五",{LEGACY[:6]}19{LEGACY[6:]}2,正常参保,3,',  # 23 a line break in a quoted name; the same as row 7
    '19,钱一\u3000二,520102198507070136,正常,"7","医保\t险"',  # 24 an ideographic space, a tab in a cell
    '20,孙一,520102198507070144,正常参保,2.5,"职工""医保"""',  # 25 quotes inside a quoted cell
    f"21,张二,{B} ,正常参保,一万二,",  # 26 the same as row 5, with a space after it; its amount is not reported
]

LOADED = [  # row, id_number, name, category, grade, status, amount, event_date, code, detail
    (4, A, "张一", "", "", "参保", Decimal("1234.56"), None, "", "城乡居民医保"),
    (5, B, "张二", "", "", "参保", Decimal("-12.50"), None, "", ""),
    (6, C, "张三", "", "", "参保", None, None, "", LONG_TEXT[:100]),
    (7, "520102196505151232", "李四", "", "", "参保", Decimal("12.00"), None, "", ""),
    (8, "52010219850707011X", "李五", "", "", "参保", Decimal("0.50"), None, "", ""),
    (9, "520102198507070128", "李六", "", "", "参保", Decimal("88.00"), None, "", ""),
    (10, D, "王一", "", "", "参保", Decimal("1.00"), None, "", ""),
    (19, E, "赵一", "", "", "参保", None, None, "", ""),
    (20, F, "赵二", "", "", "1,234.50元", Decimal("1234.50"), None, "", ""),  # kept as written
    (21, G, "赵三", "", "", "未知状态", Decimal("12.12"), None, "", ""),
    (22, H, "赵四", "", "", "参保", None, None, "", ""),
    (24, "520102198507070136", "钱一 二", "", "", "参保", Decimal("7.00"), None, "", "医保 险"),
    (25, "520102198507070144", "孙一", "", "", "参保", Decimal("2.50"), None, "", '职工"医保"'),
]

ISSUES = [  # row, column, message, rejected
    (11, "证件号码", "证件号码校验位错误（应为 3），本行未载入", True),
    (12, "证件号码", "证件号码中的出生日期 19990230 不是有效日期，本行未载入", True),
    (13, "证件号码", "证件号码中的出生日期 2099-01-01 晚于今天，本行未载入", True),
    (14, "证件号码", "证件号码为空，本行未载入", True),
    (17, "证件号码", "证件号码与第 4 行重复，本行未载入", True),
    (18, "证件号码", "证件号码与第 10 行重复，本行未载入", True),
    (19, "合规自付费用", "“一万二”应为金额（数字），该项按空白处理", False),
    (20, "参保状态", "“1,234.50元”不在可识别的值中，已按原样载入（共 1 行，请核实）", False),
    (21, "参保状态", "“未知状态”不在可识别的值中，已按原样载入（共 1 行，请核实）", False),
    (22, "合规自付费用", "“1234567890123”不是有效的金额，该项按空白处理", False),
    (23, "证件号码", "证件号码与第 7 行重复，本行未载入", True),
    (26, "证件号码", "证件号码与第 5 行重复，本行未载入", True),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture(params=["as it comes", "python"])
def way(request, monkeypatch):
    """Each file is loaded the way load_list picks (COPY on PostgreSQL) and the Python way."""
    if request.param == "python":
        monkeypatch.setattr(fastload, "load", lambda *args: None)
    return request.param


def write(path: Path, lines: list[str], encoding: str = "utf-8", newline: str = "\n") -> Path:
    path.write_bytes((newline.join(lines) + newline).encode(encoding))
    return path


def load(path: Path, department: str = "medical_insurance") -> tuple[ParsedList, list[tuple]]:
    source = services.check_department(None, department)
    layout = services.detect_layout(path, source)
    dlist = services.create_list(
        department=department,
        period="2025-05",
        path=path,
        file_name=path.name,
        user=None,
        region_code="",
        layout=layout,
    )
    result = services.load_list(dlist)
    fields = ("row", "id_number", "name", "category", "grade", "status", "amount", "event_date", "code", "detail")
    rows = list(ListRow.objects.filter(list=dlist).order_by("row").values_list(*fields))
    ids = list(ListRow.objects.filter(list=dlist).order_by("row").values_list("id", flat=True))
    assert ids == sorted(ids)  # in row order, as the Python way writes them (a household's first row is its least id)
    assert (dlist.rows_total, dlist.rows_loaded, dlist.rows_rejected, dlist.issue_count) == (
        result.rows_total,
        result.rows_loaded,
        result.rows_rejected,
        result.issue_count,
    )
    return result, rows


def issues_of(result: ParsedList) -> list[tuple]:
    return [(i.row, i.column, i.message, i.rejected) for i in result.issues]


def expect_fast(result: ParsedList, way: str, fast: bool = True) -> None:
    assert result.fast is (fast and POSTGRES and way != "python")
    if POSTGRES:  # the staging tables are gone, whether COPY took the file or not
        with connection.cursor() as cursor:
            cursor.execute("SELECT relname FROM pg_class WHERE relname LIKE 'matching\\_fastload%%'")
            assert cursor.fetchall() == []


@pytest.mark.parametrize("encoding, newline", [("utf-8", "\n"), ("utf-8-sig", "\r\n"), ("gbk", "\r\n")])
def test_odd_rows_load_alike(tmp_path, way, encoding, newline):
    result, rows = load(write(tmp_path / "医保名单.csv", LINES, encoding, newline))
    expect_fast(result, way)
    assert rows == LOADED
    assert issues_of(result) == ISSUES
    assert (result.rows_total, result.rows_loaded, result.rows_rejected, result.issue_count, result.converted_ids) == (
        21,
        13,
        8,
        12,
        1,
    )


def test_line_ends_delimiters_and_quotes_of_other_tools(tmp_path, way):
    """CRLF, semicolons, every cell quoted, no line end after the last row, empty lines after it."""
    lines = ['"序号";"姓名";"证件号码";"合规自付费用"', f'"1";"张一";"{A}";"12.5"', f'"2";"张二";"{B}";""']
    result, rows = load(write(tmp_path / "quoted.csv", lines, newline="\r\n"))
    expect_fast(result, way)
    assert rows == [
        (2, A, "张一", "", "", "", Decimal("12.50"), None, "", ""),
        (3, B, "张二", "", "", "", None, None, "", ""),
    ]
    assert (result.rows_total, result.rows_loaded, result.issue_count) == (2, 2, 0)
    path = tmp_path / "tabs.csv"
    path.write_bytes(f"姓名\t证件号码\t合规自付费用\n张一\t{A}\t7\n张二\t{B}\t8".encode() + b"\n\n\r\n\n")
    result, rows = load(path)
    expect_fast(result, way)
    assert [(r[0], r[1], r[6]) for r in rows] == [(2, A, Decimal("7.00")), (3, B, Decimal("8.00"))]
    assert (result.rows_total, result.rows_loaded, result.issue_count) == (2, 2, 0)


@pytest.mark.parametrize(
    "odd, expected",
    [
        # a row with a field more: Python ignores it, COPY refuses the row
        (f"3,张三,{C},正常参保,9,,多余", (3, C, "张三", "", "", "参保", Decimal("9.00"), None, "", "")),
        # an empty line in the middle: a blank row for Python, a row without fields for COPY
        ("", None),
        # a quote inside an unquoted cell: kept by Python, a quoted part for COPY
        (f'3,张"三",{C},正常参保,9,', (3, C, '张"三"', "", "", "参保", Decimal("9.00"), None, "", "")),
        # a line "\.": the end of the data for COPY
        ("\\.", None),
    ],
)
def test_files_copy_cannot_take_go_the_python_way(tmp_path, way, odd, expected):
    lines = [
        "序号,姓名,证件号码,参保状态,合规自付费用,险种",
        f"1,张一,{A},正常参保,1,",
        f"2,张二,{B},正常参保,2,",
        odd,
        f"4,李四,{D},正常参保,4,",
    ]
    result, rows = load(write(tmp_path / "odd.csv", lines))
    expect_fast(result, way, fast=False)
    first = (2, A, "张一", "", "", "参保", Decimal("1.00"), None, "", "")
    second = (3, B, "张二", "", "", "参保", Decimal("2.00"), None, "", "")
    last = (5, D, "李四", "", "", "参保", Decimal("4.00"), None, "", "")
    if expected is None:
        assert rows == [first, second, last]
        assert (result.rows_total, result.rows_loaded, result.issue_count) == (3 + (odd != ""), 3, odd != "")
    else:
        assert rows == [first, second, (4, *expected[1:]), last]
        assert (result.rows_total, result.rows_loaded, result.issue_count) == (4, 4, 0)


def test_choice_and_date_cells_are_read_once_per_value(tmp_path, way):
    lines = [
        "姓名,身份证号,救助类型,人员状态,死亡日期",
        f"张一,{A},农村低保,正常,",
        f"张二,{B},特困供养,死亡,2025-03-01",
        f"张三,{C},低保边缘家庭,已死亡,2025/3/2",
        f"李四,{D},城市低保,,20250303",
        f"李五,{E},五保户,正常,2025年3月4日",
        f"李六,{F},其他,正常,2025-13-01",
        f"王一,{G},农村特困人员, 正常 ,",
        f"王二,{H},城市低保,注销,2025-02-29",
    ]
    result, rows = load(write(tmp_path / "民政名单.csv", lines), "civil_affairs")
    expect_fast(result, way)
    assert rows == [
        (2, A, "张一", "低保", "", "正常", None, None, "", ""),
        (3, B, "张二", "特困", "", "死亡", None, datetime.date(2025, 3, 1), "", ""),
        (4, C, "张三", "低保边缘", "", "死亡", None, datetime.date(2025, 3, 2), "", ""),
        (5, D, "李四", "低保", "", "", None, datetime.date(2025, 3, 3), "", ""),
        (6, E, "李五", "特困", "", "正常", None, datetime.date(2025, 3, 4), "", ""),
        (7, F, "李六", "其他", "", "正常", None, None, "", ""),
        (8, G, "王一", "特困", "", "正常", None, None, "", ""),
        (9, H, "王二", "低保", "", "停保", None, None, "", ""),
    ]
    assert issues_of(result) == [
        (7, "死亡日期", "“2025-13-01”不是有效的日期，该项按空白处理", False),
        (7, "救助类型", "“其他”不在可识别的值中，已按原样载入（共 1 行，请核实）", False),
        (9, "死亡日期", "“2025-02-29”不是有效的日期，该项按空白处理", False),
    ]
    assert (result.rows_total, result.rows_loaded, result.rows_rejected, result.issue_count) == (8, 8, 0, 3)


def test_a_source_deriving_values_reads_its_rows_in_python(tmp_path, way):
    lines = ["姓名,身份证号,残疾人证号,残疾类别,残疾等级", f"张一,{A},{A}12,视力,一级"]
    result, rows = load(write(tmp_path / "残联名单.csv", lines), "disabled_federation")
    expect_fast(result, way, fast=False)
    assert rows == [(2, A, "张一", "1", "2", "", None, None, f"{A}12", "")]  # category and grade from the number


def test_more_issues_than_are_kept(tmp_path, way):
    """The first MAX_ISSUES in row order are kept whichever rows SQL and Python took; all are counted."""
    lines, expected = ["姓名,证件号码,合规自付费用"], []
    for k in range(1, 1501):
        first17 = f"520102{datetime.date(1950, 1, 1) + datetime.timedelta(days=k):%Y%m%d}{k % 1000:03d}"
        number = first17 + ric.calc_check_digit(first17 + "0")
        lines.append(f"员{k},{number},{'一' if k % 2 else k}")  # every other amount unreadable
        row = len(lines)
        if k % 2:
            expected.append((row, "合规自付费用", False))
        if k % 3 == 0:
            lines.append(f"重{k},{number},一")  # the same number again, right after it
            expected.append((len(lines), "证件号码", True))
        if k % 5 == 0:
            lines.append(f"错{k},{number[:17]}{'0' if number[17] != '0' else '1'},1")  # a wrong check character
            expected.append((len(lines), "证件号码", True))
    result, rows = load(write(tmp_path / "many.csv", lines))
    expect_fast(result, way)
    assert (result.rows_total, result.rows_loaded, result.rows_rejected, result.issue_count) == (
        1500 + 500 + 300,
        1500,
        500 + 300,
        750 + 500 + 300,
    )
    assert len(expected) == 1550 and len(rows) == 1500
    assert [(i.row, i.column, i.rejected) for i in result.issues] == expected[:MAX_ISSUES]


def test_birth_dates_at_the_edges(tmp_path, way):
    """Dates SQL looks up rather than builds: no month 0 or 13, no day 0 or 32, 29 February only in leap years,
    not before 1890, not after today."""
    today = datetime.date.today()
    tomorrow = today + datetime.timedelta(days=1)

    def number(birth: str, seq: str = "001") -> str:
        first17 = f"520102{birth}{seq}"
        return first17 + ric.calc_check_digit(first17 + "0")

    dates = {
        "19800001": "不是有效日期",
        "19800100": "不是有效日期",
        "19801301": "不是有效日期",
        "19800132": "不是有效日期",
        "19000229": "不是有效日期",
        "19990229": "不是有效日期",
        "18891231": "出生年份 1889 不合理",
        f"{tomorrow:%Y%m%d}": "晚于今天",
        "19800131": None,
        "20000229": None,
        "18900101": None,
        f"{today:%Y%m%d}": None,
        "19991231": None,
    }
    lines = ["姓名,证件号码"] + [f"人{k},{number(birth)}" for k, birth in enumerate(dates)]
    result, rows = load(write(tmp_path / "dates.csv", lines))
    expect_fast(result, way)
    assert [r[1][6:14] for r in rows] == [birth for birth, problem in dates.items() if problem is None]
    problems = [problem for problem in dates.values() if problem]
    assert [(i.row, i.rejected) for i in result.issues] == [(k + 2, True) for k in range(len(problems))]
    assert all(problem in issue.message for problem, issue in zip(problems, result.issues, strict=True))


def test_a_cell_too_long_for_the_csv_module_is_refused_either_way(tmp_path, way):
    # below the rows read to find the header
    lines = ["姓名,证件号码,险种", *[f"张一,{A},短"] * 12, f"张二,{B},{'长' * 131_073}"]
    with pytest.raises(FileRejected, match="CSV 文件格式有误"):
        load(write(tmp_path / "long.csv", lines))


def test_a_household_finding_takes_its_first_list_row_whichever_way_read(world, tmp_path, way):
    """The first row of the household (its ID with a space after it: read in Python) is the finding's row."""
    home = make_household(world.village_a, household_no="F1", head="房一", household_type="脱贫户", housing_secure=True)
    head = home.members.get(relation="户主")
    wife = make_member(home, name="房一妻", relation="配偶", male=False)
    rows = [["房一", f"{head.id_number} ", "C级", "2025-03-02"], ["房一妻", wife.id_number, "D", "2025-03-04"]]
    run = run_list(
        tmp_path,
        "housing",
        ["户主姓名", "户主身份证号", "鉴定等级", "鉴定日期"],
        rows,
        user=world.admin,
        name="housing.csv",
    )
    finding = Finding.objects.get(run=run)
    assert (finding.id_number, finding.list_row.row) == (head.id_number, 2)
    assert dict(finding.figure_pairs) == {"鉴定等级": "C级", "鉴定日期": "2025-03-02", "系统住房安全": "安全"}


def test_odd_rows_read_in_batches(tmp_path, way, monkeypatch):
    monkeypatch.setattr(fastload, "BATCH", 3)
    result, rows = load(write(tmp_path / "医保名单.csv", LINES))
    expect_fast(result, way)
    assert rows == LOADED
    assert issues_of(result) == ISSUES


def test_a_header_without_rows_is_refused_either_way(tmp_path, way):
    with pytest.raises(FileRejected, match="没有数据行"):
        load(write(tmp_path / "empty.csv", ["姓名,证件号码", ",", ""]))


def test_staging_ids_drawn_by_another_load_meanwhile_send_the_file_the_python_way(tmp_path, monkeypatch):
    """A load takes its staging ids as one block, odd rows included: not when another session drew ids meanwhile
    (on PostgreSQL the COPY way rolls back and the Python way loads the file; on SQLite that is the only way)."""
    fields = fastload._Load._fields

    def drawing(self):
        values, conditions = fields(self)
        values[1] = f"({values[1]} || CASE WHEN nextval('matching_listrow_id_seq') > 0 THEN '' END)"
        return values, conditions

    monkeypatch.setattr(fastload._Load, "_fields", drawing)
    result, rows = load(write(tmp_path / "医保名单.csv", LINES))
    assert not result.fast
    assert rows == LOADED
    assert issues_of(result) == ISSUES


def test_an_unknown_choice_is_kept_and_reported_once_whichever_way(tmp_path, way):
    lines = [
        "姓名,身份证号,救助类型,人员状态",
        *(f"张{i},{n},临时救助对象,正常" for i, n in enumerate((A, B, C))),
        f"李一,{D},低保,正常",
    ]
    result, rows = load(write(tmp_path / "民政名单.csv", lines), "civil_affairs")
    expect_fast(result, way)
    assert [r[3] for r in rows] == ["临时救助对象", "临时救助对象", "临时救助对象", "低保"]
    assert issues_of(result) == [
        (2, "救助类型", "“临时救助对象”不在可识别的值中，已按原样载入（共 3 行，请核实）", False)
    ]
    assert (result.rows_loaded, result.rows_rejected, result.issue_count) == (4, 0, 1)
