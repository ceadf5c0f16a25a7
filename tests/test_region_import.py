"""Importing a division list (区划代码、名称、上级代码): service, `shoudi import_regions` and the upload page."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import xlsxwriter
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from shoudi.core.context import acting_as
from shoudi.core.models import Job, ObjectChange
from shoudi.regions.importing import import_regions, normalize_code
from shoudi.regions.management.commands.import_regions import Command
from shoudi.regions.models import Region

NEW_COUNTY = "520199"
# (code, name, parent code) — the village of the second township comes before its township on purpose.
NEW_TREE = [
    (520199, "新县", None),
    (520199001, "一镇", 520199),
    (520199001001.0, "一村", 520199001),
    ("５２０１９９００１００２ ", " 一二村 ", "520199001"),
    ("520199002001", "二村", "520199002"),
    ("520199002", "二镇", "520199"),
]
EXPECTED = {
    "520199": ("新县", "county", None),
    "520199001": ("一镇", "township", "520199"),
    "520199001001": ("一村", "village", "520199001"),
    "520199001002": ("一二村", "village", "520199001"),
    "520199002": ("二镇", "township", "520199"),
    "520199002001": ("二村", "village", "520199002"),
}


def write_xlsx(path: Path, rows, *, header=("区划代码", "名称", "上级代码"), title="新县行政区划代码表") -> Path:
    """A workbook like the ones counties send: a title row, a blank row, the header, numbers where Excel puts them."""
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("区划")
    sheet.write_string(0, 0, title)
    for col, label in enumerate(header):
        sheet.write_string(2, col, label)
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    book.close()
    return path


def write_csv(path: Path, rows, *, header=("区划代码", "名称"), encoding="gb18030") -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def tree() -> dict[str, tuple]:
    return {
        r.code: (r.name, r.level, r.parent.code if r.parent else None)
        for r in Region.objects.filter(code__startswith=NEW_COUNTY).select_related("parent")
    }


def region_changes(**filters):
    return ObjectChange.objects.filter(content_type=ContentType.objects.get_for_model(Region), **filters)


@pytest.fixture
def valid_xlsx(tmp_path) -> Path:
    return write_xlsx(tmp_path / "区划.xlsx", NEW_TREE)


# --- The service ------------------------------------------------------------------------------------------------


def test_normalize_code():
    assert normalize_code(520102001001.0) == "520102001001"
    assert normalize_code(520102) == "520102"
    assert normalize_code(" ５２０１０２００１ ") == "520102001"
    assert normalize_code("'520102001001") == "520102001001"
    assert normalize_code("520102001001.0") == "520102001001"
    # The national list pads county and township codes to 12 digits.
    assert normalize_code("520102000000") == "520102"
    assert normalize_code("520102001000") == "520102001"
    assert normalize_code("52010A") == "52010A"


def test_xlsx_creates_the_tree_parents_first(db, valid_xlsx):
    with acting_as(None, source="cli"):
        result = import_regions(valid_xlsx)

    assert result.ok and result.committed
    assert (result.new, result.changed, result.unchanged, result.error_count) == (6, 0, 0, 0)
    assert tree() == EXPECTED
    # Row numbers are the ones Excel shows: title on 1, header on 3, data from 4.
    assert [r.row for r in result.rows] == [4, 5, 6, 7, 8, 9]
    created = region_changes(action=ObjectChange.CREATE, region_code__startswith=NEW_COUNTY)
    assert created.count() == 6
    assert set(created.values_list("source", "user_name").distinct()) == {("cli", "命令行")}


def test_gb18030_csv_without_parent_column(db, tmp_path):
    path = write_csv(
        tmp_path / "区划.csv",
        [
            ("520199", "新县"),
            ("520199001000", "一镇"),
            ("520199001001", "一村"),
            ("520199002", "二镇"),
        ],
    )
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really GB18030, as Excel on a Chinese Windows saves it

    result = import_regions(path)

    assert result.committed, [str(e) for e in result.errors]
    assert tree() == {
        "520199": ("新县", "county", None),
        "520199001": ("一镇", "township", "520199"),
        "520199001001": ("一村", "village", "520199001"),
        "520199002": ("二镇", "township", "520199"),
    }


def test_reimport_changes_nothing(db, valid_xlsx):
    import_regions(valid_xlsx)
    changes_before = ObjectChange.objects.count()

    result = import_regions(valid_xlsx)

    assert result.committed
    assert (result.new, result.changed, result.unchanged, result.error_count) == (0, 0, 6, 0)
    assert ObjectChange.objects.count() == changes_before
    assert tree() == EXPECTED


def test_a_changed_name_is_updated_and_logged(db, valid_xlsx, tmp_path):
    import_regions(valid_xlsx)
    renamed = [row if row[1] != "一镇" else (row[0], "一镇街道", row[2]) for row in NEW_TREE]

    with acting_as(None, source="cli"):
        result = import_regions(write_xlsx(tmp_path / "renamed.xlsx", renamed))

    assert (result.new, result.changed, result.unchanged) == (0, 1, 5)
    changed = next(r for r in result.rows if r.status == "changed")
    assert (changed.row, changed.old_name, changed.name) == (5, "一镇", "一镇街道")
    township = Region.objects.get(code="520199001")
    assert township.name == "一镇街道"
    change = region_changes(action=ObjectChange.UPDATE, object_id=str(township.pk)).get()
    assert change.before["name"] == "一镇"
    assert change.after["name"] == "一镇街道"
    assert change.source == "cli"
    assert change.region_code == "520199001"


BAD_ROWS = [
    ("520199", "新县", None),  # row 4
    ("520199001", "一镇", "520199"),  # row 5
    ("520199003001", "错村", "520199001"),  # row 6: does not start with its township's code
    ("52019900", "八位", "520199"),  # row 7: 8 digits
    ("520199009001", "孤村", "520199009"),  # row 8: township 520199009 is nowhere
    ("520199001", "一镇重复", "520199"),  # row 9: duplicate of row 5
    ("520199001003", "", "520199001"),  # row 10: no name
]


def test_a_file_with_bad_rows_writes_nothing_and_reports_every_row(db, tmp_path):
    before = (Region.objects.count(), ObjectChange.objects.count())

    result = import_regions(write_xlsx(tmp_path / "bad.xlsx", BAD_ROWS))

    assert not result.ok and not result.committed
    assert (Region.objects.count(), ObjectChange.objects.count()) == before
    by_row = {e.row: (e.field, e.message) for e in result.errors}
    assert sorted(by_row) == [6, 7, 8, 9, 10]
    assert by_row[6][0] == "上级代码" and "不以上级代码 520199001 开头" in by_row[6][1]
    assert by_row[7][0] == "区划代码" and "8 位" in by_row[7][1]
    assert by_row[8][0] == "上级代码" and "上级区划 520199009 不存在" in by_row[8][1]
    assert by_row[9][0] == "区划代码" and "与第 5 行重复" in by_row[9][1]
    assert by_row[10][0] == "名称" and "不能为空" in by_row[10][1]
    assert str(result.errors[0]).startswith("第 6 行 上级代码：")
    assert result.summary() == "新增 2，修改 0，未变 0，错误 5"


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.csv", b"", "文件是空的"),
        ("notes.txt", b"hello", "只支持"),
        ("broken.xlsx", b"PK\x03\x04 not really a zip", "无法读取 Excel"),
        ("no_header.csv", "编号,地名\n520199,新县\n".encode(), "未找到表头"),
        ("header_only.csv", "区划代码,名称\n".encode(), "没有数据行"),
    ],
)
def test_unreadable_files_are_rejected(db, tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    result = import_regions(path)
    assert not result.committed
    assert len(result.errors) == 1 and result.errors[0].row is None
    assert reason in str(result.errors[0])


def test_scope_and_role_of_the_importing_user(world, tmp_path):
    path = write_xlsx(
        tmp_path / "other.xlsx",
        [
            ("520102003", "丙镇", "520102"),  # inside the admin's county
            ("520103002", "邻二镇", "520103"),  # the neighbouring county
        ],
    )
    with pytest.raises(PermissionDenied):
        import_regions(path, user=world.officer_a)

    result = import_regions(path, user=world.admin)

    assert [(e.row, e.message) for e in result.errors] == [(5, "区划代码 520103002 不在您的管辖范围内")]
    assert not Region.objects.filter(code__in=["520102003", "520103002"]).exists()


def test_the_region_list_export_imports_back_unchanged(world, client_for):
    """The list page's Excel export (title, subtitle, header on row 3) is a valid import file."""
    response = client_for(world.admin).get(reverse("regions:region_list"), {"export": "xlsx"})
    upload = io.BytesIO(response.content)
    upload.name = "export.xlsx"

    result = import_regions(upload, user=world.admin)

    assert result.committed
    assert (result.new, result.changed, result.unchanged) == (0, 0, 6)


