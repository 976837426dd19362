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
it counts everything: ORM objects, the body, and the local-memory cache's pieces.
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
        print(f"{events:>9,}  {kind:<12}{'—':>10}{'—':>10}{'—':>9}{'—':>10}{'—':>10}  {result['note']}")
        return
    seconds = result["seconds"]
    ratios = "".join(f"{baseline / seconds:>10.1f}" if baseline else f"{'—':>10}" for baseline in baselines)
    print(f"{events:>9,}  {kind:<12}{seconds:>10.2f}{result['peak_mib']:>10.0f}{result['bytes'] / 1e6:>9.1f}{ratios}")


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
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    has_django_ical = importlib.util.find_spec("django_ical") is not None

    with tempfile.TemporaryDirectory(prefix="bench-feeds-") as directory:
        environment = harness.production_environment(f"sqlite:///{Path(directory) / 'bench.sqlite3'}")
        started = time.perf_counter()
        harness.manage(environment, "migrate", "--noinput")
        count = math.ceil(sizes[-1] / FEED_SHARE)
        harness.manage(environment, "generate_meetings", "--count", str(count), "--seed", str(args.seed))
        print(f"Generated {count:,} synthetic meetings in {time.perf_counter() - started:.1f} s (SQLite).")
        print()
        header = f"{'events':>9}  {'feed':<12}{'time (s)':>10}{'peak MiB':>10}{'MB body':>9}"
        header += f"{'× dj-ical':>10}{'× ical':>10}"
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
            baselines = [results[kind].get("seconds") for kind in ("django-ical", "icalendar")]
            for kind in ("ours-cold", "ours-warm", "icalendar", "django-ical"):
                print_row(events, kind, results.get(kind, {"note": "not run"}), baselines)
            print()
        print("events: the feed's first meetings by date (at least the size asked for; more where dates tie).")
        print("× dj-ical, × ical: django-ical's and naive icalendar's time divided by this way's, same meetings.")
        print(f"Total {time.perf_counter() - started:.0f} s.")


if __name__ == "__main__":
    main()
