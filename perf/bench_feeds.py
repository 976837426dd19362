#!/usr/bin/env python
"""Build calendar feeds of 1,000 / 10,000 / 100,000 meetings three ways and print time and peak memory.

    .venv/bin/python perf/bench_feeds.py [--sizes 1000,10000,100000] [--seed 1]

The meetings are `manage.py generate_meetings`'s, in a throwaway SQLite file, with
production settings (perf/harness.py). Ways compared, all on the same meetings and with the
same content per event (perf/feedbuild.py does one build):

- ours, cold:  the site's /calendar.ics with an empty cache (every VEVENT built with
               icalendar and cached);
- ours, warm:  the same meetings again in the same process under another query, VEVENTs
               from the cache (what a new filter, or a poll after an edit to another
               meeting, costs);
- icalendar:   the naive way, one icalendar.Calendar with every event, then to_ical();
- django-ical: a django_ical ICalFeed (pip install -r requirements-bench.txt).

Each measurement runs in a fresh child process. Time is wall-clock for reading the
meetings and producing the whole body (ours is consumed chunk by chunk, as the web
server writes a streamed feed). Peak memory is the child's peak resident set above
what it held before the build (Linux VmHWM, reset through /proc/self/clear_refs), so
it counts everything: ORM objects, the body, and the local-memory cache's pieces
(--redis-url keeps the cache in Redis, as production does, out of the process).
"""

import argparse
import importlib.util
import json
import math
import subprocess
import tempfile
import time
from pathlib import Path

import harness

# generate_meetings leaves about 8 % out of feeds (drafts, month-only and undated meetings): make enough.
FEED_SHARE = 0.9


def run_child(environment, kind, size, timeout):
    try:
        completed = harness.run_module(environment, "perf.feedbuild", kind, str(size), timeout=timeout)
    except subprocess.TimeoutExpired:
        note = {"note": f"over {timeout} s, stopped (raise --timeout)"}
    else:
        if completed.returncode == 0:
            return json.loads(completed.stdout.strip().splitlines()[-1])
        last_line = (completed.stderr or "").strip().splitlines()[-1:] or [f"exit status {completed.returncode}"]
        note = {"note": f"failed: {last_line[0]}"}
    return {"ours-cold": note, "ours-warm": note} if kind == "ours" else {kind: note}


def print_row(events, kind, result, baselines):
    if "seconds" not in result:
        dashes = "".join(f"{'—':>{width}}" for width in (10, 9, 10, 9, 10, 10, 11))
        print(f"{events:>9,}  {kind:<12}{dashes}  {result['note']}")
        return
    seconds, cpu = result["seconds"], result["cpu_seconds"]
    wall_baselines, cpu_baselines = baselines
    ratios = [baseline / seconds if baseline else None for baseline in wall_baselines]
    ratios.append(cpu_baselines[1] / cpu if cpu_baselines[1] else None)
    widths = (10, 10, 11)
    ratios = "".join(
        f"{ratio:>{width}.1f}" if ratio else f"{'—':>{width}}" for ratio, width in zip(ratios, widths, strict=True)
    )
    figures = f"{seconds:>10.2f}{cpu:>9.2f}{result['peak_mib']:>10.0f}{result['bytes'] / 1e6:>9.1f}"
    print(f"{events:>9,}  {kind:<12}{figures}{ratios}")


def main():
    harness.stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--full",
        action="store_true",
        help="also build the largest size the naive ways (minutes each, about 1 GB)",
    )
    parser.add_argument("--timeout", type=int, default=240, help="seconds allowed for one child process")
    parser.add_argument(
        "--redis-url",
        help="cache in this Redis (a database of its own: each build clears it), as production does, "
        "instead of each child's local memory, which then holds every VEVENT of the build in its peak",
    )
    parser.add_argument(
        "--database-url",
        help="build from this database as it is (say, a PostgreSQL copy of make bench's 100,000 meetings) "
        "instead of generating meetings into SQLite; CPU time then leaves the database server's work out",
    )
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    has_django_ical = importlib.util.find_spec("django_ical") is not None

    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as directory:
        started = time.perf_counter()
        if args.database_url:
            environment = harness.production_environment(args.database_url, redis_url=args.redis_url)
            print(f"Meetings of {args.database_url.rpartition('/')[2]}, as they are.")
        else:
            database_url = f"sqlite:///{Path(directory) / 'bench.sqlite3'}"
            environment = harness.production_environment(database_url, redis_url=args.redis_url)
            harness.manage(environment, "migrate", "--noinput")
            count = math.ceil(sizes[-1] / FEED_SHARE)
            harness.manage(environment, "generate_meetings", "--count", str(count), "--seed", str(args.seed))
            print(f"Generated {count:,} synthetic meetings in {time.perf_counter() - started:.1f} s (SQLite).")
        print()
        header = f"{'events':>9}  {'feed':<12}{'time (s)':>10}{'CPU (s)':>9}{'peak MiB':>10}{'MB body':>9}"
        header += f"{'× dj-ical':>10}{'× ical':>10}{'× ical CPU':>11}"
        print(header)
        print("-" * len(header))
        for size in sizes:
            results = {}
            for kind in ("django-ical", "icalendar", "ours"):
                if size == sizes[-1] and size > 10_000 and kind != "ours" and not args.full:
                    results[kind] = {"note": "skipped (minutes and about 1 GB; --full runs it)"}
                    continue
                if kind == "django-ical" and not has_django_ical:
                    results[kind] = {"note": "skipped (pip install -r requirements-bench.txt)"}
                    continue
                results.update(run_child(environment, kind, size, args.timeout))
            events = results.get("events", size)
            baselines = [
                [results[kind].get(measure) for kind in ("django-ical", "icalendar")]
                for measure in ("seconds", "cpu_seconds")
            ]
            for kind in ("ours-cold", "ours-warm", "icalendar", "django-ical"):
                print_row(events, kind, results.get(kind, {"note": "not run"}), baselines)
            print()
        print("events: the feed's first meetings by date (at least the size asked for; more where dates tie).")
        print("× dj-ical, × ical: django-ical's and naive icalendar's time divided by this way's, same meetings;")
        print("× ical CPU: the same with the CPU time of each build's process (SQLite: the database's work included),")
        print("steadier than wall-clock time on a machine shared with other work.")
        print(f"Total {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
