"""Importing the national person-level export: preview, commit, re-import, errors, scope, regions and the command."""

from __future__ import annotations

import datetime
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shoudi.core.cells import parse_money, parse_yearmonth, parse_yes_no
from shoudi.core.context import acting_as
from shoudi.core.models import ObjectChange
from shoudi.regions.models import Region
from shoudi.registry.exporting import export_households
from shoudi.registry.importing import (
    bulk,
    changelog,
    commit_household_import,
    derived,
    parse,
    preview_household_import,
    services,
    snapshot,
    xlsx,
)
from shoudi.registry.models import Household, IncomeRecord, Member
from shoudi.registry.national import COLUMNS, write_national_xlsx
from shoudi.registry.synthetic import generate_rows, id_number_for

TITLE = "测试县2025年度防返贫监测农户信息"
DETAILS = "导出时间：2026-01-15 10:20:30   导出单位：测试县乡村振兴局"
EXPORTED_ON = datetime.date(2026, 1, 15)


# --- helpers --------------------------------------------------------------------------------------------------------


def synthetic(world, households=6, *, seed=1, villages=None, start_no=1) -> list[dict]:
    villages = villages or [world.village_a, world.village_a2, world.village_b]
    return list(generate_rows(villages, households=households, seed=seed, start_no=start_no))


def write(path: Path, rows, *, headers=None, title=TITLE, details=DETAILS) -> Path:
    write_national_xlsx(path, rows, title=title, details=details, headers=headers)
    return path


def preview(path, user=None, **kwargs):
    with acting_as(user, source="cli" if user is None else "web"):
        return preview_household_import(path, user=user, **kwargs)


def commit(path, user=None, **kwargs):
    with acting_as(user, source="cli" if user is None else "web"):
        return commit_household_import(path, user=user, **kwargs)


def changes(model=None):
    qs = ObjectChange.objects.all()
    if model is not None:
        qs = qs.filter(content_type=ContentType.objects.get_for_model(model))
    return qs


def registry_counts():
    return Household.objects.count(), Member.objects.count(), IncomeRecord.objects.count()


def read_sheet(path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)


def one_household(world, *, seed=7, village=None) -> list[dict]:
    return synthetic(world, 1, seed=seed, villages=[village or world.village_a])


# --- preview and commit ---------------------------------------------------------------------------------------------


def test_preview_counts_per_village_and_writes_nothing(world, tmp_path):
    rows = synthetic(world)
    path = write(tmp_path / "a.xlsx", rows)
    before = changes().count()

    result = preview(path)

    assert result.ok and not result.committed and result.dry_run
    assert registry_counts() == (0, 0, 0)
    assert changes().count() == before
    assert result.header_row == 3
    assert result.rows == len(rows)
    by_village = {v.village: v for v in result.village_list}
    assert set(by_village) == {"甲村", "甲二村", "乙村"}
    assert by_village["甲村"].code == world.village_a.code
    for name, counts in by_village.items():
        expected = sum(1 for r in rows if r["村"] == name)
        assert counts.households["new"] == 2
        assert counts.members["new"] == expected
    assert result.totals.households["new"] == 6
    assert result.income_year == 2025 and result.income_year_source == "文件标题"
    assert result.export_date == EXPORTED_ON
    assert "新增 6 户" in result.summary() and "预览" in result.summary()


def test_commit_writes_households_members_incomes_with_change_log(world, tmp_path):
    rows = synthetic(world)
    path = write(tmp_path / "a.xlsx", rows)
    preview(path)

    result = commit(path)

    assert result.committed and result.ok
    assert registry_counts() == (6, len(rows), 6)
    household = Household.objects.get(household_no=rows[0]["户编号"])
    assert household.village == world.village_a
    assert household.size == rows[0]["家庭人口数"]
    assert household.household_type == rows[0]["户类型"]
    member = Member.objects.get(household=household, id_number=rows[0]["证件号码"])
    assert member.name == rows[0]["姓名"] and member.relation == "户主"

    # derived fields are what a model save would set
    for m in Member.objects.all():
        fresh = Member(name=m.name, id_type=m.id_type, id_number=m.id_number)
        fresh.derive_from_id()
        assert (m.name_initials, m.gender, m.birth_date) == (fresh.name_initials, fresh.gender, fresh.birth_date)
    # incomes computed by the model's formula
    for income in IncomeRecord.objects.all():
        net, per_capita = income.net_income, income.per_capita
        income.compute()
        assert (net, per_capita) == (income.net_income, income.per_capita)
        assert income.year == 2025

    # one create in the change log per object, shaped like audit_data(), attributed to the command line
    for model in (Household, Member, IncomeRecord):
        logged = {c.object_id: c for c in changes(model)}
        assert len(logged) == model.objects.count()
        for obj in model.objects.all():
            change = logged[str(obj.pk)]
            assert change.action == ObjectChange.CREATE and change.before is None
            assert change.after == obj.audit_data()
            assert change.source == "cli" and change.user_name == "命令行"
            assert change.region_code == (obj.village.code if model is Household else obj.household.village.code)
            assert change.object_repr == str(obj)
            if model is not Household:
                assert change.parent_object_id == str(obj.household_id)


