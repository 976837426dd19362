#!/usr/bin/env python
"""`make bench-growth`: how each public page's cold cost grows from 10,000 to 1,000,000 meetings.

For each size (10,000, 100,000 and 1,000,000 generated meetings, one PostgreSQL database each:
meetings_bench_<N>, the ones `make bench` uses, generated once and reused) it starts gunicorn
as perf/bench.py does (5 sync workers, the local-memory cache or with --cache Redis the shared one,
new cache versions first) and
measures with bench.py's own functions:

- /healthz (the baseline of that size's ratios) and the feed answered 304, warm;
- cold, each request a page nothing has asked for (bench.py's cold paths): the list, the
  filtered list, a meeting page, a calendar month, an organiser page, a past year's archive and
  the filtered feed; the home page as the first request after new versions (bench.py).

It prints per URL and size req/s, p50, p99 and the ratio to /healthz, then the growth from
100,000 to 1,000,000 meetings of the cold time per request, taken as 1 / req/s at 16
connections (what a request costs the machine; p50 moves with queueing as well), with
PASS/FAIL against "at most 2× slower" (issue 15). A second table gives, per size, how long
generating the data took (recorded on the database when this script generates it) and its
size on disk (pg_database_size; pg_total_relation_size of events_meeting and pg_indexes_size).

A database holding fewer meetings than its size is filled up (generate_meetings appends, timed);
one holding more is an error (nothing is deleted). --time-generation times generate_meetings
for sizes with no recorded time on a throwaway copy (<name>_timing, dropped afterwards) and
records that on the reused database. With --json FILE it writes bench.py's records (the same
keys; mode "cold", or "warm" for /healthz and the feed 304) after each size.

    .venv/bin/python perf/growth.py [--sizes 10000,100000,1000000] [--duration 5] [--json FILE]

Environment: BENCH_DATABASE_URL and BENCH_PORT, as bench.py. Only 127.0.0.1 is contacted.
"""

import argparse
import datetime
import itertools
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import bench
import harness

CACHES = ("local memory", "Redis")  # --cache: each worker's own memory, or the shared Redis (BENCH_REDIS_URL)
GROWTH_LIMIT = 2.0  # issue 15: no page's cold time grows more than 2× from 100,000 to 1,000,000 meetings
GROWTH_FROM, GROWTH_TO = 100_000, 1_000_000
# Measured warm: the baseline of each size's ratios, and the feed poll (a 304 is never cold).
WARM_URLS = ("baseline /healthz", "feed 304")
# Measured cold, in this order; the full feed is left out: at 1,000,000 meetings one cold full
# feed takes longer than a run, and `make bench` has it.
COLD_URLS = (
    "list",
    "filtered list",
    "meeting page",
    "calendar month",
    "organiser page",
    "year archive",
    "filtered feed",
    "home /",
)
HOME_ROUNDS = 5
# generate_meetings runs in chunks of this many, each its own transaction: its slugs end in 8 random
# hex digits, and at a million meetings two with the same title may draw the same ones (the
# chunk fails whole: it is drawn again from another seed, and the record says which).
GENERATION_CHUNK = 100_000
RETRY_SEEDS = range(1001, 1011)


def log(message):
    harness.log(message, name="growth")


# --- The data: generated once, its generation time kept on the database ---------------------------


def server_connection(database_url):
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(database_url)
    connection = psycopg2.connect(
        dbname="postgres", user=config["USER"], password=config["PASSWORD"], host=config["HOST"], port=config["PORT"]
    )
    connection.autocommit = True
    return connection, config["NAME"]


def recorded_generation(database_url):
    """What record_generation() wrote on the database ({} when nothing was)."""
    connection, name = server_connection(database_url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name])
        row = cursor.fetchone()
    connection.close()
    try:
        return json.loads(row[0]) if row and row[0] else {}
    except ValueError:
        return {}


