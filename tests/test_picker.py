"""The one picker for households, members and cadres: the forms that use it, its scoped endpoints, the search,
and 新增收入 (which answered a 500)."""

import re

import pytest

from shoudi.accounts.roles import DEPARTMENT
from shoudi.accounts.testing import make_user
from shoudi.assistance.models import Cadre, Measure, Pairing
from shoudi.monitoring import choices as mc
from shoudi.monitoring.models import MonitoringCase
from shoudi.registry.models import IncomeRecord, Member
from shoudi.registry.testing import make_household, make_member


@pytest.fixture
def homes(world):
    a = make_household(world.village_a, household_no="52010200100100017", head="王建国", phone="13512345678")
    make_member(a, name="王小明", relation="之子", birth="20100305", phone="13900004321")
    b = make_household(world.village_b, household_no="52010200200100003", head="赵六", phone="13600009999")
    return a, b


def options(response) -> list[str]:
    """The labels of the picker's options, as the user reads them."""
    assert response.status_code == 200
    return re.findall(r'data-label="([^"]*)"', response.content.decode())


@pytest.mark.parametrize("who", ["admin", "officer_a"])
def test_new_income_page_opens_and_saves(client_for, world, homes, who):
    a, _ = homes
    client = client_for(getattr(world, who))
    page = client.get(f"/registry/incomes/add/?household={a.pk}")
    html = page.content.decode()
    assert page.status_code == 200 and "新增收入记录" in html
    assert 'value="王建国 · 甲村 · 00017"' in html  # the household, chosen, named as people name it
    assert f'href="/registry/households/{a.pk}/"' in html  # 取消 goes back to the household
    assert 'name="household_size"' in html and 'value="2"' in html  # its current size, to start from
    response = client.post(
        "/registry/incomes/add/",
        {
            "household": a.pk,
            "year": 2025,
            "wage": 12000,
            "business": 0,
            "property_income": 0,
            "transfer": 800,
            "business_cost": 0,
            "compliant_medical": 0,
            "household_size": 2,
        },
    )
    assert response.status_code == 302 and response["Location"].startswith(f"/registry/households/{a.pk}/")
    assert IncomeRecord.objects.get(household=a).per_capita == 6400


def test_forms_carry_no_dropdown_of_households(client_for, world, homes):
    a, b = homes
    for extra in range(30):
        make_household(world.village_b, household_no=f"5201020020011{extra:04d}", head=f"户主{extra}")
    client = client_for(world.admin)
    for url in ("/registry/incomes/add/", "/registry/members/add/", "/assistance/measures/add/"):
        html = client.get(url).content.decode()
        assert 'role="combobox"' in html and "data-picker" in html
        assert "户主7" not in html and "赵六" not in html  # no household is listed until searched for


def test_picker_is_scoped_and_searches_what_people_remember(client_for, world, homes):
    a, b = homes
    head = a.members.get(relation="户主")
    officer = client_for(world.officer_a)
    url = "/registry/pick/households/"
    assert options(officer.get(url, {"q": ""})) == ["王建国 · 甲村 · 00017"]
    assert options(officer.get(url, {"q": "赵六"})) == []  # another village's household is not offered
    assert "没有找到“赵六”" in officer.get(url, {"q": "赵六"}).content.decode()
    admin = client_for(world.admin)
    for text in ("王建", "0017", "020010010", "5678", "4321", head.id_number, head.id_number[-4:], "WJG", "王小明"):
        assert options(admin.get(url, {"q": text})) == ["王建国 · 甲村 · 00017"], text
    assert options(admin.get(url, {"q": "9999"})) == ["赵六 · 乙村 · 00003"]


def test_picker_shows_twenty_at_most(client_for, world):
    for n in range(25):
        make_household(world.village_a, household_no=f"5201020010010{n:04d}", head=f"李{n}")
    response = client_for(world.officer_a).get("/registry/pick/households/", {"q": "李"})
    assert len(options(response)) == 20
    assert "只显示前 20 条" in response.content.decode()


def test_member_and_cadre_pickers(client_for, world, homes):
    a, _ = homes
    son = a.members.get(name="王小明")
    Cadre.objects.create(name="李干部", unit="县农业农村局", region=world.township_a, phone="13700001234")
    Cadre.objects.create(name="乙镇干部", unit="乙镇政府", region=world.township_b)
    Cadre.objects.create(name="离岗干部", unit="县局", region=world.county, active=False)
    officer = client_for(world.officer_a)
    assert options(officer.get("/registry/pick/members/", {"q": son.id_number})) == ["王小明（之子）"]
    assert options(officer.get("/assistance/pick/cadres/", {"q": "1234"})) == ["李干部（县农业农村局）"]
    assert options(officer.get("/assistance/pick/cadres/", {"q": "干部"})) == ["李干部（县农业农村局）"]
    department = make_user("dept", DEPARTMENT, world.county)
    assert client_for(department).get("/assistance/pick/cadres/").status_code == 403
    client_for(world.officer_a).logout()
    assert officer.get("/registry/pick/households/").status_code == 302  # the login wall


