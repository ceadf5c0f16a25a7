"""The change-log rows of the rows a commit creates, built by the database itself with ``INSERT … SELECT``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import DEFAULT_DB_ALIAS, connections, models

from shoudi.core.audit import after_sql
from shoudi.core.models import ObjectChange
from shoudi.regions.models import Region

from ..models import Household, IncomeRecord, Member
from .bulk import audit_json

if TYPE_CHECKING:
    from .compare import ImportRun

__all__ = ["CreationLog"]


class CreationLog:
    """The change-log rows of freshly inserted rows, built by the database itself with ``INSERT … SELECT``.

    The ``after`` values are produced in SQL (``json_object`` on SQLite, ``jsonb_build_object`` on PostgreSQL) in
    exactly the shape of ``audit_data()`` — a test compares them — so hundreds of thousands of creations cost no
    Python at all. A model with a field type not covered falls back to building the rows in Python.
    """

    def __init__(self, run: ImportRun):
        self.run = run
        self.db = connections[DEFAULT_DB_ALIAS]
        self.vendor = self.db.vendor
        self.sql: dict[type[models.Model], str | None] = {m: self._sql(m) for m in (Household, Member, IncomeRecord)}

    def _sql(self, model: type[models.Model]) -> str | None:
        qn = self.db.ops.quote_name
        after = after_sql(model, "o", self.db)
        if after is None:
            return None
        text = "text" if self.vendor == "postgresql" else "TEXT"
        change = {f.name: qn(f.column) for f in ObjectChange._meta.concrete_fields}
        household, member, region = (qn(m._meta.db_table) for m in (Household, Member, Region))
        if model is Household:
            head = (
                f"(SELECT hm.{qn('name')} || '户（' || o.{qn('household_no')} || '）' FROM {member} hm "  # noqa: S608
                f"WHERE hm.{qn('household_id')} = o.{qn('id')} AND hm.{qn('relation')} = '户主' "
                f"ORDER BY hm.{qn('id')} LIMIT 1)"
            )
            represent = f"substr(COALESCE({head}, '户 ' || o.{qn('household_no')}), 1, 200)"
            house, parent_type, parent_id = "o", "NULL", "''"
        else:
            represent = (
                f"substr(o.{qn('name')}, 1, 200)" if model is Member else f"CAST(o.{qn('year')} AS {text}) || ' 年收入'"
            )
            house, parent_type, parent_id = "h", "%s", f"CAST(o.{qn('household_id')} AS {text})"
        join = "" if model is Household else f"JOIN {household} h ON h.{qn('id')} = o.{qn('household_id')} "
        columns = (
            "time",
            "user",
            "user_name",
            "source",
            "request_id",
            "action",
            "content_type",
            "object_id",
            "object_repr",
            "parent_content_type",
            "parent_object_id",
            "region_code",
            "before",
            "after",
        )
        return (
            f"INSERT INTO {qn(ObjectChange._meta.db_table)} ({', '.join(change[c] for c in columns)}) "  # noqa: S608
            f"SELECT %s, %s, %s, %s, %s, %s, %s, CAST(o.{qn('id')} AS {text}), {represent}, {parent_type}, "
            f"{parent_id}, v.{qn('code')}, NULL, {after} "
            f"FROM {qn(model._meta.db_table)} o {join}JOIN {region} v ON v.{qn('id')} = {house}.{qn('village_id')} "
            f"WHERE {{where}} ORDER BY o.{qn('id')}"
        )

    def log(self, model: type[models.Model], ids: list[int], *, fallback: Callable[[], list[tuple]]) -> None:
        """Log the creation of the ``model`` rows ``ids`` (just inserted, in this transaction)."""
        if not ids:
            return
        run = self.run
        sql = self.sql[model]
        if sql is None:
            for values, represent, code, parent in fallback():
                run.log_change(
                    model,
                    ObjectChange.CREATE,
                    values["id"],
                    represent,
                    None,
                    audit_json(run.audit_fields[model], values),
                    code,
                    parent,
                )
            return
        changes = run.tables[ObjectChange]
        head = [
            changes.prepared_value("time", run.now),
            run.actor_ids["user_id"],
            run.actor_ids["user_name"],
            run.actor.source,
            changes.prepared_value("request_id", run.actor.request_id),
            ObjectChange.CREATE,
            run.types[model],
        ]
        if model is not Household:
            head.append(run.types[Household])
        qn = self.db.ops.quote_name
        with self.db.cursor() as cursor:
            if ids == list(range(ids[0], ids[0] + len(ids))):
                cursor.execute(sql.format(where=f"o.{qn('id')} BETWEEN %s AND %s"), [*head, ids[0], ids[-1]])
            elif self.vendor == "postgresql":
                cursor.execute(sql.format(where=f"o.{qn('id')} = ANY(%s)"), [*head, ids])
            else:
                for start in range(0, len(ids), 500):
                    part = ids[start : start + 500]
                    where = f"o.{qn('id')} IN ({', '.join(['%s'] * len(part))})"
                    cursor.execute(sql.format(where=where), [*head, *part])