def record_generation(database_url, record):
    """Keep how the data was generated and how long it took on the database itself (COMMENT ON
    DATABASE): it lasts as long as the data, whichever run generated it."""
    connection, name = server_connection(database_url)
    with connection.cursor() as cursor:
        quoted = name.replace('"', '""')
        cursor.execute(f'COMMENT ON DATABASE "{quoted}" IS %s', [json.dumps(record, sort_keys=True)])
    connection.close()


def generate(env, count):
    """generate_meetings --seed 1 in chunks of GENERATION_CHUNK, then VACUUM ANALYZE (as
    bench.prepare_data); a chunk that fails is drawn again from the next of RETRY_SEEDS.
    Returns the record: seconds of the chunks kept, of the failed attempts, of the vacuum, and
    the seeds used after the first."""
    import subprocess

    record = {"seconds": 0.0, "failed_seconds": 0.0, "other_seeds": []}
    left = count
    while left > 0:
        chunk = min(GENERATION_CHUNK, left)
        for seed in ("1", *map(str, RETRY_SEEDS)):
            started = time.monotonic()
            try:
                harness.manage(env, "generate_meetings", "--count", str(chunk), "--seed", seed)
            except subprocess.CalledProcessError:
                record["failed_seconds"] += time.monotonic() - started
                log(f"a chunk of {chunk:,} failed with --seed {seed} (a slug drawn twice?): drawing it again")
                continue
            record["seconds"] += time.monotonic() - started
            if seed != "1":
                record["other_seeds"].append(seed)
            break
        else:
            raise SystemExit(f"generate_meetings failed for a chunk of {chunk:,} with every seed")
        left -= chunk
        log(f"{count - left:,} of {count:,} generated ({record['seconds']:.0f} s)")
    started = time.monotonic()
    harness.site_data(env, "vacuum")
    record["vacuum_seconds"] = time.monotonic() - started
    return {name: round(value, 1) if isinstance(value, float) else value for name, value in record.items()}


def prepare(database_url, size):
    """The database of `size` meetings, filled up if it holds fewer (timed and recorded), never emptied."""
    harness.ensure_postgres_database(database_url)
    env = bench.environment(database_url)
    harness.manage(env, "migrate", "--noinput", "--verbosity=0")
    present = harness.site_data(env, "counts")["synthetic"]
    if present > size:
        raise SystemExit(f"{database_url} holds {present:,} synthetic meetings, more than {size:,}: not touching it")
    if present < size:
        log(f"generating {size - present:,} synthetic meetings (to {size:,}); this is done once")
        record = {"meetings": size, **generate(env, size - present), "date": today()}
        log(f"generated in {record['seconds']:.0f} s, VACUUM ANALYZE {record['vacuum_seconds']:.0f} s")
        if present:
            record["appended_to"] = present
        record_generation(database_url, record)
    return env


def time_generation(database_url, size):
    """Time generate_meetings for `size` on a throwaway copy (the same seed: the same meetings) and
    record it on the reused database; the copy is dropped afterwards."""
    copy_url = database_url + "_timing"
    harness.ensure_postgres_database(copy_url, recreate=True)
    try:
        env = bench.environment(copy_url)
        harness.manage(env, "migrate", "--noinput", "--verbosity=0")
        log(f"timing generate_meetings --count {size:,} on a throwaway copy")
        record = {"meetings": size, **generate(env, size), "date": today()}
    finally:
        connection, name = server_connection(copy_url)
        with connection.cursor() as cursor:
            cursor.execute('DROP DATABASE IF EXISTS "{}" WITH (FORCE)'.format(name.replace('"', '""')))
        connection.close()
    record["timed_on"] = "a copy generated the same way"
    record_generation(database_url, record)
    log(f"{size:,} meetings generated in {record['seconds']:.0f} s (VACUUM ANALYZE {record['vacuum_seconds']:.0f} s)")


def today():
    return f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d}"


# --- Measuring: bench.py's functions -----------------------------------------------------------


