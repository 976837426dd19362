from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

INDEX = "organisation_search_trgm_idx"


# A trigram GIN index serves LIKE '%word%' on PostgreSQL; SQLite has no such index and scans, which
# its small databases afford. Outside the models' Meta so SQLite can migrate (and makemigrations
# sees nothing to add).
def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON organisations_organisation USING gin (search_text gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_remove_role_proxies"),
    ]

    operations = [
        # Only on PostgreSQL (the operation checks the database itself).
        TrigramExtension(),
        migrations.AddField(
            model_name="organisation",
            name="search_text",
            field=models.TextField(blank=True, editable=False, verbose_name="search text"),
        ),
        migrations.RunPython(add_index, drop_index),
    ]
