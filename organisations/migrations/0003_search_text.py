from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models

from events.search import search_text

INDEX = "organisation_search_trgm_idx"


def fill(apps, schema_editor):
    Organisation = apps.get_model("organisations", "Organisation")
    rows = list(Organisation.objects.using(schema_editor.connection.alias).only("name", "acronym"))
    for row in rows:
        row.search_text = search_text([row.name, row.acronym])
    Organisation.objects.using(schema_editor.connection.alias).bulk_update(rows, ["search_text"], batch_size=500)


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
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(add_index, drop_index),
    ]
