#!/usr/bin/env python3
"""Fault test: the site under load through five faults; never a wrong answer, recovery without a restart.

    .venv/bin/python perf/faulttest.py [--port 8115] [--pg-port 5439] [--redis-port 6391] [--only NAME]

Never touches the machine's shared PostgreSQL or Redis: it creates its own throwaway PostgreSQL
cluster (initdb into a temporary directory, run as the postgres user, on --pg-port) and its own
redis-server (no persistence, on --redis-port), loads the seed meetings and 1,200 generated ones
(so the default feed holds its full 1,000 events), and starts gunicorn as production does
(perf/harness.py) with Redis as its cache. Client threads request pages, a search that always
misses the cache, the large feed and /readyz continuously through each fault in turn:

  postgres-stopped          pg_ctl stop -m fast (connections cut), started again after a while
  redis-stopped             redis-server terminated, started again (empty)
  redis-hung                redis-server SIGSTOPped: it accepts connections, never answers; SIGCONT
  postgres-killed-mid-feed  every VEVENT made stale, then PostgreSQL killed (-m immediate) while
                            the feeds are being rebuilt
  worker-killed             a gunicorn worker SIGKILLed while it serves a request

For each it prints the statuses seen before, during and after the fault, the time to recover
(every URL 200 and /readyz "ok" again), and the wrong answers: a 500 (any status but 200 and
503), a truncated feed (no END:VCALENDAR, or fewer events than before the fault), an empty
200 feed, /readyz saying 503 for a cache fault, or a stale page after recovery (a meeting renamed
during the fault not shown by every worker within VERSION_CACHE_SECONDS + 2 s). A request cut off
without any answer (a worker killed under it) is counted, not wrong: behind nginx it is a 503.
Exit 1 on any wrong answer, or when a fault produced no sign of itself, or the site did not recover.
"""

import argparse
import collections
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import harness

PHASES = ("before", "fault", "after")
SCENARIOS = ("postgres-stopped", "redis-stopped", "redis-hung", "postgres-killed-mid-feed", "worker-killed")
GENERATED_MEETINGS = 1200
# How long an edit may take to show once the fault is over: the version copy's lifetime, and a margin.
STALE_AFTER_SECONDS = 2 + 2
# What an editor would wait for a save before giving up (Django's shell start-up included).
SAVE_LIMIT_SECONDS = 20
NO_ANSWER = "no answer"
TRUNCATED = "200 truncated feed"
EMPTY = "200 empty feed"


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


class ThrowawayRedis:
    """A redis-server of this run only: no persistence, on its own port."""

    def __init__(self, port):
        self.port = port
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while not self.answers():
            if time.monotonic() > deadline:
                sys.exit(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as connection:
                connection.sendall(b"PING\r\n")
                return connection.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.resume()
            self.process.terminate()
            self.process.wait(timeout=10)

    def hang(self):
        # Stopped, the kernel still accepts its connections: a Redis that never answers.
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)


def classify(url, status, body, expected_events):
    """What the client got, as one of: an HTTP status, NO_ANSWER, TRUNCATED or EMPTY."""
    if status is None:
        return NO_ANSWER
    if status == 200 and url.endswith("/readyz"):
        state = json.loads(body)["status"]
        return 200 if state == "ok" else f"200 {state}"
    if status == 200 and ".ics" in url:
        events = body.count(b"BEGIN:VEVENT")
        if events == 0:
            return EMPTY
        if not body.rstrip().endswith(b"END:VCALENDAR") or events < expected_events.get(url, 0):
            return TRUNCATED
        expected_events.setdefault(url, events)
    return status


def fetch(url, timeout=20):
    """(status, body); status None when no answer came (refused, reset, timed out)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310  (loopback http URL built here)
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (urllib.error.URLError, OSError, ValueError):
        return None, b""


class LoadGenerator:
    """Client threads requesting the URLs round-robin; what they got is counted per phase and path."""

    def __init__(self, base_url, paths, threads, expected_events):
        self.base_url = base_url
        self.paths = paths
        self.expected_events = expected_events
        self.threads = [threading.Thread(target=self.run, args=(n,), daemon=True) for n in range(threads)]
        self.phase = PHASES[0]
        self.counts = {phase: collections.Counter() for phase in PHASES}
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.fault_ended = None
        # Per path, when it first answered 200 ("ok" for /readyz) after the fault ended.
        self.first_ok = {}

    def run(self, offset):
        n = offset
        while not self.stopping.is_set():
            template = self.paths[n % len(self.paths)]
            path = template.replace("{n}", str(n))
            n += len(self.threads)
            url = self.base_url + path
            status, body = fetch(url)
            outcome = classify(url, status, body, self.expected_events)
            with self.lock:
                self.counts[self.phase][(template.split("?")[0], outcome)] += 1
                if outcome == 200 and self.fault_ended is not None:
                    self.first_ok.setdefault(template, time.monotonic())

    def recovered_after(self):
        """Seconds from the fault's end until every path had answered 200 (/readyz "ok"), or None."""
        if set(self.first_ok) != set(self.paths):
            return None
        return max(self.first_ok.values()) - self.fault_ended

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc_info):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

    def outcomes(self, phase):
        totals = collections.Counter()
        for (_, outcome), count in self.counts[phase].items():
            totals[outcome] += count
        return totals


