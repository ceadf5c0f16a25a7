"""The import pages: upload → preview (a job) → commit (a job) → the households are there; scope; export job."""

import pytest

from shoudi.core.models import AccessLog
from shoudi.registry.models import Household, HouseholdImport
from shoudi.registry.synthetic import generate_rows, write_national_xlsx


@pytest.fixture
def immediate_jobs(settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return django_capture_on_commit_callbacks


def national_file(tmp_path, villages, households=6, seed=1):
    path = tmp_path / "农户.xlsx"
    write_national_xlsx(
        path,
        generate_rows(villages, households=households, seed=seed, year=2025),
        title="测试县2025年度农户信息",
        details="导出时间：2026-03-01",
    )
    return path


def upload(client, path, capture):
    with path.open("rb") as fh, capture(execute=True):
        return client.post("/registry/import/", {"file": fh})


def test_preview_then_commit(client_for, world, tmp_path, immediate_jobs):
    path = national_file(tmp_path, [world.village_a])
    client = client_for(world.officer_a)
    response = upload(client, path, immediate_jobs)
    record = HouseholdImport.objects.get()
    assert response["Location"] == f"/registry/import/{record.pk}/"
    assert record.status == "previewed" and not Household.objects.exists()
    page = client.get(record.get_absolute_url()).content.decode()
    assert "新增 6 户" in page and "确认导入" in page and "甲镇甲村" in page
    with immediate_jobs(execute=True):
        client.post(f"/registry/import/{record.pk}/commit/")
    record.refresh_from_db()
    assert record.status == "committed" and Household.objects.filter(village=world.village_a).count() == 6
    assert "已导入" in client.get(record.get_absolute_url()).content.decode()


def test_a_village_officer_cannot_import_into_another_village(client_for, world, tmp_path, immediate_jobs):
    path = national_file(tmp_path, [world.village_b])
    client = client_for(world.officer_a)
    upload(client, path, immediate_jobs)
    record = HouseholdImport.objects.get()
    assert "不在您的管辖范围内" in client.get(record.get_absolute_url()).content.decode()
    with immediate_jobs(execute=True):
        client.post(f"/registry/import/{record.pk}/commit/")
    assert not Household.objects.exists()


def test_others_cannot_see_my_import(client_for, world, tmp_path, immediate_jobs):
    upload(client_for(world.officer_a), national_file(tmp_path, [world.village_a]), immediate_jobs)
    record = HouseholdImport.objects.get()
    assert client_for(world.officer_b).get(record.get_absolute_url()).status_code == 404
    assert client_for(world.inspector).get("/registry/import/").status_code == 403


def test_wrong_file_type_is_refused(client_for, world, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with path.open("rb") as fh:
        page = client_for(world.officer_a).post("/registry/import/", {"file": fh}).content.decode()
    assert "请上传国家系统导出的 Excel 文件" in page and not HouseholdImport.objects.exists()


def test_export_in_national_format_is_a_logged_job(client_for, world, tmp_path, immediate_jobs):
    from shoudi.registry.testing import make_household

    make_household(world.village_a, household_no="A1", head="张三")
    client = client_for(world.reviewer_a)
    with immediate_jobs(execute=True):
        response = client.post("/registry/export/")
    job_page = client.get(response["Location"]).content.decode()
    assert "户数" in job_page
    assert AccessLog.objects.filter(action="export", user=world.reviewer_a).exists()
