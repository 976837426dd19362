"""Facts about the site's data for the drivers, printed as JSON: `python -m perf.sitedata COMMAND`.

Run by perf/harness.py (site_data()) from the repository's root, in the environment of the
database measured, so the drivers themselves never import Django. Nothing here renders a page
or reads a cache (the paths it lists must stay unseen until wrk asks for them); new-versions
is the one command that writes (the cache versions).

    counts                     meetings, published and synthetic ones
    vacuum                     VACUUM ANALYZE (PostgreSQL), as autovacuum leaves a live site
    new-versions               start new cache versions (events.cache.invalidate_all): nothing cached counts;
                               says how long a worker may still trust its copy of the old version
    urls [--meetings N]        the URLs the drivers measure (list, feed, a meeting…)
    cold-paths [--count N]     for each cold target, up to N distinct paths nothing has asked for
    disk                       the database's size on disk, and its meetings table's with indexes (PostgreSQL)
"""

import argparse
import bisect
import datetime
import json
import math
import random
import sys

import django

django.setup()  # before the project's modules are imported (E402 is ignored for this file)

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode

from events.cache import invalidate_all
from events.filters import MeetingFilter
from events.models import Country, Meeting, MeetingOrganiser, Topic

# The filtered list and feed of the benchmark: one topic and one country, as a visitor picks them.
FILTER_TOPIC = "border-security"
FILTER_COUNTRY = "AL"
# The feed's default window: a year back (a feed with dates of its own has no window).
FEED_WINDOW = datetime.timedelta(days=365)
# A date_to beyond every meeting: the same meetings, a query the caches have not seen.
FAR_DATE_TO = datetime.date(3000, 1, 1)


def counts():
    meetings = Meeting.objects.all()
    return {
        "meetings": meetings.count(),
        "published": Meeting.objects.published().count(),
        "synthetic": meetings.filter(is_synthetic=True).count(),
    }


def vacuum():
    # Planner statistics and the visibility map, as autovacuum would leave them on a live site:
    # without it PostgreSQL cannot use index-only scans on freshly inserted rows.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The site's statement_timeout (settings) bounds requests; at a million meetings VACUUM takes longer.
            cursor.execute("SET statement_timeout = 0")
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {"vacuumed": connection.vendor}


def new_versions():
    invalidate_all()
    # A worker with a copy of the old version (its own local memory) trusts it this long at most.
    return {"invalidated": True, "version_cache_seconds": settings.VERSION_CACHE_SECONDS}


def disk():
    """Bytes on disk: the whole database, and the meetings table with its indexes and TOAST."""
    if connection.vendor != "postgresql":
        return {"database_bytes": None, "meetings_table_bytes": None, "meetings_index_bytes": None}
    table = Meeting._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_database_size(current_database()), pg_total_relation_size(%s::regclass),"
            " pg_indexes_size(%s::regclass)",
            [table, table],
        )
        database_bytes, table_bytes, index_bytes = cursor.fetchone()
    return {"database_bytes": database_bytes, "meetings_table_bytes": table_bytes, "meetings_index_bytes": index_bytes}


def chosen_filter():
    """(topic slug, country code) of the benchmark's filtered list and feed."""
    topic = Topic.objects.filter(slug=FILTER_TOPIC).first() or Topic.objects.order_by("pk").first()
    country = Country.objects.filter(code=FILTER_COUNTRY).first() or Country.objects.order_by("pk").first()
    return topic.slug, country.code


