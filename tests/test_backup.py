"""Backups (issue 15): `shoudi backup` while the system runs, `shoudi restore` into an empty database only, and a
restore that gives back every table with the same number of rows — on SQLite and on PostgreSQL."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from shoudi.core.backup import BackupError, Target, backup, restore, table_counts
from shoudi.registry.testing import make_household, make_income

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump and the SQLite copy read committed rows


@pytest.fixture
def county(world):
    for i in range(3):
        make_income(make_household(world.village_a, household_no=f"B{i}", head=f"户主{i}"), 2025, size=2, wage=9000)
    return world


@pytest.fixture
def empty_target(tmp_path):
    """A second, empty database of the same kind as the one under test (dropped afterwards)."""
    if connection.vendor == "sqlite":
        yield Target("sqlite", {**connection.settings_dict, "NAME": str(tmp_path / "restored.sqlite3")})
        return
    import psycopg

    settings = dict(connection.settings_dict)
    name = f"shoudi_restore_{os.getpid()}"
    admin = {k: v for k, v in (("host", settings.get("HOST")), ("port", settings.get("PORT"))) if v}
    admin["user"] = settings.get("USER") or "postgres"
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')
    yield Target("postgresql", {**settings, "NAME": name})
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_backup_restores_into_an_empty_database_with_every_row(county, tmp_path, empty_target):
    out = tmp_path / "shoudi.backup"
    counts = backup(out)
    assert counts["registry_household"] == 3 and counts["regions_region"] >= 6
    restored = restore(out, empty_target)
    assert restored == counts == table_counts()
    assert len(restored) > 40  # every table, not a few


def test_a_restore_into_a_database_with_tables_is_refused(county, tmp_path):
    out = tmp_path / "shoudi.backup"
    call_command("backup", str(out))
    with pytest.raises(CommandError, match=r"目标数据库不是空库（已有 \d+ 张表），拒绝恢复"):
        call_command("restore", str(out))
    assert table_counts()["registry_household"] == 3


def test_a_file_that_is_no_backup_is_refused_in_chinese(tmp_path, empty_target):
    wrong = tmp_path / "not-a-backup.xlsx"
    wrong.write_bytes(b"PK\x03\x04 a workbook")
    with pytest.raises(BackupError, match="备份文件"):
        restore(wrong, empty_target)
    with pytest.raises(BackupError, match="备份文件不存在"):
        restore(tmp_path / "missing", empty_target)
