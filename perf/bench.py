#!/usr/bin/env python
"""`make bench`: the site under load, side by side with a hello-world baseline, on PostgreSQL.

For each data size (10,000 and 100,000 generated meetings) and each cache (local memory,
then Redis) it starts gunicorn as production does (perf/harness.py: the project's
gunicorn.conf.py, 5 sync workers, DEBUG off, loopback only) and runs wrk at 16 connections
against every public URL of the table, twice:

- warm: the same URL again and again, so the page cache answers (checked: X-Page-Cache: hit);
- cold: every request asks for another page the page cache has not seen (list pages, the
  filter on other days and pages, other meetings, other months and organisers in every language,
  pages of past years' archives, feeds under other queries), from files of real paths
  perf/sitedata.py lists from the database (perf/wrk/paths_once.lua: each asked for once, the
  run ends when the file is used up). The home page has one canonical address per language:
  its cold figure is the first request after new cache versions, one at a time, in rounds.

It prints requests per second, p50, p99 and the ratio to /healthz measured in the same
configuration, with PASS/FAIL against the targets of issue 6 (warm, rebuilt) and issue 15
(cold), then runs perf/bench_feeds.py (in-process feed building). docs/performance.md explains
the method and how to read it. perf/growth.py (`make bench-growth`) reuses this file's
measuring to follow the cold figures from 10,000 to 1,000,000 meetings.

In the same run, against the same gunicorn, two more columns (issue 15):

- stack: the same URLs through the shipped docs/nginx.conf (its micro-cache, TLS), the way
  tests/support/nginx.py runs it, named localhost so wrk can reach it (checked: X-Cache-Status: HIT);
- static: nginx serving a saved copy of each response (fetched once from gunicorn, written to a
  root, served with the same Content-Type and Content-Encoding, over TLS too): the machine's limit.

With --json FILE it also writes what it printed as a list of objects, one per URL and mode
(json_records), so that runs can be compared by a program.

Everything is bounded: each wrk run lasts --duration seconds (5 by default), the whole run
about 10 minutes on a 2-core machine. Only 127.0.0.1 is contacted.

    .venv/bin/python perf/bench.py [--sizes 10000,100000] [--duration 5] [--quick] [--json FILE] [--home-rounds 10]

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/meetings_bench; one
database per size is used, named with the size appended, e.g. meetings_bench_100000, created and
filled on the first run and reused afterwards), BENCH_REDIS_URL (default redis://127.0.0.1:6379/5),
BENCH_PORT (8105; nginx takes free ports).
"""

import argparse
import datetime
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import harness

# The one way the shipped nginx config is run on a machine without ports 80 and 443.
sys.path.insert(0, str(harness.ROOT))
from tests.support.nginx import Nginx
from tests.support.ports import free_port

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/meetings_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/5"
WORKERS = 5  # as in every earlier run, so figures stay comparable
CONNECTIONS = 16
WRK_THREADS = 2
# Through nginx and from the static copy, one wrk thread: nginx has one worker, so wrk and nginx each
# have a core of the two; with two wrk threads three busy processes share them, and the static copy's
# own p99 is several times its p50 from scheduling alone (docs/performance.md, "Where the stack's tail
# comes from").
STACK_WRK_THREADS = 1
WRK_TIMEOUT_SECONDS = 10
COLD_SAMPLES = 2  # paths asked for one by one before a cold run, to check they miss the page cache
HOME_ROUNDS = 10  # the home page's cold run: this many first requests, each after new cache versions

