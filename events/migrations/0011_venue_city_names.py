from django.conf import settings
from django.db import migrations

from events.search import search_text
from meetings_site.languages import city_name


def refold(apps, schema_editor):
    """Venues' search text gains their city's name in every language CLDR gives one for
    (Venue.city_in_every_language at this migration)."""
    Venue = apps.get_model("events", "Venue")
    venues = list(Venue.objects.using(schema_editor.connection.alias).only("name", "address", "city", "timezone"))
    for venue in venues:
        cities = [venue.city]
        for code, _name in settings.LANGUAGES:
            name = city_name(venue.city, venue.timezone, code)
            if name not in cities:
                cities.append(name)
        venue.search_text = search_text([venue.name, venue.address, *cities])
        venue.city_search_text = search_text(cities)
    Venue.objects.using(schema_editor.connection.alias).bulk_update(
        venues, ["search_text", "city_search_text"], batch_size=1000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0010_meeting_languages"),
    ]

    operations = [
        migrations.RunPython(refold, migrations.RunPython.noop, elidable=True),
    ]
