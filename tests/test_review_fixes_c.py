"""Review fixes: a 一户一画像 counts from the list's period on; a village officer's import creates no 安置点;
incomes are hidden from roles without unmask in the 收入预估 export and the income and subsidy ledgers; two first
estimates of a year entered at once are one estimate, not an error."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from shoudi.assistance import estimates as est
from shoudi.assistance.models import IncomeEstimate
from shoudi.core.context import acting_as
from shoudi.matching import services as matching
from shoudi.matching.models import DepartmentList, Finding
from shoudi.registry.importing import commit_household_import, preview_household_import
from shoudi.registry.models import Household, ResettlementSite
from shoudi.registry.testing import make_household, make_income
from tests.test_employment_ledgers import county  # noqa: F401 (a fixture)
from tests.test_ledgers import build
from tests.test_portrait import portrait, roster  # noqa: F401 (roster: a fixture)
from tests.test_resettlement import _rows, _write

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


# --- 1. 一户一画像 of this list's period ---------------------------------------------------------------------------


def test_a_portrait_made_before_the_lists_period_does_not_count(world, roster, client_for):  # noqa: F811
    homes, findings = roster  # a 民政 list of 2025-05
    finding = findings["dibao"]
    portrait(homes["dibao"], world.officer_a, made_on=datetime.date(2022, 3, 1))
    portrait(homes["dibao"], world.officer_a, made_on=datetime.date(2025, 4, 30))  # the day before the period
    with pytest.raises(matching.FindingRefused, match=r"须先完成“一户一画像”.*画像须在2025年5月1日以后完成"):
        matching.verify_finding(finding=finding, user=world.officer_a, confirmed=False, note="不是本户")
    assert Finding.objects.get(pk=finding.pk).status == "待核实"
    page = client_for(world.officer_a).get(finding.get_absolute_url()).content.decode()
    assert "须先完成“一户一画像”" in page and "已完成“一户一画像”" not in page

    portrait(homes["dibao"], world.officer_a, made_on=datetime.date(2025, 5, 1))  # the period's first day counts
    assert "已完成“一户一画像”" in client_for(world.officer_a).get(finding.get_absolute_url()).content.decode()
    matching.verify_finding(finding=finding, user=world.officer_a, confirmed=False, note="不是本户")
    assert Finding.objects.get(pk=finding.pk).status == "不属实"


def test_an_old_portrait_does_not_let_a_confirmed_finding_close_without_a_clue(world, roster):  # noqa: F811
    homes, findings = roster
    matching.verify_finding(finding=findings["edge"], user=world.officer_a, confirmed=True, note="属实")
    portrait(homes["edge"], world.officer_a, made_on=datetime.date(2024, 12, 31))
    finding = Finding.objects.get(pk=findings["edge"].pk)
    with pytest.raises(matching.FindingRefused, match=r"低保边缘群体.*才能不纳入监测处理"):
        matching.resolve_finding(finding=finding, user=world.officer_a, action="registry", note="已享受低保")
    assert Finding.objects.get(pk=finding.pk).status == "属实"


def test_without_a_period_the_portrait_counts_from_the_findings_day(world, roster):  # noqa: F811
    homes, findings = roster
    finding = findings["dispersed"]
    DepartmentList.objects.filter(runs__findings=finding).update(period="")
    Finding.objects.filter(pk=finding.pk).update(period="")
    finding.refresh_from_db()
    made = timezone.localdate(finding.created_at)
    assert matching.portrait_since(finding) == made
    portrait(homes["dispersed"], world.officer_a, made_on=made - datetime.timedelta(days=1))
    assert not matching.has_current_portrait(finding)
    portrait(homes["dispersed"], world.officer_a, made_on=made)
    assert matching.has_current_portrait(finding)


# --- 2. 安置点 created by the county only ----------------------------------------------------------------------------


def test_the_county_admins_import_creates_the_site(world, tmp_path):
    path = _write(tmp_path / "a.xlsx", _rows(world, world.village_a, 1, seed=11, site="城东安置点"))
    with acting_as(world.admin, source="web"):
        result = commit_household_import(path, user=world.admin)
    assert result.ok and result.committed
    site = ResettlementSite.objects.get(name="城东安置点")
    assert Household.objects.get(village=world.village_a).resettlement_site == site


def test_a_village_officers_import_creates_no_site_warns_and_imports_the_household(world, tmp_path):
    path = _write(tmp_path / "a.xlsx", _rows(world, world.village_a, 2, seed=12, site="城东  安置点"))
    expected = "安置区“城东 安置点”尚未登记为安置点，请县级管理员在安置点名单中登记"
    with acting_as(world.officer_a, source="web"):
        checked = preview_household_import(path, user=world.officer_a)
    assert checked.ok and [w.message for w in checked.warnings if "安置区" in w.message] == [expected]
    with acting_as(world.officer_a, source="web"):
        result = commit_household_import(path, user=world.officer_a)
    assert result.ok and result.committed
    assert not ResettlementSite.objects.exists()
    households = Household.objects.filter(village=world.village_a)
    assert households.count() == 2 and not households.filter(resettlement_site__isnull=False).exists()
    warned = [w for w in result.warnings if "安置区" in w.message]
    assert [(w.row, w.field, w.message) for w in warned] == [(4, "安置区", expected)]


# --- 3. incomes hidden from roles without unmask ---------------------------------------------------------------------


@pytest.fixture
def estimated(world):
    home = make_household(world.village_a, household_no="R-1", head="钱预估")
    make_income(home, YEAR - 1, size=1, wage="12000")
    est.record_estimate(
        household=home,
        user=world.officer_a,
        year=YEAR,
        amounts={"wage": Decimal("9000"), "transfer": Decimal("500")},
        household_size=1,
    )
    return home


def _export(client) -> list[list]:
    response = client.get("/assistance/estimates/export/?list=below_floor")
    assert response.status_code == 200
    return CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()


INCOME_HEADERS = ["工资性收入", "转移性收入", "预估家庭纯收入", "预估人均纯收入", "上年人均纯收入"]


def test_the_estimate_export_hides_incomes_from_the_inspector(world, estimated, client_for):
    full = _export(client_for(world.admin))
    header = full[2]
    row = dict(zip(header, full[3], strict=True))
    assert row["户主"] == "钱预估" and [row[h] for h in INCOME_HEADERS] == [9000, 500, 9500, 9500, 12000]
    hidden = _export(client_for(world.inspector))
    row = dict(zip(hidden[2], hidden[3], strict=True))
    assert row["户主"] == "钱预估" and row["计算人口数"] == 1
    assert [row[h] for h in INCOME_HEADERS] == ["（已隐藏）"] * 5
    assert "收入已隐藏" in hidden[1][0]


def test_the_estimate_lists_page_hides_incomes_from_the_inspector(world, estimated, client_for):
    def page(user):
        return client_for(user).get("/assistance/estimates/?list=below_floor").content.decode()

    full, hidden = page(world.admin), page(world.inspector)
    assert "钱预估" in full and "9500.00" in full and "12000.00" in full and "（已隐藏）" not in full
    assert "钱预估" in hidden and "9500.00" not in hidden and "12000.00" not in hidden and "（已隐藏）" in hidden


def test_the_estimate_ledger_leaves_incomes_blank_for_the_inspector(world, estimated, tmp_path):
    admin = build("income-estimates", world.admin, tmp_path, year=YEAR).row_of("户主姓名", "钱预估")
    assert (admin["预估人均纯收入"], admin["上年人均纯收入"], admin["比上年增减"]) == (9500, 12000, -2500)
    sheet = build("income-estimates", world.inspector, tmp_path, year=YEAR)
    row = sheet.row_of("户主姓名", "钱预估")
    hidden = ("工资性收入", "预估家庭纯收入", "预估人均纯收入", "上年人均纯收入", "比上年增减")
    assert [row[h] for h in hidden] == [""] * 5
    assert row["重点人群"] == "低于10,000元、收入不增反降" and "已留空" in sheet.subtitle


def test_the_employment_ledgers_leave_wages_and_subsidies_blank_for_the_inspector(world, county, tmp_path):  # noqa: F811
    for code, name, labels in (
        ("public-post-attendance", "甲护路员", ["发放补贴（元）"]),
        ("workshop-employees", "六月六千", ["务工收入（元）", "稳岗补贴（元）"]),
        ("transport-subsidies", "外出务工", ["补贴金额（元）"]),
    ):
        admin = build(code, world.admin, tmp_path, year=2026)
        assert all(admin.row_of("姓名", name)[label] not in ("", None) for label in labels), code
        assert "已留空" not in admin.subtitle
        inspector = build(code, world.inspector, tmp_path, year=2026)
        row = inspector.row_of("姓名", name)
        assert [row[label] for label in labels] == [""] * len(labels), code
        assert "已留空" in inspector.subtitle
    workshop = build("workshop-employees", world.admin, tmp_path, year=2026)
    assert workshop.row_of("姓名", "六月六千")["务工收入（元）"] == 6000


# --- 4. two first estimates at once ----------------------------------------------------------------------------------


def test_a_simultaneous_first_estimate_updates_the_other_instead_of_failing(world, monkeypatch):
    home = make_household(world.village_a, household_no="R-2", head="孙同时")
    manager = IncomeEstimate.objects
    real = manager.select_for_update
    calls = []

    def racing():
        """The first look finds nothing: the other entry commits its estimate right after it."""
        calls.append(1)
        if len(calls) == 1:
            IncomeEstimate.objects.create(
                household=home, year=YEAR, wage=Decimal("5000"), household_size=1, entered_by=world.reviewer_a
            )
            return manager.none()
        return real()

    monkeypatch.setattr(manager, "select_for_update", racing)
    saved = est.record_estimate(
        household=home, user=world.officer_a, year=YEAR, amounts={"wage": Decimal("9000")}, household_size=1
    )
    assert len(calls) >= 2  # the race happened
    estimates = IncomeEstimate.objects.filter(household=home)
    assert estimates.count() == 1
    only = estimates.get()
    assert only.pk == saved.pk and only.wage == Decimal("9000") and only.entered_by == world.officer_a
