#!/usr/bin/env python3
"""Load test: gunicorn with production settings on PostgreSQL, 10,000 meetings, wrk on loopback.

    .venv/bin/python perf/loadtest.py [--meetings 10000] [--seconds 10] [--port 8114]

Uses (and creates if missing) the database `meetings_load` on the local PostgreSQL server
(LOAD_DATABASE_URL to change), tops it up to --meetings meetings with `manage.py
generate_meetings`, collects static files, starts gunicorn (perf/harness.py: the project's
gunicorn.conf.py) on 127.0.0.1, and runs wrk against the meeting list, one meeting page and
the calendar feed at 50 and 200 connections, each run bounded to --seconds. Prints
requests/s, p50, p99 and errors (connect/read/write/timeout errors and HTTP statuses >= 400)
per run. Redis DB 4 is used as the cache (REDIS_URL to change).
"""

import argparse
import os
import sys

import harness

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/meetings_load"
CONNECTION_COUNTS = (50, 200)


def prepare(environment, meetings):
    harness.manage(environment, "migrate", "--noinput")
    harness.manage(environment, "loadseed")
    missing = meetings - harness.site_data(environment, "counts")["meetings"]
    if missing > 0:
        print(f"Generating {missing} meetings…", flush=True)
        harness.manage(environment, "generate_meetings", "--count", str(missing), "--seed", "1")
    harness.manage(environment, "collectstatic", "--noinput")


def pick_urls(base_url, environment):
    """The list page, the newest meeting's page and the feed."""
    urls = harness.site_data(environment, "urls")
    paths = {"meeting list": urls["list"], "meeting page": urls["latest meeting"], "calendar feed": urls["feed"]}
    return {name: base_url + path for name, path in paths.items()}


def main():
    harness.stop_on_sigterm()
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
    environment = harness.production_environment(
        database_url, redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/4")
    )

    wrk_path = harness.ensure_wrk()
    harness.ensure_postgres_database(database_url, recreate=arguments.recreate)
    prepare(environment, arguments.meetings)
    rows = []
    with harness.Gunicorn(environment, arguments.port, workers=arguments.workers) as gunicorn:
        urls = pick_urls(gunicorn.base_url, environment)
        for name, url in urls.items():
            single = harness.sequential_latency_ms(url)  # also warms caches and connections
            print(f"  {name}: {single:.0f} ms for one request alone", flush=True)
            for connections in CONNECTION_COUNTS:
                figures = harness.wrk(
                    url, connections=connections, seconds=arguments.seconds, headers=headers, wrk_path=wrk_path
                )
                rows.append((name, url.removeprefix(gunicorn.base_url), connections, single, figures))
                print(f"  {name} c={connections}: {figures.requests_per_second:.0f} req/s", flush=True)
                if not gunicorn.wait_until_idle():
                    print("  (gunicorn still busy with the previous run's queue after 240 s)", flush=True)

    encoding = "uncompressed" if arguments.identity else "Accept-Encoding: gzip"
    print(
        f"\n{arguments.meetings} meetings, PostgreSQL, gunicorn production settings, "
        f"wrk {arguments.seconds}s runs, {encoding}\n"
    )
    print("| page | path | one request alone, ms | connections | req/s | p50 ms | p99 ms | errors | timeouts |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    failed = False
    for name, path, connections, single, figures in rows:
        print(
            f"| {name} | `{path}` | {single:.0f} | {connections} | {figures.requests_per_second:.0f} | "
            f"{figures.p50_ms:.1f} | {figures.p99_ms:.1f} | {figures.errors} | {figures.timeouts} |"
        )
        failed = failed or figures.errors > 0 or figures.requests == 0 or figures.p99_ms >= 1000
    print("\nTarget (issue 7): 0 errors and p99 under 1 s:", "FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
