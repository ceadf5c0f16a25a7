"""A visit must answer the 两不愁三保障 checklist; an open 住房安全 problem is what the household page and 按需推荐
go by."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from shoudi.assistance import services
from shoudi.assistance.models import GuaranteeProblem, Visit
from shoudi.registry.testing import make_household


@pytest.fixture
def home(world):
    return make_household(
        world.village_a,
        household_no="A31",
        head="孙安",
        housing_secure=True,
        housing_checked_on=datetime.date(2026, 3, 1),
    )


def test_a_visit_with_the_checklist_blank_is_refused_and_keeps_what_was_typed(client_for, world, home):
    response = client_for(world.officer_a).post(
        f"/assistance/visit/{home.pk}/",
        {"visited_on": str(datetime.date.today()), "kind": "入户", "content": "与户主交谈，了解今年务工情况"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and not Visit.objects.exists()
    errors = html[html.index('id="visit-errors"') : html.index("</div></div>", html.index('id="visit-errors"'))]
    for label in ("不愁吃、不愁穿", "义务教育有保障", "基本医疗有保障", "住房安全有保障", "饮水安全有保障"):
        assert label in errors
    assert "与户主交谈，了解今年务工情况</textarea>" in html  # the text typed is still there


def test_the_service_refuses_a_blank_checklist_too(world, home):
    with pytest.raises(ValidationError, match="两不愁三保障"):
        services.record_visit(
            household=home,
            user=world.officer_a,
            visited_on=datetime.date.today(),
            kind="电话",
            content="回访",
            checklist=dict.fromkeys(("food_clothing_ok", "housing_ok")),
        )


def test_one_answer_is_enough(client_for, world, home):
    client_for(world.officer_a).post(
        f"/assistance/visit/{home.pk}/",
        {"visited_on": str(datetime.date.today()), "kind": "电话", "content": "电话回访", "water_ok": "1"},
    )
    assert Visit.objects.get().water_ok is True


def guarantee_row(html: str, label: str) -> str:
    table = html[html.index('id="guarantees"') : html.index("</table>", html.index('id="guarantees"'))]
    start = table.index(f"<td>{label}</td>")
    return table[start : table.index("</tr>", start)]


def test_an_open_housing_problem_wins_over_the_registry_flag(client_for, world, home):
    client = client_for(world.officer_a)
    assert "安全" in guarantee_row(client.get(f"/registry/households/{home.pk}/").content.decode(), "住房安全")
    services.record_visit(
        household=home,
        user=world.officer_a,
        visited_on=datetime.date.today(),
        kind="入户",
        content="墙体开裂",
        checklist={"housing_ok": False, "water_ok": True, "food_clothing_ok": False},
    )
    html = client.get(f"/registry/households/{home.pk}/").content.decode()
    row = guarantee_row(html, "住房安全")
    assert "存在问题" in row and "未解决：住房安全有保障" in row and ">安全<" not in row
    assert "存在问题" in guarantee_row(html, "不愁吃、不愁穿")  # a problem with no registry flag has a row too
    suggestions = html[html.index('id="suggestions"') :]
    assert "住房安全保障·危房改造" in suggestions and "综合保障·临时救助" in suggestions

    problem = GuaranteeProblem.objects.get(kind="住房安全有保障")
    services.resolve_problem(problem=problem, user=world.officer_a, resolution="已完成危房改造")
    html = client.get(f"/registry/households/{home.pk}/").content.decode()
    assert ">安全<" in guarantee_row(html, "住房安全")
    assert "住房安全保障·危房改造" not in html[html.index('id="assistance"') :]


def test_a_read_only_user_gets_no_visit_form(client_for, world, home):
    assert client_for(world.inspector).get(f"/assistance/visit/{home.pk}/").status_code == 403
    assert "登记走访" not in client_for(world.inspector).get(f"/registry/households/{home.pk}/").content.decode()
