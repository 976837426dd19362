"""Build calendar feeds of 1,000 / 10,000 / 100,000 meetings three ways and print time and peak memory.

    DEBUG=1 .venv/bin/python scripts/bench_feeds.py [--sizes 1000,10000,100000] [--seed 1]

Ways compared, all on the same meetings (synthetic, bulk-inserted into a throwaway
SQLite file) and with the same content per event:

- ours, cold:  events.feeds with an empty cache (every VEVENT built with icalendar and cached);
- ours, warm:  the same feed again in the same process, VEVENTs from the cache (what a
               new query string, or a poll after an edit to one meeting, costs);
- icalendar:   the naive way, one icalendar.Calendar with every event, then to_ical();
- django-ical: a django_ical ICalFeed (requirements-bench.txt).

Each measurement runs in a fresh child process. Time is wall-clock for reading the
meetings and producing the whole body (ours is consumed chunk by chunk, as the web
server writes a streamed feed). Peak memory is the child's peak resident set above
what it held before the build (Linux VmHWM, reset through /proc/self/clear_refs), so
it counts everything: ORM objects, the body, and the local-memory cache's pieces.
"""

import argparse
import datetime
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ZONES = ["Europe/Tirane", "Europe/Belgrade", "Europe/Sarajevo", "Europe/Skopje", "Europe/Podgorica", "Europe/Vienna"]


def setup_django(db_path):
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ.pop("REDIS_URL", None)
    os.environ.setdefault("DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "meetings_site.settings"
    import django
    from django.conf import settings

    django.setup()
    # Room for 100,000 pieces: the site's local-memory cache keeps only a few thousand entries.
    settings.CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},
    }


# --- Data -----------------------------------------------------------------------


def generate(count, seed):
    """Bulk-insert `count` published, dated meetings with organisers, funders, topics and links."""
    from events.models import (
        BackToBack,
        Country,
        LinkKind,
        Meeting,
        MeetingFunder,
        MeetingOrganiser,
        OrganiserRole,
        Publication,
        Status,
        Topic,
        Venue,
    )
    from organisations.models import Organisation, OrganisationKind

    rng = random.Random(seed)  # noqa: S311 -- reproducible test data, not secrets
    countries = Country.objects.bulk_create(
        [Country(code=code, name=name) for code, name in [("AL", "Albania"), ("RS", "Serbia"), ("AT", "Austria")]]
    )
    venues = Venue.objects.bulk_create(
        [
            Venue(
                name=f"Conference centre {n}",
                city=f"City {n}",
                country=countries[n % 3],
                timezone=ZONES[n % len(ZONES)],
                latitude=41 + n / 100,
                longitude=19 + n / 100,
            )
            for n in range(30)
        ]
    )
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(name=f"Organisation {n}", acronym=f"ORG{n}", slug=f"org-{n}", kind=OrganisationKind.REGIONAL)
            for n in range(40)
        ]
    )
    topics = Topic.objects.bulk_create([Topic(name=f"Topic {n}", slug=f"topic-{n}") for n in range(12)])
    statuses = [Status.CONFIRMED] * 8 + [Status.TENTATIVE, Status.CANCELLED]
    first_day = datetime.date(2010, 1, 1)
    meetings = []
    for n in range(count):
        start = first_day + datetime.timedelta(days=rng.randrange(365 * 25))
        timed = rng.random() < 0.25
        meetings.append(
            Meeting(
                title=f"Synthetic regional meeting {n}",
                slug=f"synthetic-{n}",
                summary="A synthetic meeting of national coordinators, generated for load testing.",
                start_date=start,
                end_date=start + datetime.timedelta(days=rng.choice([0, 0, 0, 1, 2])),
                start_time=datetime.time(9, 30) if timed else None,
                end_time=datetime.time(17) if timed else None,
                status=rng.choice(statuses),
                publication=Publication.PUBLISHED,
                venue=rng.choice(venues),
                is_synthetic=True,
            )
        )
    meetings = Meeting.objects.bulk_create(meetings, batch_size=5000)
    MeetingOrganiser.objects.bulk_create(
        [
            MeetingOrganiser(meeting=m, organisation=rng.choice(organisations), role=OrganiserRole.ORGANISER)
            for m in meetings
        ],
        batch_size=5000,
    )
    MeetingFunder.objects.bulk_create(
        [MeetingFunder(meeting=m, organisation=organisations[0], instrument="IPA II") for m in meetings[::2]],
        batch_size=5000,
    )
    TopicLink = Meeting.topics.through
    TopicLink.objects.bulk_create(
        [TopicLink(meeting_id=m.pk, topic_id=rng.choice(topics).pk) for m in meetings], batch_size=5000
    )
    BackToBack.objects.bulk_create(
        [
            BackToBack(from_meeting=meetings[n], to_meeting=meetings[n + 1], kind=LinkKind.BACK_TO_BACK)
            for n in range(0, count - 1, 10)
        ],
        batch_size=5000,
    )


# --- The ways of building a feed ----------------------------------------------------------


def queryset(size):
    from events import feeds

    return feeds.feed_queryset().filter(pk__lte=size)


def build_ours(size):
    """As the view does: the rows, then the pieces chunk by chunk; returns the body's length."""
    from events import feeds

    rows = feeds.feed_rows(queryset(size))
    return sum(len(chunk) for chunk in feeds.feed_chunks(rows, "Security meetings", "Benchmark"))


