"""Create the catalogue's FTS5 table on SQLite (PostgreSQL searches the columns directly)."""

from django.db import migrations

from coursekeeper.learning.search import FTS_TABLE, create_sqlite_index


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        create_sqlite_index(schema_editor.connection)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")


class Migration(migrations.Migration):
    dependencies = [("learning", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
