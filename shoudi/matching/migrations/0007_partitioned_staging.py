"""PostgreSQL: the staging rows are partitioned by list, one unlogged partition a list.

A list of millions of rows is written into a table of its own, which has no index to maintain row by row, and is
then attached (``engine.new_partition``, ``engine.attach_partition``); a run reads its list's partition alone, and
the rows of other months cost nothing. Rows written otherwise (the ORM; nothing does) would land in the default
partition. The database schema differs from what Django's state says here: no primary key constraint (ids are
drawn from the table's sequence and stay unique) and no index on ``list`` (the partition is the list). SQLite keeps
the plain table.
"""
# ruff: noqa: S608 - constant table and column names only

from django.db import migrations

TABLE = "matching_listrow"
COLUMNS = ('id, "row", id_number, name, category, grade, status, amount, event_date, code, detail, '
           "not_in_registry, list_id")


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
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


def unpartition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
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
        ('matching', '0006_findings_fewer_checks'),
    ]

    operations = [
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
