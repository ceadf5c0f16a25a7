"""Issue 15, H1: the national-format export gives a role without unmask (a 行业部门 user: export allowed, unmask
not) masked ID numbers and phones and no incomes or health, and the access log says which kind of export it was."""

from __future__ import annotations

from python_calamine import CalamineWorkbook

from shoudi.accounts.testing import make_user
from shoudi.core.context import acting_as
from shoudi.core.masking import mask_id_number
from shoudi.core.models import AccessLog
from shoudi.registry.exporting import export_households
from shoudi.registry.importing import commit_household_import
from shoudi.registry.national import write_national_xlsx
from shoudi.registry.synthetic import generate_rows


def exported(path) -> list[dict]:
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    headers = sheet[2]
    return [dict(zip(headers, row, strict=True)) for row in sheet[3:]]


def test_a_role_without_unmask_exports_masked_ids_and_no_incomes_or_health(world, tmp_path):
    rows = list(generate_rows([world.village_a], households=4, seed=3, year=2025))
    source = tmp_path / "in.xlsx"
    write_national_xlsx(source, rows, title="测试县2025年度农户信息", details="导出时间：2026-01-15")
    with acting_as(None, source="cli"):
        assert commit_household_import(source).ok
    department = make_user("yibao", "department", world.county, name="医保局", department="medical_insurance")

    masked = export_households(tmp_path / "dept.xlsx", region=world.county, user=department, all_columns=True)
    full = export_households(tmp_path / "admin.xlsx", region=world.county, user=world.admin, all_columns=True)

    assert masked.members == full.members == len(rows)
    for clean, row in zip(rows, exported(tmp_path / "dept.xlsx"), strict=True):
        assert row["证件号码"] == mask_id_number(clean["证件号码"]) and clean["证件号码"][6:14] not in row["证件号码"]
        assert row["家庭纯收入"] in ("", None) and row["工资性收入"] in ("", None)
        assert row["健康状况"] in ("", None) and row["残疾类别"] in ("", None)
        assert row["家庭成员联系电话"] in ("", None) or "****" in row["家庭成员联系电话"]
        assert row["姓名"] == clean["姓名"]  # names stay: the department needs to know whom it is about
    admin_rows = exported(tmp_path / "admin.xlsx")
    assert [r["证件号码"] for r in admin_rows] == [r["证件号码"] for r in rows]
    logs = {log.user_id: log.detail for log in AccessLog.objects.filter(action=AccessLog.EXPORT)}
    assert "证件号码、电话已脱敏，不含收入和健康信息" in logs[department.pk]
    assert "含完整证件号码" in logs[world.admin.pk]
