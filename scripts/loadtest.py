#!/usr/bin/env python3
"""Load test: gunicorn with production settings on PostgreSQL, 10,000 meetings, wrk on loopback.

    python scripts/loadtest.py [--meetings 10000] [--seconds 10] [--port 8114]

Uses (and creates if missing) the database `meetings_load` on the local PostgreSQL server
(LOAD_DATABASE_URL to change), tops it up to --meetings meetings, collects static files,
starts gunicorn (meetings_site/gunicorn.conf.py) on 127.0.0.1, and runs wrk against the
meeting list, one meeting page and the calendar feed at 50 and 200 connections, each run
bounded to --seconds. Prints requests/s, p50, p99 and errors (connect/read/write/timeout
errors and HTTP statuses >= 400) per run. Redis DB 4 is used as the cache (REDIS_URL to change).
"""

import argparse
import os
import sys
import tempfile
from pathlib import Path

import _server
import psycopg2

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/meetings_load"
CONNECTION_COUNTS = (50, 200)


def ensure_database(database_url, recreate=False):
    import dj_database_url

    config = dj_database_url.parse(database_url)
    server = psycopg2.connect(dbname="postgres", user=config["USER"], host=config["HOST"], port=config["PORT"])
    server.autocommit = True
    with server.cursor() as cursor:
        if recreate:
            cursor.execute(f'DROP DATABASE IF EXISTS "{config["NAME"]}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    server.close()


def meeting_count(environment):
    import subprocess

    output = subprocess.run(
        [
            str(_server.VENV_BIN / "python"),
            "-c",
            "import django; django.setup(); from events.models import Meeting; print(Meeting.objects.count())",
        ],
        cwd=_server.PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    return int(output.stdout.strip())


def prepare(environment, meetings):
    _server.manage(environment, "migrate", "--noinput")
    _server.manage(environment, "loadseed")
    missing = meetings - meeting_count(environment)
    if missing > 0:
        print(f"Generating {missing} meetings…", flush=True)
        if (_server.PROJECT_DIR / "events" / "management" / "commands" / "generate_meetings.py").exists():
            _server.manage(environment, "generate_meetings", "--count", str(missing), "--seed", "1")
        else:
            bulk_create_meetings(environment, missing)
    _server.manage(environment, "collectstatic", "--noinput")


# Used only where `manage.py generate_meetings` (the performance work) is not available.
BULK_CREATE_MEETINGS = """
import datetime, sys, django
django.setup()
from events.models import Meeting, Publication, Venue
venues = list(Venue.objects.all())
start = Meeting.objects.count()
Meeting.objects.bulk_create(
    [Meeting(title=f"Synthetic meeting {n}", slug=f"synthetic-meeting-{n}", summary="Generated for load tests.",
             start_date=datetime.date(2015, 1, 1) + datetime.timedelta(days=n % 5000),
             end_date=datetime.date(2015, 1, 1) + datetime.timedelta(days=n % 5000 + n % 3),
             venue=venues[n % len(venues)], publication=Publication.PUBLISHED)
     for n in range(start, start + int(sys.argv[1]))],
    batch_size=1000,
)
"""


def bulk_create_meetings(environment, count):
    import subprocess

    subprocess.run(
        [str(_server.VENV_BIN / "python"), "-c", BULK_CREATE_MEETINGS, str(count)],
        cwd=_server.PROJECT_DIR,
        env=environment,
        check=True,
    )


def pick_urls(base_url, environment):
    """The list page, a meeting page and the feed, as they exist in this version of the site."""
    script = (
        "import django; django.setup(); from django.urls import reverse, NoReverseMatch; "
        "from events.models import Meeting; "
        "m = Meeting.objects.published().order_by('-start_date').first(); print(m.get_absolute_url()); "
        "names = ['events:list', 'events:home']; feeds = ['events:feed_all', 'events:ical', 'ical:all', 'ical:feed']\n"
        "def first(names):\n"
        "    for name in names:\n"
        "        try: return reverse(name)\n"
        "        except NoReverseMatch: pass\n"
        "    return ''\n"
        "print(first(names)); print(first(feeds))"
    )
    output = _server.django_output(environment, script).split("\n")
    detail, listing, feed = output[0], output[1], output[2] or os.environ.get("LOADTEST_FEED_PATH", "")
    urls = {"meeting list": listing, "meeting page": detail}
    if feed:
        urls["calendar feed"] = feed
    return {name: base_url + path for name, path in urls.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meetings", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run (default 10)")
    parser.add_argument("--port", type=int, default=8114)
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--recreate", action="store_true", help="drop the load database and build it again")
    parser.add_argument(
        "--identity",
        action="store_true",
        help="ask for uncompressed responses (by default wrk sends Accept-Encoding: gzip, as browsers and "
        "calendar programs do)",
    )
    arguments = parser.parse_args()
    headers = () if arguments.identity else ("Accept-Encoding: gzip",)
    database_url = os.environ.get("LOAD_DATABASE_URL", DEFAULT_DATABASE_URL)
    environment = _server.production_environment(
        database_url, REDIS_URL=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/4")
    )

    ensure_database(database_url, recreate=arguments.recreate)
    prepare(environment, arguments.meetings)
    log_path = Path(tempfile.gettempdir()) / f"loadtest-gunicorn-{arguments.port}.log"
    rows = []
    with _server.Gunicorn(environment, arguments.port, log_path, workers=arguments.workers) as gunicorn:
        urls = pick_urls(gunicorn.base_url, environment)
        for name, url in urls.items():
            single = _server.sequential_latency_ms(url)  # also warms caches and connections
            print(f"  {name}: {single:.0f} ms for one request alone", flush=True)
            for connections in CONNECTION_COUNTS:
                figures = _server.wrk(url, connections=connections, seconds=arguments.seconds, headers=headers)
                figures["single_ms"] = single
                rows.append((name, url.removeprefix(gunicorn.base_url), connections, figures))
                print(f"  {name} c={connections}: {figures['rps']:.0f} req/s", flush=True)
                if not _server.wait_until_idle(gunicorn.base_url):
                    print("  (gunicorn still busy with the previous run's queue after 240 s)", flush=True)

    encoding = "uncompressed" if arguments.identity else "Accept-Encoding: gzip"
    print(
        f"\n{arguments.meetings} meetings, PostgreSQL, gunicorn production settings, "
        f"wrk {arguments.seconds}s runs, {encoding}\n"
    )
    print("| page | path | one request alone, ms | connections | req/s | p50 ms | p99 ms | errors | timeouts |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    failed = False
    for name, path, connections, figures in rows:
        print(
            f"| {name} | `{path}` | {figures['single_ms']:.0f} | {connections} | {figures['rps']:.0f} | "
            f"{figures['p50_us'] / 1000:.1f} | "
            f"{figures['p99_us'] / 1000:.1f} | {figures['errors']} | {figures['timeout']} |"
        )
        failed = failed or figures["errors"] > 0 or figures["requests"] == 0 or figures["p99_us"] >= 1_000_000
    print("\nTarget (issue 7): 0 errors and p99 under 1 s:", "FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
