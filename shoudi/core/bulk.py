"""Set-based writes many rows at a time, without a model instance per row.

``bulk_create`` builds and adapts an instance per row, field by field: for tens of thousands of rows that is most of
the time. ``insert_select`` writes ``INSERT INTO <model> SELECT … FROM <source>``: the fields that differ per row come
from SQL expressions over the source (a ``VALUES`` list, or another table), every other field is the same for all
rows and is taken once from a template instance (so a field added later with a default needs no change here).
Model signals are not sent: the rows just written come back with ``RETURNING`` (PostgreSQL, SQLite ≥ 3.35), and
``core.audit.log_created`` writes their change-log rows from them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connections, router
from django.db.models import Model

__all__ = ["insert_select", "insert_values", "values_per_statement"]


def insert_select(
    model: type[Model],
    template: Model,
    selected: dict[str, str],
    source: str,
    params: list,
    *,
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """``INSERT INTO <model> (…) SELECT <selected expressions>, <template's values> FROM <source>``.

    Portable SQL (a VALUES list in FROM names its columns column1, column2 … on SQLite and PostgreSQL). With
    ``returning`` (field names, e.g. ``("id", "household")``) it returns those columns of every row written."""
    connection = connections[router.db_for_write(model)]
    qn = connection.ops.quote_name
    opts = model._meta
    common = [f for f in opts.concrete_fields if not f.primary_key and f.name not in selected]
    constants = [f.get_db_prep_save(f.pre_save(template, add=True), connection) for f in common]
    columns = [opts.get_field(name).column for name in selected] + [f.column for f in common]
    expressions = [*selected.values(), *["%s"] * len(common)]
    sql = (
        f"INSERT INTO {qn(opts.db_table)} ({', '.join(map(qn, columns))}) "  # noqa: S608 - model names
        f"SELECT {', '.join(expressions)} FROM {source}"
    )
    if returning:
        sql += " RETURNING " + ", ".join(qn(opts.get_field(name).column) for name in returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants, *params])
        return [tuple(row) for row in cursor.fetchall()] if returning else []


def values_per_statement(model: type[Model], width: int, most: int = 1000) -> int:
    """How many rows of ``width`` parameters one statement may carry besides the template's constants (SQLite
    allows 999 parameters a statement through Django)."""
    connection = connections[router.db_for_write(model)]
    limit = connection.features.max_query_params
    if not limit:
        return most
    return max(1, min(most, (limit - len(model._meta.concrete_fields)) // width))


def insert_values(
    model: type[Model],
    template: Model,
    fields: Sequence[str],
    rows: Sequence[Sequence],
    *,
    returning: Sequence[str] = (),
) -> int | list[tuple[Any, ...]]:
    """Insert ``rows`` (one value per name in ``fields``, already in the database's form: ids, text, numbers; not
    NULL throughout a column, whose type PostgreSQL could not tell) with the template's values for every other
    field, a few hundred rows per statement. Returns how many, or with ``returning`` the rows written (those
    columns)."""
    if not rows:
        return [] if returning else 0
    per = values_per_statement(model, len(fields))
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    selected = {name: f"v.column{i}" for i, name in enumerate(fields, start=1)}
    written = []
    for start in range(0, len(rows), per):
        batch = rows[start : start + per]
        written += insert_select(
            model,
            template,
            selected,
            f"(VALUES {', '.join([one] * len(batch))}) AS v",
            [value for row in batch for value in row],
            returning=returning,
        )
    return written if returning else len(rows)
