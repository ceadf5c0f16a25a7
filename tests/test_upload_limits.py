"""Upload limits at every entry point (issue 15, M3): a zip-bomb workbook and one whose sheet declares A1:XFD1048576
(about 2 GB of cells) are refused on the form with a Chinese message naming the file, the limit and its value, and
nothing is stored or started; attachments get the size limit. The worker checks a stored file again before its job
parses it, and refusing takes little memory in the worker process."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from shoudi.accounts.roles import DEPARTMENT
from shoudi.accounts.testing import make_user
from shoudi.assistance.models import Cadre, Visit
from shoudi.core.jobs import start_job
from shoudi.core.models import Job
from shoudi.matching.models import DepartmentList
from shoudi.monitoring.services import open_clue
from shoudi.regions.models import Region
from shoudi.registry.models import HouseholdImport
from shoudi.registry.testing import make_household
from tests.test_jobs import database_url
from tests.test_uploads import huge_declared_sheet, zip_bomb

BOMB = "文件解压后异常膨胀（xl/worksheets/sheet1.xml 压缩比"
BOMB_LIMIT = "上限 100:1），拒绝读取"
HUGE = "工作表声明的范围过大（17,179,869,184 个单元格，上限 30,000,000），拒绝读取"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "files"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings.MEDIA_ROOT


def small_bomb(path: Path) -> Path:
    return zip_bomb(path, megabytes=20)  # 1,000:1 like the big one, quicker to write


BAD_FILES = [
    pytest.param(small_bomb, BOMB, id="zip-bomb"),
    pytest.param(huge_declared_sheet, HUGE, id="declared-2GB"),
]


def nothing_stored(media: Path) -> bool:
    uploads = media / "uploads"
    return not uploads.exists() or not [p for p in uploads.rglob("*") if p.is_file()]


def post(client, url: str, data: dict, path: Path, field: str = "file"):
    with path.open("rb") as handle, TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url, {**data, field: handle})


def assert_refused(response, name: str, message: str) -> None:
    html = response.content.decode()
    assert response.status_code == 200, response.status_code
    assert f"文件“{name}”未被接受：" in html and message in html
    if message == BOMB:
        assert BOMB_LIMIT in html  # the limit's value, not only that one was passed


# --- refused on the form, before anything is stored or parsed -------------------------------------------------------


@pytest.mark.parametrize(("make", "message"), BAD_FILES)
def test_region_import_refuses_on_the_form(world, client_for, tmp_path, media, make, message):
    path = make(tmp_path / "区划.xlsx")
    response = post(client_for(world.admin), "/regions/import/", {}, path)
    assert_refused(response, "区划.xlsx", message)
    assert not Job.objects.exists() and nothing_stored(media)


@pytest.mark.parametrize(("make", "message"), BAD_FILES)
def test_household_import_refuses_on_the_form(world, client_for, tmp_path, media, make, message):
    path = make(tmp_path / "农户.xlsx")
    response = post(client_for(world.officer_a), "/registry/import/", {}, path)
    assert_refused(response, "农户.xlsx", message)
    assert not HouseholdImport.objects.exists() and not Job.objects.exists()
    assert not (media / "imports").exists() or not any((media / "imports").rglob("*.xls*"))


@pytest.mark.parametrize(("make", "message"), BAD_FILES)
def test_cadre_import_refuses_on_the_form(world, client_for, tmp_path, media, make, message):
    path = make(tmp_path / "干部.xlsx")
    response = post(client_for(world.admin), "/assistance/cadres/import/", {}, path)
    assert_refused(response, "干部.xlsx", message)
    assert not Job.objects.exists() and not Cadre.objects.exists() and nothing_stored(media)


@pytest.mark.parametrize(("make", "message"), BAD_FILES)
def test_matching_upload_refuses_on_the_form(world, client_for, tmp_path, media, make, message):
    yibao = make_user("yibao", DEPARTMENT, world.county, department="medical_insurance", name="医保经办")
    path = make(tmp_path / "参保.xlsx")
    data = {"department": "medical_insurance", "period": "2025-05"}
    response = post(client_for(yibao), "/matching/upload/", data, path)
    assert_refused(response, "参保.xlsx", message)
    assert not Job.objects.exists() and not DepartmentList.objects.exists()
    assert not (media / "matching").exists()


@pytest.mark.parametrize(("make", "message"), BAD_FILES)
def test_an_upload_streamed_to_disk_is_checked_too(world, client_for, tmp_path, settings, make, message):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0  # Django keeps every upload in a temporary file, as a large one
    path = make(tmp_path / "区划.xlsx")
    assert_refused(post(client_for(world.admin), "/regions/import/", {}, path), "区划.xlsx", message)
    assert not Job.objects.exists()


def test_the_size_limit_is_configurable(world, client_for, tmp_path, settings):
    settings.UPLOAD_MAX_MB = 1
    path = tmp_path / "区划.csv"
    path.write_bytes(b"x" * (1024 * 1024 + 200 * 1024))
    response = post(client_for(world.admin), "/regions/import/", {}, path)
    assert_refused(response, "区划.csv", "文件太大（1.2 MB），上传文件不能超过 1 MB")
    assert not Job.objects.exists()


# --- attachments, never parsed, get the size limit ----------------------------------------------------------------


def test_a_case_attachment_over_the_size_limit_is_refused(world, client_for, settings):
    settings.UPLOAD_MAX_MB = 1
    home = make_household(world.village_a, household_no="A90", head="赵一")
    case = open_clue(household=home, user=world.officer_a, source="农户自主申报")
    big = SimpleUploadedFile("会议记录.pdf", b"%PDF" + b"0" * (1024 * 1024 + 300 * 1024))
    response = client_for(world.officer_a).post(
        f"/monitoring/cases/{case.pk}/act/attach/", {"attach-kind": "会议记录", "attach-file": big}, follow=True
    )
    assert "文件“会议记录.pdf”未被接受：文件太大（1.3 MB），上传文件不能超过 1 MB" in response.content.decode()
    assert not case.attachments.exists()
    small = SimpleUploadedFile("会议记录.pdf", b"%PDF")
    client_for(world.officer_a).post(
        f"/monitoring/cases/{case.pk}/act/attach/", {"attach-kind": "会议记录", "attach-file": small}
    )
    assert case.attachments.count() == 1


def test_a_visit_photo_over_the_size_limit_is_refused(world, client_for, settings):
    settings.UPLOAD_MAX_MB = 1
    home = make_household(world.village_a, household_no="A91", head="钱二")
    photo = SimpleUploadedFile("走访.jpg", b"\xff\xd8" + b"0" * (1024 * 1024 + 300 * 1024), content_type="image/jpeg")
    data = {"visited_on": str(datetime.date.today()), "kind": "入户", "content": "入户走访", "water_ok": "1"}
    response = client_for(world.officer_a).post(f"/assistance/visit/{home.pk}/", {**data, "photo": photo})
    assert response.status_code == 200 and not Visit.objects.exists()
    assert "文件“走访.jpg”未被接受：文件太大（1.3 MB），上传文件不能超过 1 MB" in response.content.decode()


# --- the worker checks the stored file again before parsing it ----------------------------------------------------


def stored(media: Path, folder: str, make, name: str) -> str:
    """A file in the uploads folder as if an upload had put it there (past the form: an older version, by hand)."""
    path = media / "uploads" / folder / "0123456789abcdef" / name
    path.parent.mkdir(parents=True)
    make(path)
    return path.relative_to(media).as_posix()


def run_now(**kwargs) -> Job:
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = start_job(**kwargs)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize(("make", "message"), BAD_FILES)
def test_the_region_import_job_refuses_a_stored_file(world, client_for, media, make, message):
    path = stored(media, "regions", make, "区划.xlsx")
    job = run_now(kind="regions.import_preview", user=world.admin, params={"path": path, "filename": "区划.xlsx"})
    assert job.status == Job.FAILED and job.error.startswith("文件“区划.xlsx”未被接受：") and message in job.error
    page = client_for(world.admin).get(f"/regions/import/{job.pk}/").content.decode()
    assert message in page and "确认导入" not in page
    assert not (media / path).exists() and not Region.objects.filter(code__startswith="520199").exists()


@pytest.mark.parametrize(("make", "message"), BAD_FILES)
def test_the_cadre_import_job_refuses_a_stored_file(world, client_for, media, make, message):
    path = stored(media, "cadres", make, "干部.xlsx")
    job = run_now(kind="assistance.import_cadres", user=world.admin, params={"path": path, "filename": "干部.xlsx"})
    assert job.status == Job.FAILED and "文件“干部.xlsx”未被接受：" in job.error and message in job.error
    assert message in client_for(world.admin).get(f"/assistance/cadres/import/{job.pk}/").content.decode()
    assert not Cadre.objects.exists()


@pytest.mark.parametrize(("make", "message"), BAD_FILES)
def test_the_matching_preview_job_refuses_a_stored_file(world, media, make, message):
    yibao = make_user("yibao", DEPARTMENT, world.county, department="medical_insurance", name="医保经办")
    path = stored(media, "matching", make, "参保.xlsx")
    params = {"path": path, "file_name": "参保.xlsx", "department": "medical_insurance", "region_code": "520102"}
    job = run_now(kind="matching.preview", user=yibao, params=params)
    assert job.status == Job.FAILED and "文件“参保.xlsx”未被接受：" in job.error and message in job.error


@pytest.mark.parametrize(("make", "message"), BAD_FILES)
def test_the_household_import_job_refuses_a_stored_file(world, client_for, tmp_path, make, message):
    record = HouseholdImport.objects.create(
        token="f" * 32, file_name="农户.xlsx", user=world.officer_a, region_code=world.village_a.code
    )
    with make(tmp_path / "农户.xlsx").open("rb") as handle:
        record.file.save("upload.xlsx", File(handle), save=True)
    job = run_now(kind="registry.import_preview", user=world.officer_a, params={"import_id": record.pk})
    record.refresh_from_db()
    assert job.status == Job.FAILED and message in job.error and record.status == HouseholdImport.FAILED
    assert message in client_for(world.officer_a).get(record.get_absolute_url()).content.decode()


# --- the refusal in the worker process, measured ------------------------------------------------------------------

WORKER = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))  # a regression fails here, not the machine
import django
django.setup()
from django.db import connection
from shoudi.core.jobs import get_job_type
from shoudi.core.jobs.runner import execute_job

def peak_mb():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) // 1024

connection.ensure_connection()
get_job_type("regions.import_preview")  # every app's jobs module imported, as in a worker that has run a job
baseline = peak_mb()
try:
    execute_job(int(sys.argv[1]))
    error = ""
except Exception as exc:
    error = str(exc)
print(json.dumps([baseline, peak_mb(), error]))
"""