# Targets of issue 6, as ratios of req/s to the /healthz baseline of the same configuration.
WARM_TARGET = {"local memory": 0.8, "Redis": 0.7}
REBUILT_TARGETS = {"list": 0.1, "filtered list": 0.1, "meeting page": 0.25}
NOT_MODIFIED_TARGET = 0.8
# Targets of issue 15 for the cold column: every public page a query no cache has seen, at 100,000 meetings.
COLD_PAGE_TARGET = 0.25
COLD_TARGETS = {
    **dict.fromkeys(
        ("home /", "list", "filtered list", "meeting page", "calendar month", "organiser page", "year archive"),
        COLD_PAGE_TARGET,
    ),
    "filtered feed": 0.15,
}
P99_OVER_P50_LIMIT = 2.5
# Target of issue 15: warm pages and feed polls through the shipped nginx, as a ratio to the static copy.
STACK_TARGET = 0.5
MODES = ("warm", "cold", "stack", "static")
MEASURED_MODES = ("warm", "rebuilt", "cold")  # measure()'s, against gunicorn
# The name the stack's nginx answers to in place of the site's: wrk and urllib send it in TLS (SNI),
# which neither does for an address; Django's ALLOWED_HOSTS has it (harness.production_environment).
STACK_HOST = "localhost"


def log(message):
    harness.log(message, name="bench")


@dataclass
class Target:
    """One URL to measure, and the paths of its cold run (none: no cold run)."""

    name: str
    path: str
    headers: dict = field(default_factory=dict)
    cold_samples: list = field(default_factory=list)
    cold_file: Path | None = None
    cold_note: str = ""
    cold_repeats: bool = False  # the cold run asks for one path on purpose (the baseline)
    cold_after_new_versions: bool = False  # one canonical page: its cold figure is the first request after a change


@dataclass
class Result:
    requests_per_second: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    errors: int = 0
    requests: int = 0
    note: str = ""  # instead of figures: "missing", "n/a", "HTTP 500"…
    flags: list = field(default_factory=list)  # beside the figures: "repeats", "not cached"…
    # The /healthz rate measured the same way as this figure, when it is not wrk's (the home page's
    # cold rounds, one request at a time): its ratio is to that.
    baseline_rps: float | None = None

    @classmethod
    def of(cls, figures, flags=(), repeats_expected=False):
        flags = list(flags)
        if figures.repeated_beyond(CONNECTIONS) and not repeats_expected:
            flags.append(f"{figures.repeated:,} repeats")
        return cls(
            figures.requests_per_second, figures.p50_ms, figures.p99_ms, figures.errors, figures.requests, flags=flags
        )


# --- Setting up -------------------------------------------------------------------------


def database_for_size(database_url, size):
    """One database per data size (NAME_10000, NAME_100000): generated once, reused by later runs."""
    base, _, name = database_url.rpartition("/")
    return f"{base}/{name}_{size}"


def environment(database_url, redis_url=None):
    # CLIENT_IP_HEADER as behind nginx: a cold run's requests come from many addresses
    # (perf/wrk/paths.lua), each within the page cache's per-client storage budget.
    return harness.production_environment(
        database_url, redis_url=redis_url, CONN_MAX_AGE="600", CLIENT_IP_HEADER="HTTP_X_REAL_IP"
    )


def prepare_data(env, size):
    """Make the database hold exactly `size` synthetic meetings (appending when it holds fewer)."""
    present = harness.site_data(env, "counts")["synthetic"]
    if present > size:
        log(f"deleting {present} synthetic meetings")
        harness.manage(env, "generate_meetings", "--delete")
        present = 0
    if present < size:
        log(f"generating {size - present} synthetic meetings (to {size})")
        started = time.monotonic()
        harness.manage(env, "generate_meetings", "--count", str(size - present), "--seed", "1")
        log(f"generated in {time.monotonic() - started:.0f} s")
        harness.site_data(env, "vacuum")


