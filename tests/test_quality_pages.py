"""The data-quality pages, the command and the report, as their users meet them: counts per rule by township and
village with the quality score, a rule's subjects with their figures (masked as every list masks them), a village's
to-fix list, the waiver forms, the run and report buttons, ``shoudi quality`` and the Excel report grouped by rule."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from python_calamine import CalamineWorkbook

from shoudi.core.models import AccessLog, Job
from shoudi.quality.engine import run
from shoudi.quality.models import Hit
from shoudi.quality.report import write_report
from shoudi.quality.testing import clean_family
from shoudi.registry.models import IncomeRecord, Member
from shoudi.registry.testing import make_income
from shoudi.work import choices as wc


def _spoil(member, **fields):
    Member.objects.filter(pk=member.pk).update(**fields)


@pytest.fixture
def county(world):
    """甲村: a working pupil and a wrong check character; 乙村: a working pupil and an income that does not add up
    (both its net and its per-capita figure); two clean households beside them."""
    a, members_a = clean_family(world.village_a)
    _spoil(members_a[2], employed=True, work_months=6)
    wrong = members_a[0].id_number[:17] + ("0" if members_a[0].id_number[17] != "0" else "1")
    _spoil(members_a[0], id_number=wrong)
    b, members_b = clean_family(world.village_b)
    _spoil(members_b[2], employed=True, work_months=2)
    record = make_income(b, 2025, size=3, wage=30000)
    IncomeRecord.objects.filter(pk=record.pk).update(net_income=25000)
    clean_family(world.village_a)
    clean_family(world.village_a2)
    run(region=world.county)
    return {"a": a, "b": b, "wrong_id": wrong, "head_a": members_a[0]}


def _table(html: str, table_id: str) -> str:
    start = html.index(f'id="{table_id}"')
    return html[start : html.index("</table>", start)]


def test_the_overview_counts_per_township_and_rule_with_the_score(county, world, client_for):
    html = client_for(world.admin).get(reverse("quality:overview")).content.decode()
    regions = _table(html, "quality-regions")
    # 甲镇: 3 households (甲村 2, 甲二村 1), 2 problems → 66.7 per 100; 乙镇: 1 household, 3 problems → 300.0
    assert "甲镇" in regions and "66.7" in regions and "300.0" in regions
    rules = _table(html, "quality-rules")
    assert "3_01_010 在校生有务工信息" in rules and "4_01_010 家庭纯收入与各项收入不符" in rules
    assert 'id="quality-score">125.0<' in html  # 5 problems in 4 households
    assert 'id="quality-run"' in html and 'id="quality-report"' in html


def test_a_township_sees_its_villages_and_cannot_open_another_township(county, world, client_for):
    client = client_for(world.reviewer_a)
    html = client.get(reverse("quality:overview")).content.decode()
    regions = _table(html, "quality-regions")
    assert "甲村" in regions and "甲二村" in regions and "乙村" not in regions
    assert client.get(reverse("quality:overview"), {"area": world.township_b.code}).status_code == 404


def test_the_list_of_a_rules_subjects_shows_their_figures_masked(county, world, client_for):
    html = client_for(world.admin).get(reverse("quality:hit_list"), {"rule": "1_01_020"}).content.decode()
    rows = html[html.index('id="object-list"') :]
    assert "校验位错误" in rows and county["head_a"].name in rows
    assert county["wrong_id"] not in rows and county["wrong_id"][:6] + "********" in rows
    assert "在校生有务工信息" not in rows


def test_income_figures_show_to_the_village_and_are_hidden_from_the_inspector(county, world, client_for):
    url = reverse("quality:hit_list")
    officer = client_for(world.officer_b).get(url, {"rule": "4_01_010"}).content.decode()
    assert "家庭纯收入 25000.00 元" in officer
    inspector = client_for(world.inspector).get(url, {"rule": "4_01_010"}).content.decode()
    assert "25000.00" not in inspector and "（已隐藏）" in inspector


def test_the_village_to_fix_list(county, world, client_for):
    client = client_for(world.officer_a)
    html = client.get(reverse("quality:todo"), {"area": world.village_a.code}).content.decode()
    assert 'id="todo-count">2<' in html and f'id="todo-{county["a"].pk}"' in html
    assert "在校生" in html and "校验位" in html
    assert client.get(reverse("quality:todo"), {"area": world.village_b.code}).status_code == 404
    home = client.get(reverse("home")).content.decode()
    assert 'id="quality-panel"' in home and "本村数据待整改 2 个" in home


def test_a_waiver_through_the_problem_page(county, world, client):
    hit = Hit.objects.get(rule="3_01_010", village=world.village_a)
    url = reverse("quality:hit_detail", args=[hit.pk])
    problem_url = reverse("work:problem_detail", args=[hit.problem_id])
    client.force_login(world.officer_a)
    page = client.get(url).content.decode()
    assert 'id="hit-actions"' in page and problem_url in page and "申请认定不是问题" in page
    act = lambda action, data: client.post(reverse("work:problem_act", args=[hit.problem_id, action]), data)  # noqa: E731
    assert act("waive", {"waive-reason": ""}).status_code == 302
    assert not Hit.objects.select_related("problem").get(pk=hit.pk).waiver_pending  # no reason: refused
    act("waive", {"waive-reason": "假期打工，属实"})
    assert Hit.objects.select_related("problem").get(pk=hit.pk).waiver_pending
    assert "待乡镇确认不是问题" in client.get(url).content.decode()
    todo = client.get(reverse("quality:todo"), {"area": world.village_a.code}).content.decode()
    assert "待乡镇确认不是问题" in todo
    client.force_login(world.reviewer_a)
    act("review", {"decision": "approve", "review-text": "属实"})
    hit = Hit.objects.select_related("problem").get(pk=hit.pk)
    assert (hit.problem.state, hit.problem.outcome) == (wc.CLOSED, wc.NOT_A_PROBLEM) and not hit.is_open
    page = client.get(url).content.decode()
    assert 'id="hit-state">不是问题<' in page and "假期打工，属实" in page


def test_the_run_and_report_buttons_start_jobs(county, world, client_for):
    client = client_for(world.admin)
    response = client.post(reverse("quality:run"), {"area": world.county.code})
    job = Job.objects.get(kind="quality.run")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.params["region_code"] == world.county.code
    client.post(reverse("quality:report"), {"area": world.township_a.code})
    assert Job.objects.get(kind="quality.report").params["region_code"] == world.township_a.code
    officer = client_for(world.officer_a)
    assert officer.post(reverse("quality:run"), {"area": world.village_a.code}).status_code == 403


def _sheets(path: Path) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def test_the_report_groups_by_rule_with_full_numbers_for_the_county_admin(county, world, tmp_path):
    path, rows = write_report(region=world.county, user=world.admin, target=tmp_path / "r.xlsx")
    assert rows == 5
    sheets = _sheets(path)
    summary = sheets["汇总"]
    assert summary[2][:6] == ["规则编号", "规则名称", "类别", "严重程度", "负责层级", "问题数"]
    pupils = next(row for row in summary if row[0] == "3_01_010")
    assert pupils[5] == 2 and pupils[6:8] == [1, 1]  # 甲镇, 乙镇
    identity = sheets["1_01_020证件号码校验位错误"]
    assert identity[2][:6] == ["乡镇", "行政村", "户编号", "户主", "姓名", "证件号码"]
    assert identity[3][2] == county["a"].household_no and identity[3][5] == county["wrong_id"]
    log = AccessLog.objects.get(action=AccessLog.EXPORT)
    assert log.record_count == 5 and "完整" in log.detail


def test_the_report_masks_numbers_for_a_role_that_may_not_see_them(county, world, tmp_path):
    path, _ = write_report(region=world.county, user=world.inspector, target=tmp_path / "r.xlsx")
    identity = _sheets(path)["1_01_020证件号码校验位错误"]
    assert identity[3][5] != county["wrong_id"] and "********" in identity[3][5]


def test_the_report_job_gives_the_file(county, world, run_now):
    job = run_now(kind="quality.report", user=world.admin, params={"region_code": world.county.code})
    assert job.status == Job.SUCCEEDED, job.error
    assert job.result_name.startswith("数据质量报告_测试县") and job.result_name.endswith(".xlsx")


def test_the_command_prints_counts_per_rule_and_writes_the_report(county, world, tmp_path, capsys):
    out = io.StringIO()
    call_command("quality", "--region", world.county.code, "--report", str(tmp_path / "q.xlsx"), stdout=out)
    text = out.getvalue()
    assert "3_01_010 在校生有务工信息：2 个（新增 0，已整改 0）" in text
    assert "合计：5 个问题" in text and "报告已写入" in text
    assert (tmp_path / "q.xlsx").exists()
    out = io.StringIO()
    call_command("quality", "--rule", "4_11_010", stdout=out)
    assert out.getvalue().splitlines()[0].startswith("4_11_010 风险消除时人均纯收入低于监测线")
    with pytest.raises(CommandError, match="区划代码 999999 不存在"):
        call_command("quality", "--region", "999999")
    with pytest.raises(CommandError, match="没有规则 9_99_999"):
        call_command("quality", "--rule", "9_99_999")


def test_the_rule_list(county, world, client_for):
    html = client_for(world.officer_a).get(reverse("quality:rule_list")).content.decode()
    table = _table(html, "rule-list")
    assert table.count("<tr>") == 1 + 39 and "4_11_010" in table and "风险消除时人均纯收入低于监测线" in table
    assert "9_01_010" in table  # 易地搬迁: a resettled household with labour and nobody employed