@pytest.mark.parametrize(("make", "message"), [pytest.param(zip_bomb, BOMB, id="zip-bomb-200MB"), BAD_FILES[1]])
def test_the_worker_refuses_in_little_memory(transactional_db, world, tmp_path, settings, make, message):
    """The job's refusal path in a process of its own (VmHWM is that process's peak RSS): the increase over the
    process's peak after Django's set-up, and the absolute peak, stay small."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # queued, for the process to run
    settings.MEDIA_ROOT = tmp_path / "files"
    path = stored(settings.MEDIA_ROOT, "regions", make, "区划.xlsx")
    job = start_job(kind="regions.import_preview", user=world.admin, params={"path": path, "filename": "区划.xlsx"})
    env = {**os.environ, "DATABASE_URL": database_url(), "SHOUDI_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", WORKER, str(job.pk)],
        capture_output=True,
        text=True,
        env=env,
        cwd=django_settings.BASE_DIR,
        timeout=300,
        check=True,
    )
    baseline, peak, error = json.loads(done.stdout.strip().splitlines()[-1])
    job.refresh_from_db()
    assert job.status == Job.FAILED and message in job.error and message in error
    assert peak < 200, f"peak {peak} MB"
    assert peak - baseline < 30, f"{baseline} MB after set-up, {peak} MB after refusing"