def choose_targets(env, directory, cold_count):
    """The URLs of the issue's table, filled in from the data, and the files of their cold runs."""
    urls = harness.site_data(env, "urls")
    cold = harness.site_data(env, "cold-paths", "--count", cold_count + COLD_SAMPLES)
    list_url, feed_url, filters = urls["list"], urls["feed"], urls["filters"]
    targets = [
        Target("baseline /healthz", "/healthz"),
        Target("home /", urls["home"], cold_after_new_versions=True),
        Target("list", list_url),
        Target("filtered list", list_url + filters),
        Target("meeting page", urls["meeting"]),
        Target("calendar month", urls["calendar month"]),
        Target("organiser page", urls["organiser page"]),
        Target("year archive", urls["year archive"]),
        Target("feed", feed_url),
        Target("filtered feed", feed_url + filters),
        Target("feed 304", feed_url),
    ]
    # The baseline again in the cold column, through the cold runs' wrk script: what asking for
    # a path per request costs wrk itself, and how much the same URL moves from run to run.
    targets[0].cold_file = harness.write_paths([targets[0].path], directory, "baseline")
    targets[0].cold_note, targets[0].cold_repeats = "/healthz again, through perf/wrk/paths.lua", True
    for target in targets:
        if target.name in cold:
            paths, target.cold_note = cold[target.name]["paths"], cold[target.name]["note"]
            target.cold_samples = paths[:COLD_SAMPLES]
            target.cold_file = harness.write_paths(paths[COLD_SAMPLES:], directory, target.name.replace(" ", "-"))
    return targets


# --- Measuring ---------------------------------------------------------------------------------


def run_wrk(server, wrk_path, url, headers, duration, paths=None, once=False, threads=WRK_THREADS):
    return harness.wrk(
        url,
        connections=CONNECTIONS,
        seconds=duration,
        threads=threads,
        timeout_seconds=WRK_TIMEOUT_SECONDS,
        headers=[f"{name}: {value}" for name, value in headers.items()],
        paths=paths,
        once=once,
        wrk_path=wrk_path,
    )


def settle(server):
    """Wait until no worker is still busy with requests queued by the last run (at most 40 s)."""
    server.wait_until_idle(limit_seconds=40, fast_seconds=0.2)


def measure_warm(server, wrk_path, target, headers, duration):
    url = server.base_url + target.path
    run_wrk(server, wrk_path, url, headers, 1)  # warm-up: every worker has the page in its cache
    settle(server)
    flags = []
    if target.name not in ("baseline /healthz", "feed 304"):
        _, response_headers = harness.fetch(url, headers)
        if harness.page_cache_status(response_headers) == "miss":
            flags.append("not cached")
            log(f"{target.name}: still a page-cache miss after the warm-up")
    warm = Result.of(run_wrk(server, wrk_path, url, headers, duration), flags)
    settle(server)
    return warm


# A validator no response carries: the page cache never answers a conditional request, so the
# view builds the page again from what the cache holds for it (list entries, counts, the form,
# the feed body). That is what an expired page or a page cache that missed costs: the figure
# the earlier runs called "cold" (their cache-busting query strings now hit the page cache).
REBUILD_HEADER = {"If-None-Match": '"bench-rebuild"'}


def measure_rebuilt(server, wrk_path, target, headers, duration):
    """The same URL again and again, past the page cache, its parts cached."""
    if target.name in ("baseline /healthz", "feed 304"):
        return Result(note="n/a")
    url = server.base_url + target.path
    headers = {**headers, **REBUILD_HEADER}
    run_wrk(server, wrk_path, url, headers, 1)  # warm-up: every worker has the parts in its cache
    settle(server)
    flags = []
    status, response_headers = harness.fetch(url, headers)
    if status != 200:
        return Result(note=f"HTTP {status}" if status else "no answer")
    if harness.page_cache_status(response_headers) == "hit":
        flags.append("page-cache hits")
    rebuilt = Result.of(run_wrk(server, wrk_path, url, headers, duration), flags)
    settle(server)
    return rebuilt