def measure_size(env, size, directory, port, wrk_path, args):
    """name: (warm, rebuilt, cold) as bench.measure() returns them, for WARM_URLS and COLD_URLS."""
    log(f"{size:,} meetings: listing cold paths ({args.cold_paths:,} at most per URL)")
    targets = {target.name: target for target in bench.choose_targets(env, directory, args.cold_paths)}
    harness.site_data(env, "new-versions")
    log(f"{size:,} meetings: gunicorn on 127.0.0.1:{port}, {bench.WORKERS} workers, {args.cache} cache")
    with harness.Gunicorn(env, port, workers=bench.WORKERS, max_requests=0, log_level="warning") as server:
        warm = [targets[name] for name in WARM_URLS]
        cold = [targets[name] for name in COLD_URLS]
        results = bench.measure(server, wrk_path, warm[:1], args.duration, modes=("warm",))
        results |= bench.measure(server, wrk_path, cold, args.duration, env, args.home_rounds, modes=("cold",))
        results |= bench.measure(server, wrk_path, warm[1:], args.duration, modes=("warm",))
    return results


def figure(results, name):
    """The measured figure of a URL: warm for WARM_URLS, cold for the others (a Result)."""
    warm, _rebuilt, cold = results.get(name, (bench.Result(note="n/a"),) * 3)
    return warm if name in WARM_URLS else cold


def cost_growth(smaller, larger):
    """How many times longer a request takes at the larger size: the ratio of 1 / req/s (None if unmeasured)."""
    if smaller.note or larger.note or not larger.requests_per_second:
        return None
    return smaller.requests_per_second / larger.requests_per_second


def growth_table(sizes, by_size):
    """One row per URL: req/s, p50, p99 and ratio at each size, then the growth of the cold time."""
    header = ["URL"]
    for size in sizes:
        header += [f"{size:,}: req/s", "p50 ms", "p99 ms", "ratio"]
    pairs = list(itertools.pairwise(sizes))
    header += [f"{a:,}→{b:,}" for a, b in pairs]
    has_target = GROWTH_FROM in sizes and GROWTH_TO in sizes
    if has_target:
        header.append(f"≤ {GROWTH_LIMIT:g}× slower")
    lines = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(header) - 2) + "---|"]
    for name in (*WARM_URLS[:1], *COLD_URLS, *WARM_URLS[1:]):
        row = [name + (" (warm)" if name in WARM_URLS else "")]
        for size in sizes:
            results = by_size[size]
            baseline = figure(results, "baseline /healthz").requests_per_second
            row += bench.format_result(figure(results, name), baseline, None)[:4]
        for a, b in pairs:
            factor = cost_growth(figure(by_size[a], name), figure(by_size[b], name))
            row.append(f"{factor:.2f}×" if factor is not None else "—")
        if has_target:
            factor = cost_growth(figure(by_size[GROWTH_FROM], name), figure(by_size[GROWTH_TO], name))
            if name == "baseline /healthz" or factor is None:
                row.append("—")
            else:
                row.append("PASS" if factor <= GROWTH_LIMIT else "FAIL")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def megabytes(value):
    return f"{value / 2**20:,.0f} MiB" if value is not None else "—"