def build_icalendar(size):
    from events import feeds, ical

    meetings = list(feeds.meetings_for_pieces(queryset(size).values("pk")).order_by("start_date", "start_time"))
    calendar = ical.new_calendar("Security meetings", "Benchmark")
    spans = {}
    for meeting in meetings:
        if meeting.is_timed:
            first, last = spans.get(meeting.timezone_name, (meeting.start_date, meeting.end_date))
            spans[meeting.timezone_name] = (min(first, meeting.start_date), max(last, meeting.end_date))
    for tzid, (first, last) in sorted(spans.items()):
        calendar.add_component(icalendar_timezone(tzid, first, last))
    for meeting in meetings:
        calendar.add_component(ical.new_event(meeting, feeds.related(meeting)))
    return len(calendar.to_ical())


def icalendar_timezone(tzid, first, last):
    from icalendar import Calendar

    from events import ical

    return Calendar.from_ical(ical.timezone_piece(tzid, *ical.timezone_years(first, last)))


def build_django_ical(size):
    from django.test import RequestFactory
    from django_ical.views import ICalFeed

    from events import feeds, ical

    class MeetingFeed(ICalFeed):
        product_id = ical.PRODID
        title = "Security meetings"
        description = "Benchmark"
        timezone = "UTC"

        def items(self):
            return feeds.meetings_for_pieces(queryset(size).values("pk")).order_by("start_date", "start_time")

        def item_guid(self, item):
            return str(item.uid)

        def item_title(self, item):
            return ical.summary(item)

        def item_description(self, item):
            return ical.description(item, feeds.related(item))

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


BUILDERS = {
    "ours-cold": build_ours,
    "ours-warm": build_ours,
    "icalendar": build_icalendar,
    "django-ical": build_django_ical,
}


# --- Measuring ------------------------------------------------------------------------------


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


def timed_build(kind, size):
    """One build: seconds, peak MiB above the memory held before it, and the body's length."""
    import gc

    gc.collect()
    resettable = reset_peak()
    before = memory_kib("VmRSS") if resettable else 0  # Without the reset: the whole process, an upper bound.
    started = time.perf_counter()
    length = BUILDERS[kind](size)
    elapsed = time.perf_counter() - started
    return {"seconds": elapsed, "peak_mib": (memory_kib("VmHWM") - before) / 1024, "bytes": length}


def measure(db_path, kind, size):
    """Run in the child. "ours" is built twice in one process: cold (empty cache), then warm."""
    setup_django(db_path)
    from django.core.cache import cache
    from django.db import connection

    connection.ensure_connection()
    cache.clear()
    if kind == "ours":
        return {"ours-cold": timed_build("ours-cold", size), "ours-warm": timed_build("ours-warm", size)}
    return {kind: timed_build(kind, size)}


def run_child(db_path, kind, size, timeout):
    command = [sys.executable, __file__, "--child", kind, str(size), "--db", db_path]
    try:
        # This same script, with arguments it built itself.
        output = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True).stdout
    except subprocess.TimeoutExpired:
        note = {"note": f"over {timeout} s, stopped (raise --timeout)"}
    except subprocess.CalledProcessError as error:
        last_line = (error.stderr or "").strip().splitlines()[-1:] or [f"exit status {error.returncode}"]
        note = {"note": f"failed: {last_line[0]}"}
    else:
        return json.loads(output.strip().splitlines()[-1])
    return {"ours-cold": note, "ours-warm": note} if kind == "ours" else {kind: note}


def print_row(size, kind, result, baselines):
    if "seconds" not in result:
        print(f"{size:>9,}  {kind:<12}{'—':>10}{'—':>10}{'—':>9}{'—':>10}{'—':>10}  {result['note']}")
        return
    seconds = result["seconds"]
    ratios = "".join(f"{baseline / seconds:>10.1f}" if baseline else f"{'—':>10}" for baseline in baselines)
    print(f"{size:>9,}  {kind:<12}{seconds:>10.2f}{result['peak_mib']:>10.0f}{result['bytes'] / 1e6:>9.1f}{ratios}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--full",
        action="store_true",
        help="also build the largest size the naive ways (minutes each, about 1 GB)",
    )
    parser.add_argument("--timeout", type=int, default=240, help="seconds allowed for one child process")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "SIZE"), help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child:
        print(json.dumps(measure(args.db, args.child[0], int(args.child[1]))))
        return

    sizes = sorted(int(size) for size in args.sizes.split(","))
    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as directory:
        db_path = str(Path(directory) / "bench.sqlite3")
        started = time.perf_counter()
        setup_django(db_path)
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from django.db import connection, transaction

        with connection.cursor() as cursor:
            # A throwaway file: no need to wait for the disk.
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA journal_mode = MEMORY")
        with transaction.atomic():
            generate(sizes[-1], args.seed)
        print(f"Generated {sizes[-1]:,} synthetic meetings in {time.perf_counter() - started:.1f} s (SQLite).")
        print()
        header = f"{'meetings':>9}  {'feed':<12}{'time (s)':>10}{'peak MiB':>10}{'MB body':>9}"
        header += f"{'× dj-ical':>10}{'× ical':>10}"
        print(header)
        print("-" * len(header))
        for size in sizes:
            results = {}
            for kind in ("django-ical", "icalendar", "ours"):
                if size == sizes[-1] and size > 10_000 and kind != "ours" and not args.full:
                    results[kind] = {"note": "skipped (minutes and about 1 GB; --full runs it)"}
                    continue
                results.update(run_child(db_path, kind, size, args.timeout))
            baselines = [results[kind].get("seconds") for kind in ("django-ical", "icalendar")]
            for kind in ("ours-cold", "ours-warm", "icalendar", "django-ical"):
                print_row(size, kind, results.get(kind, {"note": "not run"}), baselines)
            print()
        print("× dj-ical, × ical: django-ical's and naive icalendar's time divided by this way's, same meetings.")
        print(f"Total {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
