"""Planner and memory settings for one statement of a run, on PostgreSQL (nothing on SQLite)."""

from __future__ import annotations

from contextlib import contextmanager

from django.db import connections, transaction

__all__ = ["GROUPING", "postgres_settings"]

# a GROUP BY of a million members (by ID number, or by household with a dozen counts) in memory: with the default
# 4 MB it is hashed in batches on disk
GROUPING = {"work_mem": "256MB"}


@contextmanager
def postgres_settings(alias: str = "default", **settings: str):
    """Inside the block, ``settings`` hold for the connection (``SET LOCAL`` in a transaction, given back after)."""
    connection = connections[alias]
    if connection.vendor != "postgresql" or not settings:
        yield
        return
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        before = {}
        for name, value in settings.items():
            cursor.execute("SELECT current_setting(%s)", [name])
            before[name] = cursor.fetchone()[0]
            cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
        try:
            yield
        finally:
            for name, value in before.items():
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
