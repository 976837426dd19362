from django.db import migrations, models

from events.search import search_text

BATCH = 1000
# (table, column, index): a trigram GIN index serves LIKE '%word%' on PostgreSQL. SQLite has no
# such index and scans, which its small databases afford. Outside the models' Meta so SQLite can
# migrate (and makemigrations sees nothing to add).
INDEXES = [
    ("events_meeting", "search_text", "meeting_search_trgm_idx"),
    ("events_venue", "search_text", "venue_search_trgm_idx"),
    ("events_venue", "city_search_text", "venue_city_search_trgm_idx"),
]


def fill(apps, schema_editor):
    """The meetings', venues' and organisations' search text, from the fields their search_values
    name at this migration (organisations' too: their app knows nothing of the search)."""
    alias = schema_editor.connection.alias
    Organisation = apps.get_model("organisations", "Organisation")
    organisations = list(Organisation.objects.using(alias).only("name", "acronym"))
    for organisation in organisations:
        organisation.search_text = search_text([organisation.name, organisation.acronym])
    Organisation.objects.using(alias).bulk_update(organisations, ["search_text"], batch_size=BATCH)
    Venue = apps.get_model("events", "Venue")
    venues = list(Venue.objects.using(alias).only("name", "address", "city"))
    for venue in venues:
        venue.search_text = search_text([venue.name, venue.address, venue.city])
        venue.city_search_text = search_text([venue.city])
    Venue.objects.using(alias).bulk_update(venues, ["search_text", "city_search_text"], batch_size=BATCH)
    Meeting = apps.get_model("events", "Meeting")
    meetings = Meeting.objects.using(alias).order_by("pk").only("title", "summary", "description")
    last = 0
    while batch := list(meetings.filter(pk__gt=last)[:BATCH]):
        for meeting in batch:
            meeting.search_text = search_text([meeting.title, meeting.summary, meeting.description])
        Meeting.objects.using(alias).bulk_update(batch, ["search_text"])
        last = batch[-1].pk


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, column, index in INDEXES:
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({column} gin_trgm_ops)")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for _table, _column, index in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_calendar_import"),
        # The trigram extension comes with the organisations' search text, and is theirs to drop:
        # creating it here too would drop it under their index when this migration is reversed.
        ("organisations", "0003_search_text"),
    ]

    operations = [
        migrations.AddField(
            model_name="meeting",
            name="search_text",
            field=models.TextField(blank=True, editable=False, verbose_name="search text"),
        ),
        migrations.AddField(
            model_name="venue",
            name="city_search_text",
            field=models.TextField(blank=True, editable=False, verbose_name="city search text"),
        ),
        migrations.AddField(
            model_name="venue",
            name="search_text",
            field=models.TextField(blank=True, editable=False, verbose_name="search text"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(add_indexes, drop_indexes),
    ]