def measure_cold(server, wrk_path, target, headers, duration, cold_env=None, home_rounds=HOME_ROUNDS):
    """Distinct pages, each asked for once: checked on the first few (each must be a miss). The run
    ends when each path has been answered once, or after `duration`."""
    if target.cold_after_new_versions:
        return measure_first_after_change(server, target, headers, cold_env, home_rounds)
    if not target.cold_file:
        return Result(note="n/a")
    flags = []
    for path in target.cold_samples:
        status, response_headers = harness.fetch(server.base_url + path, headers)
        if status != 200:
            log(f"{target.name}: cold path {path} answered {status}")
            return Result(note=f"HTTP {status}" if status else "no answer")
        if harness.page_cache_status(response_headers) == "hit":
            flags.append("page-cache hits")
            log(f"{target.name}: cold path {path} came from the page cache: cold is not cold")
    settle(server)
    figures = run_wrk(
        server, wrk_path, server.base_url + "/", headers, duration, target.cold_file, once=not target.cold_repeats
    )
    cold = Result.of(figures, flags, repeats_expected=target.cold_repeats)
    settle(server)
    return cold


def timed_get(url, headers):
    """(status, response headers, seconds) of one GET, the body read whole."""
    started = time.perf_counter()
    status, response_headers = harness.fetch(url, headers)
    return status, response_headers, time.perf_counter() - started


def measure_first_after_change(server, target, headers, cold_env, rounds):
    """A page with one canonical address per language (the home page) has no unseen variants for
    wrk to ask for: its cold cost is the first request after a change. Each round starts new cache
    versions, waits until no worker trusts its copy of the old one, then asks for /healthz and the
    page, one request at a time; the ratio is to /healthz asked for the same way in the same rounds."""
    if cold_env is None or rounds < 1:
        return Result(note="n/a")
    page_seconds, healthz_seconds, flags = [], [], []
    for _round in range(rounds):
        trusted_for = harness.site_data(cold_env, "new-versions").get("version_cache_seconds", 0)
        time.sleep(float(trusted_for) + 0.5)
        healthz_seconds.append(timed_get(server.base_url + "/healthz", headers)[2])
        status, response_headers, seconds = timed_get(server.base_url + target.path, headers)
        if status != 200:
            return Result(note=f"HTTP {status}" if status else "no answer")
        if harness.page_cache_status(response_headers) == "hit" and "page-cache hits" not in flags:
            flags.append("page-cache hits")
            log(f"{target.name}: a page-cache hit after new versions: cold is not cold")
        page_seconds.append(seconds)
    page_seconds.sort()
    return Result(
        requests_per_second=len(page_seconds) / sum(page_seconds),
        p50_ms=percentile(page_seconds, 50) * 1000,
        p99_ms=percentile(page_seconds, 99) * 1000,
        requests=len(page_seconds),
        flags=[*flags, "one at a time"],
        baseline_rps=len(healthz_seconds) / sum(healthz_seconds),
    )