def test_importing_the_same_file_again_changes_nothing(world, tmp_path):
    path = write(tmp_path / "a.xlsx", synthetic(world))
    commit(path)
    stamps = list(Member.objects.order_by("pk").values_list("updated_at", flat=True))
    logged = changes().count()

    again = commit(path)

    assert again.committed
    assert again.totals.households == {"new": 0, "changed": 0, "unchanged": 6, "error": 0}
    assert again.totals.members["changed"] == again.totals.members["new"] == 0
    assert changes().count() == logged
    assert list(Member.objects.order_by("pk").values_list("updated_at", flat=True)) == stamps
    assert not again.missing_members


def test_a_newer_file_updates_what_changed_with_the_change_log(world, tmp_path):
    rows = synthetic(world)
    commit(write(tmp_path / "old.xlsx", rows))
    target_no, target_id = rows[0]["户编号"], rows[0]["证件号码"]
    skill = "技能劳动力" if rows[0]["劳动技能"] != "技能劳动力" else "普通劳动力"
    newer = [dict(r) for r in rows]
    for row in newer:
        if row["户编号"] == target_no:
            row["户联系电话"] = "13912345678"
            row["工资性收入"] = 50000
        if row["证件号码"] == target_id:
            row["劳动技能"] = skill
    logged = changes().count()

    result = commit(write(tmp_path / "new.xlsx", newer))

    assert result.totals.households["changed"] == 1 and result.totals.households["unchanged"] == 5
    household = Household.objects.get(household_no=target_no)
    assert household.phone == "13912345678"
    member = Member.objects.get(household=household, id_number=target_id)
    assert member.labour_skill == skill
    income = household.incomes.get(year=2025)
    assert income.wage == Decimal("50000.00")
    new_changes = changes().order_by("id")[logged:]
    assert {(c.content_type.model, c.action) for c in new_changes} == {
        ("household", "update"),
        ("member", "update"),
        ("incomerecord", "update"),
    }
    member_change = next(c for c in new_changes if c.content_type.model == "member")
    assert member_change.before["labour_skill"] == rows[0]["劳动技能"]
    assert member_change.after == member.audit_data()
    assert [label for label, _old, _new in member_change.diff()] == ["劳动技能"]
    assert member_change.parent_object_id == str(household.pk)
    income_change = next(c for c in new_changes if c.content_type.model == "incomerecord")
    assert income_change.after["wage"] == "50000.00" and income_change.after["net_income"] == str(income.net_income)


def test_members_missing_from_the_file_are_listed_not_deleted(world, tmp_path):
    rows = synthetic(world)
    commit(write(tmp_path / "old.xlsx", rows))
    household_no = next(r["户编号"] for r in rows if sum(1 for x in rows if x["户编号"] == r["户编号"]) > 1)
    gone = next(r for r in rows if r["户编号"] == household_no and r["与户主关系"] != "户主")
    newer = [r for r in rows if r is not gone]

    result = commit(write(tmp_path / "new.xlsx", newer))

    assert Member.objects.filter(id_number=gone["证件号码"]).exists()
    assert len(result.missing_members) == 1
    missing = result.missing_members[0]
    assert missing.household_no == household_no
    assert missing.id_number == gone["证件号码"][:6] + "********" + gone["证件号码"][-4:]
    assert missing.name.startswith(gone["姓名"][0]) and "*" in missing.name
    assert missing.relation == gone["与户主关系"]
    assert "1 名成员不在文件中" in result.summary()


def test_the_result_names_the_households_created_or_changed(world, tmp_path):
    rows = synthetic(world)
    first = commit(write(tmp_path / "a.xlsx", rows))
    assert sorted(first.household_ids) == sorted(Household.objects.values_list("pk", flat=True))
    assert commit(write(tmp_path / "a.xlsx", rows)).household_ids == []  # unchanged
    rows[0]["户联系电话"] = "13500000000"
    changed = commit(write(tmp_path / "b.xlsx", rows))
    assert changed.household_ids == [Household.objects.get(household_no=rows[0]["户编号"]).pk]
    assert preview(write(tmp_path / "b.xlsx", rows)).household_ids == []


# --- errors ---------------------------------------------------------------------------------------------------------


