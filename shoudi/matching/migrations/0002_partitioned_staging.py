"""PostgreSQL: the staging rows are partitioned by list, one unlogged partition a list (ADR 0001).

A list's rows are written into a table of their own without indexes, then attached (``engine.new_partition``,
``engine.attach_partition``). The database schema then differs from Django's state: no primary-key constraint (ids
come from the table's sequence and stay unique) and no index on ``list`` (the partition is the list); a later
migration that alters ``ListRow.list`` or its primary key must be written by hand for PostgreSQL. A migration of its
own, so that the index Django defers to the end of 0001 exists before the table is rebuilt. SQLite keeps the plain
table.
"""
# ruff: noqa: S608 - constant table and column names only

from django.db import migrations

TABLE = "matching_listrow"
COLUMNS = ('id, "row", id_number, name, category, grade, status, amount, event_date, code, detail, '
           "not_in_registry, list_id")


def _partitioned(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass)", [TABLE])
        return cursor.fetchone()[0]


def partition_staging(apps, schema_editor):
    # a database migrated before the squash has the partitioned table already (its migration 0007)
    if schema_editor.connection.vendor != "postgresql" or _partitioned(schema_editor):
        return
    run = schema_editor.execute
    run(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_plain")
    run(f"CREATE SEQUENCE {TABLE}_partitioned_id_seq")
    run(f"CREATE TABLE {TABLE} (LIKE {TABLE}_plain INCLUDING DEFAULTS INCLUDING CONSTRAINTS) "
        "PARTITION BY LIST (list_id)")
    run(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_partitioned_id_seq')")
    run(f"ALTER SEQUENCE {TABLE}_partitioned_id_seq OWNED BY {TABLE}.id")
    # the lists loaded so far get their partitions; the default one stays empty (attaching a partition reads it)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT list_id FROM {TABLE}_plain")
        lists = [row[0] for row in cursor.fetchall()]
    for list_id in lists:
        run(f"CREATE UNLOGGED TABLE {TABLE}_{int(list_id)} PARTITION OF {TABLE} FOR VALUES IN ({int(list_id)})")
    run(f"CREATE UNLOGGED TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
    run(f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {TABLE}_plain")
    run(f"SELECT setval('{TABLE}_partitioned_id_seq', COALESCE((SELECT MAX(id) FROM {TABLE}_plain), 0) + 1, false)")
    run(f"DROP TABLE {TABLE}_plain")
    run(f"ALTER SEQUENCE {TABLE}_partitioned_id_seq RENAME TO {TABLE}_id_seq")


def unpartition_staging(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql" or not _partitioned(schema_editor):
        return
    run = schema_editor.execute
    run(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_partitioned")
    run(f"CREATE UNLOGGED TABLE {TABLE} (LIKE {TABLE}_partitioned INCLUDING CONSTRAINTS)")
    run(f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {TABLE}_partitioned")
    run(f"ALTER TABLE {TABLE} ADD PRIMARY KEY (id)")
    run(f"CREATE INDEX {TABLE}_list_id_3832dd6a ON {TABLE} (list_id)")
    run(f"SELECT setval('{TABLE}_id_seq', COALESCE((SELECT MAX(id) FROM {TABLE}), 0) + 1, false)")
    run(f"ALTER SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")
    run(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')")
    run(f"DROP TABLE {TABLE}_partitioned CASCADE")


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0001_squashed_0009'),
    ]

    operations = [
        migrations.RunPython(partition_staging, unpartition_staging, elidable=False),
    ]
