"""Chinese and local time everywhere: the error pages inside the layout, and the change log as an official reads it."""

import datetime

import pytest
from django.test import Client, override_settings
from django.urls import include, path

from shoudi.accounts.models import User
from shoudi.core.changes import readable
from shoudi.core.context import acting_as
from shoudi.core.crawl import foreign_words, visible_text
from shoudi.core.models import Job, ObjectChange
from shoudi.regions.models import Region


def broken_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("broken/", broken_view), path("", include("shoudi.urls"))]
handler500 = "shoudi.core.views.errors.server_error"


@pytest.mark.django_db
def test_403_and_404_are_chinese_pages_with_the_menu(world, client_for):
    client = client_for(world.officer_a)
    missing = client.get("/registry/households/999999/")
    assert missing.status_code == 404
    text = visible_text(missing.content.decode())
    assert "找不到该页面或记录" in text and "行政区划" in text  # the menu is there
    assert foreign_words(text) == []
    refused = client.get("/users/")
    assert refused.status_code == 403
    text = visible_text(refused.content.decode())
    assert "无权访问" in text and "农户" in text
    assert foreign_words(text) == []


@pytest.mark.django_db
def test_500_is_a_chinese_page(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.officer_a)
    with override_settings(ROOT_URLCONF=__name__):
        response = client.get("/broken/")
    assert response.status_code == 500
    text = visible_text(response.content.decode())
    assert "系统出错" in text and foreign_words(text) == []


@pytest.mark.django_db
def test_500_still_answers_in_chinese_when_the_menu_cannot_be_built(world, monkeypatch):
    """The database that made the page fail may fail the menu and the 待办 badge too: the page comes without them."""

    def down(user):
        raise RuntimeError("database down")

    monkeypatch.setattr("shoudi.core.context_processors.todo_count", down)
    client = Client(raise_request_exception=False)
    client.force_login(world.officer_a)
    with override_settings(ROOT_URLCONF=__name__):
        response = client.get("/broken/")
    assert response.status_code == 500
    text = visible_text(response.content.decode())
    assert "系统出错" in text and "行政区划" not in text


@pytest.mark.django_db
def test_a_form_refused_by_the_csrf_check_says_why_in_chinese(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.officer_a)
    response = client.post("/me/password/", {"old_password": "x"})
    assert response.status_code == 403
    text = visible_text(response.content.decode())
    assert "提交未被接受" in text and "刷新页面" in text and "农户" in text
    assert foreign_words(text) == []


@pytest.mark.django_db
def test_the_change_log_shows_labels_names_and_local_times(world, client_for):
    with acting_as(world.admin, source="web"):
        village = Region.objects.get(code=world.village_b.code)
        village.name = "乙新村"
        village.save()
    user_change = ObjectChange.objects.filter(content_type__model="user", object_id=str(world.officer_a.pk)).first()
    rows = {label: after for label, _before, after in user_change.diff()}
    assert rows["角色"] == "村级信息员"  # the choice's label, not village_officer
    assert rows["所属区划"] == str(world.village_a)  # the region's name, not its id
    assert rows["有效"] == "是"
    html = client_for(world.admin).get("/system/changes/").content.decode()
    text = visible_text(html)
    assert "名称：乙村 → 乙新村" in text
    assert "网页操作" in text  # 来源 by its label
    assert "对象类型（英文名）" not in text and "行政区划" in text
    assert foreign_words(text, allowed=frozenset(User.objects.values_list("username", flat=True))) == []


def test_a_stored_utc_time_reads_in_beijing_time():
    field = Job._meta.get_field("created_at")
    assert readable(field, "2026-12-01T17:30:00+00:00") == "2026-12-02 01:30"
    assert readable(field, datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC).isoformat()) == "2026-12-01 08:00"
    assert readable(None, [True, "因病"]) == "是、因病"


@pytest.mark.django_db
def test_the_job_page_names_no_worker_process(world, client_for):
    job = Job.objects.create(
        kind="core.demo",
        title="计数",
        user=world.admin,
        status=Job.RUNNING,
        worker_host="vm",
        worker_pid=22638,
        region_code=world.county.code,
    )
    text = visible_text(client_for(world.admin).get(job.get_absolute_url()).content.decode())
    assert "计数" in text and "22638" not in text and "vm" not in text


def test_an_exported_time_is_beijing_time():
    import io

    from python_calamine import CalamineWorkbook

    from shoudi.core.excel import rows_xlsx_bytes

    moment = datetime.datetime(2026, 12, 1, 17, 30, tzinfo=datetime.UTC)
    content = rows_xlsx_bytes(title="变更记录", subtitle="", headers=["时间"], rows=[[moment]])
    *_, (cell,) = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert cell == datetime.datetime(2026, 12, 2, 1, 30)


@pytest.mark.django_db
def test_adding_an_income_from_the_household_page_opens_the_form(world, client_for):
    """新增收入 (a model without a list page) answered 500: its 取消 now leads back to the household's page."""
    from shoudi.registry.testing import make_household

    household = make_household(world.village_a)
    back = f"http://testserver{household.get_absolute_url()}"
    response = client_for(world.officer_a).get(f"/registry/incomes/add/?household={household.pk}", HTTP_REFERER=back)
    assert response.status_code == 200
    assert f'href="{household.get_absolute_url()}">取消' in response.content.decode()
