"""The export writes the columns of the file the county last imported: its order, its header names, its unknown
columns, and no column it never supplied; the national set on request or when the county never imported a file."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from python_calamine import CalamineWorkbook

from shoudi.core.context import acting_as
from shoudi.core.models import Job
from shoudi.registry.exporting import export_households
from shoudi.registry.importing import commit_household_import, preview_household_import
from shoudi.registry.models import HouseholdImport, ImportLayout, Member
from shoudi.registry.national import COLUMNS, write_national_xlsx
from shoudi.registry.synthetic import generate_rows

# (header as the county's file writes it, the standard header of the generated row), in the file's own order;
# None: 序号, or a column Shoudi does not know
COUNTY_COLUMNS = [
    ("序号", None),
    ("行政村", "村"),
    ("乡(镇)", "乡"),
    ("县(市、区、旗)", "县"),
    ("户编号", "户编号"),
    ("户类型", "户类型"),
    ("姓名", "姓名"),
    ("证件号码", "证件号码"),
    ("证件类型", "证件类型"),
    ("与户主关系", "与户主关系"),
    ("民族", "民族"),
    ("文化程度", "文化程度"),
    ("健康状况", "健康状况"),
    ("劳动技能", "劳动技能"),
    ("村级备注", None),
    ("是否危房户", "是否危房户"),
    ("工资性收入", "工资性收入"),
    ("家庭纯收入", "家庭纯收入"),
]
HEADERS = [h for h, _s in COUNTY_COLUMNS]
NEVER_SUPPLIED = ("是否参加大病保险", "是否参加城乡居民基本养老保险", "公益性岗位", "家庭成员联系电话")
STANDARD_PLACES = ("县", "乡", "村")  # the file names them 县(市、区、旗), 乡(镇), 行政村


def county_file(world, path, households=6, villages=None):
    """A county's own export: a subset of the national columns, renamed, reordered, with a column of its own."""
    rows = list(generate_rows(villages or [world.village_a, world.village_a2, world.village_b], households=households))
    body = []
    for number, row in enumerate(rows, 1):
        cells = []
        for header, standard in COUNTY_COLUMNS:
            if header == "序号":
                cells.append(number)
            elif header == "村级备注":
                cells.append(f"备注{number}" if number % 2 else None)
            else:
                cells.append(row[standard])
        body.append(cells)
    write_national_xlsx(path, body, title="测试县2025年度农户信息", details="导出时间：2026-01-15", headers=HEADERS)
    return rows


def imported(world, tmp_path, **kwargs):
    path = tmp_path / "县导出.xlsx"
    rows = county_file(world, path, **kwargs)
    with acting_as(None, source="cli"):
        result = commit_household_import(path)
    assert result.ok and result.committed, result.errors
    return rows


def sheet(path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)


def test_the_import_remembers_the_files_columns(world, tmp_path):
    imported(world, tmp_path)
    layout = ImportLayout.objects.get()
    assert layout.county_code == world.county.code and layout.file_name == "县导出.xlsx"
    assert [h for h, _t in layout.columns] == HEADERS
    targets = dict(layout.columns)
    assert targets["县(市、区、旗)"] == "place.county" and targets["行政村"] == "place.village"
    assert targets["村级备注"] == "" and targets["序号"] == "#row"  # kept as the members' extra data; the row number


def test_export_writes_the_county_file_and_importing_it_again_changes_nothing(world, tmp_path):
    rows = imported(world, tmp_path)
    out = tmp_path / "out.xlsx"

    result = export_households(out, region=world.county)

    data = sheet(out)
    assert data[2] == HEADERS  # row 3: the imported file's header, exactly
    assert not set(NEVER_SUPPLIED + STANDARD_PLACES) & set(data[2])
    body = data[3:]
    assert len(body) == len(rows) == result.members
    assert all(len(r) == len(HEADERS) for r in body)
    for index, header in enumerate(HEADERS):  # no column written blank
        assert any(r[index] not in (None, "") for r in body), header
    by_id = {r[HEADERS.index("证件号码")]: dict(zip(HEADERS, r, strict=True)) for r in body}
    remarks = {r["证件号码"]: f"备注{n}" for n, r in enumerate(rows, 1) if n % 2}
    assert {k: v["村级备注"] for k, v in by_id.items() if v["村级备注"]} == remarks
    assert [r[0] for r in body] == list(range(1, len(body) + 1))  # 序号 counts the rows
    assert "按最近导入的文件“县导出.xlsx”的 18 列" in result.summary()

    with acting_as(None, source="cli"):
        again = preview_household_import(out)

    assert not again.errors and not again.warnings and not again.missing_members
    assert again.totals.households["new"] == again.totals.households["changed"] == 0
    assert again.totals.households["unchanged"] == 6
    assert again.totals.members["new"] == again.totals.members["changed"] == 0
    assert again.totals.members["unchanged"] == Member.objects.count()
    assert again.unknown_columns == ["村级备注"]