def data_table(sizes, facts):
    lines = [
        "| meetings | generated in | VACUUM ANALYZE | database (pg_database_size) | events_meeting with indexes "
        "(pg_total_relation_size) | of which indexes |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for size in sizes:
        record, disk = facts[size]
        if record.get("seconds") is not None:
            generated = f"{record['seconds']:,.0f} s ({record.get('date', '')}"
            generated += f", {record['timed_on']})" if record.get("timed_on") else ")"
            vacuumed = f"{record.get('vacuum_seconds', 0):,.0f} s"
        else:
            generated, vacuumed = "not recorded (--time-generation)", "—"
        lines.append(
            f"| {size:,} | {generated} | {vacuumed} | {megabytes(disk['database_bytes'])} | "
            f"{megabytes(disk['meetings_table_bytes'])} | {megabytes(disk['meetings_index_bytes'])} |"
        )
    return "\n".join(lines)


def notes(targets_by_size):
    """What each cold run asked for, per size (bench.py's notes)."""
    lines = []
    for size, results in targets_by_size.items():
        for name in COLD_URLS:
            cold = figure(results, name)
            if cold.requests:
                lines.append(
                    f"- {size:,}, {name}: {cold.requests:,} requests" + (f" ({cold.flags[-1]})" if cold.flags else "")
                )
    return "\n".join(lines)


def main():
    harness.stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated meeting counts")
    parser.add_argument(
        "--duration",
        type=int,
        default=5,
        help="seconds per wrk run (at most: a cold run ends sooner when its paths are used up)",
    )
    parser.add_argument("--cold-paths", type=int, default=20_000, help="distinct paths per cold run (at most)")
    parser.add_argument(
        "--home-rounds", type=int, default=HOME_ROUNDS, help="first requests after new versions, for the home page"
    )
    parser.add_argument(
        "--cache",
        choices=CACHES,
        default="local memory",
        help="each worker's local memory (as make bench's first configuration), or the shared Redis (BENCH_REDIS_URL)",
    )
    parser.add_argument("--json", help="also write every figure as JSON to this file (bench.json_records)")
    parser.add_argument("--output", help="also write the tables (Markdown) to this file")
    parser.add_argument(
        "--time-generation",
        action="store_true",
        help="time generate_meetings on a throwaway copy for sizes with no recorded time",
    )
    parser.add_argument(
        "--prepare-only", action="store_true", help="generate the databases that need it, measure nothing"
    )
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL", bench.DEFAULT_DATABASE_URL)
    port = int(os.environ.get("BENCH_PORT", "8105"))
    sizes = sorted(int(size) for size in args.sizes.split(","))
    started = time.monotonic()
    load_at_start = ", ".join(f"{load:.1f}" for load in os.getloadavg())
    wrk_path = harness.ensure_wrk()
    log("collecting static files")
    harness.manage(bench.environment(database_url), "collectstatic", "--noinput", "--verbosity=0")

    by_size, facts, records = {}, {}, []
    with tempfile.TemporaryDirectory(prefix="growth-paths-") as directory:
        for size in sizes:
            size_url = bench.database_for_size(database_url, size)
            env = prepare(size_url, size)
            if args.time_generation and recorded_generation(size_url).get("seconds") is None:
                time_generation(size_url, size)
            if args.prepare_only:
                continue
            if args.cache == "Redis":
                env = bench.environment(size_url, os.environ.get("BENCH_REDIS_URL", bench.DEFAULT_REDIS_URL))
            size_directory = Path(directory) / str(size)
            size_directory.mkdir()
            by_size[size] = measure_size(env, size, size_directory, port, wrk_path, args)
            facts[size] = (recorded_generation(size_url), harness.site_data(env, "disk"))
            records += bench.json_records(size, args.cache, by_size[size], {})
            if args.json:
                bench.write_json(args.json, records)  # after each size: a run cut short keeps what it measured

    if args.prepare_only:
        log(f"databases ready in {time.monotonic() - started:.0f} s")
        return
    report = "\n\n".join(
        [
            f"Growth {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC on {os.uname().nodename} "
            f"({os.cpu_count()} cores): gunicorn, {bench.WORKERS} sync workers, {args.cache} cache, wrk "
            f"{bench.WRK_THREADS} threads {bench.CONNECTIONS} connections, at most {args.duration} s per run. "
            f"Load average at start {load_at_start}, at end {', '.join(f'{load:.1f}' for load in os.getloadavg())}.",
            "Cold figures, but /healthz and the feed 304 warm; ratio = req/s ÷ /healthz of the same size "
            "(the home page's: one request at a time, as its /healthz). Growth = how many times longer a request "
            "takes at the larger size, as 1 / req/s at 16 connections; target: at most "
            f"{GROWTH_LIMIT:g}× from {GROWTH_FROM:,} to {GROWTH_TO:,} meetings.",
            growth_table(sizes, by_size),
            "Requests per cold run:\n\n" + notes(by_size),
            "The data, generated once by `generate_meetings --count N --seed 1` and reused:",
            data_table(sizes, facts),
        ]
    )
    print("\n" + report + "\n", flush=True)
    if args.output:
        Path(args.output).write_text(report + "\n")
    log(f"finished in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    sys.exit(main())