def test_an_error_in_one_member_leaves_that_household_untouched(world, tmp_path):
    rows = synthetic(world)
    commit(write(tmp_path / "old.xlsx", rows))
    household_no = next(r["户编号"] for r in rows if sum(1 for x in rows if x["户编号"] == r["户编号"]) > 2)
    members = [r for r in rows if r["户编号"] == household_no]
    newer = [dict(r) for r in rows]
    for row in newer:
        if row["证件号码"] == members[0]["证件号码"]:
            row["姓名"] = "改了名字"  # a valid change in the same household …
        if row["证件号码"] == members[1]["证件号码"]:
            row["证件号码"] = row["证件号码"][:17] + ("0" if row["证件号码"][17] != "0" else "1")  # … and a bad ID
        if row["户编号"] == rows[-1]["户编号"]:
            row["户联系电话"] = "13700000000"  # another household changes too
    before = Member.objects.get(id_number=members[0]["证件号码"]).name

    result = commit(write(tmp_path / "new.xlsx", newer))

    assert result.committed
    assert Member.objects.get(id_number=members[0]["证件号码"]).name == before
    assert Household.objects.get(household_no=rows[-1]["户编号"]).phone == "13700000000"
    assert result.totals.households["error"] == 1
    bad_row = 4 + rows.index(members[1])
    error = next(e for e in result.errors if e.row == bad_row)
    assert error.field == "证件号码" and "校验位错误" in error.message
    household_rows = [4 + i for i, r in enumerate(newer) if r["户编号"] == household_no]
    assert set(result.report_rows) == set(household_rows)
    assert all("同户其他行有错误" in result.report_rows[r] for r in household_rows if r != bad_row)


def test_the_error_report_has_the_original_rows_and_the_reason(world, tmp_path):
    rows = synthetic(world)
    rows[1] = dict(rows[1], **{"务工时间（月）": "很久"})
    path = write(tmp_path / "a.xlsx", rows)
    result = preview(path)
    bad = 4 + 1
    household_rows = [4 + i for i, r in enumerate(rows) if r["户编号"] == rows[1]["户编号"]]

    report = tmp_path / "report.xlsx"
    written = result.write_error_report(report)

    assert written == len(household_rows)
    sheet = read_sheet(report)
    assert sheet[0][0] == "农户信息导入错误报告"
    header = sheet[2]
    assert header[: len(COLUMNS)] == [c.header for c in COLUMNS]
    assert header[-2:] == ["原行号", "错误原因"]
    data = [r for r in sheet[3:] if any(v != "" for v in r)]
    assert [int(r[-2]) for r in data] == household_rows
    by_row = {int(r[-2]): dict(zip(header, r, strict=True)) for r in data}
    assert by_row[bad]["证件号码"] == rows[1]["证件号码"]  # the original values, ID as text
    assert by_row[bad]["务工时间（月）"] == "很久"
    assert "务工时间（月）" in by_row[bad]["错误原因"] and "应为整数" in by_row[bad]["错误原因"]
    # corrected, the report imports like any national file
    fixed = [dict(zip(header, r, strict=True), **{"务工时间（月）": "3"}) for r in data]
    for row in fixed:
        row["证件号码"] = str(row["证件号码"])
    again = preview(write(tmp_path / "fixed.xlsx", fixed, headers=header))
    assert again.ok, again.errors
    assert not again.unknown_columns


def test_the_result_as_data_for_the_job(world, tmp_path):
    rows = synthetic(world)
    rows[0] = dict(rows[0], 证件号码="123")
    data = preview(write(tmp_path / "a.xlsx", rows)).as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["totals"]["households"]["error"] == 1 and data["error_count"] == 1
    assert data["errors"][0] == {"row": 4, "column": "证件号码", "message": data["errors"][0]["message"]}
    assert [v["village"] for v in data["villages"]] == ["甲村", "甲二村", "乙村"]
    assert data["export_date"] == "2026-01-15" and data["income_year"] == 2025


def test_an_invalid_id_names_the_row_and_the_reason(world, tmp_path):
    rows = synthetic(world, 1, villages=[world.village_a])
    rows[0] = dict(rows[0], 证件号码="52010219801301001X")
    result = preview(write(tmp_path / "a.xlsx", rows))
    assert [(e.row, e.field) for e in result.errors] == [(4, "证件号码")]
    assert "出生日期 19801301 不是有效日期" in result.errors[0].message
    assert str(result.errors[0]).startswith("第 4 行 证件号码：")


def test_all_or_nothing_writes_nothing_when_any_row_is_wrong(world, tmp_path):
    rows = synthetic(world)
    rows[-1] = dict(rows[-1], 家庭人口数="很多")
    result = commit(write(tmp_path / "a.xlsx", rows), all_or_nothing=True)
    assert not result.committed
    assert registry_counts() == (0, 0, 0)
    assert result.totals.households["new"] == 5 and result.totals.households["error"] == 1


def test_rows_of_one_household_must_agree_on_the_village(world, tmp_path):
    rows = synthetic(world, 1, villages=[world.village_a])
    assert len(rows) > 1
    rows[1] = dict(rows[1], 村="甲二村")
    result = preview(write(tmp_path / "a.xlsx", rows))
    assert result.totals.households["error"] == 1
    assert any("各行村不一致" in e.message for e in result.errors)


def test_the_same_id_twice_is_an_error(world, tmp_path):
    rows = synthetic(world, 2, villages=[world.village_a])
    second = next(i for i, r in enumerate(rows) if r["户编号"] != rows[0]["户编号"])
    rows[second] = dict(rows[second], 证件号码=rows[0]["证件号码"])
    result = preview(write(tmp_path / "a.xlsx", rows))
    assert any(e.row == 4 + second and "与第 4 行" in e.message for e in result.errors)
    assert result.totals.households == {"new": 1, "changed": 0, "unchanged": 0, "error": 1}