def test_all_columns_writes_the_national_set(world, tmp_path):
    imported(world, tmp_path)
    out = tmp_path / "all.xlsx"

    result = export_households(out, region=world.county, all_columns=True)

    assert sheet(out)[2] == [c.header for c in COLUMNS]
    assert result.layout is None and "国家系统全部" in result.summary()
    with acting_as(None, source="cli"):
        again = preview_household_import(out)
    assert again.totals.households["changed"] == again.totals.households["new"] == 0


def test_the_command_writes_the_county_columns_or_all_of_them(world, tmp_path):
    imported(world, tmp_path)
    mine, every = tmp_path / "mine.xlsx", tmp_path / "every.xlsx"
    out = io.StringIO()
    call_command("export_households", "--region", world.county.code, "--out", str(mine), stdout=out)
    call_command("export_households", "--region", world.county.code, "--out", str(every), "--all-columns", stdout=out)
    assert sheet(mine)[2] == HEADERS
    assert sheet(every)[2] == [c.header for c in COLUMNS]
    assert "按最近导入的文件" in out.getvalue() and "国家系统全部" in out.getvalue()


def test_a_township_user_gets_his_countys_last_layout(world, tmp_path):
    imported(world, tmp_path)
    out = tmp_path / "township.xlsx"

    result = export_households(out, region=world.township_a, user=world.reviewer_a)

    assert result.households == 4
    assert sheet(out)[2] == HEADERS
    assert {r[HEADERS.index("乡(镇)")] for r in sheet(out)[3:]} == {"甲镇"}


def test_the_last_import_decides(world, tmp_path):
    imported(world, tmp_path)
    full = tmp_path / "national.xlsx"
    write_national_xlsx(full, generate_rows([world.village_b], households=1, seed=5), title="测试县2025年度农户信息")
    with acting_as(None, source="cli"):
        assert commit_household_import(full).committed
    out = tmp_path / "out.xlsx"
    export_households(out, region=world.county)
    assert sheet(out)[2] == [c.header for c in COLUMNS]
    # another county's import is not this county's layout
    assert ImportLayout.latest_for(world.other_county.code) is None


def test_a_county_that_never_imported_gets_the_national_set(world, tmp_path):
    from shoudi.registry.testing import make_household

    make_household(world.village_a, household_no="A1", head="张三")
    out = tmp_path / "out.xlsx"
    result = export_households(out, region=world.county)
    assert sheet(out)[2] == [c.header for c in COLUMNS] and result.layout is None


@pytest.fixture
def immediate_jobs(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return django_capture_on_commit_callbacks


def test_the_web_import_records_its_layout_and_the_export_page_offers_all_columns(
    client_for, world, tmp_path, immediate_jobs
):
    path = tmp_path / "甲村.xlsx"
    county_file(world, path, households=2, villages=[world.village_a])
    client = client_for(world.officer_a)
    with path.open("rb") as fh, immediate_jobs(execute=True):
        client.post("/registry/import/", {"file": fh})
    upload = HouseholdImport.objects.get()
    with immediate_jobs(execute=True):
        client.post(f"/registry/import/{upload.pk}/commit/")
    layout = ImportLayout.objects.get()
    assert layout.household_import == upload and layout.file_name == "甲村.xlsx"
    assert [h for h, _t in layout.columns] == HEADERS

    assert "导出全部国家系统列" in client.get("/registry/households/").content.decode()
    with immediate_jobs(execute=True):
        client.post("/registry/export/")
        client.post("/registry/export/", {"all_columns": "1"})
    mine, every = Job.objects.filter(kind="registry.export").order_by("pk")
    assert mine.params["all_columns"] is False and "按最近导入的文件“甲村.xlsx”的 18 列" in mine.log
    assert every.params["all_columns"] is True and f"国家系统全部 {len(COLUMNS)} 列" in every.log


def test_the_import_command_records_the_layout_too(world, tmp_path):
    path = tmp_path / "命令行.xlsx"
    county_file(world, path, households=2, villages=[world.village_b])
    call_command("import_households", str(path), stdout=io.StringIO())
    layout = ImportLayout.latest_for(world.township_b.code)  # any code of the county finds it
    assert layout.file_name == "命令行.xlsx" and layout.household_import is None
    assert [h for h, _t in layout.columns] == HEADERS
