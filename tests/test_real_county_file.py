"""A real county's national export: 3,000 households with the national certificate name and values no code table
knows import whole; bad input gets Chinese errors naming its rows and writes nothing (issue 13)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shoudi.core.context import acting_as
from shoudi.core.synonyms import add_synonym
from shoudi.registry.importing import commit_household_import, preview_household_import
from shoudi.registry.models import Household, Member
from shoudi.registry.national import COLUMNS, write_national_xlsx
from shoudi.registry.synthetic import generate_rows

TITLE = "测试县2025年度防返贫监测农户信息"
DETAILS = "导出时间：2026-01-15 10:20:30   导出单位：测试县乡村振兴局"


def county_file(world, path, households: int, *, seed: int = 11) -> tuple:
    rows = list(generate_rows([world.village_a, world.village_a2, world.village_b], households=households, seed=seed))
    write_national_xlsx(path, rows, title=TITLE, details=DETAILS)
    return path, rows


def test_a_county_file_with_national_names_and_unknown_values_imports_every_household(world, tmp_path):
    rows = list(generate_rows([world.village_a, world.village_a2, world.village_b], households=3000, seed=13))
    students = [r for r in rows if r["在校生状况"] in ("七年级", "八年级")]
    workers = [r for r in rows if r["劳动技能"] == "普通劳动力"][::7]
    for row in rows:
        assert row["证件类型"] == "居民身份证（户口簿）"
    for row in students:
        row["在校生状况"] = "初中在读"
    for row in workers:
        row["劳动技能"] = "普通劳动力（外出务工）"
    path = tmp_path / "县.xlsx"
    write_national_xlsx(path, rows, title=TITLE, details=DETAILS)

    out = io.StringIO()
    call_command("import_households", str(path), "--skip-errors", stdout=out)

    assert Household.objects.count() == 3000 and Member.objects.count() == len(rows)
    assert set(Member.objects.values_list("id_type", flat=True)) == {"居民身份证（户口簿）"}
    text = out.getvalue()
    assert "新增 3000 户" in text and "错误 0 户" in text
    assert f"在校生状况“初中在读” {len(students)} 处" in text
    assert f"劳动技能“普通劳动力（外出务工）” {len(workers)} 处" in text
    assert Member.objects.filter(student_status="初中在读").count() == len(students)  # kept as written

    with acting_as(world.admin, source="web"):
        add_synonym(user=world.admin, vocabulary="student_status", text="初中在读", value="八年级")
        add_synonym(user=world.admin, vocabulary="labour_skill", text="普通劳动力（外出务工）", value="普通劳动力")
        again = preview_household_import(path, user=world.admin)
    assert again.unknown_values == []
    changed = {r["户编号"] for r in students + workers}
    assert again.totals.households["changed"] == len(changed) and again.totals.households["error"] == 0


def test_a_column_of_invalid_ids_is_refused_row_by_row_and_nothing_is_written(world, tmp_path):
    path, rows = county_file(world, tmp_path / "a.xlsx", 3)
    for row in rows:
        number = row["证件号码"]
        row["证件号码"] = number[:17] + ("0" if number[17] != "0" else "1")  # every check character wrong
    write_national_xlsx(path, rows, title=TITLE, details=DETAILS)

    with acting_as(None, source="cli"):
        result = commit_household_import(path, all_or_nothing=True)

    assert not result.committed and Household.objects.count() == 0 and Member.objects.count() == 0
    messages = [str(e) for e in result.errors]
    assert len(result.report_rows) == len(rows)
    assert messages[0].startswith("第 4 行") and "证件号码" in messages[0] and "校验位错误" in messages[0]
    with pytest.raises(CommandError, match="没有可导入的农户"):
        call_command("import_households", str(path), "--skip-errors", stdout=io.StringIO())
    assert Household.objects.count() == 0


def test_a_household_without_a_head_is_refused_naming_its_rows(world, tmp_path):
    path, rows = county_file(world, tmp_path / "a.xlsx", 2)
    first = rows[0]["户编号"]
    mine = [i for i, r in enumerate(rows) if r["户编号"] == first]
    rows[mine[0]]["与户主关系"] = "户主（本人）"  # not in the table: kept, and the household has no 户主
    write_national_xlsx(path, rows, title=TITLE, details=DETAILS)

    with acting_as(None, source="cli"):
        result = commit_household_import(path, all_or_nothing=True)

    assert not result.committed and Household.objects.count() == 0
    message = next(str(e) for e in result.errors if "户主" in str(e))
    assert f"户编号 {first} 没有户主（第 {mine[0] + 4}–{mine[-1] + 4} 行中应有一人为“户主”）" in message
    assert "“户主（本人）”" in message and "同义词" in message
    with acting_as(None, source="cli"):
        skipped = commit_household_import(path)  # the other household imports
    assert skipped.committed and list(Household.objects.values_list("household_no", flat=True)) != [first]
    assert not Household.objects.filter(household_no=first).exists() and Household.objects.count() == 1


def test_two_heads_in_one_household_are_refused(world, tmp_path):
    path, rows = county_file(world, tmp_path / "a.xlsx", 1)
    rows[1]["与户主关系"] = "户主"
    write_national_xlsx(path, rows, title=TITLE, details=DETAILS)
    with acting_as(None, source="cli"):
        result = preview_household_import(path)
    assert any("有 2 个户主（第 4、5 行）" in str(e) for e in result.errors)
    assert result.totals.households["error"] == 1


def _with_header_on(path, rows, header_row: int):
    """The national layout with the header moved down: a title, notes, blank rows, then the header."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_string(0, 0, TITLE)
    sheet.write_string(1, 0, DETAILS)
    for r in range(2, header_row - 2):
        sheet.write_string(r, 0, f"填表说明{r}：本表由国家防返贫监测信息系统导出")
    headers = [c.header for c in COLUMNS]
    for c, header in enumerate(headers):
        sheet.write_string(header_row - 1, c, header)
    for r, row in enumerate(rows, start=header_row):
        for c, header in enumerate(headers):
            value = row.get(header)
            if value not in (None, ""):
                sheet.write(r, c, value)
    book.close()
    return path