def test_unreadable_files_are_rejected_as_a_whole(tmp_path, world):
    text = tmp_path / "a.xlsx"
    text.write_text("户编号,证件号码\n")
    assert "不是 Excel" in preview(text).file_error
    empty = tmp_path / "b.xlsx"
    empty.write_bytes(b"")
    assert preview(empty).file_error == "文件是空的"
    no_header = write(tmp_path / "c.xlsx", [{"姓名": "张三"}], headers=["姓名", "性别"])
    assert "未找到表头" in preview(no_header).file_error
    csv = tmp_path / "d.csv"
    csv.write_text("x")
    assert "只支持 Excel" in preview(csv).file_error
    short = write(tmp_path / "e.xlsx", [], headers=["户编号", "证件号码", "姓名"])
    assert "缺少必需的列" in preview(short).file_error and "与户主关系" in preview(short).file_error


# --- header, aliases and values -------------------------------------------------------------------------------------


def _write_cells(path: Path, rows: list[list]) -> Path:
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    date_format = book.add_format({"num_format": "yyyy-mm"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime(value.year, value.month, value.day), date_format)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    book.close()
    return path


def test_title_rows_are_skipped_and_columns_may_come_in_any_order(world, tmp_path):
    rows = synthetic(world, 2, villages=[world.village_a])
    headers = [c.header for c in COLUMNS][::-1]
    cells = [["测试县防返贫监测信息（2024年度）"], [], ["导出时间：2025年3月2日"], [None, "说明：一人一行"], headers]
    cells += [[r.get(h) for h in headers] for r in rows]
    path = _write_cells(tmp_path / "a.xlsx", cells)

    result = commit(path)

    assert result.ok and result.header_row == 5
    assert result.income_year == 2024 and result.export_date == datetime.date(2025, 3, 2)
    assert Member.objects.count() == len(rows)
    assert IncomeRecord.objects.filter(year=2024).count() == 2


ALIASES = [(c.header, alias) for c in COLUMNS for alias in c.aliases]
PROBES = {  # a value for columns a generated household may leave blank
    "脱贫年度": 2016,
    "安置区": "城南安置点",
    "监测对象类别": "边缘易致贫户",
    "识别监测时间": "202305",
    "致贫/返贫风险1": "因病",
    "致贫/返贫风险2": "因学",
    "致贫/返贫风险3": "因残",
    "致贫/返贫风险4": "其他",
    "致贫/返贫风险5": "缺劳动力",
    "风险是否已消除": "是",
    "风险消除方式": "帮扶消除",
    "风险消除时间": "202402",
    "义务教育阶段未上学原因": "其他",
    "残疾类别": "4",
    "残疾等级": "3",
    "务工所在地": "县内",
    "务工时间（月）": 6,
    "公益性岗位": "护林员",
    "家庭成员联系电话": "13900001111",
    "在校生状况": "九年级",
    "文化程度": "初中",
    "是否已务工": "是",
}


@pytest.mark.parametrize(("header", "alias"), ALIASES, ids=[f"{h}={a}" for h, a in ALIASES])
def test_every_header_alias_is_read_into_the_same_place(world, tmp_path, header, alias):
    row = dict(one_household(world)[0])
    if row.get(header) in (None, ""):
        row[header] = PROBES[header]
    headers = [alias if c.header == header else c.header for c in COLUMNS]
    renamed = {alias if k == header else k: v for k, v in row.items()}

    result = commit(write(tmp_path / "alias.xlsx", [renamed], headers=headers))

    assert result.ok, result.errors
    assert not result.unknown_columns
    out = tmp_path / "out.xlsx"
    export_households(out, region=world.village_a, all_columns=True)  # the standard headers (by default: the file's)
    sheet = read_sheet(out)
    exported = dict(zip(sheet[2], sheet[3], strict=True))
    assert exported[header] == row[header]


def test_value_variants_are_understood(world, tmp_path):
    rows = synthetic(world, 1, seed=3, villages=[world.village_a])
    head = rows[0]
    variants = dict(
        head,
        户编号=f" {head['户编号']} ",
        户类型="普通农户",
        家庭人口数=f"{len(rows)}",  # a number stored as text
        是否易地扶贫搬迁户="Y",
        整户无劳动能力兜底保障户="无",
        证件号码=head["证件号码"].replace("X", "x").translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        姓名=f"\u3000{head['姓名']} ",
        劳动技能="普通劳动",
        在校生状况=" 九年级",
        是否已务工="√",
        是否参加城乡居民基本医疗保险="true",
        是否参加大病保险="1",
        是否参加城镇职工基本医疗保险="否",
        是否参加城乡居民基本养老保险="N",
        是否接受医疗救助="",
        残疾类别="视力",
        残疾等级="二级",
        健康状况="残疾，长期慢性病",
        监测对象类别="边缘易致贫",
        识别监测时间="2023年5月",
        风险是否已消除="否",
        工资性收入="12,345.50",
        生产经营性收入="3 000元",
        是否危房户="是",
        是否解决安全饮用水="是",
        是否义务教育阶段适龄儿童少年失学辍学="否",
    )
    variants.update(
        {
            "致贫/返贫风险1": "务工就业不稳",
            "致贫/返贫风险2": "因灾（洪涝）",
            "是否有家庭成员未参加城乡居民（职工）基本医疗保险": "是",
        }
    )
    variants.pop("家庭纯收入")
    variants.pop("人均纯收入（元）")
    rows[0] = variants
    other_dates = ["2023-05", "2023.05", datetime.date(2023, 5, 17), 202305, 45047]

    result = commit(write(tmp_path / "a.xlsx", rows))

    assert result.ok, result.errors
    household = Household.objects.get(household_no=head["户编号"])
    assert household.household_type == "一般农户"
    assert household.size == len(rows)
    assert household.relocated is True and household.no_labour_guarantee is False
    assert household.housing_secure is False and household.water_secure is True
    assert household.education_secure is True and household.insurance_secure is False
    assert household.housing_checked_on == household.water_checked_on == EXPORTED_ON
    assert household.national_data["category"] == "边缘易致贫户"
    assert household.national_data["identified_on"] == "2023-05-01"
    assert household.national_data["risk1"] == "因务工就业不稳"
    assert household.national_data["risk2"] == "因自然灾害(洪涝)"
    assert household.national_data["eliminated"] is False
    member = household.members.get(relation="户主")
    assert member.id_number == head["证件号码"].upper()
    assert member.name == head["姓名"]
    assert member.labour_skill == "普通劳动力" and member.student_status == "九年级"
    assert member.employed is True and member.resident_medical is True and member.critical_illness is True
    assert member.employee_medical is False and member.resident_pension is False and member.medical_aid is None
    assert (member.disability_category, member.disability_grade) == ("1", "2")
    assert member.health == "残疾,长期慢性病"
    income = household.incomes.get()
    assert (income.wage, income.business) == (Decimal("12345.50"), Decimal("3000.00"))
    for written in other_dates:
        assert parse_yearmonth(written) == datetime.date(2023, 5, 1), written


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("是", True),
        ("否", False),
        ("Y", True),
        ("n", False),
        ("有", True),
        ("无", False),
        ("√", True),
        ("×", False),
        ("1", True),
        ("0", False),
        (1.0, True),
        (0.0, False),
        ("true", True),
        ("FALSE", False),
        ("", None),
        (None, None),
        ("\u3000是 ", True),
        (True, True),
        ("已消除", True),
    ],
)
def test_yes_no_variants(written, value):
    assert parse_yes_no(written) is value


