"""Change log (变更记录) with before/after values, and the access log for sensitive acts."""

import pytest

from shoudi.core.context import acting_as
from shoudi.core.models import AccessLog, ObjectChange
from shoudi.regions.models import Region


def list_part(response) -> str:
    """The list itself (not the header's region picker)."""
    html = response.content.decode()
    return html[html.index('id="object-list"') :]


def changes_of(obj):
    return ObjectChange.objects.filter(content_type__model=obj._meta.model_name, object_id=str(obj.pk))


def test_edit_through_the_page_writes_who_and_before_after(client_for, world):
    client_for(world.admin).post(
        f"/regions/{world.village_b.pk}/edit/",
        {"code": world.village_b.code, "name": "乙新村", "parent": world.township_b.pk},
    )
    change = changes_of(world.village_b).get(action="update")
    assert change.user == world.admin and change.user_name == "县管理员"
    assert change.before["name"] == "乙村" and change.after["name"] == "乙新村"
    assert change.region_code == "520102002001"
    assert ("名称", "乙村", "乙新村") in change.diff()


def test_saving_without_a_change_writes_nothing(world):
    before = ObjectChange.objects.count()
    world.village_a.save()
    assert ObjectChange.objects.count() == before


def test_create_and_delete_are_logged(client_for, world):
    client = client_for(world.admin)
    client.post("/regions/add/", {"code": "520102002009", "name": "新建村", "parent": world.township_b.pk})
    region = Region.objects.get(code="520102002009")
    created = changes_of(region).get()
    assert created.action == "create" and created.after["name"] == "新建村" and created.before is None
    response = client.post(f"/regions/{region.pk}/delete/")
    assert response.status_code == 302
    assert not Region.objects.filter(code="520102002009").exists()
    deleted = ObjectChange.objects.get(action="delete", object_id=str(created.object_id))
    assert deleted.before["code"] == "520102002009" and deleted.after is None and deleted.user == world.admin


def test_delete_refused_while_referenced(client_for, world):
    response = client_for(world.admin).post(f"/regions/{world.township_a.pk}/delete/", follow=True)
    assert "仍被其他数据引用，不能删除" in response.content.decode()
    assert Region.objects.filter(pk=world.township_a.pk).exists()


def test_changes_in_commands_are_attributed_to_the_source(world):
    with acting_as(None, source="cli"):
        world.village_a.name = "命令行改名"
        world.village_a.save()
    change = changes_of(world.village_a).get(action="update")
    assert change.user is None and change.user_name == "命令行" and change.source == "cli"


def test_history_tab_on_the_object_page(client_for, world):
    client = client_for(world.admin)
    client.post(
        f"/regions/{world.village_b.pk}/edit/",
        {"code": world.village_b.code, "name": "乙新村", "parent": world.township_b.pk},
    )
    html = client.get(f"/regions/{world.village_b.pk}/").content.decode()
    assert "变更记录" in html and "乙村 → <strong>乙新村</strong>" in html


def test_password_is_never_logged(client_for, world):
    world.officer_a.set_password("another-Long-pass-1")
    world.officer_a.save()
    for change in changes_of(world.officer_a):
        assert "password" not in (change.after or {}) and "password" not in (change.before or {})


def test_county_audit_page_is_scoped_and_filterable(client_for, world):
    admin = client_for(world.admin)
    admin.post(
        f"/regions/{world.village_b.pk}/edit/",
        {"code": world.village_b.code, "name": "乙新村", "parent": world.township_b.pk},
    )
    with acting_as(None, source="cli"):
        other = Region.objects.get(code="520103001001")
        other.name = "邻县改名村"
        other.save()
    html = list_part(admin.get("/system/changes/?action=update"))
    assert "名称：乙村 → 乙新村" in html and "邻县改名村" not in html
    # (a user created in village B names it by its name today, 乙新村; the rename itself is an update)
    assert "名称：乙村 → 乙新村" not in list_part(admin.get("/system/changes/?action=create"))
    # a village officer sees changes in his village only; B's rename is not his
    assert "乙新村" not in list_part(client_for(world.officer_a).get("/system/changes/"))
    assert client_for(world.officer_b).get("/system/changes/").status_code == 200


@pytest.mark.parametrize("who", ["officer_a", "reviewer_a"])
def test_access_log_is_for_admin_and_inspector(client_for, world, who):
    assert client_for(getattr(world, who)).get("/system/access-log/").status_code == 403


def test_unmasking_a_phone_is_logged(client_for, world):
    client = client_for(world.admin)
    page = client.get(f"/users/{world.officer_a.pk}/").content.decode()
    assert "138****1111" in page and "13800001111" not in page
    response = client.get(f"/users/{world.officer_a.pk}/phone/", HTTP_HX_REQUEST="true")
    assert "13800001111" in response.content.decode()
    entry = AccessLog.objects.get(action="unmask")
    assert entry.user == world.admin and entry.field == "phone" and entry.object_repr == "甲村信息员"
    assert "甲村信息员" in client.get("/system/access-log/").content.decode()


def test_unmask_refused_for_a_read_only_role(client_for, world):
    response = client_for(world.inspector).get(f"/users/{world.officer_a.pk}/phone/")
    assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_exporting_personal_data_is_logged(client_for, world):
    response = client_for(world.admin).get("/users/?export=xlsx")
    assert response.status_code == 200
    entry = AccessLog.objects.get(action="export")
    assert entry.user == world.admin and entry.record_count == 5  # the five users of the county
    assert "用户" in entry.detail


def test_export_without_personal_fields_is_not_an_access_event(client_for, world):
    client_for(world.admin).get("/regions/?export=xlsx")
    assert not AccessLog.objects.exists()
