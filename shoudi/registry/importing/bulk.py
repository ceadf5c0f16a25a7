"""The bulk write layer of the household import: raw INSERT/COPY and UPDATE of many rows, JSON serialised once,
and the writer thread that writes one chunk while the next is compared (docs/adr/0100-household-import-bulk-writer.md).
"""

from __future__ import annotations

import datetime
import itertools
import json
import queue
import sqlite3
import threading
import uuid
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from operator import itemgetter

from django.db import DEFAULT_DB_ALIAS, connections, models

__all__ = ["BackgroundWriter", "BulkTable", "JsonText", "audit_fields", "audit_json", "dumps", "json_loaded"]


def _json_default(value):
    # what ChangeLoggedModel.audit_data() writes for these types (shoudi.core.models._plain)
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"不能写入 JSON 的值：{value!r}")


dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_json_default).encode


class JsonText(str):
    """A value already serialised to JSON text."""

    __slots__ = ()


def json_loaded(value):
    """A JSON value prepared for the database (text, or psycopg's Jsonb around text) back as Python."""
    value = getattr(value, "obj", value)
    return json.loads(value) if isinstance(value, str) else value


def audit_json(model_fields: list[tuple[str, str]], values: dict) -> JsonText:
    """The ``ChangeLoggedModel.audit_data()`` of a row given as attname → value, serialised once (C encoder)."""
    return JsonText(dumps({name: values[attname] for name, attname in model_fields}))


