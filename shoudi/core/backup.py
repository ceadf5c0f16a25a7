"""Backup and restore of the whole database: SQLite's online backup API, or pg_dump/pg_restore on PostgreSQL.

A backup is taken while the system runs (readers and writers go on). A restore goes only into an empty database —
one without a single table — so that it can never mix two counties' data or overwrite a live one.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.db import connections

__all__ = ["BackupError", "backup", "restore", "table_counts"]

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, in Chinese."""


@dataclass(frozen=True)
class Target:
    """The database to read or write: the configured one, or another of the same kind (a restore test)."""

    vendor: str  # sqlite / postgresql
    settings: dict

    @classmethod
    def of(cls, alias: str = "default") -> Target:
        connection = connections[alias]
        return cls(connection.vendor, dict(connection.settings_dict))


def _pg_env(settings: dict) -> tuple[list[str], dict]:
    args = ["--dbname", settings["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            args += [flag, str(settings[key])]
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = settings["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"找不到 {name}：请安装 PostgreSQL 客户端（Debian：postgresql-client）")
    return path


def _run(command: list[str], env: dict) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} 失败：{(done.stderr or done.stdout).strip()[:500]}")


def backup(out: Path, target: Target | None = None) -> dict[str, int]:
    """Write the whole database to ``out`` (written beside it first, then renamed); returns the tables' row counts."""
    target = target or Target.of()
    out = Path(out)
    part = out.with_name(out.name + ".part")
    if target.vendor == "sqlite":
        source = sqlite3.connect(str(target.settings["NAME"]))
        try:
            copy = sqlite3.connect(str(part))
            with copy:
                source.backup(copy)
            copy.close()
        finally:
            source.close()
    elif target.vendor == "postgresql":
        args, env = _pg_env(target.settings)
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(part), *args], env)
    else:
        raise BackupError(f"不支持的数据库：{target.vendor}")
    part.replace(out)
    return table_counts(target)


def restore(source: Path, target: Target | None = None) -> dict[str, int]:
    """Restore the backup ``source`` into ``target``, which must hold no table at all; returns its row counts."""
    target = target or Target.of()
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"备份文件不存在：{source}")
    head = source.read_bytes()[:16]
    tables = _tables(target)
    if tables:
        raise BackupError(f"目标数据库不是空库（已有 {len(tables)} 张表），拒绝恢复：请先建一个空数据库")
    if target.vendor == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError("这不是 SQLite 数据库的备份文件")
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            into = sqlite3.connect(str(target.settings["NAME"]))
            with into:
                backup_db.backup(into)
            into.close()
        finally:
            backup_db.close()
    elif target.vendor == "postgresql":
        if not head.startswith(PG_MAGIC):
            raise BackupError("这不是 pg_dump（-Fc）的备份文件")
        args, env = _pg_env(target.settings)
        _run([_tool("pg_restore"), "--no-owner", "--exit-on-error", "--single-transaction", *args, str(source)], env)
    else:
        raise BackupError(f"不支持的数据库：{target.vendor}")
    return table_counts(target)


def _sqlite_tables(db) -> list[str]:
    rows = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [name for (name,) in rows]


def _tables(target: Target) -> list[str]:
    if target.vendor == "sqlite":
        path = Path(target.settings["NAME"])
        if not path.exists():
            return []
        db = sqlite3.connect(str(path))
        try:
            return _sqlite_tables(db)
        finally:
            db.close()
    import psycopg

    with psycopg.connect(**_pg_conninfo(target.settings)) as db:
        rows = db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        ).fetchall()
    return [name for (name,) in rows]


def _pg_conninfo(settings: dict) -> dict:
    info = {"dbname": settings["NAME"]}
    for key, name in (("host", "HOST"), ("port", "PORT"), ("user", "USER"), ("password", "PASSWORD")):
        if settings.get(name):
            info[key] = settings[name]
    return info


def table_counts(target: Target | None = None) -> dict[str, int]:
    """Every table's row count (what a restore is checked against)."""
    target = target or Target.of()
    tables = _tables(target)
    if target.vendor == "sqlite":
        db = sqlite3.connect(str(target.settings["NAME"]))
        try:
            return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
        finally:
            db.close()
    import psycopg

    with psycopg.connect(**_pg_conninfo(target.settings)) as db:
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