def test_yes_no_nonsense_is_an_error():
    with pytest.raises(ValueError, match="不是有效的是/否值"):
        parse_yes_no("也许")


@pytest.mark.parametrize(
    "written",
    [
        "202305",
        202305,
        202305.0,
        "2023-05",
        "2023.05",
        2023.05,
        "2023/5",
        "2023年5月",
        "2023年05月",
        "2023-05-17",
        "20230517",
        datetime.date(2023, 5, 17),
        datetime.datetime(2023, 5, 17, 8, 30),
        45063,
        "２０２３年５月",
        "2023年5月17日",
    ],
)
def test_year_month_variants(written):
    assert parse_yearmonth(written) == datetime.date(2023, 5, 1)


def test_october_typed_as_a_number_stays_october():
    assert parse_yearmonth(2023.1) == datetime.date(2023, 10, 1)
    with pytest.raises(ValueError, match="不是有效的年月"):
        parse_yearmonth("2023-13")


@pytest.mark.parametrize(
    ("written", "amount"),
    [
        ("12,345.5", Decimal("12345.50")),
        (12345.5, Decimal("12345.50")),
        ("１２３４５", Decimal("12345.00")),
        (" 800元 ", Decimal("800.00")),
        ("", None),
        (0, Decimal("0.00")),
        ("-12.345", Decimal("-12.35")),
    ],
)
def test_money_variants(written, amount):
    assert parse_money(written) == amount


def test_a_value_outside_the_code_table_is_kept_as_written_and_listed(world, tmp_path):
    rows = synthetic(world, 1, villages=[world.village_a])
    rows[0] = dict(rows[0], 享受低保政策情况="享受中")
    result = commit(write(tmp_path / "a.xlsx", rows))
    assert result.ok, result.errors
    assert [(u.header, u.value, u.rows) for u in result.unknown_values] == [("享受低保政策情况", "享受中", (4,))]
    assert Member.objects.get(id_number=rows[0]["证件号码"]).dibao == "享受中"


