"""Retention (issue 15): job results and uploaded national exports older than the retention days are deleted; the
records of what happened (the job, the import, the access log) stay. A younger file is kept."""

from __future__ import annotations

import datetime
import io
import secrets
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone

from shoudi.core.jobs import start_job
from shoudi.core.models import Job
from shoudi.registry.models import HouseholdImport


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"


def old_job(world, *, days: int) -> Job:
    job = start_job(kind="registry.export", user=world.admin, params={}, title="导出")
    folder = Path(job_media(job))
    folder.mkdir(parents=True)
    (folder / "农户.xlsx").write_bytes(b"PK ids")
    finished = timezone.now() - datetime.timedelta(days=days)
    Job.objects.filter(pk=job.pk).update(
        status=Job.SUCCEEDED, finished_at=finished, result_file=f"jobs/{job.pk}/农户.xlsx", result_name="农户.xlsx"
    )
    return job


def job_media(job) -> str:
    from django.conf import settings

    return f"{settings.MEDIA_ROOT}/jobs/{job.pk}"


def upload(world, *, days: int, status: str) -> HouseholdImport:
    record = HouseholdImport(
        token=secrets.token_hex(16), file_name="县.xlsx", user=world.admin, region_code="520102", status=status
    )
    record.file.save("upload.xlsx", ContentFile(b"PK whole county"), save=True)
    HouseholdImport.objects.filter(pk=record.pk).update(created_at=timezone.now() - datetime.timedelta(days=days))
    return record


def test_old_files_go_and_the_records_stay(world, settings):
    settings.RETENTION_DAYS = 180
    expired, recent = old_job(world, days=200), old_job(world, days=10)
    committed = upload(world, days=200, status=HouseholdImport.COMMITTED)
    waiting = upload(world, days=200, status=HouseholdImport.PREVIEWED)
    young = upload(world, days=3, status=HouseholdImport.COMMITTED)
    paths = [Path(r.file.path) for r in (committed, waiting, young)]

    out = io.StringIO()
    call_command("purge_files", stdout=out)

    assert "后台任务结果文件：已删除 1 项" in out.getvalue() and "农户信息导入文件：已删除 2 项" in out.getvalue()
    expired.refresh_from_db()
    assert expired.result_file == "" and not Path(job_media(expired)).exists() and expired.status == Job.SUCCEEDED
    assert Path(job_media(recent), "农户.xlsx").exists()
    assert not paths[0].exists() and not paths[1].exists() and paths[2].exists()
    waiting.refresh_from_db()
    assert waiting.status == HouseholdImport.FAILED and "超过保存期限" in waiting.result["summary"]
    assert HouseholdImport.objects.count() == 3  # the records stay


def test_a_dry_run_deletes_nothing(world):
    job = old_job(world, days=400)
    out = io.StringIO()
    call_command("purge_files", "--dry-run", "--days", "30", stdout=out)
    assert "后台任务结果文件：可删除 1 项" in out.getvalue()
    assert Path(job_media(job), "农户.xlsx").exists()


def old_list(world, tmp_path, *, days: int, name: str):
    from shoudi.matching.models import DepartmentList, MatchRun
    from shoudi.matching.testing import run_list

    rows = [["外人", "130101195001010010", "5"], ["外人二", "130101195001010029", "6"]]
    run = run_list(
        tmp_path, "medical_insurance", ["姓名", "证件号码", "合规自付费用"], rows, user=world.admin, name=name
    )
    MatchRun.objects.filter(pk=run.pk).update(status="succeeded")
    DepartmentList.objects.filter(pk=run.list_id).update(created_at=timezone.now() - datetime.timedelta(days=days))
    return DepartmentList.objects.get(pk=run.list_id)


def test_old_department_lists_lose_their_file_and_rows(world, tmp_path, settings):
    from shoudi.matching.models import DepartmentList, Finding, ListRow, MatchRun

    settings.RETENTION_DAYS = 180
    expired, young = (
        old_list(world, tmp_path, days=200, name="old.csv"),
        old_list(world, tmp_path, days=5, name="new.csv"),
    )
    expired_file, young_file = Path(expired.file.path), Path(young.file.path)
    assert expired_file.exists() and ListRow.objects.filter(list=expired).count() == 2
    findings = Finding.objects.count()

    out = io.StringIO()
    call_command("purge_files", stdout=out)

    assert "部门名单文件及其载入行：已删除 1 项" in out.getvalue()
    assert not expired_file.exists() and not ListRow.objects.filter(list=expired).exists()
    assert young_file.exists() and ListRow.objects.filter(list=young).count() == 2
    expired.refresh_from_db()
    assert expired.file.name == "" and expired.file_name == "old.csv" and expired.rows_loaded == 2  # the record stays
    assert MatchRun.objects.filter(list=expired).exists() and Finding.objects.count() == findings
    assert DepartmentList.objects.count() == 2


def test_a_failed_jobs_leftover_file_goes_too(world):
    job = start_job(kind="matching.export_base", user=world.admin, params={}, title="导出")
    folder = Path(job_media(job))
    folder.mkdir(parents=True)
    (folder / "base.xlsx").write_bytes(b"PK half of every ID")
    Job.objects.filter(pk=job.pk).update(status=Job.FAILED, finished_at=timezone.now() - datetime.timedelta(days=400))

    out = io.StringIO()
    call_command("purge_files", stdout=out)

    assert "后台任务结果文件：已删除 1 项" in out.getvalue() and not folder.exists()
    assert Job.objects.filter(pk=job.pk, status=Job.FAILED).exists()