def test_a_header_on_row_7_is_found(world, tmp_path):
    _path, rows = county_file(world, tmp_path / "a.xlsx", 2)
    path = _with_header_on(tmp_path / "b.xlsx", rows, 7)
    with acting_as(None, source="cli"):
        result = commit_household_import(path, all_or_nothing=True)
    assert result.ok and result.header_row == 7 and Member.objects.count() == len(rows)


def test_a_header_below_the_search_rows_is_refused_in_chinese(world, tmp_path):
    _path, rows = county_file(world, tmp_path / "a.xlsx", 1)
    path = _with_header_on(tmp_path / "b.xlsx", rows, 12)
    with acting_as(None, source="cli"):
        result = commit_household_import(path, all_or_nothing=True)
    assert result.file_error == "未找到表头：前 10 行中应有“户编号”和“证件号码”等列"
    assert Household.objects.count() == 0


def test_an_imported_case_keeps_the_kind_of_natural_disaster(world, tmp_path):
    from shoudi.monitoring.models import MonitoringCase

    path, rows = county_file(world, tmp_path / "a.xlsx", 1)
    for row in rows:
        row.update(
            {
                "监测对象类别": "突发严重困难",
                "识别监测时间": "202407",
                "致贫/返贫风险1": "因自然灾害（洪涝）",
                "致贫/返贫风险2": "务工就业不稳",
                "风险是否已消除": "否",
            }
        )
    write_national_xlsx(path, rows, title=TITLE, details=DETAILS)
    call_command("import_households", str(path), stdout=io.StringIO())
    case = MonitoringCase.objects.get()
    assert (case.category, case.risk_types, case.disaster_subtype) == (
        "突发严重困难户",
        ["因自然灾害", "因务工就业不稳"],
        "洪涝",
    )
