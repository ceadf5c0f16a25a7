"""Project-wide promises: the demo county, the permissions document, offline assets, settings from the environment."""

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from shoudi.accounts.models import User
from shoudi.accounts.permissions import render_markdown
from shoudi.accounts.roles import ROLES
from shoudi.core.models import ObjectChange
from shoudi.regions.models import Region
from shoudi.registry.models import Member

ROOT = Path(__file__).resolve().parent.parent


def run_demo() -> str:
    out = io.StringIO()
    call_command("demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="class")
def demo_county(django_db_setup, django_db_blocker):
    """`shoudi demo` (the full county, as `make run` builds it) run once for the tests of the class, in a transaction
    rolled back after the last of them; each test's own writes are undone after it as usual."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield run_demo()
        transaction.set_rollback(True)


@pytest.mark.django_db
class TestDemoCounty:
    def test_demo_county_is_deterministic_and_not_duplicated(self, demo_county):
        output = demo_county
        county = Region.objects.get(code="520199")
        assert county.name == "守望县"
        assert Region.objects.filter(level="township").count() == 8
        villages = Region.objects.filter(level="village")
        assert villages.count() == 80
        assert all(v.code.startswith(v.parent.code) and len(v.code) == 12 for v in villages.select_related("parent"))
        assert set(User.objects.values_list("role", flat=True)) == set(ROLES)
        for username in ("admin", "yibao", "shenhe", "xinxiyuan", "ganbu", "ducha", "zhucun", "zhucunguan", "zuzhibu"):
            assert username in output
        assert "shoudi-demo-2026" in output
        assert "码表中没有的值 1 种" in output  # the demo county's own spelling of 学前教育, kept and listed
        assert Member.objects.filter(labour_skill="弱劳动力或半劳动力").exists()
        assert not Member.objects.filter(labour_skill="半劳力").exists()  # read with the county's synonym
        names = list(villages.values_list("code", "name"))
        changes = ObjectChange.objects.count()
        run_demo()
        assert list(Region.objects.filter(level="village").values_list("code", "name")) == names
        assert User.objects.count() == 9
        assert ObjectChange.objects.count() == changes

    def test_demo_users_can_log_in(self, demo_county):
        client = Client()
        client.post("/login/", {"username": "xinxiyuan", "password": "shoudi-demo-2026"})
        html = client.get("/regions/").content.decode()
        assert "520199001001" in html and "520199001002<" not in html


@pytest.mark.django_db
def test_demo_if_empty_builds_nothing_where_regions_exist():
    Region.objects.create(code="520102", name="测试县")
    out = io.StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "数据库已有数据，未重新生成演示县" in out.getvalue()
    assert list(Region.objects.values_list("code", flat=True)) == ["520102"]


def test_permissions_document_matches_the_code():
    assert (ROOT / "docs" / "permissions.md").read_text(encoding="utf-8") == render_markdown(), (
        "docs/permissions.md is out of date: run `shoudi permissions_doc`"
    )


EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["'](?:https?:)?//""", re.IGNORECASE)


def test_templates_load_nothing_from_outside():
    offenders = [str(p) for p in (ROOT / "shoudi").rglob("*.html") if EXTERNAL.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_pages_reference_only_local_assets_that_exist(client_for, world):
    from django.contrib.staticfiles import finders

    html = client_for(world.admin).get("/regions/").content.decode()
    assets = re.findall(r"""(?:src|href)="(/static/[^"]+)""", html)
    assert any("bootstrap" in a for a in assets) and any("htmx" in a for a in assets)
    missing = [a for a in assets if not finders.find(a.removeprefix(settings.STATIC_URL))]
    assert missing == [], "run `make assets` (npm) to build the vendor files"
    assert not EXTERNAL.search(html)


@pytest.mark.django_db
def test_the_database_in_use_is_configured_as_promised():
    import os

    from django.db import connection

    db = settings.DATABASES["default"]
    if os.environ.get("DATABASE_URL"):
        assert connection.vendor == "postgresql"
    else:  # the embedded default: WAL, writers queue with IMMEDIATE transactions and a busy timeout
        assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        with connection.cursor() as cursor:
            assert cursor.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert cursor.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_settings_come_from_the_environment(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='shoudi.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.DEBUG, s.ALLOWED_HOSTS,"
        " s.SECRET_KEY, s.TIME_ZONE, s.LANGUAGE_CODE, s.MEDIA_ROOT)"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "postgres://u@db.example:5432/county",
        "SHOUDI_SECRET_KEY": "k-from-env",
        "SHOUDI_DEBUG": "1",
        "SHOUDI_ALLOWED_HOSTS": "shoudi.county.gov,10.1.1.1",
        "SHOUDI_DATA_DIR": str(tmp_path),
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert "postgresql county True ['shoudi.county.gov', '10.1.1.1'] k-from-env Asia/Shanghai zh-hans" in out
    assert str(tmp_path) in out


def test_without_database_url_an_sqlite_file_under_the_data_dir(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='shoudi.settings'; django.setup();"
        "from django.conf import settings as s; print(s.DATABASES['default']['NAME'], s.DEBUG)"
    )
    env = {"PATH": "/usr/bin:/bin", "SHOUDI_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == [str(tmp_path / "shoudi.sqlite3"), "False"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0  # a generated key, readable by its owner only


def test_shoudi_command_is_the_manage_py():
    out = subprocess.run([sys.executable, "-m", "shoudi", "help"], capture_output=True, text=True, check=True).stdout
    for command in ("demo", "import_regions", "permissions_doc", "migrate", "runserver", "db_worker"):
        assert command in out


def test_the_secret_key_file_is_never_readable_by_others(tmp_path, monkeypatch):
    """Issue 15: the key file exists with mode 600 before the key is written into it (no moment of 644)."""
    import secrets as secrets_module

    from shoudi import settings as shoudi_settings

    monkeypatch.setattr(shoudi_settings, "DATA_DIR", tmp_path)
    seen = []

    def token(n):
        path = tmp_path / "secret_key"
        seen.append(path.exists() and path.stat().st_mode & 0o077 == 0)
        return "k" * n

    monkeypatch.setattr(secrets_module, "token_urlsafe", token)
    monkeypatch.delenv("SHOUDI_SECRET_KEY", raising=False)
    assert shoudi_settings._secret_key() == "k" * 50
    assert seen == [True] and shoudi_settings._secret_key() == "k" * 50  # read back, not written again


def test_the_production_lock_holds_no_test_package():
    """Issue 15: `make run` installs requirements.lock; pytest, Playwright, ruff and hypothesis are only for checks."""
    root = Path(__file__).resolve().parent.parent
    production = {line.split("==")[0] for line in (root / "requirements.lock").read_text().splitlines() if "==" in line}
    checks = {
        line.split("==")[0] for line in (root / "requirements-test.lock").read_text().splitlines() if "==" in line
    }
    assert {"django", "psycopg", "xlsxwriter"} <= production
    assert not production & {"pytest", "pytest-django", "playwright", "pytest-playwright", "ruff", "hypothesis"}
    assert production < checks and {"pytest", "playwright", "ruff", "hypothesis"} <= checks
