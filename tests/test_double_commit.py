"""Issue 15, M4: pressing 确认导入 twice — even two requests racing past the status check — starts one commit job."""

from __future__ import annotations

import pytest

from shoudi.core.models import Job
from shoudi.registry import import_views
from shoudi.registry.models import HouseholdImport
from shoudi.registry.synthetic import generate_rows, write_national_xlsx


@pytest.fixture
def previewed(client_for, world, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    path = tmp_path / "农户.xlsx"
    write_national_xlsx(path, generate_rows([world.village_a], households=2, seed=1, year=2025), title="测试县")
    client = client_for(world.officer_a)
    with path.open("rb") as fh, django_capture_on_commit_callbacks(execute=True):
        client.post("/registry/import/", {"file": fh})
    record = HouseholdImport.objects.get()
    assert record.status == HouseholdImport.PREVIEWED
    return client, record


def test_a_second_commit_request_starts_no_second_job(previewed, monkeypatch):
    client, record = previewed
    stale = HouseholdImport.objects.get(pk=record.pk)  # what a racing request read before the first one committed
    client.post(f"/registry/import/{record.pk}/commit/")
    monkeypatch.setattr(import_views, "get_object_for", lambda *args, **kwargs: stale)
    response = client.post(f"/registry/import/{record.pk}/commit/", follow=True)
    assert "该文件已在导入中，请勿重复提交" in response.content.decode()
    assert Job.objects.filter(kind="registry.import_commit").count() == 1