class BulkTable:
    """Raw bulk INSERT/UPDATE of one model's rows with one prepared statement (``executemany``).

    ``bulk_create`` is held back by SQLite's 999 parameters per statement (≈ 20 member rows per INSERT) and by
    building a model instance per row; this is several times faster on SQLite and PostgreSQL alike. Values are
    passed as Django would: JSON as text (``jsonb`` on PostgreSQL), datetimes and UUIDs through the field.
    """

    def __init__(self, model: type[models.Model]):
        self.db = connections[DEFAULT_DB_ALIAS]
        self.model = model
        self.table = model._meta.db_table
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.attnames = [f.attname for f in self.fields]
        self.position = {name: i for i, name in enumerate(self.attnames)}
        self.by_attname = {f.attname: f for f in model._meta.concrete_fields}
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        self.json = {f.attname for f in model._meta.concrete_fields if isinstance(f, models.JSONField)}
        self.once = {
            f.attname: f for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField | models.UUIDField)
        }
        self.prepared: dict[tuple[str, int], object] = {}
        if self.db.vendor == "postgresql":
            from psycopg.types.json import Jsonb

            self.json_param = lambda text: Jsonb(text, dumps=str)
        else:
            self.json_param = str

    def _patchers(self, attnames: list[str]) -> list[tuple[int, Callable]]:
        patch = []
        for position, name in enumerate(attnames):
            if name in self.json:
                patch.append((position, self._json))
            elif name in self.once:
                patch.append((position, lambda value, f=self.once[name]: self._once(f, value)))
        return patch

    def _json(self, value):
        if value is None:
            return None
        return self.json_param(value if type(value) is JsonText else dumps(value))

    def json_value(self, value):
        """A JSON value ready for the database (for rows inserted with ``prepared=True``)."""
        return self._json(value)

    def prepared_value(self, attname: str, value):
        """A datetime or UUID ready for the database (for rows inserted with ``prepared=True``)."""
        return self._once(self.once[attname], value)

    def _once(self, f: models.Field, value):
        # the same datetime (or UUID) object on every row of an import: converted once
        key = (f.attname, id(value))
        if key not in self.prepared:
            self.prepared[key] = (value, f.get_db_prep_save(value, self.db))
        return self.prepared[key][1]

    def _params(self, attnames: list[str], rows: list[dict], prepared: bool = False) -> list:
        getter = itemgetter(*attnames)
        if prepared:  # JSON, datetimes and UUIDs are in their database form already
            return list(map(getter, rows))
        patchers = self._patchers(attnames)
        params = []
        for row in rows:
            values = list(getter(row))
            for position, patch in patchers:
                values[position] = patch(values[position])
            params.append(values)
        return params

    def _reserve(self, cursor, count: int) -> list[int] | None:
        if self.db.vendor != "postgresql":
            return None
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [self.db.ops.quote_name(self.table), count],
        )
        return [r[0] for r in cursor.fetchall()]

    def insert(self, rows: list, *, want_ids: bool = True, prepared: bool = False) -> list[int]:
        """Insert ``rows`` and return their ids, in order (dict rows also get their ``"id"``).

        A row is a dict (attname → value; missing fields get their defaults) or, with ``prepared``, a list of the
        values of ``self.attnames`` in that order. ``prepared``: the JSON, datetime and UUID values went through
        ``json_value`` / ``prepared_value`` already.
        """
        if not rows:
            return []
        qn = self.db.ops.quote_name
        attnames = list(self.attnames)
        positional = not isinstance(rows[0], dict)
        if not positional:
            missing = [a for a in attnames if a not in rows[0]]
            for row in rows if missing else ():
                for name in missing:
                    row.setdefault(name, self.defaults[name])
        with self.db.cursor() as cursor:
            ids = self._reserve(cursor, len(rows)) if want_ids else None
            if positional:
                params = rows if ids is None else [[pk, *row] for pk, row in zip(ids, rows, strict=True)]
            else:
                if ids is not None:
                    for row, pk in zip(rows, ids, strict=True):
                        row["id"] = pk
                params = self._params(["id", *attnames] if ids is not None else attnames, rows, prepared)
            if ids is not None:
                attnames = ["id", *attnames]
            columns = ", ".join(qn(self.by_attname[a].column) for a in attnames)
            if self.db.vendor == "postgresql":
                # COPY: Django's psycopg cursors bind on the client, so executemany would send (and PostgreSQL
                # parse) one INSERT per row
                with cursor.cursor.copy(f"COPY {qn(self.table)} ({columns}) FROM STDIN") as copy:
                    for values in params:
                        copy.write_row(values)
            else:
                self._insert_sqlite(cursor, columns, len(attnames), params)
            if ids is None and want_ids:
                # SQLite: the rows inserted here got consecutive ids; the write lock is held until the commit.
                cursor.execute("SELECT last_insert_rowid()")
                last = cursor.fetchone()[0]
                ids = list(range(last - len(rows) + 1, last + 1))
                if not positional:
                    for row, pk in zip(rows, ids, strict=True):
                        row["id"] = pk
        return ids or []

    def _insert_sqlite(self, cursor, columns: str, width: int, params: list) -> None:
        """Multi-row INSERTs straight to sqlite3 (qmark style, up to 500 rows a statement).

        executemany would step — and release and take back the GIL — once per row; with the main thread busy
        comparing the next chunk, every taking back waits for Python's switch interval (5 ms).
        """
        raw = cursor.cursor
        limit = self.db.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        per = max(1, min(500, limit // width))
        row = "(" + ", ".join(["?"] * width) + ")"
        head = f"INSERT INTO {self.db.ops.quote_name(self.table)} ({columns}) VALUES "  # noqa: S608 - model names
        with self.db.wrap_database_errors:
            for start in range(0, len(params), per):
                part = params[start : start + per]
                sqlite3.Cursor.execute(
                    raw, head + ", ".join([row] * len(part)), list(itertools.chain.from_iterable(part))
                )

    def update(self, changes: list[tuple[int, dict]]) -> None:
        """``changes``: (id, {attname: new value}); rows changing the same fields share one statement."""
        groups: dict[tuple[str, ...], list[dict]] = defaultdict(list)
        for pk, values in changes:
            groups[tuple(sorted(values))].append({**values, "id": pk})
        qn = self.db.ops.quote_name
        with self.db.cursor() as cursor:
            for names, rows in groups.items():
                if self.db.vendor == "postgresql":  # one UPDATE … FROM (VALUES …) per 1000 rows, see insert()
                    fields = [self.by_attname[n] for n in (*names, "id")]
                    row_sql = "(" + ", ".join(f"%s::{f.db_type(self.db)}" for f in fields) + ")"
                    assignments = ", ".join(f"{qn(f.column)} = v.{qn(f.column)}" for f in fields[:-1])
                    alias = ", ".join(qn(f.column) for f in fields)
                    params = self._params([*names, "id"], rows)
                    for start in range(0, len(params), 1000):
                        part = params[start : start + 1000]
                        sql = (
                            f"UPDATE {qn(self.table)} AS t SET {assignments} "  # noqa: S608 - model names
                            f"FROM (VALUES {', '.join([row_sql] * len(part))}) AS v({alias}) "
                            f"WHERE t.{qn('id')} = v.{qn('id')}"
                        )
                        cursor.execute(sql, [value for values in part for value in values])
                    continue
                assignments = ", ".join(f"{qn(self.by_attname[n].column)} = %s" for n in names)
                sql = f"UPDATE {qn(self.table)} SET {assignments} WHERE {qn('id')} = %s"  # noqa: S608 - model names
                cursor.executemany(sql, self._params([*names, "id"], rows))


def audit_fields(model: type[models.Model]) -> list[tuple[str, str]]:
    return [(f.name, f.attname) for f in model._meta.concrete_fields if f.name not in model.audit_exclude]


class BackgroundWriter:
    """Writes each chunk on a second thread while the main thread reads and compares the next one.

    The database does its work without the GIL (SQLite's and libpq's calls release it), so reading the file's next
    households against the database overlaps with inserting the previous ones. Both threads use the one connection —
    the same transaction — one at a time, under ``lock``. Without a connection (a preview) jobs run at once.
    """

    def __init__(self, db):
        self.db = db
        self.lock = threading.Lock()
        self.error: BaseException | None = None
        self.thread = None
        if db is not None:
            db.inc_thread_sharing()
            self.jobs: queue.Queue = queue.Queue(1)
            self.thread = threading.Thread(target=self._work, name="household-import-writer", daemon=True)
            self.thread.start()

    def _work(self) -> None:
        while (job := self.jobs.get()) is not None:
            if self.error is not None:
                continue
            try:
                with self.lock:
                    job()
            except BaseException as exc:  # handed to the main thread
                self.error = exc

    def submit(self, job: Callable[[], None]) -> None:
        if self.thread is None:
            job()
            return
        if self.error is not None:
            raise self.error
        self.jobs.put(job)

    def finish(self) -> None:
        """Wait for the last chunk; raise what the writer raised."""
        if self.thread is None:
            return
        self.jobs.put(None)
        self.thread.join()
        self.thread = None
        self.db.dec_thread_sharing()
        if self.error is not None:
            raise self.error