def percentile(ordered, percent):
    """The nearest-rank percentile of an ordered list (with 10 values, p99 is the slowest)."""
    return ordered[max(0, min(len(ordered) - 1, -(-len(ordered) * percent // 100) - 1))]


def check_target(server, target, headers):
    """The headers to measure `target` with, or a note saying why it cannot be (missing, no 304…)."""
    url = server.base_url + target.path
    status, response_headers = harness.fetch(url, headers)
    if status != 200:
        log(f"{target.name}: {target.path} answered {status}")
        return None, "missing" if status == 404 else f"HTTP {status}" if status else "no answer (timeout)"
    if target.name == "feed 304":
        etag = response_headers.get("ETag")
        if not etag:
            return None, "no ETag"
        headers = {**headers, "If-None-Match": etag}
        if harness.fetch(url, headers)[0] != 304:
            return None, "no 304"
    return headers, ""


def measure(server, wrk_path, targets, duration, cold_env=None, home_rounds=HOME_ROUNDS, modes=MEASURED_MODES):
    """name: (warm, rebuilt, cold) for each target; a mode left out of `modes` is "n/a"."""
    results = {}
    for target in targets:
        headers, note = check_target(server, target, {"Accept-Encoding": "gzip", **target.headers})
        if note:
            second = note if target.name != "feed 304" else "n/a"
            results[target.name] = (Result(note=note), Result(note=second), Result(note=second))
            continue
        skipped = Result(note="n/a")
        warm = measure_warm(server, wrk_path, target, headers, duration) if "warm" in modes else skipped
        rebuilt = measure_rebuilt(server, wrk_path, target, headers, duration) if "rebuilt" in modes else skipped
        cold = (
            measure_cold(server, wrk_path, target, headers, duration, cold_env, home_rounds)
            if "cold" in modes
            else skipped
        )
        results[target.name] = (warm, rebuilt, cold)
        measured = [
            f"{mode} {result.requests_per_second:.0f} req/s p50 {result.p50_ms:.1f} ms"
            for mode, result in zip(MEASURED_MODES, (warm, rebuilt, cold), strict=True)
            if not result.note
        ]
        if cold.requests and target.cold_note:
            measured.append(f"{cold.requests:,} cold requests over {target.cold_note}")
        log(f"{target.name}: {', '.join(measured) or 'nothing measured'}")
    return results


def stack_headers(target, response_headers=None):
    headers = {"Accept-Encoding": "gzip", **target.headers}
    if target.name == "feed 304" and response_headers is not None:
        headers["If-None-Match"] = response_headers.get("ETag", "")
    return headers


def saved_copies(server, targets):
    """Each target's response as gunicorn answers it, once: what the static column serves again."""
    copies = []
    for target in targets:
        url = server.base_url + target.path
        status, headers, body = harness.fetch_whole(url, stack_headers(target))
        if target.name == "feed 304":
            status, headers, body = harness.fetch_whole(url, stack_headers(target, headers))
        copies.append(
            harness.SavedCopy(
                target.name,
                status or 0,
                (headers or {}).get("Content-Type", "application/octet-stream"),
                (headers or {}).get("Content-Encoding", ""),
                body,
            )
        )
    return copies


def measure_stack(server, nginx, static, wrk_path, targets, duration):
    """name: (stack, static), each the same URL again and again at CONNECTIONS connections."""
    results = {}
    for target in targets:
        url = f"https://{STACK_HOST}:{nginx.https_port}{target.path}"
        status, response_headers, _ = harness.fetch_whole(url, stack_headers(target))
        expected = 304 if target.name == "feed 304" else 200
        headers = stack_headers(target, response_headers)
        if target.name == "feed 304":
            status, _, _ = harness.fetch_whole(url, headers)
        if status != expected:
            note = f"HTTP {status}" if status else "no answer"
            results[target.name] = (Result(note=note), Result(note="n/a"))
            continue
        run_wrk(server, wrk_path, url, headers, 1, threads=STACK_WRK_THREADS)  # warm-up: nginx holds the copy
        settle(server)
        flags = []
        cache_status = (harness.fetch_whole(url, headers)[1] or {}).get("X-Cache-Status", "")
        if target.name != "baseline /healthz" and cache_status != "HIT":
            flags.append(f"nginx {cache_status or 'no status'}")
        stack = Result.of(run_wrk(server, wrk_path, url, headers, duration, threads=STACK_WRK_THREADS), flags)
        settle(server)
        copy_url = static.base_url + static.paths[target.name]
        saved = Result.of(run_wrk(server, wrk_path, copy_url, headers, duration, threads=STACK_WRK_THREADS))
        results[target.name] = (stack, saved)
        log(
            f"{target.name}: through nginx {stack.requests_per_second:.0f} req/s p50 {stack.p50_ms:.1f} ms, "
            f"static copy {saved.requests_per_second:.0f} req/s p50 {saved.p50_ms:.1f} ms"
        )
    return results


def measure_through_nginx(server, wrk_path, targets, duration, nginx_path):
    """The stack and static columns; n/a for every URL when nginx is not installed."""
    if not nginx_path:
        log("nginx is not installed (apt-get install nginx-light): no stack or static column")
        return {target.name: (Result(note="no nginx"), Result(note="no nginx")) for target in targets}
    if socket.getaddrinfo(STACK_HOST, None, type=socket.SOCK_STREAM)[0][4][0] != "127.0.0.1":
        raise RuntimeError(f"{STACK_HOST} must resolve to 127.0.0.1 first (/etc/hosts): the test nginx listens there")
    copies = saved_copies(server, targets)
    port = int(server.base_url.rsplit(":", 1)[1])
    with Nginx(port, b"maintenance", server_name=STACK_HOST) as nginx:
        certificate = nginx.ca_file
        with harness.StaticCopies(
            nginx_path, copies, free_port(), certificate, certificate.with_name("privkey.pem")
        ) as static:
            return measure_stack(server, nginx, static, wrk_path, targets, duration)


# --- Reporting ----------------------------------------------------------------------------


def verdict(ratio, target):
    if target is None:
        return "—"
    return "PASS" if ratio >= target else "FAIL"


def format_result(result, baseline, target):
    if result.note:
        return [result.note, "", "", "", ""]
    baseline = result.baseline_rps or baseline
    ratio = result.requests_per_second / baseline if baseline else 0.0
    flags = ([f"{result.errors} err"] if result.errors else []) + result.flags
    return [
        f"{result.requests_per_second:,.0f}" + (f" ({', '.join(flags)})" if flags else ""),
        f"{result.p50_ms:.1f}",
        f"{result.p99_ms:.1f}",
        f"{ratio:.2f}×" + (f" / {target}×" if target is not None else ""),
        verdict(ratio, target),
    ]


def p99_check(*results, limit=P99_OVER_P50_LIMIT):
    """The worst p99/p50 of the results, with PASS/FAIL against `limit` (none: the ratio alone)."""
    measured = [r for r in results if not r.note and r.p50_ms]
    if not measured:
        return "—"
    worst = max(r.p99_ms / r.p50_ms for r in measured)
    if limit is None:
        return f"{worst:.1f}"
    return f"{worst:.1f} {'PASS' if worst <= limit else 'FAIL'}"


def table(size, cache_name, targets, results):
    baseline = results["baseline /healthz"][0].requests_per_second
    lines = [
        f"### {size:,} meetings, {cache_name} cache (baseline /healthz {baseline:,.0f} req/s)",
        "",
        "| URL | warm req/s | p50 ms | p99 ms | ratio / target | "
        "| rebuilt req/s | p50 ms | p99 ms | ratio / target | "
        "| cold req/s | p50 ms | p99 ms | ratio / target | | p99/p50 ≤ 2.5 |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---|",
    ]
    for name, (warm, rebuilt, cold) in results.items():
        if name == "baseline /healthz":
            warm_target = None
        elif name == "feed 304":
            warm_target = NOT_MODIFIED_TARGET
        else:
            warm_target = WARM_TARGET[cache_name]
        is_page = name != "baseline /healthz"
        # The earlier runs' cold targets apply to what those runs measured: the rebuilt column;
        # issue 15's to pages and feeds no cache has seen: the cold column.
        row = [
            name,
            *format_result(warm, baseline, warm_target),
            *format_result(rebuilt, baseline, REBUILT_TARGETS.get(name)),
            *format_result(cold, baseline, COLD_TARGETS.get(name)),
        ]
        row.append(p99_check(warm, rebuilt) if is_page else "—")
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        "Rebuilt: the same URL past the page cache (a conditional request it never answers), its parts cached.",
        "Cold runs (each request a page, filter or meeting the caches had not seen):",
        "",
    ]
    for target in targets:
        cold = results.get(target.name, (None, None, Result()))[2]
        if target.cold_after_new_versions and cold.baseline_rps:
            lines.append(
                f"- {target.name}: the first request after new cache versions, {cold.requests} rounds one request "
                f"at a time (no other canonical page to ask for); ratio to /healthz asked the same way in the same "
                f"rounds ({cold.baseline_rps:,.0f} req/s one at a time)"
            )
        elif target.cold_file:
            lines.append(f"- {target.name}: {target.cold_note}; {cold.requests:,} requests")
    return "\n".join(lines)


def stack_table(size, cache_name, stack_results):
    lines = [
        f"### {size:,} meetings, {cache_name} cache: through the shipped nginx, and nginx serving a static copy",
        "",
        f"| URL | stack req/s | p50 ms | p99 ms | static req/s | p50 ms | p99 ms | stack / static, target "
        f"{STACK_TARGET}× | | stack p99/p50 ≤ {P99_OVER_P50_LIMIT} | static p99/p50 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for name, (stack, static) in stack_results.items():
        target = None if name == "baseline /healthz" else STACK_TARGET
        stack_cells = format_result(stack, static.requests_per_second if not static.note else 0.0, target)
        static_cells = format_result(static, 0.0, None)[:3]
        row = [name, *stack_cells[:3], *static_cells, *stack_cells[3:]]
        row.append(p99_check(stack) if name != "baseline /healthz" else "—")
        # The same wrk against nginx's own file serving: the tail the machine (2 cores shared by wrk,
        # nginx and the idle workers) adds to any answer. A stack tail well above it is the stack's own.
        row.append(p99_check(static, limit=None))
        lines.append("| " + " | ".join(row) + " |")
    lines += [
        "",
        f"Stack: wrk ({STACK_WRK_THREADS} thread, {CONNECTIONS} connections) over TLS to the shipped "
        "docs/nginx.conf (one worker) in front of the same gunicorn; "
        "its micro-cache answers for SHARED_CACHE_SECONDS. Static: nginx serving the response saved once. "
        "The last column is the static copy's own p99/p50 in the same run: the tail wrk and the machine add.",
    ]
    return "\n".join(lines)


def json_records(size, cache_name, results, stack_results):
    """One object per URL and mode with a measurement: what the tables printed, for programs.

    warm and cold are the first table's columns of those names (the rebuilt column is printed only);
    stack and static the second table's. Figures with a note instead ("n/a", "HTTP 500") are left out.
    """
    baseline = results["baseline /healthz"][0].requests_per_second
    records = []
    for name, (warm, _rebuilt, cold) in results.items():
        stack, static = stack_results.get(name, (Result(note="n/a"), Result(note="n/a")))
        for mode, result in zip(MODES, (warm, cold, stack, static), strict=True):
            if result.note:
                continue
            records.append(
                {
                    "meetings": size,
                    "cache": cache_name,
                    "url": name,
                    "mode": mode,
                    "rps": round(result.requests_per_second, 1),
                    "p50_ms": round(result.p50_ms, 2),
                    "p99_ms": round(result.p99_ms, 2),
                    # The home page's cold figure is one request at a time: its baseline is /healthz asked so.
                    "baseline_rps": round(result.baseline_rps or baseline, 1),
                }
            )
    return records


def write_json(path, records):
    Path(path).write_text(json.dumps(records, indent=2, ensure_ascii=False) + "\n")


def main():
    harness.stop_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated meeting counts")
    parser.add_argument("--duration", type=int, default=5, help="seconds per wrk run")
    parser.add_argument("--caches", default="local memory,Redis", help="which caches to run with")
    parser.add_argument("--output", help="also write the tables (Markdown) to this file")
    parser.add_argument("--json", help="also write every figure as JSON to this file (json_records)")
    parser.add_argument("--skip-stack", action="store_true", help="no stack and static columns (no nginx)")
    parser.add_argument("--skip-feeds", action="store_true", help="do not run perf/bench_feeds.py afterwards")
    parser.add_argument("--cold-paths", type=int, default=20_000, help="distinct paths per cold run (at most)")
    parser.add_argument(
        "--home-rounds", type=int, default=HOME_ROUNDS, help="first requests after new versions, for the home page"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a look in about two minutes: --sizes 10000 --duration 2 --skip-feeds --home-rounds 3",
    )
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.duration, args.skip_feeds, args.home_rounds = "10000", 2, True, 3
    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)
    port = int(os.environ.get("BENCH_PORT", "8105"))
    sizes = sorted(int(size) for size in args.sizes.split(","))
    caches = [name.strip() for name in args.caches.split(",")]
    started = time.monotonic()
    load_at_start = ", ".join(f"{load:.1f}" for load in os.getloadavg())

    wrk_path = harness.ensure_wrk()
    nginx_path = None if args.skip_stack else shutil.which("nginx") or shutil.which("/usr/sbin/nginx")
    log("collecting static files")
    harness.manage(environment(database_url), "collectstatic", "--noinput", "--verbosity=0")

    tables, records = [], []
    with tempfile.TemporaryDirectory(prefix="bench-paths-") as directory:
        for size in sizes:
            size_database_url = database_for_size(database_url, size)
            harness.ensure_postgres_database(size_database_url)
            env = environment(size_database_url)
            harness.manage(env, "migrate", "--noinput", "--verbosity=0")
            prepare_data(env, size)
            log(f"listing cold paths ({args.cold_paths:,} at most per URL)")
            size_directory = Path(directory) / str(size)
            size_directory.mkdir()
            targets = choose_targets(env, size_directory, args.cold_paths)
            for cache_name in caches:
                cache_env = environment(size_database_url, redis_url if cache_name == "Redis" else None)
                # New versions: this configuration starts with nothing cached for its data, as the last did.
                harness.site_data(cache_env, "new-versions")
                log(f"{size:,} meetings, {cache_name} cache: gunicorn on 127.0.0.1:{port}, {WORKERS} workers")
                # No restarts after max_requests: a restarted worker's local-memory cache starts empty,
                # and earlier runs (gunicorn without the config file) had none.
                with harness.Gunicorn(cache_env, port, workers=WORKERS, max_requests=0, log_level="warning") as server:
                    results = measure(server, wrk_path, targets, args.duration, cache_env, args.home_rounds)
                    stack_results = measure_through_nginx(server, wrk_path, targets, args.duration, nginx_path)
                tables += [table(size, cache_name, targets, results), stack_table(size, cache_name, stack_results)]
                print("\n" + "\n\n".join(tables[-2:]) + "\n", flush=True)
                records += json_records(size, cache_name, results, stack_results)
                if args.json:
                    write_json(args.json, records)  # after each configuration: a run cut short keeps what it measured

    header = (
        f"Benchmark {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC on {os.uname().nodename} "
        f"({os.cpu_count()} cores): gunicorn -c meetings_site/gunicorn.conf.py, {WORKERS} sync workers, "
        f"wrk {WRK_THREADS} threads {CONNECTIONS} connections, {args.duration} s per run, Accept-Encoding: gzip. "
        f"Load average at start {load_at_start}, at end {', '.join(f'{load:.1f}' for load in os.getloadavg())} "
        "(other work on the machine skews figures)."
    )
    report = header + "\n\n" + "\n\n".join(tables) + "\n"
    print("\n" + report)
    if args.output:
        Path(args.output).write_text(report)
    log(f"pages done in {time.monotonic() - started:.0f} s")

    if args.skip_feeds:
        log("perf/bench_feeds.py skipped (--skip-feeds)")
    else:
        log("running perf/bench_feeds.py (in-process feed building)")
        subprocess.run([harness.PYTHON, str(harness.ROOT / "perf" / "bench_feeds.py")], cwd=harness.ROOT, check=False)
    log(f"finished in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
