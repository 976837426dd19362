#!/usr/bin/env python
"""`make bench`: the site under load, side by side with a hello-world baseline, on PostgreSQL.

For each data size (10,000 and 100,000 generated meetings) and each cache (local
memory, then Redis) it starts gunicorn with production settings (DEBUG off, 5 sync
workers, loopback only) and runs wrk at 16 connections against every public URL:
warm (the same URL again and again, so the page cache answers) and cold (a
different query string on every request, so nothing comes from the page cache).
It prints requests per second, p50, p99 and the ratio to /healthz measured in the
same configuration, with PASS/FAIL against the targets of issue 6, then runs
scripts/bench_feeds.py (in-process feed building) when it exists.

Everything is bounded: each wrk run lasts --duration seconds (5 by default), the
whole run about 10 minutes on a 2-core machine. Only 127.0.0.1 is contacted.

    .venv/bin/python scripts/bench.py [--sizes 10000,100000] [--duration 5]

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/meetings_bench; one
database per size is used, named with the size appended, e.g. meetings_bench_100000, created and
filled on the first run and reused afterwards), BENCH_REDIS_URL (default redis://127.0.0.1:6379/5),
BENCH_PORT (8105).
"""

import argparse
import datetime
import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
COLD_SCRIPT = ROOT / "scripts" / "bench_cold.lua"
FEEDS_BENCH = ROOT / "scripts" / "bench_feeds.py"
sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/meetings_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
SECRET_KEY = "bench-only-secret-key-" + "x" * 40  # never used outside this loopback benchmark
CONNECTIONS = 16
WRK_THREADS = 2

# Targets of issue 6, as ratios of req/s to the /healthz baseline of the same configuration.
WARM_TARGET = {"local memory": 0.8, "Redis": 0.7}
COLD_TARGETS = {"list": 0.1, "filtered list": 0.1, "meeting page": 0.25}
NOT_MODIFIED_TARGET = 0.8
P99_OVER_P50_LIMIT = 2.5


@dataclass
class Target:
    """One URL to measure."""

    name: str
    path: str
    headers: dict = field(default_factory=dict)
    cold: bool = True  # also measure with a different query string per request
    is_page: bool = True  # pages and feeds must reach the warm target


@dataclass
class Result:
    requests_per_second: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    note: str = ""


# --- Setting up -------------------------------------------------------------------------


def log(message):
    print(f"[bench {datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", flush=True)


def ensure_wrk():
    wrk = shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists() else None)
    if wrk:
        return wrk
    log("wrk is missing: installing Debian's package (apt-get install wrk)")
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    apt_env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=apt_env)
    return shutil.which("wrk") or "/usr/bin/wrk"


def ensure_database(database_url):
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(database_url)
    connection = psycopg2.connect(
        dbname="postgres", user=config["USER"], password=config["PASSWORD"], host=config["HOST"], port=config["PORT"]
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            log(f"creating database {config['NAME']}")
            cursor.execute(f'CREATE DATABASE "{config["NAME"]}"')
    connection.close()


def manage(env, *args):
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], cwd=ROOT, env=env, check=True)


def server_env(database_url, redis_url=None):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS_ONLY": "0",  # plain HTTP on loopback: no redirect to HTTPS, no Secure-only cookies
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
    }
    env.pop("REDIS_URL", None)
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def database_for_size(database_url, size):
    """One database per data size (NAME_10000, NAME_100000): generated once, reused by later runs."""
    base, _, name = database_url.rpartition("/")
    return f"{base}/{name}_{size}"