class Site:
    """The throwaway databases, the environment and gunicorn of one run."""

    def __init__(self, arguments):
        self.arguments = arguments
        self.postgres = ThrowawayPostgres(arguments.pg_port)
        self.redis = ThrowawayRedis(arguments.redis_port)
        database_url = f"postgres://postgres@127.0.0.1:{arguments.pg_port}/meetings_fault"
        self.environment = harness.production_environment(
            database_url, redis_url=f"redis://127.0.0.1:{arguments.redis_port}/0", DB_CONNECT_TIMEOUT="2"
        )
        self.gunicorn = None
        self.shell_log = open(Path(tempfile.gettempdir()) / f"faulttest-shell-{arguments.port}.log", "w")  # noqa: SIM115

    def prepare(self):
        self.postgres.init()
        self.postgres.start()
        self.redis.start()
        psql = ["psql", "-h", "127.0.0.1", "-p", str(self.arguments.pg_port), "-U", "postgres"]
        subprocess.run([*psql, "-qc", "CREATE DATABASE meetings_fault"], check=True)
        harness.manage(self.environment, "migrate", "--noinput")
        harness.manage(self.environment, "loadseed")
        harness.manage(self.environment, "generate_meetings", "--count", str(GENERATED_MEETINGS), "--seed", "1")
        harness.manage(self.environment, "collectstatic", "--noinput")

    def shell(self, code, limit=60):
        """Python run by manage.py shell in the site's environment (an editor's change, a new version).

        True when it succeeded within `limit` seconds; a process still running then is stopped.
        """
        process = subprocess.Popen(
            [harness.PYTHON, "manage.py", "shell", "-c", code],
            cwd=harness.ROOT,
            env=self.environment,
            stdout=self.shell_log,
            stderr=subprocess.STDOUT,
        )
        try:
            return process.wait(timeout=limit) == 0
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
            return False

    def rename(self, slug, title, limit=60):
        """An editor's save of a meeting's title; True when it was saved within `limit` seconds."""
        return self.shell(
            f"from events.models import Meeting\nm = Meeting.objects.get(slug={slug!r})\nm.title = {title!r}\nm.save()",
            limit=limit,
        )

    def stale_vevents(self):
        # As when shared data (a venue) changes: every VEVENT is built again on the next feed.
        self.shell("from events.cache import version\nversion.publish({version.DATA, version.PIECES})")

    def workers(self):
        pid = self.gunicorn.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(child) for child in children.read_text().split()] if children.exists() else []

    def remove(self):
        self.redis.stop()
        self.postgres.remove()


def shows_everywhere(base_url, path, title, workers):
    """Whether the page shows the title on every request for a while (each worker answers some)."""
    deadline = time.monotonic() + STALE_AFTER_SECONDS
    while time.monotonic() < deadline:
        if all(title in fetch(base_url + path)[1].decode(errors="replace") for _ in range(workers * 3)):
            return True
        time.sleep(0.2)
    return False


class Fault:
    """One scenario: how the fault starts and ends, and what must be seen during it."""

    def __init__(self, name, start, end, *, readyz_during, edit_during=True, fault_seconds=None):
        self.name = name
        self.start = start
        self.end = end
        self.readyz_during = readyz_during  # what /readyz must answer during the fault (200: "ok")
        self.edit_during = edit_during
        self.fault_seconds = fault_seconds


def faults(site):
    postgres, redis = site.postgres, site.redis

    def kill_mid_feed():
        site.stale_vevents()
        time.sleep(0.5)  # the feeds requested meanwhile are building their VEVENTs
        postgres.stop(mode="immediate")

    def kill_a_worker():
        site.stale_vevents()
        time.sleep(0.5)
        os.kill(site.workers()[0], signal.SIGKILL)

    return {
        "postgres-stopped": Fault(
            "postgres-stopped", postgres.stop, postgres.start, readyz_during=503, edit_during=False
        ),
        "redis-stopped": Fault("redis-stopped", redis.stop, redis.start, readyz_during="200 degraded"),
        "redis-hung": Fault("redis-hung", redis.hang, redis.resume, readyz_during="200 degraded"),
        "postgres-killed-mid-feed": Fault(
            "postgres-killed-mid-feed", kill_mid_feed, postgres.start, readyz_during=503, edit_during=False
        ),
        "worker-killed": Fault("worker-killed", kill_a_worker, lambda: None, readyz_during=200, fault_seconds=2),
    }


