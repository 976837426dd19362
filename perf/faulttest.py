#!/usr/bin/env python3
"""Fault test: the database disappears under load, the site answers 503 (never 500), then recovers.

    .venv/bin/python perf/faulttest.py [--port 8115] [--pg-port 5439]

Never touches the machine's shared PostgreSQL: it creates its own throwaway cluster
(initdb into a temporary directory, run as the postgres user, on --pg-port), loads the
seed meetings, and starts gunicorn as production does (perf/harness.py) against it. Client threads
then request public pages, the calendar feed and /readyz continuously while the script

  1. lets the site run normally,
  2. stops PostgreSQL (pg_ctl stop -m fast: open connections are cut),
  3. starts it again, without touching gunicorn,
  4. waits until pages answer 200 again.

Prints the count of each HTTP status per phase. Fails (exit 1) on any 500 or other
unexpected status (a feed answering 200 with no event counts as one), if the outage
produced no 503, or if the site did not recover.
"""

import argparse
import collections
import glob
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import harness

PHASES = ("before", "outage", "recovering", "after")


def postgres_bin(name):
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        sys.exit(f"{name} not found under /usr/lib/postgresql/*/bin")
    return candidates[-1]


class ThrowawayPostgres:
    """A private PostgreSQL cluster in a temporary directory, owned by the postgres user."""

    def __init__(self, port):
        self.port = port
        self.directory = Path(tempfile.mkdtemp(prefix="faulttest-pg-"))
        self.data = self.directory / "data"
        self.log = self.directory / "postgres.log"
        shutil.chown(self.directory, "postgres", "postgres")

    def as_postgres(self, *command):
        # initdb refuses to run as root.
        subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, stdout=subprocess.DEVNULL)

    def init(self):
        self.as_postgres(postgres_bin("initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def start(self):
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.as_postgres(
            postgres_bin("pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"
        )

    def stop(self, mode="fast"):
        self.as_postgres(postgres_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def remove(self):
        if (self.data / "postmaster.pid").exists():
            self.stop(mode="immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


def fetch_status(url):
    """The HTTP status, or "200 empty calendar" for a feed answering 200 without a single event."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  (loopback http URL built here)
            body = response.read()
            if ".ics" in url and b"BEGIN:VEVENT" not in body:
                return "200 empty calendar"
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return None


class LoadGenerator:
    """Client threads requesting the URLs round-robin; statuses are counted per phase."""

    def __init__(self, urls, threads):
        self.urls = urls
        self.threads = [threading.Thread(target=self.run, args=(n,), daemon=True) for n in range(threads)]
        self.phase = PHASES[0]
        self.counts = {phase: collections.Counter() for phase in PHASES}
        self.lock = threading.Lock()
        self.stopping = threading.Event()

    def run(self, offset):
        n = offset
        while not self.stopping.is_set():
            url = self.urls[n % len(self.urls)]
            n += 1
            status = fetch_status(url)
            with self.lock:
                self.counts[self.phase][(url.rsplit(":", 1)[1].split("/", 1)[1], status)] += 1

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=15)

    def statuses(self, phase):
        totals = collections.Counter()
        for (_, status), count in self.counts[phase].items():
            totals[status] += count
        return totals


def main():
    harness.stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8115)
    parser.add_argument("--pg-port", type=int, default=5439)
    parser.add_argument("--seconds", type=int, default=8, help="length of the normal and outage phases")
    parser.add_argument("--threads", type=int, default=8)
    arguments = parser.parse_args()
    if arguments.pg_port == 5432:
        sys.exit("Refusing to use port 5432: that is the machine's shared PostgreSQL.")

    postgres = ThrowawayPostgres(arguments.pg_port)
    database_url = f"postgres://postgres@127.0.0.1:{arguments.pg_port}/meetings_fault"
    # No Redis: each worker's local memory cache, so pages that need the database really ask it.
    environment = harness.production_environment(database_url, DB_CONNECT_TIMEOUT="2")
    try:
        postgres.init()
        postgres.start()
        subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(arguments.pg_port),
                "-U",
                "postgres",
                "-qc",
                "CREATE DATABASE meetings_fault",
            ],
            check=True,
        )
        harness.manage(environment, "migrate", "--noinput")
        harness.manage(environment, "loadseed")
        harness.manage(environment, "collectstatic", "--noinput")
        log_path = Path(tempfile.gettempdir()) / f"faulttest-gunicorn-{arguments.port}.log"
        with harness.Gunicorn(environment, arguments.port, log_path=log_path, workers=3) as gunicorn:
            # The seed meetings are from 2018-2019, before the feed's default window: ask from 2018.
            meetings = harness.site_data(environment, "urls", "--meetings", 3)["meetings by slug"]
            paths = ["/", "/readyz", "/calendar.ics?date_from=2018-01-01", *meetings]
            urls = [gunicorn.base_url + path for path in paths]
            with LoadGenerator(urls, arguments.threads) as load:
                time.sleep(arguments.seconds)
                print("Stopping PostgreSQL…", flush=True)
                load.phase = "outage"
                postgres.stop()
                time.sleep(arguments.seconds)
                print("Starting PostgreSQL again (gunicorn keeps running)…", flush=True)
                load.phase = "recovering"
                restarted = time.monotonic()
                postgres.start()
                recovered_after = wait_for_recovery(urls, deadline=restarted + 30)
                load.phase = "after"
                time.sleep(arguments.seconds)
            gunicorn_pid_unchanged = gunicorn.running
    finally:
        postgres.remove()

    return report(load, recovered_after, gunicorn_pid_unchanged)


def wait_for_recovery(urls, deadline):
    started = time.monotonic()
    while time.monotonic() < deadline:
        if all(harness.http_status(url) == 200 for url in urls):
            return time.monotonic() - started
        time.sleep(0.2)
    return None


def report(load, recovered_after, gunicorn_still_running):
    print("\nResponses by phase and HTTP status (None: no response):")
    for phase in PHASES:
        counts = load.statuses(phase)
        print(f"  {phase:<11} " + ", ".join(f"{status}: {count}" for status, count in sorted(counts.items(), key=str)))
    print("\nDuring the outage, by path (a feed may still come whole from the cache):")
    for (path, status), count in sorted(load.counts["outage"].items(), key=str):
        print(f"  /{path}: {status} × {count}")
    problems = []
    for phase in PHASES:
        unexpected = {status: n for status, n in load.statuses(phase).items() if status not in {200, 503}}
        if unexpected:
            problems.append(f"unexpected statuses during {phase}: {unexpected}")
    if load.statuses("outage")[503] == 0:
        problems.append("the outage produced no 503")
    if set(load.statuses("before")) != {200} or set(load.statuses("after")) != {200}:
        problems.append("not every response was 200 before the outage and after recovery")
    if recovered_after is None:
        problems.append("the site did not recover within 30 s of PostgreSQL starting again")
    else:
        print(f"\nRecovered {recovered_after:.1f} s after PostgreSQL started again, without restarting gunicorn.")
    if not gunicorn_still_running:
        problems.append("gunicorn died")
    for problem in problems:
        print("FAIL:", problem)
    print("PASS" if not problems else "FAIL")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