def use_database(env):
    """Point this process's Django at env's database (set up Django on first use)."""
    import dj_database_url
    import django

    if "DJANGO_SETTINGS_MODULE" not in os.environ:
        os.environ.update({key: env[key] for key in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL")})
        os.environ["DJANGO_SETTINGS_MODULE"] = "meetings_site.settings"
        django.setup()
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict["NAME"] = dj_database_url.parse(env["DATABASE_URL"])["NAME"]


def prepare_data(env, size):
    """Make the database hold exactly `size` synthetic meetings (appending when it holds fewer)."""
    use_database(env)
    from django.db import connection

    from events.models import Meeting

    present = Meeting.objects.filter(is_synthetic=True).count()
    if present > size:
        log(f"deleting {present} synthetic meetings")
        manage(env, "generate_meetings", "--delete")
        present = 0
    if present < size:
        log(f"generating {size - present} synthetic meetings (to {size})")
        started = time.monotonic()
        manage(env, "generate_meetings", "--count", str(size - present), "--seed", "1")
        log(f"generated in {time.monotonic() - started:.0f} s")
        # Planner statistics and the visibility map, as autovacuum would leave them on a live site:
        # without it PostgreSQL cannot use index-only scans on freshly inserted rows.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def choose_urls():
    """The URLs of the issue's table, filled in from the data (a real meeting, topic, month)."""
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from events.models import Meeting, Topic

    def url(name, default, **kwargs):
        try:
            return reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            return default

    today = timezone.localdate()
    published = Meeting.objects.published().dated().order_by("start_date", "pk")
    middle = published.values_list("slug", flat=True)[published.count() // 2]
    topic = Topic.objects.filter(slug="border-security").first() or Topic.objects.order_by("pk").first()
    filters = f"?topic={topic.slug}&country=AL"
    list_url = url("events:list", "/meetings/")
    feed_url = url("events:ical", "/calendar.ics")
    calendar_url = url(
        "events:calendar", f"/calendar/{today.year}/{today.month:02d}/", year=today.year, month=today.month
    )
    return [
        Target("baseline /healthz", "/healthz", is_page=False),
        Target("home /", "/"),
        Target("list", list_url),
        Target("filtered list", list_url + filters),
        Target("meeting page", url("events:detail", f"/meetings/{middle}/", slug=middle)),
        Target("calendar month", calendar_url),
        Target("feed", feed_url),
        Target("filtered feed", feed_url + filters),
        Target("feed 304", feed_url, cold=False),
    ]


# --- Running the server and the load ---------------------------------------------------


class Gunicorn:
    def __init__(self, env, port):
        self.env = env
        self.port = port
        self.process = None

    def __enter__(self):
        command = [
            str(VENV_BIN / "gunicorn"),
            "meetings_site.wsgi",
            "--workers=5",
            "--worker-class=sync",
            f"--bind=127.0.0.1:{self.port}",
            "--timeout=30",
            "--graceful-timeout=5",
            "--log-level=warning",
        ]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if fetch(self.base + "/healthz")[0] == 200:
                return self
            time.sleep(0.3)
        raise RuntimeError("gunicorn did not answer /healthz within 30 s")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def settle(self):
        """Wait until no worker is still busy with requests queued by the last run (at most 40 s)."""
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            started = time.monotonic()
            if fetch(self.base + "/healthz", timeout=5)[0] == 200 and time.monotonic() - started < 0.2:
                return
            time.sleep(0.5)


def fetch(url, headers=None, timeout=60):
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 (loopback URL built here)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)
    except (urllib.error.URLError, OSError, http.client.HTTPException):
        return None, {}  # refused, timed out, or cut off (a worker killed by gunicorn's timeout)


UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(output):
    result = Result()
    if match := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result.requests_per_second = float(match.group(1))
    for percentile, attribute in (("50", "p50_ms"), ("99", "p99_ms")):
        if match := re.search(rf"^\s+{percentile}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.MULTILINE):
            setattr(result, attribute, float(match.group(1)) * UNITS_MS[match.group(2)])
    if match := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        result.errors += int(match.group(1))
    if match := re.search(r"Socket errors:.*timeout (\d+)", output):
        result.errors += int(match.group(1))
    return result


def run_wrk(wrk, url, headers, duration, cold=False, token=""):
    command = [wrk, f"-t{WRK_THREADS}", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    if cold:
        command += ["-s", str(COLD_SCRIPT)]
    command.append(url)
    if cold:
        command += ["--", token]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=False)
    return parse_wrk(completed.stdout)


def measure(server, wrk, targets, duration, token):
    results = {}
    for target in targets:
        url = server.base + target.path
        headers = {"Accept-Encoding": "gzip", **target.headers}
        status, response_headers = fetch(url, headers)
        if status == 404:
            results[target.name] = (Result(note="missing"), Result(note="missing"))
            log(f"{target.name}: {target.path} is missing (404)")
            continue
        if status != 200:
            note = f"HTTP {status}" if status else "no answer (timeout)"
            results[target.name] = (Result(note=note), Result(note=note))
            log(f"{target.name}: {target.path} answered {status}")
            continue
        if target.name == "feed 304":
            etag = response_headers.get("ETag")
            if not etag:
                results[target.name] = (Result(note="no ETag"), Result(note="n/a"))
                continue
            headers["If-None-Match"] = etag
            if fetch(url, headers)[0] != 304:
                results[target.name] = (Result(note="no 304"), Result(note="n/a"))
                continue
        run_wrk(wrk, url, headers, 1)  # warm-up: every worker has the page in its cache
        server.settle()
        warm = run_wrk(wrk, url, headers, duration)
        server.settle()
        cold = Result(note="n/a")
        if target.cold:
            cold = run_wrk(wrk, url, headers, duration, cold=True, token=f"{token}-{len(results)}")
            server.settle()
        results[target.name] = (warm, cold)
        log(
            f"{target.name}: warm {warm.requests_per_second:.0f} req/s p50 {warm.p50_ms:.1f} ms, "
            f"cold {cold.requests_per_second:.0f} req/s p50 {cold.p50_ms:.1f} ms"
        )
    return results


# --- Reporting ----------------------------------------------------------------------------


def verdict(ratio, target):
    if target is None:
        return "—"
    return "PASS" if ratio >= target else "FAIL"


def format_result(result, baseline, target):
    if result.note:
        return [result.note, "", "", "", ""]
    ratio = result.requests_per_second / baseline if baseline else 0.0
    errors = f" ({result.errors} err)" if result.errors else ""
    return [
        f"{result.requests_per_second:,.0f}{errors}",
        f"{result.p50_ms:.1f}",
        f"{result.p99_ms:.1f}",
        f"{ratio:.2f}×" + (f" / {target}×" if target is not None else ""),
        verdict(ratio, target),
    ]


def p99_check(*results):
    measured = [r for r in results if not r.note and r.p50_ms]
    if not measured:
        return "—"
    worst = max(r.p99_ms / r.p50_ms for r in measured)
    return f"{worst:.1f} {'PASS' if worst <= P99_OVER_P50_LIMIT else 'FAIL'}"


def table(size, cache_name, results):
    baseline = results["baseline /healthz"][0].requests_per_second
    lines = [
        f"### {size:,} meetings, {cache_name} cache (baseline /healthz {baseline:,.0f} req/s)",
        "",
        "| URL | warm req/s | p50 ms | p99 ms | ratio / target | | cold req/s | p50 ms | p99 ms | ratio / target | "
        "| p99/p50 ≤ 2.5 |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---|",
    ]
    for name, (warm, cold) in results.items():
        if name == "baseline /healthz":
            warm_target = None
        elif name == "feed 304":
            warm_target = NOT_MODIFIED_TARGET
        else:
            warm_target = WARM_TARGET[cache_name]
        cold_target = COLD_TARGETS.get(name)
        is_page = name != "baseline /healthz"
        row = [name, *format_result(warm, baseline, warm_target), *format_result(cold, baseline, cold_target)]
        row.append(p99_check(warm, cold) if is_page else "—")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def stop_on_sigterm(signum, frame):
    # SIGTERM (timeout, kill) unwinds like Ctrl-C, so the gunicorn being measured is stopped too.
    raise SystemExit(128 + signum)


def main():
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated meeting counts")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--caches", default="local memory,Redis", help="which caches to run with")
    parser.add_argument("--output", help="also write the tables (Markdown) to this file")
    parser.add_argument("--skip-feeds", action="store_true", help="do not run scripts/bench_feeds.py afterwards")
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    port = int(os.environ.get("BENCH_PORT", "8105"))
    sizes = sorted(int(size) for size in args.sizes.split(","))
    caches = [name.strip() for name in args.caches.split(",")]
    started = time.monotonic()
    load_at_start = ", ".join(f"{load:.1f}" for load in os.getloadavg())

    wrk = ensure_wrk()
    log("collecting static files")
    manage(server_env(database_url), "collectstatic", "--noinput", "--verbosity=0")

    tables = []
    token = secrets.token_hex(4)
    for size in sizes:
        size_database_url = database_for_size(database_url, size)
        ensure_database(size_database_url)
        env = server_env(size_database_url)
        manage(env, "migrate", "--noinput", "--verbosity=0")
        prepare_data(env, size)
        targets = choose_urls()
        for cache_name in caches:
            cache_env = server_env(size_database_url, redis_url if cache_name == "Redis" else None)
            log(f"{size:,} meetings, {cache_name} cache: gunicorn on 127.0.0.1:{port}")
            with Gunicorn(cache_env, port) as server:
                results = measure(server, wrk, targets, args.duration, f"{token}-{size}-{cache_name[0]}")
            tables.append(table(size, cache_name, results))
            print("\n" + tables[-1] + "\n", flush=True)

    header = (
        f"Benchmark {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC on {os.uname().nodename} "
        f"({os.cpu_count()} cores): gunicorn 5 sync workers, wrk {WRK_THREADS} threads {CONNECTIONS} connections, "
        f"{args.duration} s per run, Accept-Encoding: gzip. Load average at start {load_at_start}, "
        f"at end {', '.join(f'{load:.1f}' for load in os.getloadavg())} (other work on the machine skews figures)."
    )
    report = header + "\n\n" + "\n\n".join(tables) + "\n"
    print("\n" + report)
    if args.output:
        Path(args.output).write_text(report)
    log(f"pages done in {time.monotonic() - started:.0f} s")

    if args.skip_feeds:
        log("scripts/bench_feeds.py skipped (--skip-feeds)")
    elif FEEDS_BENCH.exists():
        log("running scripts/bench_feeds.py (in-process feed building)")
        subprocess.run([sys.executable, str(FEEDS_BENCH)], cwd=ROOT, env=env, check=False)
    else:
        log("scripts/bench_feeds.py not present: in-process feed figures skipped")
    log(f"finished in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