def run_fault(site, fault, paths, meeting_path, arguments, expected_events):
    base_url = site.gunicorn.base_url
    title = f"Renamed during {fault.name} {int(time.time())}"
    slug = meeting_path.strip("/").split("/")[-1]
    with LoadGenerator(base_url, [*paths, "/readyz"], arguments.threads, expected_events) as load:
        time.sleep(arguments.seconds)
        load.phase = "fault"
        fault.start()
        fault_ends = time.monotonic() + (fault.fault_seconds or arguments.seconds)
        # An editor's save during a cache fault must go through (the database has the version).
        edited = fault.edit_during and site.rename(slug, title, limit=SAVE_LIMIT_SECONDS)
        time.sleep(max(0.0, fault_ends - time.monotonic()))
        fault.end()
        load.fault_ended = time.monotonic()
        load.phase = "after"
        deadline = load.fault_ended + 60
        while load.recovered_after() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        if not edited:
            site.rename(slug, title)
        fresh = shows_everywhere(base_url, meeting_path, title, arguments.workers)
        time.sleep(arguments.seconds)
    recovered_after = load.recovered_after()

    readyz_seen = collections.Counter(
        {outcome: n for (path, outcome), n in load.counts["fault"].items() if path == "/readyz"}
    )
    wrong = []
    for phase in PHASES:
        for outcome, count in sorted(load.outcomes(phase).items(), key=str):
            if outcome not in (200, 503, NO_ANSWER, "200 degraded"):
                wrong.append(f"{count} × {outcome} {phase}")
    if fault.readyz_during not in readyz_seen:
        wrong.append(f"/readyz never answered {fault.readyz_during!r} during the fault (saw {dict(readyz_seen)})")
    if fault.readyz_during != 503 and readyz_seen[503]:
        wrong.append(f"/readyz answered 503 {readyz_seen[503]} times for a fault the site serves through")
    if fault.edit_during and not edited:
        wrong.append(f"an editor's save during the fault did not finish within {SAVE_LIMIT_SECONDS} s")
    if recovered_after is None:
        wrong.append("did not recover within 60 s")
    if not fresh:
        wrong.append(f"stale page after recovery: {meeting_path} did not show the edit within {STALE_AFTER_SECONDS} s")
    if not site.gunicorn.running:
        wrong.append("gunicorn's master died")
    return load, readyz_seen, recovered_after, wrong


def report(name, load, readyz_seen, recovered_after, wrong):
    print(f"\n== {name}")
    for phase in PHASES:
        counts = load.outcomes(phase)
        print(f"  {phase:<7} " + ", ".join(f"{outcome}: {n}" for outcome, n in sorted(counts.items(), key=str)))
    fault_by_path = collections.defaultdict(collections.Counter)
    for (path, outcome), count in load.counts["fault"].items():
        fault_by_path[path][outcome] += count
    for path, counts in sorted(fault_by_path.items()):
        print(f"    during, {path}: " + ", ".join(f"{o} × {n}" for o, n in sorted(counts.items(), key=str)))
    print(f"  /readyz during the fault: {dict(readyz_seen)}")
    recovery = f"{recovered_after:.1f} s" if recovered_after is not None else "no recovery"
    print(f'  recovered (every URL answered 200, /readyz "ok") {recovery} after the fault ended')
    print("  wrong answers: " + ("; ".join(wrong) if wrong else "none"))


def main():
    harness.stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8115)
    parser.add_argument("--pg-port", type=int, default=5439)
    parser.add_argument("--redis-port", type=int, default=6391)
    parser.add_argument("--seconds", type=int, default=4, help="length of the normal, fault and after phases")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--only", choices=SCENARIOS, action="append", help="run only these faults")
    arguments = parser.parse_args()
    if arguments.pg_port == 5432 or arguments.redis_port == 6379:
        sys.exit("Refusing ports 5432 and 6379: those are the machine's shared PostgreSQL and Redis.")

    site = Site(arguments)
    failed = []
    try:
        site.prepare()
        log_path = Path(tempfile.gettempdir()) / f"faulttest-gunicorn-{arguments.port}.log"
        with harness.Gunicorn(
            site.environment, arguments.port, log_path=log_path, workers=arguments.workers
        ) as gunicorn:
            site.gunicorn = gunicorn
            meetings = harness.site_data(site.environment, "urls", "--meetings", 2)["meetings by slug"]
            # The home page, the large feed (1,000 events), a search no cache holds, two meetings.
            paths = ["/", "/calendar.ics", "/meetings/?q=fault{n}", *meetings]
            expected_events = {}
            # Warm: the first feeds build 1,000 VEVENTs; "before" should measure a site in its normal state.
            for path in paths:
                fetch(gunicorn.base_url + path.replace("{n}", "warm"), timeout=120)
            for name, fault in faults(site).items():
                if arguments.only and name not in arguments.only:
                    continue
                load, readyz_seen, recovered_after, wrong = run_fault(
                    site, fault, paths, meetings[0], arguments, expected_events
                )
                report(name, load, readyz_seen, recovered_after, wrong)
                if wrong:
                    failed.append(name)
    finally:
        site.remove()
    print("\nFAIL: " + ", ".join(failed) if failed else "\nPASS: no wrong answer in any fault")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
