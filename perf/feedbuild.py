"""One timed feed build in a fresh process: `python -m perf.feedbuild KIND SIZE`, run by perf/bench_feeds.py.

KIND is "ours" (the site's /calendar.ics, asked through Django's test client with everything
the site runs: built once with an empty cache, then again under another query, its calendar
entries cached), "icalendar" (the naive way: one icalendar.Calendar, to_ical()) or
"django-ical" (a django_ical ICalFeed, requirements-bench.txt). All three build the same
meetings: the feed's (published, dated), the first SIZE of them by date (a few more where the
SIZE-th meeting's start date is shared), chosen with the site's own filter (date_to).

Prints one JSON line: per build, wall-clock and CPU seconds (this process's; with SQLite the
database's work is in it too), peak MiB above what the process held before it (Linux VmHWM,
reset through /proc/self/clear_refs) and the body's length in bytes.
"""

import gc
import json
import sys
import time

import django
from django.conf import settings

# Room for 100,000 calendar entries: the site's local-memory cache keeps only a few tens of thousands.
# Set before django.setup(), so no cache has been built from the settings yet.
settings.CACHES["default"]["OPTIONS"] = {**settings.CACHES["default"].get("OPTIONS", {}), "MAX_ENTRIES": 1_000_000}
django.setup()  # before the project's modules are imported (E402 is ignored for this file)

from django.core.cache import cache
from django.db import connection
from django.http import QueryDict
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from events.calendar import assembly, ical
from events.filters import MeetingFilter

# The site's feeds hold at most FEED_LIMIT meetings; these builds measure feeds of every size asked for.
assembly.FEED_LIMIT = 10_000_000

# Before every meeting: the feed holds all of them up to date_to, not its default window.
FIRST_DAY = "1900-01-01"
# Another day before every meeting: the same feed under a query no cache has seen.
ANOTHER_FIRST_DAY = "1900-01-02"


def feed_query(size, first_day=FIRST_DAY):
    """The filter that holds the feed's first `size` meetings by date."""
    dated = assembly.feed_queryset().order_by("start_date", "pk").values_list("start_date", flat=True)
    last_day = dated[min(size, dated.count()) - 1]
    return {"date_from": first_day, "date_to": last_day.isoformat()}


def feed_meetings(query):
    filterset = MeetingFilter(QueryDict(urlencode(query)), queryset=assembly.feed_queryset())
    if not filterset.is_valid():
        raise SystemExit(f"invalid feed filter {query}: {filterset.errors}")
    return filterset.qs


def build_ours(query):
    """What a visitor's calendar program gets, consumed chunk by chunk as the web server writes it."""
    response = Client(HTTP_HOST="127.0.0.1").get(reverse("events:ical"), query)
    if response.status_code != 200:
        raise SystemExit(f"/calendar.ics?{urlencode(query)} answered {response.status_code}")
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def build_icalendar(query):
    meetings = list(
        assembly.meetings_for_pieces(feed_meetings(query).values("pk")).order_by("start_date", "start_time")
    )
    calendar = ical.new_calendar("Security meetings", "Benchmark")
    spans = {}
    for meeting in meetings:
        if meeting.is_timed:
            first, last = spans.get(meeting.timezone_name, (meeting.start_date, meeting.end_date))
            spans[meeting.timezone_name] = (min(first, meeting.start_date), max(last, meeting.end_date))
    for tzid, (first, last) in sorted(spans.items()):
        calendar.add_component(icalendar_timezone(tzid, first, last))
    for meeting in meetings:
        calendar.add_component(ical.new_event(meeting, assembly.related(meeting)))
    return len(calendar.to_ical())


def icalendar_timezone(tzid, first, last):
    from icalendar import Calendar

    return Calendar.from_ical(ical.timezone_piece(tzid, *ical.timezone_years(first, last)))


def build_django_ical(query):
    from django.test import RequestFactory
    from django_ical.views import ICalFeed

    class MeetingFeed(ICalFeed):
        product_id = ical.PRODID
        title = "Security meetings"
        description = "Benchmark"
        timezone = "UTC"

        def items(self):
            pks = feed_meetings(query).values("pk")
            return assembly.meetings_for_pieces(pks).order_by("start_date", "start_time")

        def item_guid(self, item):
            return str(item.uid)

        def item_title(self, item):
            return ical.summary(item)

        def item_description(self, item):
            return ical.description(item, assembly.related(item))

        def item_link(self, item):
            return ical.absolute_url(item.get_absolute_url())

        def item_start_datetime(self, item):
            return item.start_datetime() if item.is_timed else item.start_date

        def item_end_datetime(self, item):
            return item.end_datetime() if item.is_timed else ical.all_day_dates(item)[1]

        def item_created(self, item):
            return item.created_at

        def item_updateddate(self, item):
            return item.updated_at

        def item_timestamp(self, item):
            return item.updated_at

        def item_location(self, item):
            return ical.location(item)

        def item_categories(self, item):
            return [topic.name for topic in item.feed_topics]

        def item_status(self, item):
            return ical.ICAL_STATUS[item.status]

    response = MeetingFeed()(RequestFactory().get("/calendar.ics", HTTP_HOST="127.0.0.1"))
    return len(response.content)


BUILDERS = {"ours": build_ours, "icalendar": build_icalendar, "django-ical": build_django_ical}


def memory_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak():
    """Reset the kernel's peak-RSS mark for this process (Linux ≥ 4.0); False when not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


def timed_build(kind, query):
    """One build: seconds, peak MiB above the memory held before it, and the body's length."""
    gc.collect()
    resettable = reset_peak()
    before = memory_kib("VmRSS") if resettable else 0  # Without the reset: the whole process, an upper bound.
    started, started_cpu = time.perf_counter(), time.process_time()
    length = BUILDERS[kind](query)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    return {"seconds": elapsed, "cpu_seconds": cpu, "peak_mib": (memory_kib("VmHWM") - before) / 1024, "bytes": length}


def measure(kind, size):
    """Build "ours" twice in one process: with an empty cache, then under another query; the others once."""
    connection.ensure_connection()
    cache.clear()
    query = feed_query(size)
    events = feed_meetings(query).count()
    if kind == "ours":
        cold = timed_build("ours", query)
        warm = timed_build("ours", feed_query(size, ANOTHER_FIRST_DAY))
        return {"events": events, "ours-cold": cold, "ours-warm": warm}
    return {"events": events, kind: timed_build(kind, query)}


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]))))
