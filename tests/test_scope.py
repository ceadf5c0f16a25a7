"""Scope on list, detail, edit and export, view by view, with the three-user fixture."""

import io

import pytest
from python_calamine import CalamineWorkbook

from shoudi.accounts.models import User
from shoudi.regions.models import Region


def listed_codes(response) -> set[str]:
    html = response.content.decode()
    return {r.code for r in Region.objects.all() if f">{r.code}<" in html}


def xlsx_rows(response) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return book.get_sheet_by_index(0).to_python()


@pytest.mark.parametrize("url", ["/", "/regions/", "/system/changes/", "/users/", "/regions/1/"])
def test_anonymous_is_sent_to_login(client, world, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_region_list_shows_only_the_users_region(client_for, world):
    assert listed_codes(client_for(world.officer_a).get("/regions/")) == {"520102001001"}
    assert listed_codes(client_for(world.officer_b).get("/regions/")) == {"520102002001"}
    assert listed_codes(client_for(world.reviewer_a).get("/regions/")) == {"520102001", "520102001001", "520102001002"}
    admin_codes = listed_codes(client_for(world.admin).get("/regions/"))
    assert "520102002001" in admin_codes and "520103" not in admin_codes and "520103001001" not in admin_codes


@pytest.mark.parametrize(
    ("who", "region", "status"),
    [
        ("officer_a", "village_a", 200),
        ("officer_a", "village_b", 404),
        ("officer_a", "township_a", 404),  # a village officer sees his village, not the township above
        ("reviewer_a", "village_a", 200),
        ("reviewer_a", "village_b", 404),
        ("officer_b", "village_a", 404),
        ("officer_b", "village_b", 200),
        ("admin", "village_b", 200),
        ("admin", "other_village", 404),
    ],
)
def test_region_detail_in_and_out_of_scope(client_for, world, who, region, status):
    obj = getattr(world, region)
    assert client_for(getattr(world, who)).get(f"/regions/{obj.pk}/").status_code == status


@pytest.mark.parametrize(
    ("who", "region", "status"),
    [
        ("officer_a", "village_a", 403),  # visible, but a village officer may not edit the division list
        ("officer_a", "village_b", 404),
        ("reviewer_a", "village_a", 403),
        ("officer_b", "village_a", 404),
        ("admin", "village_a", 200),
        ("admin", "other_village", 404),
    ],
)
def test_region_edit_form_by_role_and_scope(client_for, world, who, region, status):
    obj = getattr(world, region)
    assert client_for(getattr(world, who)).get(f"/regions/{obj.pk}/edit/").status_code == status


def test_refused_edit_changes_nothing(client_for, world):
    response = client_for(world.officer_a).post(
        f"/regions/{world.village_a.pk}/edit/",
        {"code": world.village_a.code, "name": "改名村", "parent": world.township_a.pk},
    )
    assert response.status_code == 403
    world.village_a.refresh_from_db()
    assert world.village_a.name == "甲村"


def test_admin_edit_saves_in_scope(client_for, world):
    response = client_for(world.admin).post(
        f"/regions/{world.village_a.pk}/edit/",
        {"code": world.village_a.code, "name": "新甲村", "parent": world.township_a.pk},
    )
    assert response.status_code == 302
    world.village_a.refresh_from_db()
    assert world.village_a.name == "新甲村"


def test_edit_cannot_pick_a_parent_outside_scope(client_for, world):
    """The other county's township is not even a valid choice for the admin's form."""
    other_township = Region.objects.get(code="520103001")
    response = client_for(world.admin).post(
        f"/regions/{world.village_a.pk}/edit/",
        {"code": world.village_a.code, "name": "甲村", "parent": other_township.pk},
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    world.village_a.refresh_from_db()
    assert world.village_a.parent_id == world.township_a.pk


def test_post_edit_scope_recheck_rolls_back(client_for, world):
    """An edit whose result lies outside the user's region is refused and rolled back, even if the form accepts it."""
    lone = Region.objects.create(code="520188", name="空县")
    keeper = User.objects.create(username="keeper", role="county_admin", region=lone, name="空县管理员")
    response = client_for(keeper).post(f"/regions/{lone.pk}/edit/", {"code": "520189", "name": "空县", "parent": ""})
    assert response.status_code == 403
    assert "超出您的管辖范围" in response.content.decode()
    lone.refresh_from_db()
    assert lone.code == "520188"


def test_region_export_contains_only_scope(client_for, world):
    response = client_for(world.reviewer_a).get("/regions/?export=xlsx")
    assert response.status_code == 200
    rows = xlsx_rows(response)
    assert rows[0][0] == "行政区划"
    assert rows[2][:2] == ["区划代码", "名称"]
    assert sorted(r[0] for r in rows[3:]) == ["520102001", "520102001001", "520102001002"]


def test_export_of_filtered_list(client_for, world):
    rows = xlsx_rows(client_for(world.admin).get("/regions/?q=乙&export=xlsx"))
    assert sorted(r[1] for r in rows[3:]) == ["乙村", "乙镇"]


def test_cadre_may_not_export_regions(client_for, world):
    from shoudi.accounts.testing import make_user

    cadre = make_user("cadre_a", "cadre", world.village_a)
    assert client_for(cadre).get("/regions/?export=xlsx").status_code == 403


def test_user_list_is_for_the_county_admin(client_for, world):
    assert client_for(world.officer_a).get("/users/").status_code == 403
    response = client_for(world.admin).get("/users/")
    html = response.content.decode()
    assert "officer_a" in html and "officer_b" in html
    assert "13800001111" not in html and "138****1111" in html  # phones masked in lists


def test_user_detail_scope(client_for, world):
    other = User.objects.create(username="other_admin", role="county_admin", region=world.other_county)
    admin = client_for(world.admin)
    assert admin.get(f"/users/{world.officer_a.pk}/").status_code == 200
    assert admin.get(f"/users/{other.pk}/").status_code == 404


def test_user_form_offers_only_regions_in_scope(client_for, world):
    response = client_for(world.admin).post(
        "/users/add/",
        {
            "username": "newbie",
            "name": "新人",
            "role": "village_officer",
            "region": world.other_village.pk,
            "password1": "a-Long-pass-2026",
            "password2": "a-Long-pass-2026",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="newbie").exists()


def test_admin_creates_user_with_validated_password(client_for, world):
    data = {
        "username": "newbie",
        "name": "新人",
        "role": "village_officer",
        "region": world.village_b.pk,
        "password1": "12345678",
        "password2": "12345678",
        "is_active": "on",
    }
    response = client_for(world.admin).post("/users/add/", data)
    assert response.status_code == 200
    assert "密码" in response.content.decode() and not User.objects.filter(username="newbie").exists()
    data.update(password1="a-Long-pass-2026", password2="a-Long-pass-2026")
    response = client_for(world.admin).post("/users/add/", data)
    assert response.status_code == 302
    assert User.objects.get(username="newbie").check_password("a-Long-pass-2026")


def test_role_must_match_region_level(client_for, world):
    response = client_for(world.admin).post(
        "/users/add/",
        {
            "username": "newbie",
            "name": "新人",
            "role": "village_officer",
            "region": world.township_a.pk,
            "password1": "a-Long-pass-2026",
            "password2": "a-Long-pass-2026",
            "is_active": "on",
        },
    )
    assert "村级信息员的所属区划应为村级" in response.content.decode()


def test_region_picker_narrows_lists_within_scope(client_for, world):
    client = client_for(world.admin)
    client.post("/regions/pick/", {"code": world.township_b.code, "next": "/regions/"})
    assert listed_codes(client.get("/regions/")) == {"520102002", "520102002001"}
    # a code outside the user's region is ignored
    client.post("/regions/pick/", {"code": world.other_county.code, "next": "/regions/"})
    assert "520102001001" in listed_codes(client.get("/regions/"))


def test_restrict_is_the_single_gate(world):
    assert set(Region.objects.restrict(world.officer_a, "view").values_list("code", flat=True)) == {"520102001001"}
    assert not Region.objects.restrict(world.officer_a, "change").exists()
    assert not Region.objects.restrict(None, "view").exists()
    assert Region.objects.restrict(world.admin, "delete").filter(code="520102002001").exists()