def test_unknown_columns_are_kept_per_member_and_listed(world, tmp_path):
    rows = synthetic(world, 1, villages=[world.village_a])
    headers = [c.header for c in COLUMNS] + ["序号", "备注", "银行卡号"]
    for index, row in enumerate(rows):
        row.update({"序号": index + 1, "备注": f"备注{index}", "银行卡号": ""})
    result = commit(write(tmp_path / "a.xlsx", rows, headers=headers))
    assert result.unknown_columns == ["备注", "银行卡号"]  # 序号 is a known column Shoudi does not keep
    result.write_error_report(tmp_path / "report.xlsx")
    assert "未识别的列（已作为成员附加信息保存）：备注、银行卡号" in read_sheet(tmp_path / "report.xlsx")[1][0]
    member = Member.objects.get(id_number=rows[0]["证件号码"])
    assert member.extra == {"备注": "备注0"}
    assert "未识别的列 2 个" in result.summary()
    # a later file with the column blank removes the value; a file without the column leaves it alone
    rows[0]["备注"] = ""
    commit(write(tmp_path / "b.xlsx", rows, headers=headers))
    assert Member.objects.get(id_number=rows[0]["证件号码"]).extra == {}
    rows[0]["备注"] = "又有了"
    commit(write(tmp_path / "c.xlsx", rows, headers=headers))
    commit(write(tmp_path / "d.xlsx", rows))
    assert Member.objects.get(id_number=rows[0]["证件号码"]).extra == {"备注": "又有了"}


def test_income_year_defaults_and_income_checks(world, tmp_path):
    rows = synthetic(world, 1, villages=[world.village_a])
    for row in rows:
        row["家庭纯收入"] = row["家庭纯收入"] + 100  # disagrees with the parts
    path = write(tmp_path / "a.xlsx", rows, title="农户信息", details="")
    result = commit(path)
    today = timezone.localdate()
    assert result.income_year == today.year - 1
    assert result.income_year_source == "默认（上一年）"
    assert any("家庭纯收入" in w.message and "相差超过 1 元" in w.message for w in result.warnings)
    income = IncomeRecord.objects.get()
    assert income.household_size == rows[0]["家庭人口数"]
    assert income.net_income == Decimal(str(rows[0]["家庭纯收入"] - 100)).quantize(Decimal("0.01"))
    assert Household.objects.get().housing_checked_on == today  # no export date: the import date

    commit(path, income_year=2023)
    assert set(IncomeRecord.objects.values_list("year", flat=True)) == {today.year - 1, 2023}


# --- places and scope -----------------------------------------------------------------------------------------------


def test_a_village_officer_cannot_import_into_another_village(world, tmp_path):
    rows = synthetic(world, 4, villages=[world.village_a, world.village_b])
    path = write(tmp_path / "a.xlsx", rows)

    result = commit(path, user=world.officer_a)

    assert result.committed
    assert set(Household.objects.values_list("village__name", flat=True)) == {"甲村"}
    assert result.totals.households["error"] == 2
    assert all("不在您的管辖范围内" in e.message for e in result.errors)
    assert changes(Household).filter(user=world.officer_a, source="web").count() == 2


def test_a_household_registered_in_another_village_stays_there(world, tmp_path):
    rows = synthetic(world, 1, villages=[world.village_b])
    commit(write(tmp_path / "b.xlsx", rows))
    moved = [dict(r, 乡="甲镇", 村="甲村") for r in rows]
    result = commit(write(tmp_path / "a.xlsx", moved), user=world.officer_a)
    assert "已登记在其他村" in result.errors[0].message
    assert Household.objects.get().village == world.village_b


def test_roles_without_the_import_permission_are_refused(world, tmp_path):
    path = write(tmp_path / "a.xlsx", synthetic(world, 1, villages=[world.village_a]))
    with pytest.raises(PermissionDenied):
        preview(path, user=world.inspector)


def test_the_county_must_be_the_users(world, tmp_path):
    rows = [dict(r, 县="邻县") for r in synthetic(world, 1, villages=[world.village_a])]
    result = preview(write(tmp_path / "a.xlsx", rows), user=world.admin)
    assert "不是您所在的县" in result.errors[0].message


def test_missing_townships_and_villages_are_errors_unless_an_admin_creates_them(world, tmp_path):
    rows = synthetic(world, 2, villages=[world.village_a])
    rows = [dict(r, 村="新村") if r["户编号"] == rows[0]["户编号"] else dict(r, 乡="丙镇", 村="丙村") for r in rows]
    path = write(tmp_path / "a.xlsx", rows)

    result = preview(path, user=world.admin)
    assert result.totals.households["error"] == 2
    messages = " ".join(e.message for e in result.errors)
    assert "村“新村”在系统中不存在（甲镇）" in messages and "乡镇“丙镇”在系统中不存在" in messages
    assert [(r.level, r.name, r.code) for r in result.missing_regions] == [
        ("村", "新村", "520102001003"),
        ("乡镇", "丙镇", "520102003"),
        ("村", "丙村", "520102003001"),
    ]
    assert result.can_create_regions

    officer = preview(path, user=world.officer_a, create_missing_regions=True)
    assert not officer.can_create_regions and officer.totals.households["error"] == 2
    assert "您无权新建" in officer.errors[0].message

    planned = preview(path, user=world.admin, create_missing_regions=True)
    assert planned.ok and planned.totals.households["new"] == 2
    assert not Region.objects.filter(name="新村").exists()

    done = commit(path, user=world.admin, create_missing_regions=True)
    assert done.ok and done.committed
    assert Region.objects.get(code="520102001003").name == "新村"
    township = Region.objects.get(code="520102003")
    assert township.name == "丙镇" and township.parent == world.county
    assert Region.objects.get(code="520102003001").parent == township
    assert all(r.created for r in done.missing_regions)
    assert Household.objects.filter(village__code="520102003001").count() == 1


