"""Issue 15, H2: a masked ID hides digits 7–14, the birth date; shown in full beside it, the two are the full ID.
A role without unmask (督查, 行业部门) reads the birth date as its year alone — on the household page, the 结对帮扶
手册, the 控辍保学 ledger, the national export and the change log; a role with unmask reads it in full where it
asks for it, and the access log records that."""

from __future__ import annotations

import datetime
import io

import pytest
from python_calamine import CalamineWorkbook

from shoudi.accounts.testing import make_user
from shoudi.core.context import acting_as
from shoudi.core.models import AccessLog
from shoudi.registry.exporting import export_households
from shoudi.registry.importing import commit_household_import
from shoudi.registry.models import Member
from shoudi.registry.national import COLUMNS, write_national_xlsx
from shoudi.registry.synthetic import generate_rows
from shoudi.registry.testing import make_household, make_member

BIRTH = "20120515"  # 13 on the reference day below: on the 控辍保学 ledger when not in school
FULL, MONTH, YEAR = "2012-05-15", "2012.05", "2012年"


@pytest.fixture
def child(world):
    household = make_household(world.village_a, household_type="脱贫户", phone="13800001234")
    return make_member(household, name="王小明", relation="之子", birth=BIRTH, student_status="")


def test_the_household_page_shows_the_year_and_a_logged_unmask(world, child, client_for):
    url = child.household.get_absolute_url()
    for reader in (world.inspector, make_user("jiaoyu", "department", world.county, department="education")):
        page = client_for(reader).get(url).content.decode()
        assert "王小明" in page and YEAR in page
        assert FULL not in page and "2012-05" not in page
        assert f"/registry/unmask/member/{child.pk}/birth_date/" not in page
        assert client_for(reader).get(f"/registry/unmask/member/{child.pk}/birth_date/").status_code == 403

    page = client_for(world.officer_a).get(url).content.decode()
    assert FULL not in page and f"/registry/unmask/member/{child.pk}/birth_date/" in page
    shown = client_for(world.admin).get(f"/registry/unmask/member/{child.pk}/birth_date/")
    assert shown.status_code == 200 and FULL in shown.content.decode()
    log = AccessLog.objects.get(action=AccessLog.UNMASK, field="birth_date")
    assert (log.user, log.object_id) == (world.admin, str(child.pk))


def test_the_handbook_prints_the_year_for_a_role_without_unmask(world, child, client_for):
    url = f"/assistance/households/{child.household.pk}/handbook/"
    page = client_for(world.inspector).get(url).content.decode()
    assert "王小明" in page and YEAR in page and MONTH not in page
    page = client_for(world.admin).get(url).content.decode()
    assert MONTH in page
    details = list(AccessLog.objects.order_by("id").values_list("user__username", "detail"))
    assert details[0][0] == "inspector" and "出生日期仅显示年份" in details[0][1]
    assert details[1][0] == "admin" and "含成员出生年月" in details[1][1]


def ledger_rows(content: bytes) -> list[dict]:
    cells = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    header = cells[2]
    return [dict(zip(header, row, strict=True)) for row in cells[3:] if row[header.index("姓名")] not in ("", None)]


def download(client, name: str, **data) -> bytes:
    response = client.post(f"/ledgers/download/{name}/", data)
    assert response.status_code == 200, response.content[:500]
    return b"".join(response.streaming_content)


def test_the_dropout_ledger_gives_the_year_to_a_role_without_unmask(world, child, client_for):
    masked = next(r for r in ledger_rows(download(client_for(world.inspector), "dropout", reference="2025-09-01")))
    assert masked["姓名"] == "王小明" and masked["出生日期"] == YEAR
    assert masked["年龄（周岁）"] == 13  # the age stays: what the ledger is for
    full = next(r for r in ledger_rows(download(client_for(world.admin), "dropout", reference="2025-09-01")))
    assert full["出生日期"] == datetime.date(2012, 5, 15)
    logs = list(AccessLog.objects.filter(action=AccessLog.EXPORT).order_by("id"))
    assert [log.user for log in logs] == [world.inspector, world.admin]
    assert "出生日期" in logs[0].detail.partition("已脱敏：")[2] and "已脱敏" not in logs[1].detail