def urls(meetings=3):
    """The URLs of the drivers' tables, filled in from the data (a real meeting, topic, month)."""
    today = timezone.localdate()
    published = Meeting.objects.published()
    dated = published.dated().order_by("start_date", "pk")
    middle = dated.values_list("slug", flat=True)[dated.count() // 2] if dated.exists() else None
    latest = published.order_by(F("start_date").desc(nulls_last=True), "pk").values_list("slug", flat=True).first()
    topic, country = chosen_filter()
    organiser = public_organisers().values_list("slug", flat=True).first()
    return {
        "home": reverse("events:home"),
        "list": reverse("events:list"),
        "filters": "?" + urlencode({"topic": topic, "country": country}),
        "meeting": middle and detail_path(middle),
        "latest meeting": latest and detail_path(latest),
        "meetings by slug": [
            detail_path(slug) for slug in published.order_by("slug").values_list("slug", flat=True)[:meetings]
        ],
        "calendar month": reverse("events:calendar", kwargs={"year": today.year, "month": today.month}),
        "organiser page": organiser and reverse("events:organiser", kwargs={"slug": organiser}),
        "year archive": reverse("events:year", kwargs={"year": today.year - 1}),
        "feed": reverse("events:ical"),
    }


def public_organisers():
    """Organisations with a public organiser page, those with the most public meetings first."""
    return MeetingOrganiser.objects.organisations_with_public_meeting_counts().order_by("-public_meeting_count", "slug")


def in_every_language(view_name, **kwargs):
    """The view's path under each language the site is offered in: each its own page (the language
    prefix, /sq/…, is part of the page cache's key)."""
    paths = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            paths.append(reverse(view_name, kwargs=kwargs))
    return paths


def detail_path(slug):
    return reverse("events:detail", kwargs={"slug": slug})


# --- Cold paths ---------------------------------------------------------------------------------
#
# "Cold" asks, on every request, for a page the page cache has not seen. The page cache keys on
# the canonical query (the filter's own parameters and the page, sorted, empty ones dropped), so a
# tracking parameter no longer makes a page cold: each path below is a different canonical page.
# Each list starts with the plain pages (shuffled) and goes on, when it needs more, with variants
# that hold the same meetings (a date_to beyond every meeting); the warm URL is never among them.
# Pages that read no query string (a month's grid, an organiser's page) have no such variants: their
# lists hold every one there is, in each language (the prefix, /sq/…, is part of the key).


def page_count(meetings):
    return max(1, math.ceil(meetings / settings.MEETINGS_PER_PAGE))


def far_dates(rng, count):
    """`count` distinct days after every meeting, in random order."""
    days = rng.sample(range(365 * 900), count) if count else []
    return [(FAR_DATE_TO + datetime.timedelta(days=day)).isoformat() for day in days]


def cold_list(rng, count):
    list_url = reverse("events:list")
    pages = page_count(Meeting.objects.published().count())
    plain = [f"{list_url}?page={number}" for number in range(2, pages + 1)]
    rng.shuffle(plain)
    more = max(0, count - len(plain))
    variants = [
        f"{list_url}?" + urlencode({"date_to": day, "page": rng.randint(2, pages) if pages > 1 else 1})
        for day in far_dates(rng, more)
    ]
    note = f"{len(plain):,} pages" + (f" + {len(variants):,} date_to variants" if variants else "")
    return (plain + variants)[:count], note


def cold_filtered_list(rng, count):
    """Pages of the topic + country filter, then the filter from other days (date_from), each at a
    random page within what that day's filter holds."""
    list_url = reverse("events:list")
    topic, country = chosen_filter()
    base = {"topic": topic, "country": country}
    filterset = MeetingFilter(QueryDict(urlencode(base)), queryset=Meeting.objects.published())
    if not filterset.is_valid():
        raise SystemExit(f"the benchmark's filter {base} is not valid: {filterset.errors}")
    matching = filterset.qs
    pages = page_count(matching.count())
    plain = [f"{list_url}?" + urlencode({**base, "page": number}) for number in range(2, pages + 1)]
    rng.shuffle(plain)
    # date_from keeps meetings ending on or after the day: count them per day from the end dates.
    end_dates = sorted(day for day in matching.values_list("end_date", flat=True) if day is not None)
    days = []
    if end_dates:
        first, last = end_dates[0], end_dates[-1]
        days = [first + datetime.timedelta(days=offset) for offset in range((last - first).days + 1)]
    seen, by_day = set(), []
    for _round in range(50):
        rng.shuffle(days)
        for day in days:
            held = len(end_dates) - bisect.bisect_left(end_dates, day)
            pair = (day, rng.randint(1, page_count(held)))
            if held and pair not in seen:
                seen.add(pair)
                by_day.append(f"{list_url}?" + urlencode({**base, "date_from": day.isoformat(), "page": pair[1]}))
        if len(plain) + len(by_day) >= count or not days:
            break
    note = f"{len(plain):,} pages of the filter + {len(by_day[: max(0, count - len(plain))]):,} (day, page) pairs"
    return (plain + by_day)[:count], note


def cold_meeting_pages(rng, count, warm_path):
    slugs = list(Meeting.objects.published().values_list("slug", flat=True))
    paths = [path for path in map(detail_path, rng.sample(slugs, min(len(slugs), count + 1))) if path != warm_path]
    return paths[:count], f"{min(len(paths), count):,} of {len(slugs):,} published meetings"


def cold_calendar_months(rng, count, warm_path):
    """Every month the meetings span, in every language: the grid takes no query string."""
    dated = Meeting.objects.published().dated()
    first = dated.order_by("start_date").values_list("start_date", flat=True).first()
    last = dated.order_by("-end_date").values_list("end_date", flat=True).first()
    months = []
    if first and last:
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    paths = [
        path
        for year, month in months
        for path in in_every_language("events:calendar", year=year, month=month)
        if path != warm_path
    ]
    rng.shuffle(paths)
    note = f"{min(len(paths), count):,} pages: {len(months):,} months × {len(settings.LANGUAGES)} languages"
    return paths[:count], note + " (all there are: a run may end before --duration)"


def cold_organiser_pages(rng, count, warm_path):
    """Every organiser's page in every language: the page takes no query string, so that is all there is."""
    slugs = list(public_organisers().values_list("slug", flat=True))
    paths = [path for slug in slugs for path in in_every_language("events:organiser", slug=slug) if path != warm_path]
    rng.shuffle(paths)
    note = f"{min(len(paths), count):,} pages: {len(slugs):,} organisers × {len(settings.LANGUAGES)} languages"
    return paths[:count], note + " (all there are: a run may end before --duration)"


def cold_year_archives(rng, count, warm_path):
    """The pages of every past year's archive, in every language (the warm one, last year's first
    page in English, left out)."""
    this_year = timezone.localdate().year
    published = Meeting.objects.published()
    first = published.dated().order_by("start_date").values_list("start_date", flat=True).first()
    years = list(range(first.year, this_year)) if first else []
    paths = []
    for year in years:
        held = published.overlapping(datetime.date(year, 1, 1), datetime.date(year, 12, 31)).count()
        for number in range(1, page_count(held) + 1):
            query = f"?page={number}" if number > 1 else ""
            for path in in_every_language("events:year", year=year):
                if path + query != warm_path:
                    paths.append(path + query)
    rng.shuffle(paths)
    languages = len(settings.LANGUAGES)
    note = f"{min(len(paths), count):,} of {len(paths):,} pages of {len(years)} past years × {languages} languages"
    return paths[:count], note


def cold_feeds(rng, count, filters=None):
    """The default feed's meetings (from a year back, every one after), each time under a query
    the feed caches have not seen (a different date_to beyond every meeting)."""
    feed_url = reverse("events:ical")
    window_start = (timezone.localdate() - FEED_WINDOW).isoformat()
    paths = [
        f"{feed_url}?" + urlencode({**(filters or {}), "date_from": window_start, "date_to": day})
        for day in far_dates(rng, count)
    ]
    return paths, f"{len(paths):,} date_to variants of the default window"


def cold_paths(count=20_000, seed=1):
    rng = random.Random(seed)  # noqa: S311  (a reproducible order, not a secret)
    known = urls()
    topic, country = chosen_filter()
    targets = {
        "list": cold_list(rng, count),
        "filtered list": cold_filtered_list(rng, count),
        "meeting page": cold_meeting_pages(rng, count, known["meeting"]),
        "calendar month": cold_calendar_months(rng, count, known["calendar month"]),
        "organiser page": cold_organiser_pages(rng, count, known["organiser page"]),
        "year archive": cold_year_archives(rng, count, known["year archive"]),
        "feed": cold_feeds(rng, count),
        "filtered feed": cold_feeds(rng, count, {"topic": topic, "country": country}),
    }
    return {name: {"paths": paths, "note": note} for name, (paths, note) in targets.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("counts")
    commands.add_parser("vacuum")
    commands.add_parser("new-versions")
    commands.add_parser("disk")
    urls_parser = commands.add_parser("urls")
    urls_parser.add_argument("--meetings", type=int, default=3, help="how many meeting URLs, by slug")
    cold_parser = commands.add_parser("cold-paths")
    cold_parser.add_argument("--count", type=int, default=20_000, help="at most this many paths per target")
    cold_parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    if arguments.command == "counts":
        answer = counts()
    elif arguments.command == "vacuum":
        answer = vacuum()
    elif arguments.command == "new-versions":
        answer = new_versions()
    elif arguments.command == "disk":
        answer = disk()
    elif arguments.command == "urls":
        answer = urls(arguments.meetings)
    else:
        answer = cold_paths(arguments.count, arguments.seed)
    json.dump(answer, sys.stdout)
    print()


if __name__ == "__main__":
    main()