def test_the_command_line_matches_the_county_by_name(world, tmp_path):
    rows = [dict(r, 县="不存在县") for r in synthetic(world, 1, villages=[world.village_a])]
    result = preview(write(tmp_path / "a.xlsx", rows))
    assert "县“不存在县”在系统中不存在" in result.errors[0].message


# --- reading large files, snapshots, progress -----------------------------------------------------------------------


def test_a_large_sheet_read_in_pieces_gives_the_same_result(world, tmp_path, monkeypatch):
    rows = synthetic(world, 12)
    path = write(tmp_path / "a.xlsx", rows)
    whole = parse.parse_file(Path(path), progress=None)
    monkeypatch.setattr(xlsx, "SPLIT_BYTES", 1000)
    monkeypatch.setattr(xlsx, "CHUNK_BYTES", 4000)
    pieces = parse.parse_file(Path(path), progress=None)
    assert pieces.rows == whole.rows == len(rows)
    assert pieces.header_row == whole.header_row and pieces.export_date == whole.export_date
    assert {no: (h.rows, h.values, h.members) for no, h in pieces.households.items()} == {
        no: (h.rows, h.values, h.members) for no, h in whole.households.items()
    }
    result = commit(path)
    assert result.ok and Member.objects.count() == len(rows)


def test_commit_reuses_the_preview_only_for_the_same_file(world, tmp_path, monkeypatch):
    rows = synthetic(world, 2, villages=[world.village_a])
    path = write(tmp_path / "a.xlsx", rows)
    preview(path)
    parsed = []
    original = parse.parse_file
    monkeypatch.setattr(services, "parse_file", lambda *a, **k: parsed.append(1) or original(*a, **k))
    commit(path)
    assert parsed == []  # the preview's snapshot was used
    assert not snapshot.snapshot_path(parse.file_digest(path)).exists()  # and dropped after the commit

    rows[0]["户联系电话"] = "13600000000"
    preview(path)
    write(path, rows)  # the file changes between preview and commit
    parsed.clear()
    commit(path)
    assert parsed == [1]
    assert Household.objects.get(household_no=rows[0]["户编号"]).phone == "13600000000"


def test_timings_and_statistics_after_a_large_import(world, tmp_path, monkeypatch):
    from django.db import connection

    monkeypatch.setattr(services, "ANALYZE_AFTER", 1)  # "large"
    path = write(tmp_path / "a.xlsx", synthetic(world))
    assert set(preview(path).timings) == {"读取文件", "核对数据库", "保存预览"}
    result = commit(path)
    assert {"读取预览", "核对并写入", "提交事务"} <= set(result.timings)
    assert ("更新统计信息" in result.timings) == (connection.vendor == "postgresql")
    assert result.seconds >= sum(result.timings.values()) - 0.01


def test_progress_is_reported(world, tmp_path, monkeypatch):
    monkeypatch.setattr(parse, "PROGRESS_EVERY", 5)
    calls = []
    path = write(tmp_path / "a.xlsx", synthetic(world))
    preview_household_import(path, progress=lambda done, total, message="": calls.append((done, total, message)))
    assert {m for _d, _t, m in calls} == {"读取文件", "核对数据库"}
    assert calls[-1][0] == calls[-1][1]


def test_pinyin_initials_are_those_of_initials_of(world):
    """The import reads most names character by character; it must give what the model's save() would."""
    import random

    from shoudi.registry.pinyin import initials_of

    names = {r["姓名"] for r in synthetic(world, 300, seed=4)}
    rng = random.Random(7)
    frequent = (
        "的一是不了人在有这中大来上国个到说们为子和地出道也时年得就那要下以生会自着去之过家学对可里后小么心多"
        "天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外"
        "但身些与高王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
        "丁任沈姚卢单解"
    )
    names |= {"".join(rng.choice(frequent) for _ in range(rng.randint(1, 4))) for _ in range(3000)}
    names |= {"", "阿依古丽·买买提", "Tom李", "李1", "曾经", "单于", "长孙无忌", "朝阳", "王" * 25}
    for name in names:
        assert derived.initials_of_name(name, {}) == initials_of(name), name


