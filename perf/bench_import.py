#!/usr/bin/env python
"""Time the calendar import: events a second for a generated calendar, first import and re-import.

    .venv/bin/python perf/bench_import.py [--events 4777] [--database-url postgres://…]

The calendar is tests/support/importing.py's large_calendar (single events, timed and all-day,
places matching the site's venues or not). Each run imports it into an empty throwaway database
(SQLite file by default), then imports it again unchanged (every event read, matched, compared,
nothing written) and once more with every title changed (every meeting updated). Figures go to
docs/performance.md, "Calendar import".
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4777)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{directory}/bench.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meetings_site.settings")
        os.environ.setdefault("DEBUG", "1")
        import django  # after the environment names the database

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        from events.calendar.importer import import_calendar
        from events.models import Country, Meeting, Venue
        from tests.support.importing import large_calendar

        call_command("migrate", verbosity=0)
        Meeting.objects.filter(source_uid__startswith="large-").delete()
        bosnia, _ = Country.objects.get_or_create(code="BA", defaults={"name": "Bosnia and Herzegovina"})
        serbia, _ = Country.objects.get_or_create(code="RS", defaults={"name": "Serbia"})
        Venue.objects.get_or_create(name="Hotel Europa", city="Sarajevo", country=bosnia)
        Venue.objects.get_or_create(name="", city="Belgrade", country=serbia)
        settings.CALENDAR_IMPORT_MAX_EVENTS = max(settings.CALENDAR_IMPORT_MAX_EVENTS, args.events)
        data = large_calendar(args.events)
        print(f"{args.events} events, {len(data) / 1e6:.1f} MB, {settings.DATABASES['default']['ENGINE']}")
        for label, body in (
            ("first import", data),
            ("re-import, unchanged", data),
            ("re-import, every title changed", data.replace(b"SUMMARY:Regional", b"SUMMARY:Western Balkans")),
        ):
            started = time.perf_counter()
            result = import_calendar(body)
            seconds = time.perf_counter() - started
            print(
                f"{label:32} {seconds:6.2f} s  {args.events / seconds:7.0f} events/s  "
                f"created {len(result.created)}, updated {len(result.updated)}, unchanged {result.unchanged}"
            )


if __name__ == "__main__":
    main()
