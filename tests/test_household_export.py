"""Exporting households in the national format: layout, scope, access log, the command, and the round trip."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shoudi.core.context import acting_as
from shoudi.core.models import AccessLog, ObjectChange
from shoudi.registry import exporting
from shoudi.registry.exporting import export_households
from shoudi.registry.importing import commit_household_import
from shoudi.registry.models import Household, Member
from shoudi.registry.national import COLUMNS, write_national_xlsx
from shoudi.registry.synthetic import generate_rows, id_number_for


def synthetic(world, households=6, seed=1, villages=None):
    villages = villages or [world.village_a, world.village_a2, world.village_b]
    return list(generate_rows(villages, households=households, seed=seed))


def load(world, tmp_path, rows=None):
    path = tmp_path / "national.xlsx"
    write_national_xlsx(path, rows or synthetic(world), title="测试县2025年度农户信息", details="导出时间：2026-01-15")
    with acting_as(None, source="cli"):
        result = commit_household_import(path)
    assert result.ok and result.committed, result.errors
    return result


def reimport(path, user=None):
    with acting_as(user, source="cli" if user is None else "web"):
        return commit_household_import(path, user=user)


def sheet(path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)


def test_the_layout_is_the_national_one(world, tmp_path):
    rows = synthetic(world)
    load(world, tmp_path, rows)
    out = tmp_path / "out.xlsx"

    result = export_households(out, region=world.county)

    data = sheet(out)
    assert data[0][0] == "测试县 农户信息导出"
    assert "导出时间：" in data[1][0] and "收入年度：2025" in data[1][0] and "导出人：命令行" in data[1][0]
    assert "共 6 户" in data[1][0]
    assert data[2] == [c.header for c in COLUMNS]
    body = [dict(zip(data[2], r, strict=True)) for r in data[3:]]
    assert len(body) == len(rows) == result.members and result.households == 6
    assert {r["证件号码"] for r in body} == {r["证件号码"] for r in rows}
    assert all(isinstance(r["证件号码"], str) and isinstance(r["户编号"], str) for r in body)
    first = next(r for r in body if r["证件号码"] == rows[0]["证件号码"])
    shared = ("县", "乡", "村", "户编号", "户类型", "家庭人口数", "姓名", "与户主关系", "工资性收入", "是否危房户")
    for header in shared:
        assert first[header] == rows[0][header], header
    # the household's columns repeat on every member's row
    same_household = [r for r in body if r["户编号"] == rows[0]["户编号"]]
    assert len({(r["户联系电话"], r["工资性收入"], r["家庭住址"]) for r in same_household}) == 1
    assert "6 户" in result.summary()


def test_exporting_and_importing_again_changes_nothing(world, tmp_path):
    load(world, tmp_path)
    # values an import would not produce by itself: blanks, unknowns, cents, other statuses, other data
    member = Member.objects.order_by("id").first()
    member.resident_medical = None
    member.employed = None
    member.student_status = ""
    member.disability_category, member.disability_grade = "7", "1"
    member.save()
    dead = Member.objects.order_by("-id").first()
    dead.status = "死亡"
    dead.save()
    household = member.household
    household.housing_secure = None
    household.water_secure = False
    household.lifted_year = 2016
    household.national_data = {
        "identified_on": "2023-05-01",
        "eliminated": True,
        "risk1": "因病",
        "category": "脱贫不稳定户",
        "measure_industry": "种植业",
        "kept": "不在文件中的键",
    }
    household.save()
    income = household.incomes.get()
    income.wage = Decimal("12345.67")
    income.save()
    no_income = Household.objects.exclude(pk=household.pk).first()
    no_income.incomes.all().delete()
    out = tmp_path / "out.xlsx"
    export_households(out, region=world.county)
    logged = ObjectChange.objects.count()

    result = reimport(out)

    assert result.ok and result.committed
    assert result.totals.households == {"new": 0, "changed": 0, "unchanged": 6, "error": 0}
    assert result.totals.members["unchanged"] == Member.objects.count()
    assert ObjectChange.objects.count() == logged
    assert not result.warnings and not result.missing_members and not result.unknown_columns
    assert not no_income.incomes.exists()
    household.refresh_from_db()
    assert household.national_data["kept"] == "不在文件中的键"


def test_the_round_trip_of_a_village_export(world, tmp_path):
    load(world, tmp_path)
    out = tmp_path / "village.xlsx"
    result = export_households(out, region=world.village_a2)
    assert result.households == 2
    assert {r[2] for r in sheet(out)[3:]} == {"甲二村"}
    again = reimport(out, user=world.admin)
    assert again.totals.households == {"new": 0, "changed": 0, "unchanged": 2, "error": 0}


def test_scope_and_the_access_log(world, tmp_path):
    load(world, tmp_path)
    out = tmp_path / "out.xlsx"
    with pytest.raises(PermissionDenied):
        export_households(out, region=world.village_b, user=world.officer_a)
    with pytest.raises(PermissionDenied):
        export_households(out, region=world.county, user=world.inspector)  # 督查 may only look

    result = export_households(out, region=world.village_a, user=world.officer_a)

    assert result.households == 2
    assert {r[2] for r in sheet(out)[3:]} == {"甲村"}
    assert "导出人：甲村信息员" in sheet(out)[1][0]
    log = AccessLog.objects.get()
    assert log.action == AccessLog.EXPORT and log.user == world.officer_a
    assert log.record_count == result.members and log.region_code == world.village_a.code
    assert "完整证件号码" in log.detail

    # a township reviewer exporting his township gets only his villages' households
    result = export_households(out, region=world.township_a, user=world.reviewer_a)
    assert result.households == 4


def test_many_households_are_streamed_in_chunks(world, tmp_path, monkeypatch):
    rows = synthetic(world, 9)
    load(world, tmp_path, rows)
    monkeypatch.setattr(exporting, "CHUNK", 2)
    monkeypatch.setattr(exporting, "PROGRESS_EVERY", 3)
    calls = []
    out = tmp_path / "out.xlsx"
    export_households(out, region="520102", progress=lambda done, total, message="": calls.append((done, total)))
    assert len(sheet(out)) - 3 == len(rows)
    assert calls[-1] == (len(rows), len(rows))


def test_the_export_command(world, tmp_path):
    load(world, tmp_path)
    out = io.StringIO()
    target = tmp_path / "cli.xlsx"
    call_command("export_households", "--region", world.township_b.code, "--out", str(target), stdout=out)
    assert out.getvalue().count("\n") == 1 and "已导出 测试县乙镇 2 户" in out.getvalue()
    assert len(sheet(target)) - 3 == Member.objects.filter(household__village=world.village_b).count()
    # the command line is no user, yet its file holds full ID numbers: it is logged as the command line's
    (logged,) = AccessLog.objects.all()
    assert logged.user is None and logged.detail.startswith("命令行导出农户信息（含完整证件号码")
    with pytest.raises(CommandError) as error:
        call_command("export_households", "--region", "999999", "--out", str(target))
    assert error.value.returncode == 2


def test_an_empty_region_exports_the_header(world, tmp_path):
    out = tmp_path / "empty.xlsx"
    result = export_households(out, region=world.village_b)
    assert result.households == result.members == 0
    assert sheet(out)[2] == [c.header for c in COLUMNS]
    assert result.income_year == timezone.localdate().year - 1  # no incomes: the previous year


def test_exported_ids_stay_text(world, tmp_path):
    rows = synthetic(world, 1, villages=[world.village_a])
    rows[0]["证件号码"] = id_number_for(rows[0]["证件号码"][:6], datetime.date(1990, 1, 1), 11)  # all digits
    load(world, tmp_path, rows)
    out = tmp_path / "out.xlsx"
    export_households(out, region=world.village_a)
    ids = [r[COLUMNS.index(next(c for c in COLUMNS if c.header == "证件号码"))] for r in sheet(out)[3:]]
    assert rows[0]["证件号码"] in ids and all(isinstance(i, str) for i in ids)
