"""Names are compared without spaces in SQL (no separate column); on PostgreSQL the staging rows are UNLOGGED."""

from django.db import migrations


def unlogged(apps, schema_editor):
    # No WAL for lists of millions of rows. Nothing references this table at the database level; after a crash
    # PostgreSQL empties it and a run loads its list again from the stored file.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE matching_listrow SET UNLOGGED")


def logged(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE matching_listrow SET LOGGED")


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0004_current_by_links'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='listrow',
            name='name_key',
        ),
        migrations.RunPython(unlogged, logged, elidable=False),
    ]