# --- The command --------------------------------------------------------------------------------------------------


def run_command(*argv: str, monkeypatch) -> tuple[int, str]:
    """Run as from the shell (argv parsing, exit status) but inside the test's database transaction."""
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)  # run_from_argv closes them when done
    out = io.StringIO()
    command = Command(stdout=out, stderr=io.StringIO())
    try:
        command.run_from_argv(["shoudi", "import_regions", *argv])
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_command_imports_and_exits_0(db, valid_xlsx, monkeypatch):
    code, out = run_command(str(valid_xlsx), monkeypatch=monkeypatch)
    assert code == 0
    assert out.splitlines() == ["新增 6，修改 0，未变 0，错误 0"]
    assert tree() == EXPECTED
    assert set(region_changes(region_code__startswith=NEW_COUNTY).values_list("source", flat=True)) == {"cli"}


def test_command_dry_run_writes_nothing(db, valid_xlsx, monkeypatch):
    code, out = run_command(str(valid_xlsx), "--dry-run", monkeypatch=monkeypatch)
    assert code == 0
    assert "新增 6，修改 0，未变 0，错误 0" in out.splitlines()[0]
    assert not Region.objects.filter(code__startswith=NEW_COUNTY).exists()


def test_command_rejects_bad_rows_with_exit_1(db, tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "bad.xlsx", BAD_ROWS)
    code, out = run_command(str(path), monkeypatch=monkeypatch)
    lines = out.splitlines()
    assert code == 1
    assert lines[0] == "新增 2，修改 0，未变 0，错误 5"
    assert [line.split(" ")[1] for line in lines[1:]] == ["6", "7", "8", "9", "10"]
    assert not Region.objects.filter(code__startswith=NEW_COUNTY).exists()

    with pytest.raises(CommandError) as excinfo:
        call_command("import_regions", str(path), stdout=io.StringIO())
    assert excinfo.value.returncode == 1


