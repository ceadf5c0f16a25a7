"""批量审核: something to judge by, nothing approved by accident — an error approves no case and keeps the reviewer's
conclusion, note and ticks; a case without its 入户核实, 公示 or 承诺授权书 on record passes only when confirmed."""

import re
from decimal import Decimal

import pytest

from shoudi.monitoring import choices as c
from shoudi.monitoring.models import MonitoringCase, MonitoringLine
from shoudi.monitoring.testing import case_at
from shoudi.registry.testing import make_household, make_income


@pytest.fixture
def waiting(world):
    MonitoringLine.objects.create(region=world.county, year=2025, amount=Decimal("8000"))
    complete = case_at(make_household(world.village_a, household_no="A501", head="齐全户"), c.TOWNSHIP_REVIEW)
    make_income(complete.household, 2025, size=2, wage=9000)  # 4500 per person
    bare = case_at(
        make_household(world.village_a, household_no="A502", head="缺件户"),
        c.TOWNSHIP_REVIEW,
        materials=False,
        category="突发严重困难户",
        risk_types=("因意外事故", "缺劳动力"),
    )
    make_income(bare.household, 2025, size=1, wage=12000)
    return complete, bare


def row_text(html, case):
    """The visible text of the case's row."""
    row = html[html.index(f'id="review-row-{case.pk}"') :]
    return " ".join(re.sub(r"<[^>]+>", " ", row[: row.index("</tr>")]).split())


def steps(*cases):
    return [MonitoringCase.objects.get(pk=case.pk).step for case in cases]


def ticked(html):
    return {int(v) for v in re.findall(r'name="case" value="(\d+)" checked', html)}


def selected_option(html, name):
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
    return re.search(r'<option value="([^"]*)" selected', select).group(1)


def test_the_list_shows_what_to_judge_by(client_for, world, waiting):
    complete, bare = waiting
    html = client_for(world.reviewer_a).get("/monitoring/review/").content.decode()
    row = row_text(html, complete)
    assert "齐全户" in row and "边缘易致贫户" in row and "因病" in row
    assert "4500 / 8000 元 2025 年 · 低于监测线" in row
    assert "✓ 入户核实" in row and "✓ 承诺授权书" in row and " 至 " in row and "⚠" not in row
    bare_row = row_text(html, bare)
    assert re.search(rf'<tr class="table-warning" id="review-row-{bare.pk}"', html)
    assert "因意外事故、缺劳动力" in bare_row and "12000 / 8000 元 2025 年 · 高于监测线" in bare_row
    assert "无公示记录" in bare_row and "✗ 无入户核实记录" in bare_row and "✗ 无承诺授权书" in bare_row
    assert "⚠ 缺少入户核实记录、公示记录、承诺授权书" in bare_row
    assert "有 1 户缺少入户核实、公示或承诺授权书记录" in html


def test_a_return_without_reason_approves_nothing_and_keeps_the_choice_and_ticks(client_for, world, waiting):
    complete, bare = waiting
    client = client_for(world.reviewer_a)
    response = client.post("/monitoring/review/", {"case": [complete.pk, bare.pk], "approve": "0", "note": " "})
    html = response.content.decode()
    assert response.status_code == 422
    assert "退回须填写原因" in html and "未审核任何一户" in html
    assert selected_option(html, "approve") == "0"  # still 退回, not back to 通过
    assert ticked(html) == {complete.pk, bare.pk}
    assert steps(complete, bare) == [c.TOWNSHIP_REVIEW] * 2


def test_no_conclusion_is_preselected(client_for, world, waiting):
    complete, _ = waiting
    client = client_for(world.reviewer_a)
    assert selected_option(client.get("/monitoring/review/").content.decode(), "approve") == ""
    response = client.post("/monitoring/review/", {"case": [complete.pk], "note": "同意"})
    html = response.content.decode()
    assert "请选择结论" in html and ticked(html) == {complete.pk} and "同意</textarea>" in html
    assert steps(complete) == [c.TOWNSHIP_REVIEW]


def test_missing_materials_stop_the_whole_batch_until_confirmed(client_for, world, waiting):
    complete, bare = waiting
    client = client_for(world.reviewer_a)
    response = client.post("/monitoring/review/", {"case": [complete.pk, bare.pk], "approve": "1", "note": "同意"})
    html = response.content.decode()
    assert "缺件户（A502）缺少入户核实记录、公示记录、承诺授权书" in html and "以上 1 户未审核" in html
    assert ticked(html) == {complete.pk, bare.pk} and selected_option(html, "approve") == "1"
    assert steps(complete, bare) == [c.TOWNSHIP_REVIEW] * 2  # not even the complete one

    response = client.post(
        "/monitoring/review/",
        {"case": [complete.pk, bare.pk], "approve": "1", "note": "同意", "missing_confirmed": "on"},
    )
    assert response.content.decode().count("table-success") == 2
    assert steps(complete, bare) == [c.COUNTY_REVIEW] * 2
    review = MonitoringCase.objects.get(pk=bare.pk).events.get(action="乡镇审核")
    assert review.data == {"missing_confirmed": ["入户核实记录", "公示记录", "承诺授权书"]}
    assert MonitoringCase.objects.get(pk=complete.pk).events.get(action="乡镇审核").data == {}


def test_complete_cases_pass_without_confirmation_and_leave_the_list(client_for, world, waiting):
    complete, bare = waiting
    response = client_for(world.reviewer_a).post(
        "/monitoring/review/", {"case": [complete.pk], "approve": "1", "note": "同意"}
    )
    html = response.content.decode()
    assert 'id="review-results"' in html and "齐全户（A501）" in html
    assert f'id="review-row-{complete.pk}"' not in html and f'id="review-row-{bare.pk}"' in html
    assert steps(complete, bare) == [c.COUNTY_REVIEW, c.TOWNSHIP_REVIEW]


def test_a_return_with_reason_needs_no_confirmation(client_for, world, waiting):
    _, bare = waiting
    client_for(world.reviewer_a).post("/monitoring/review/", {"case": [bare.pk], "approve": "0", "note": "补充承诺书"})
    bare.refresh_from_db()
    assert bare.step == c.PUBLICITY and "补充承诺书" in bare.returned_reason


def test_the_county_sees_elimination_cases_with_their_check(client_for, world):
    home = make_household(world.village_b, household_no="B601", head="消除户")
    case = case_at(home, c.COUNTY_REVIEW, chain=c.ELIMINATION)
    html = client_for(world.admin).get("/monitoring/review/").content.decode()
    row = row_text(html, case)
    assert "消除县级确定" in row and "✓ 入户核查" in row and "承诺授权书" not in row and "⚠" not in row


def test_read_only_users_have_no_batch_review(client_for, world):
    from shoudi.accounts.testing import make_user

    department = make_user("dept", "department", world.county)
    for user in (world.inspector, department):
        assert client_for(user).get("/monitoring/review/").status_code == 403
