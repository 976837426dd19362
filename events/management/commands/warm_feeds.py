"""Build and cache the VEVENT of every published, dated meeting, so no feed request has to.

Feeds build missing pieces themselves, a chunk at a time; after a deploy with an
empty cache, or after a change that every event shows (an organisation renamed),
the first request for a large feed would otherwise do all of that work.
"""

import time

from django.core.management.base import BaseCommand
from django.utils import translation

from events.calendar import assembly as feeds


class Command(BaseCommand):
    help = "Build and cache every published meeting's calendar entry (VEVENT)."

    def add_arguments(self, parser):
        parser.add_argument("--language", default="en", help="Language of the entries (default: en).")

    def handle(self, *args, language, **options):
        started = time.perf_counter()
        with translation.override(language):
            rows = feeds.feed_rows(feeds.feed_queryset())
            for _piece in feeds.event_pieces(rows):
                pass
        elapsed = time.perf_counter() - started
        self.stdout.write(self.style.SUCCESS(f"{len(rows)} calendar entries cached in {elapsed:.1f} s."))