def test_command_missing_file_exits_1(db, tmp_path, monkeypatch):
    code, out = run_command(str(tmp_path / "nowhere.xlsx"), monkeypatch=monkeypatch)
    assert code == 1
    assert "无法打开文件" in out


def shoudi(*argv: str, tmp_path: Path) -> subprocess.CompletedProcess:
    # A data directory of its own, and no PostgreSQL: these runs fail before touching a database.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["SHOUDI_DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run(
        [sys.executable, "-m", "shoudi", "import_regions", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_shoudi_command_exit_statuses(tmp_path):
    usage = shoudi(tmp_path=tmp_path)
    assert usage.returncode == 2
    assert "file" in usage.stderr

    no_header = tmp_path / "no_header.csv"
    no_header.write_text("编号,地名\n520199,新县\n", encoding="utf-8")
    rejected = shoudi(str(no_header), tmp_path=tmp_path)
    assert rejected.returncode == 1
    assert rejected.stdout.splitlines()[0] == "新增 0，修改 0，未变 0，错误 1"
    assert "未找到表头" in rejected.stdout


# --- The upload page ----------------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path, django_capture_on_commit_callbacks):
    """Uploads under a media root of the test's own; jobs run through the real task path as their request commits."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings.MEDIA_ROOT


def kept_files(media: Path) -> list[Path]:
    folder = media / "uploads" / "regions"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def upload(client, path: Path, capture=None):
    """Post the file; the check job runs when the request commits; returns the page the upload led to."""
    from django.test import TestCase

    with path.open("rb") as f, TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("regions:region_import"), {"file": f})
    if response.status_code != 302:
        return response
    return client.get(response.url)


def confirm(client, page):
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("regions:region_import_job", kwargs={"pk": page.context["job"].pk}))
    assert response.status_code == 302
    return response


def test_admin_previews_then_confirms(world, client_for, tmp_path, media):
    path = write_xlsx(
        tmp_path / "丙镇.xlsx",
        [
            ("520102003", "丙镇", "520102"),
            (520102003001, "丙村", 520102003),
            ("520102001", "甲镇（新名）", "520102"),
            ("520102001001", "甲村", "520102001"),
        ],
    )
    client = client_for(world.admin)
    assert client.get(reverse("regions:region_import")).status_code == 200

    preview = upload(client, path)

    assert preview.status_code == 200 and preview.context["job"].status == Job.SUCCEEDED
    result = preview.context["result"]
    assert (result["new"], result["changed"], result["unchanged"], result["error_count"]) == (2, 1, 1, 0)
    assert "确认导入" in preview.text and "新增 2" in preview.text and "原名：甲镇" in preview.text
    assert "job-progress" in preview.text  # the one progress display, finished
    assert not Region.objects.filter(code="520102003").exists()  # a preview writes nothing
    assert len(kept_files(media)) == 1

    done = confirm(client, preview)

    assert Region.objects.get(code="520102003001").parent.code == "520102003"
    assert Region.objects.get(code="520102001").name == "甲镇（新名）"
    rename = region_changes(action=ObjectChange.UPDATE, region_code="520102001").get()
    assert (rename.user, rename.source) == (world.admin, "job")
    assert not kept_files(media)  # the kept file is gone
    page = client.get(done.url)
    assert "行政区划导入完成" in page.text and "新增 2，修改 1，未变 1" in page.text
    assert "确认导入" not in page.text

    # A preview is imported once.
    again = client.post(reverse("regions:region_import_job", kwargs={"pk": preview.context["job"].pk}), follow=True)
    assert "该文件已导入或不能导入" in again.text
    assert region_changes(action=ObjectChange.CREATE, region_code__startswith="520102003").count() == 2


def test_preview_with_errors_offers_no_confirmation(world, client_for, tmp_path, media):
    path = write_xlsx(
        tmp_path / "bad.xlsx",
        [
            ("520102003", "丙镇", "520102"),
            ("520103002", "邻二镇", "520103"),  # another county
            ("52010200", "八位", "520102"),
        ],
    )
    client = client_for(world.admin)

    response = upload(client, path)

    assert response.status_code == 200
    assert "确认导入" not in response.text and not response.context["confirmable"]
    errors = response.context["result"]["errors"]
    assert [(e["row"], e["field"]) for e in errors] == [(5, "区划代码"), (6, "区划代码")]
    assert "第 5 行" in response.text and "区划代码 520103002 不在您的管辖范围内" in response.text
    assert "第 6 行" in response.text and "8 位" in response.text
    assert not kept_files(media)
    refused = client.post(reverse("regions:region_import_job", kwargs={"pk": response.context["job"].pk}))
    assert refused.status_code == 302 and not Job.objects.filter(kind="regions.import_commit").exists()
    assert not Region.objects.filter(code__in=["520102003", "520103002"]).exists()


def test_confirmation_checks_the_file_again(world, client_for, tmp_path, media):
    """Between preview and confirmation the township went away: the village is refused, nothing is written."""
    township = Region.objects.create(code="520102009", name="九镇", parent=world.county)
    path = write_xlsx(tmp_path / "village.xlsx", [("520102009001", "九村", "520102009")])
    client = client_for(world.admin)
    preview = upload(client, path)
    assert preview.context["result"]["ok"]
    township.delete()

    response = client.get(confirm(client, preview).url)

    assert response.context["job"].status == Job.FAILED
    assert "上级区划 520102009 不存在" in response.text and "确认导入" not in response.text
    assert not Region.objects.filter(code__startswith="520102009").exists()


def test_another_users_import_is_not_found(world, client_for, tmp_path, media, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # the job stays queued
    from shoudi.accounts.models import User

    other = User.objects.create_user("admin2", password="x", role=world.admin.role, region=world.admin.region)
    path = write_xlsx(tmp_path / "v.xlsx", [("520102003", "丙镇", "520102")])
    with path.open("rb") as f:
        response = client_for(world.admin).post(reverse("regions:region_import"), {"file": f})
    job = Job.objects.get(kind="regions.import_preview")
    assert response.url == reverse("regions:region_import_job", kwargs={"pk": job.pk})
    page = client_for(world.admin).get(response.url)
    assert page.status_code == 200 and "排队中" in page.text and "确认导入" not in page.text
    assert client_for(other).get(response.url).status_code == 404
    assert client_for(other).post(response.url).status_code == 404


@pytest.mark.parametrize("who", ["officer_a", "reviewer_a", "inspector"])
def test_other_roles_get_403(world, client_for, valid_xlsx, media, who):
    client = client_for(getattr(world, who))
    assert client.get(reverse("regions:region_import")).status_code == 403
    assert upload(client, valid_xlsx).status_code == 403
    assert not Region.objects.filter(code__startswith=NEW_COUNTY).exists()


def test_anonymous_is_sent_to_login(world, client):
    response = client.get(reverse("regions:region_import"))
    assert response.status_code == 302 and "login" in response.url


def test_list_page_links_to_import_for_admin_only(world, client_for):
    url = reverse("regions:region_import")
    assert url in client_for(world.admin).get(reverse("regions:region_list")).text
    assert url not in client_for(world.officer_a).get(reverse("regions:region_list")).text
