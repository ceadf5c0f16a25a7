"""Household list and 一户一档 page: scope, masking, filters, search, member edits with ID validation."""

from decimal import Decimal

import pytest

from shoudi.core.models import AccessLog, ObjectChange
from shoudi.registry.models import IncomeRecord, Member, compute_income
from shoudi.registry.testing import make_household, make_income, make_member


@pytest.fixture
def homes(world):
    a = make_household(
        world.village_a,
        household_no="A001",
        head="王建国",
        phone="13512345678",
        household_type="脱贫户",
        lifted_year=2019,
    )
    make_member(a, name="王小䶮", relation="之子", birth="20100305", dibao="农村低保")
    b = make_household(world.village_b, household_no="B001", head="赵𠮷祥")
    return a, b


def list_part(response) -> str:
    html = response.content.decode()
    return html[html.index('id="object-list"') :]


def test_household_list_is_scoped(client_for, world, homes):
    assert "A001" in list_part(client_for(world.officer_a).get("/registry/households/"))
    assert "B001" not in list_part(client_for(world.officer_a).get("/registry/households/"))
    both = list_part(client_for(world.admin).get("/registry/households/"))
    assert "A001" in both and "B001" in both


def test_household_page_in_and_out_of_scope(client_for, world, homes):
    a, b = homes
    assert client_for(world.officer_a).get(f"/registry/households/{a.pk}/").status_code == 200
    assert client_for(world.officer_a).get(f"/registry/households/{b.pk}/").status_code == 404
    assert client_for(world.reviewer_a).get(f"/registry/households/{b.pk}/").status_code == 404


def test_ids_and_phones_are_masked_and_unmasking_is_logged(client_for, world, homes):
    a, _ = homes
    head = a.members.get(relation="户主")
    client = client_for(world.officer_a)
    page = client.get(f"/registry/households/{a.pk}/").content.decode()
    assert head.id_number not in page and head.id_number[:6] + "********" + head.id_number[-4:] in page
    assert "13512345678" not in page and "135****5678" in page
    shown = client.get(f"/registry/unmask/member/{head.pk}/id_number/").content.decode()
    assert head.id_number in shown
    entry = AccessLog.objects.get()
    assert (entry.user, entry.action, entry.field, entry.object_repr) == (
        world.officer_a,
        "unmask",
        "id_number",
        "王建国",
    )


def test_inspector_cannot_unmask(client_for, world, homes):
    head = homes[0].members.get(relation="户主")
    assert client_for(world.inspector).get(f"/registry/unmask/member/{head.pk}/id_number/").status_code == 403


def test_member_list_export_is_masked_and_logged(client_for, world, homes):
    import io

    from python_calamine import CalamineWorkbook

    response = client_for(world.officer_a).get("/registry/members/?export=xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    ids = [r[2] for r in rows[3:]]
    assert len(ids) == 2 and all("********" in i for i in ids)
    assert AccessLog.objects.get(action="export").record_count == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("王建国", {"A001"}),
        ("WJG", {"A001"}),
        ("wxy", {"A001"}),
        ("A001", {"A001"}),
        ("13512345678", {"A001"}),
        ("赵𠮷祥", {"B001"}),
        ("nobody", set()),
    ],
)
def test_household_search(client_for, world, homes, query, expected):
    html = list_part(client_for(world.admin).get("/registry/households/", {"q": query}))
    assert {no for no in ("A001", "B001") if no in html} == expected


def test_search_by_exact_id_number_in_any_spelling(client_for, world, homes):
    member = homes[1].members.get()
    spelled = " " + member.id_number.lower().replace("0", "０") + " "
    html = list_part(client_for(world.admin).get("/registry/households/", {"q": spelled}))
    assert "B001" in html and "A001" not in html


def test_household_filters(client_for, world, homes):
    client = client_for(world.admin)
    assert "B001" not in list_part(client.get("/registry/households/", {"household_type": "脱贫户"}))
    html = list_part(client.get("/registry/households/", {"dibao": "true"}))
    assert "A001" in html and "B001" not in html


def test_member_add_validates_the_id_number(client_for, world, homes):
    a, _ = homes
    base = {
        "household": a.pk,
        "name": "新成员",
        "id_type": "居民身份证（户口簿）",
        "relation": "之女",
        "status": "正常",
    }
    response = client_for(world.officer_a).post("/registry/members/add/", {**base, "id_number": "110105194912310021"})
    assert "证件号码校验位错误（应为 X）" in response.content.decode()
    response = client_for(world.officer_a).post("/registry/members/add/", {**base, "id_number": "11010519491231002x"})
    assert response.status_code == 302
    member = Member.objects.get(name="新成员")
    assert (member.id_number, member.gender, str(member.birth_date)) == ("11010519491231002X", "女", "1949-12-31")
    change = ObjectChange.objects.get(object_id=str(member.pk), content_type__model="member")
    assert change.parent_object_id == str(a.pk)  # shows on the household's history


def test_member_cannot_be_added_to_a_household_out_of_scope(client_for, world, homes):
    _, b = homes
    response = client_for(world.officer_a).post(
        "/registry/members/add/",
        {
            "household": b.pk,
            "name": "越界",
            "id_type": "居民身份证（户口簿）",
            "id_number": "11010519491231002X",
            "relation": "之女",
            "status": "正常",
        },
    )
    assert response.status_code == 200 and not Member.objects.filter(name="越界").exists()


def test_second_head_is_refused(client_for, world, homes):
    a, _ = homes
    response = client_for(world.officer_a).post(
        "/registry/members/add/",
        {
            "household": a.pk,
            "name": "二号户主",
            "id_type": "居民身份证（户口簿）",
            "id_number": "11010519491231002X",
            "relation": "户主",
            "status": "正常",
        },
    )
    assert "该户已有户主" in response.content.decode()


def test_income_formula():
    net, per = compute_income(wage=20000, business=8000, property_=500, transfer=3000, business_cost=4500, size=4)
    assert (net, per) == (Decimal("27000.00"), Decimal("6750.00"))


def test_income_page_shows_computed_figures(client_for, world, homes):
    a, _ = homes
    make_income(a, 2025, size=2, wage=12000, business=3000, transfer=1000, business_cost=2000)
    record = IncomeRecord.objects.get()
    assert (record.net_income, record.per_capita) == (Decimal("14000.00"), Decimal("7000.00"))
    html = client_for(world.officer_a).get(f"/registry/households/{a.pk}/").content.decode()
    assert "14000.00" in html and "7000.00" in html


def test_list_query_count_does_not_grow_with_rows(client_for, world, homes, django_assert_max_num_queries):
    for i in range(30):
        make_household(world.village_a, household_no=f"A1{i:02d}", head=f"户主{i}")
    client = client_for(world.admin)
    client.get("/registry/households/")  # the 待办 badge is computed once a minute; this warms it
    with django_assert_max_num_queries(20):
        client.get("/registry/households/")


def test_the_village_filter_offers_only_villages_in_scope(client_for, world, homes):
    html = client_for(world.reviewer_a).get("/registry/households/").content.decode()
    form = html[html.index('id="filter-form"') : html.index('id="object-list"')]
    assert ">甲村<" in form and ">甲二村<" in form and ">乙村<" not in form