def test_a_failed_write_leaves_nothing_behind(world, tmp_path, monkeypatch):
    path = write(tmp_path / "a.xlsx", synthetic(world))
    original = bulk.BulkTable.insert

    def failing(self, rows, **kwargs):
        if self.model is Member:
            raise RuntimeError("磁盘已满")
        return original(self, rows, **kwargs)

    monkeypatch.setattr(bulk.BulkTable, "insert", failing)
    logged = changes().count()
    with pytest.raises(RuntimeError, match="磁盘已满"):
        commit(path)
    assert registry_counts() == (0, 0, 0)
    assert changes().count() == logged


def test_the_change_log_is_the_same_when_built_in_python(world, tmp_path, monkeypatch):
    rows = synthetic(world)
    commit(write(tmp_path / "a.xlsx", rows))
    registry = [ContentType.objects.get_for_model(m) for m in (Household, Member, IncomeRecord)]
    by_sql = {
        (c.content_type_id, c.object_id): (c.object_repr, c.region_code, c.parent_object_id, c.after)
        for c in changes().filter(action="create", content_type__in=registry)
    }
    Member.objects.all().delete()
    IncomeRecord.objects.all().delete()
    Household.objects.all().delete()
    ObjectChange.objects.all().delete()
    monkeypatch.setattr(changelog, "after_sql", lambda model, alias, connection: None)

    commit(write(tmp_path / "b.xlsx", rows))

    in_python = {
        (c.content_type_id, c.object_id): (c.object_repr, c.region_code, c.parent_object_id, c.after)
        for c in changes().filter(action="create", content_type__in=registry)
    }

    def without_ids(logged):
        return sorted(
            json.dumps([r, code, after | {"id": None, "household": None}], sort_keys=True)
            for r, code, _p, after in logged.values()
        )

    python_rows, sql_rows = without_ids(in_python), without_ids(by_sql)
    assert set(python_rows) - set(sql_rows) == set() == set(sql_rows) - set(python_rows), sorted(
        set(python_rows) ^ set(sql_rows)
    )[:2]
    assert len(python_rows) == len(rows) + 2 * len({r["户编号"] for r in rows})  # members, households, incomes


# --- the command ----------------------------------------------------------------------------------------------------


def run(*argv, monkeypatch) -> tuple[int, str]:
    """The command as the shell runs it: its exit status and output."""
    from django.core.management import base

    monkeypatch.setattr(base.connections, "close_all", lambda: None)  # keep the test's transaction
    out, err = io.StringIO(), io.StringIO()
    from shoudi.registry.management.commands.import_households import Command

    command = Command(stdout=out, stderr=err)
    try:
        command.run_from_argv(["shoudi", "import_households", *argv])
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue() + err.getvalue()
    return 0, out.getvalue()


def test_command_exit_status_and_summary(world, tmp_path, monkeypatch):
    rows = synthetic(world)
    good = write(tmp_path / "good.xlsx", rows)

    status, output = run(str(good), "--dry-run", monkeypatch=monkeypatch)
    assert status == 0 and output.count("\n") == 1 and "新增 6 户" in output and "预览" in output
    assert Household.objects.count() == 0

    status, output = run(str(good), monkeypatch=monkeypatch)
    assert status == 0 and "已导入" in output and Household.objects.count() == 6

    bad_rows = synthetic(world, 3, seed=9, start_no=500)
    bad_rows[0] = dict(bad_rows[0], 证件号码="123")
    bad = write(tmp_path / "bad.xlsx", bad_rows)
    status, output = run(str(bad), "--report", str(tmp_path / "r.xlsx"), monkeypatch=monkeypatch)
    assert status == 1 and "错误 1 户" in output and f"错误报告：{tmp_path / 'r.xlsx'}" in output
    assert Household.objects.count() == 6  # all or nothing
    assert (tmp_path / "r.xlsx").exists()

    status, output = run(str(bad), "--skip-errors", monkeypatch=monkeypatch)
    assert status == 0 and Household.objects.count() == 8
    assert (tmp_path / "bad-错误报告.xlsx").exists()

    assert run(str(tmp_path / "missing.xlsx"), monkeypatch=monkeypatch)[0] == 2
    assert run("--year", monkeypatch=monkeypatch)[0] == 2
    assert run(str(good), "--year", "1800", monkeypatch=monkeypatch)[0] == 2
    unreadable = tmp_path / "x.xlsx"
    unreadable.write_bytes(b"not excel")
    assert run(str(unreadable), monkeypatch=monkeypatch)[0] == 1


def test_command_creates_regions_on_request(world, tmp_path):
    rows = [dict(r, 村="新建村") for r in synthetic(world, 1, villages=[world.village_a])]
    path = write(tmp_path / "a.xlsx", rows)
    with pytest.raises(CommandError):
        call_command("import_households", str(path), stdout=io.StringIO())
    call_command("import_households", str(path), "--create-regions", stdout=io.StringIO())
    assert Region.objects.get(name="新建村").code == "520102001003"


def test_ids_generated_for_tests_are_valid():
    assert id_number_for("110105", datetime.date(1949, 12, 31), 2) == "11010519491231002X"