def test_the_lifted_ledger_s_optional_birth_date_column_is_masked_too(world, child, client_for):
    from shoudi.ledgers.engine import get_definition
    from shoudi.ledgers.models import SavedLedger

    keys = [c.key for c in get_definition("lifted").columns if c.default] + ["birth_date"]
    saved = SavedLedger.objects.create(
        region=world.county, base_code="lifted", title="脱贫户台账（含出生日期）", columns=keys, created_by=world.admin
    )
    masked = {r["姓名"]: r for r in ledger_rows(download(client_for(world.inspector), saved.name))}
    assert masked["王小明"]["出生日期"] == YEAR
    full = {r["姓名"]: r for r in ledger_rows(download(client_for(world.admin), saved.name))}
    assert full["王小明"]["出生日期"] == datetime.date(2012, 5, 15)


def test_the_ledger_page_preview_shows_the_year_to_everyone(world, child, client_for):
    page = client_for(world.admin).get("/ledgers/view/dropout/", {"reference": "2025-09-01"}).content.decode()
    assert "王小明" in page and YEAR in page and FULL not in page


def exported(path) -> list[dict]:
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    return [dict(zip(sheet[2], row, strict=True)) for row in sheet[3:]]


def test_the_export_masks_an_imported_birth_date_column_for_a_role_without_unmask(world, tmp_path):
    rows = list(generate_rows([world.village_a], households=2, seed=5, year=2025))
    for row in rows:  # an unknown column of the county's file: kept as the members' extra data and exported again
        number = row["证件号码"]
        row["出生日期"] = f"{number[6:10]}-{number[10:12]}-{number[12:14]}"
        row["备注"] = f"本人手机 13912345678，证件 {number}"
    source = tmp_path / "in.xlsx"
    headers = [c.header for c in COLUMNS] + ["出生日期", "备注"]
    write_national_xlsx(source, rows, title="测试县2025年度农户信息", details="导出时间：2026-01-15", headers=headers)
    with acting_as(None, source="cli"):
        assert commit_household_import(source).ok
    department = make_user("minzheng", "department", world.county, department="civil_affairs")

    export_households(tmp_path / "dept.xlsx", region=world.county, user=department)
    export_households(tmp_path / "admin.xlsx", region=world.county, user=world.admin)

    for clean, row in zip(rows, exported(tmp_path / "dept.xlsx"), strict=True):
        assert row["出生日期"] == clean["出生日期"][:4] + "年"
        assert clean["证件号码"] not in row["备注"] and "13912345678" not in row["备注"]
        assert clean["证件号码"][6:14] not in str(row)
    assert [r["出生日期"] for r in exported(tmp_path / "admin.xlsx")] == [r["出生日期"] for r in rows]
    logs = {log.user_id: log.detail for log in AccessLog.objects.filter(action=AccessLog.EXPORT)}
    assert "出生日期仅显示年份" in logs[department.pk] and "含完整证件号码" in logs[world.admin.pk]


def test_the_command_line_export_is_written_to_the_access_log(world, tmp_path):
    make_household(world.village_a, household_type="脱贫户")
    export_households(tmp_path / "cli.xlsx", region=world.county)
    log = AccessLog.objects.get(action=AccessLog.EXPORT)
    assert log.user is None and log.detail.startswith("命令行导出农户信息（含完整证件号码") and log.record_count == 1


def test_the_change_log_shows_the_birth_date_by_its_year(world, child, client_for):
    child.id_number = child.id_number[:6] + "20110304" + child.id_number[14:]  # a corrected number: a new birth date
    with acting_as(world.officer_a, source="web"):
        child.save()
    assert Member.objects.get(pk=child.pk).birth_date == datetime.date(2011, 3, 4)
    for reader in (world.inspector, world.admin):
        page = client_for(reader).get(child.household.get_absolute_url()).content.decode()
        history = page[page.index('id="change-history"') :]
        assert "出生日期" in history and "2012年" in history and "2011年" in history
        assert "2011-03-04" not in history and FULL not in history
        listing = client_for(reader).get("/system/changes/").content.decode() if reader == world.admin else ""
        assert "2011-03-04" not in listing