def test_a_posted_household_outside_scope_is_refused(client_for, world, homes):
    _, b = homes
    response = client_for(world.officer_a).post(
        "/registry/members/add/",
        {
            "household": b.pk,
            "name": "冒名",
            "id_type": "居民身份证（户口簿）",
            "id_number": "11010519491231002X",
            "relation": "之子",
            "status": "正常",
        },
    )
    assert response.status_code == 200 and "选择一个有效的选项" in response.content.decode()
    assert not Member.objects.filter(name="冒名").exists()


def test_measure_form_offers_the_households_cases_and_links_the_open_one(client_for, world, homes):
    a, b = homes
    case = MonitoringCase.objects.create(
        household=a, category="边缘易致贫户", source="农户自主申报", clue_date="2026-10-01", step=mc.MONITORING
    )
    MonitoringCase.objects.create(household=b, source="农户自主申报", clue_date="2026-10-01")
    client = client_for(world.admin)
    html = client.get(f"/assistance/measures/add/?household={a.pk}").content.decode()
    case_select = html[html.index('name="case"') : html.index("</select>", html.index('name="case"'))]
    assert case_select.count("<option") == 2  # the blank choice and this household's one case
    client.post(
        "/assistance/measures/add/",
        {"household": a.pk, "category": "产业帮扶", "sub_item": "种植业", "content": "种植辣椒", "status": "计划"},
    )
    assert Measure.objects.get(household=a).case == case


def test_pairing_from_the_household_page_uses_the_picker_and_refuses_a_cadre_outside_scope(client_for, world, homes):
    a, _ = homes
    mine = Cadre.objects.create(name="甲镇干部", unit="甲镇政府", region=world.township_a)
    theirs = Cadre.objects.create(name="乙镇干部", unit="乙镇政府", region=world.township_b)
    client = client_for(world.officer_a)
    html = client.get(f"/registry/households/{a.pk}/").content.decode()
    assert "/assistance/pick/cadres/" in html and "乙镇干部" not in html
    client.post(f"/assistance/households/{a.pk}/pair/", {"cadre": theirs.pk})
    assert not Pairing.objects.exists()
    client.post(f"/assistance/households/{a.pk}/pair/", {"cadre": mine.pk})
    assert Pairing.objects.get().cadre == mine


def test_lists_name_the_household_by_its_head(client_for, world, homes):
    a, _ = homes
    cadre = Cadre.objects.create(name="甲镇干部", unit="甲镇政府", region=world.township_a)
    Pairing.objects.create(household=a, cadre=cadre)
    client = client_for(world.officer_a)
    for url in ("/assistance/pairings/", "/registry/members/", "/registry/households/"):
        html = client.get(url).content.decode()
        assert "王建国 · 甲村 · 00017" in html and "data-cards" in html, url
    assert "王建国" in client.get(f"/assistance/cadres/{cadre.pk}/").content.decode()


def test_household_search_finds_a_part_of_the_number_and_a_phone_tail(client_for, world, homes):
    client = client_for(world.admin)
    for text in ("00100100017", "5678", "4321"):
        html = client.get("/registry/households/", {"q": text}).content.decode()
        listed = html[html.index('id="object-list"') :]
        assert "王建国" in listed and "赵六" not in listed, text
    picked = client.get("/assistance/visit/", {"q": "5678"}).content.decode()
    assert "王建国" in picked and "赵六" not in picked


def test_exports_keep_the_number_the_head_and_the_village_apart(client_for, world, homes):
    import io

    from python_calamine import CalamineWorkbook

    a, _ = homes
    cadre = Cadre.objects.create(name="甲镇干部", unit="甲镇政府", region=world.township_a)
    Pairing.objects.create(household=a, cadre=cadre)
    response = client_for(world.officer_a).get("/assistance/pairings/?export=xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    header, row = rows[2], rows[3]
    assert dict(zip(header, row, strict=True))["户编号"] == "52010200100100017"
    assert (dict(zip(header, row, strict=True))["户主"], dict(zip(header, row, strict=True))["行政村"]) == (
        "王建国",
        "甲村",
    )


def test_a_malformed_household_parameter_is_ignored(client_for, world, homes):
    client = client_for(world.officer_a)
    for url in ("/registry/incomes/add/", "/registry/members/add/", "/assistance/measures/add/"):
        assert client.get(url, {"household": "abc"}).status_code == 200, url
    assert client.get("/registry/pick/households/", {"q": "'%_\\"}).status_code == 200


def test_assistance_lists_find_a_household_by_its_phone_tail_or_name(client_for, world, homes):
    a, b = homes
    cadre = Cadre.objects.create(name="县干部", unit="县局", region=world.county)
    Pairing.objects.create(household=a, cadre=cadre)
    Pairing.objects.create(household=b, cadre=cadre)
    client = client_for(world.admin)
    for text in ("5678", "王建国", "00100100017"):
        listed = client.get("/assistance/pairings/", {"household": text}).content.decode()
        listed = listed[listed.index('id="object-list"') :]
        assert "王建国" in listed and "赵六" not in listed, text
