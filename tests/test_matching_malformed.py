"""Malformed lists: wrong columns, empty files, duplicate and invalid IDs, 15-digit IDs, text in number columns,
other encodings and layouts — a clear error or a reported row, and earlier runs left as they were."""

import pytest

from shoudi.core.idnumbers import normalize_id_number
from shoudi.matching import services
from shoudi.matching.models import DepartmentList, Finding, ListRow, MatchRun
from shoudi.matching.reading import FileRejected
from shoudi.matching.testing import findings_of, run_list, write_list
from shoudi.registry.testing import make_household, make_member

pytestmark = pytest.mark.django_db

HEADERS = ["姓名", "证件号码", "合规自付费用"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def home(world):
    household = make_household(world.village_a, household_no="M1", head="马一", household_type="脱贫户")
    make_member(household, name="马二", relation="之子")
    return household


@pytest.fixture
def earlier(world, tmp_path, home):
    """A good April run with two findings, which nothing below may disturb."""
    head = home.members.get(relation="户主")
    run = run_list(
        tmp_path,
        "medical_insurance",
        HEADERS,
        [["马一", head.id_number, "12000"]],
        period="2025-04",
        user=world.admin,
        name="april.xlsx",
    )
    assert Finding.objects.filter(run=run).count() == 2
    return run


def untouched(run):
    run.refresh_from_db()
    assert run.status == "succeeded"
    assert Finding.objects.filter(run=run).count() == 2
    assert Finding.objects.filter(run=run).current().count() == 2


def test_wrong_columns_are_a_clear_error(world, tmp_path, earlier):
    path = write_list(tmp_path / "wrong.xlsx", ["名称", "编号", "金额"], [["马一", "1", "2"]])
    with pytest.raises(FileRejected) as exc:
        services.match_file(department="medical_insurance", path=path, period="2025-05", user=world.admin)
    assert "未找到表头" in str(exc.value) and "“证件号码”" in str(exc.value) and "名称、编号、金额" in str(exc.value)
    assert DepartmentList.objects.count() == 1 and MatchRun.objects.count() == 1
    untouched(earlier)


def test_a_department_list_without_its_required_column_is_refused(world, tmp_path, home):
    path = write_list(tmp_path / "civil.xlsx", ["姓名", "证件号码"], [["马一", home.members.first().id_number]])
    with pytest.raises(FileRejected, match="“救助类型”"):
        services.match_file(department="civil_affairs", path=path, period="2025-05", user=world.admin)


@pytest.mark.parametrize(
    "content, message", [(b"", "文件是空的"), (b"\n\n", "文件是空的"), (b"\x00\x01binary", "不是文本格式")]
)
def test_empty_and_unreadable_files(world, tmp_path, earlier, content, message):
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    with pytest.raises(FileRejected, match=message):
        services.match_file(department="medical_insurance", path=path, period="2025-05", user=world.admin)
    untouched(earlier)


def test_a_header_without_rows_fails_the_run_and_leaves_earlier_runs(world, tmp_path, earlier):
    path = write_list(tmp_path / "header-only.xlsx", HEADERS, [])
    with pytest.raises(FileRejected, match="没有数据行"):
        services.match_file(department="medical_insurance", path=path, period="2025-05", user=world.admin)
    failed = MatchRun.objects.exclude(pk=earlier.pk).get()
    assert failed.status == "failed" and "没有数据行" in failed.error
    assert not ListRow.objects.filter(list=failed.list).exists()
    untouched(earlier)


def test_excel_with_a_wrong_extension_is_refused(world, tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_text("姓名,证件号码\n", encoding="utf-8")
    with pytest.raises(FileRejected, match="内容不是 Excel"):
        services.match_file(department="medical_insurance", path=path, period="2025-05", user=world.admin)
    other = tmp_path / "list.txt"
    other.write_text("x")
    with pytest.raises(FileRejected, match="只支持"):
        services.match_file(department="medical_insurance", path=other, period="2025-05", user=world.admin)


def test_bad_rows_are_reported_and_the_rest_is_matched(world, tmp_path, earlier, home):
    head = home.members.get(relation="户主")
    son = home.members.get(relation="之子")
    legacy = make_member(home, name="马老", relation="之父", id_number=normalize_id_number("520102401231001"))
    bad_checksum = head.id_number[:17] + ("0" if head.id_number[17] != "0" else "1")
    rows = [
        ["马一", head.id_number, "一万二"],  # text in a number column: reported, row kept
        ["马一", head.id_number, "500"],  # the same ID again: reported, not loaded
        ["马二", f" {son.id_number.lower()} ", "1,234.50元"],  # spaces, lower-case x, thousands and 元
        ["马老", "520102401231001", "25000"],  # 15-digit legacy number
        ["某人", bad_checksum, "1"],
        ["某人", "", "1"],
        ["", "", ""],  # blank rows are skipped silently
    ]
    run = run_list(tmp_path, "medical_insurance", HEADERS, rows, user=world.admin)
    assert legacy.id_number.startswith("52010219401231001")  # the registry keeps 18 digits
    # 马一's amount could not be read: no cost finding, and he is not reported as uninsured either
    assert findings_of(run) == {("high_medical", legacy.id_number)}
    dlist = run.list
    assert (dlist.rows_total, dlist.rows_loaded, dlist.rows_rejected) == (6, 3, 3)
    issues = {(i["row"], i["column"]): i for i in dlist.issues}
    amount = issues[(4, "合规自付费用")]
    assert "一万二" in amount["message"] and "应为金额" in amount["message"] and not amount["rejected"]
    assert issues[(5, "证件号码")]["message"] == "证件号码与第 4 行重复，本行未载入"
    assert "校验位" in issues[(8, "证件号码")]["message"] and issues[(8, "证件号码")]["rejected"]
    assert issues[(9, "证件号码")]["message"] == "证件号码为空，本行未载入"
    assert run.summary["rows_rejected"] == 3 and run.summary["issues"] == 4
    loaded = dict(ListRow.objects.filter(list=dlist).values_list("id_number", "amount"))
    assert loaded[head.id_number] is None and str(loaded[son.id_number]) == "1234.50"
    untouched(earlier)


def test_gbk_csv_with_title_rows_and_a_semicolon(world, tmp_path, home):
    head = home.members.get(relation="户主")
    path = tmp_path / "gbk.csv"
    text = (
        f"守望县医保局参保名单\n导出日期：2025-05-03\n序号;姓名;身份证号码;合规自付支出\n1;马一;{head.id_number};9.5\n"
    )
    path.write_bytes(text.encode("gbk"))
    run = services.match_file(department="medical_insurance", path=path, period="2025-05", user=world.admin)
    assert run.list.header_row == 3 and run.list.rows_loaded == 1
    assert run.list.mapping == {"id_number": "身份证号码", "name": "姓名", "amount": "合规自付支出"}
    assert findings_of(run) == {("not_insured", home.members.get(relation="之子").id_number)}


def test_a_cover_sheet_before_the_list_is_skipped(world, tmp_path, home):
    import xlsxwriter

    head = home.members.get(relation="户主")
    path = tmp_path / "cover.xlsx"
    book = xlsxwriter.Workbook(str(path))
    book.add_worksheet("说明").write_string(0, 0, "本表为医保参保名单，请勿修改表头")
    sheet = book.add_worksheet("名单")
    for col, value in enumerate(["姓名", "证件号码"]):
        sheet.write_string(0, col, value)
    sheet.write_string(1, 0, "马一")
    sheet.write_string(1, 1, head.id_number)
    book.close()
    run = services.match_file(department="medical_insurance", path=path, period="2025-05", user=world.admin)
    assert run.list.rows_loaded == 1


def test_ids_typed_as_numbers_lose_digits_and_are_reported(world, tmp_path, home):
    import xlsxwriter

    head = home.members.get(relation="户主")
    path = tmp_path / "numbers.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "证件号码"])
    sheet.write_row(1, 0, ["马一", float(head.id_number[:17] + "1")])  # Excel keeps 15 significant digits
    sheet.write_row(2, 0, ["马老", 520102401231001])  # a 15-digit number survives
    book.close()
    run = services.match_file(department="medical_insurance", path=path, period="2025-05", user=world.admin)
    assert run.list.rows_loaded == 1 and run.list.rows_rejected == 1
    assert run.list.issues[0]["row"] == 2 and run.list.issues[0]["rejected"]
    assert "15 位有效数字" in run.list.issues[0]["message"]


def test_odd_characters_in_cells_load_safely(world, tmp_path, home):
    head = home.members.get(relation="户主")
    son = home.members.get(relation="之子")
    rows = [["马\\一", head.id_number, "1"], ["马\t二\n", son.id_number, "2"]]
    run = run_list(tmp_path, "medical_insurance", HEADERS, rows, user=world.admin)
    names = dict(ListRow.objects.filter(list=run.list).values_list("id_number", "name"))
    assert names == {head.id_number: "马\\一", son.id_number: "马 二"}
    assert findings_of(run) == {("name_mismatch", head.id_number)}  # 马二 with a tab inside is still 马二


def test_a_list_whose_rows_were_lost_is_loaded_again(world, tmp_path, earlier):
    """PostgreSQL keeps list rows unlogged: after a crash they are gone, and a new run loads the stored file."""
    ListRow.objects.filter(list=earlier.list).delete()
    again = MatchRun.objects.create(
        list=earlier.list, department=earlier.department, period=earlier.period, region_code=earlier.region_code
    )
    services.execute_run(again)
    assert ListRow.objects.filter(list=earlier.list).count() == 1
    assert again.status == "preview" and again.summary["findings"] == 2
    again = services.release_run(run=again, user=None)  # the earlier run is superseded on the release
    assert again.status == "succeeded"
    earlier.refresh_from_db()
    assert earlier.status == "superseded"
