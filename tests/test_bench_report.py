"""perf/bench.py's report: the stack and static columns and the JSON a program compares runs with.

No timing: the figures are made up, what is checked is where each lands.
"""

import importlib
import json
import shutil
import sys

import pytest

from perf import harness


@pytest.fixture(scope="module")
def bench():
    # perf/bench.py is run as a script (`import harness` from its own directory).
    sys.path.insert(0, str(harness.ROOT / "perf"))
    try:
        yield importlib.import_module("bench")
    finally:
        sys.path.remove(str(harness.ROOT / "perf"))


def figures(bench, rps, p50=1.0, p99=2.0, note=""):
    return bench.Result(rps, p50, p99, note=note)


@pytest.fixture
def measured(bench):
    results = {
        "baseline /healthz": (figures(bench, 3000), figures(bench, 0, note="n/a"), figures(bench, 2900)),
        "list": (figures(bench, 2500, 6.0, 9.0), figures(bench, 400), figures(bench, 300, 50.0, 90.0)),
        "feed 304": (figures(bench, 2000), figures(bench, 0, note="n/a"), figures(bench, 0, note="n/a")),
    }
    stack = {
        "baseline /healthz": (figures(bench, 2600), figures(bench, 40000)),
        "list": (figures(bench, 30000, 0.5, 0.9), figures(bench, 50000, 0.3, 0.6)),
        "feed 304": (figures(bench, 0, note="HTTP 200"), figures(bench, 0, note="n/a")),
    }
    return results, stack


def test_json_records_hold_exactly_the_keys_and_one_object_per_measured_url_and_mode(bench, measured, tmp_path):
    results, stack = measured
    path = tmp_path / "run.json"

    bench.write_json(path, bench.json_records(1000, "local memory", results, stack))
    records = json.loads(path.read_text())

    assert {tuple(sorted(record)) for record in records} == {
        ("baseline_rps", "cache", "meetings", "mode", "p50_ms", "p99_ms", "rps", "url")
    }
    assert [(record["url"], record["mode"], record["rps"]) for record in records] == [
        ("baseline /healthz", "warm", 3000.0),
        ("baseline /healthz", "cold", 2900.0),
        ("baseline /healthz", "stack", 2600.0),
        ("baseline /healthz", "static", 40000.0),
        ("list", "warm", 2500.0),
        ("list", "cold", 300.0),
        ("list", "stack", 30000.0),
        ("list", "static", 50000.0),
        ("feed 304", "warm", 2000.0),
    ]
    assert {(record["meetings"], record["cache"], record["baseline_rps"]) for record in records} == {
        (1000, "local memory", 3000.0)
    }
    assert [(r["p50_ms"], r["p99_ms"]) for r in records if (r["url"], r["mode"]) == ("list", "cold")] == [(50.0, 90.0)]


def test_the_stack_table_puts_each_figure_in_its_column_with_its_ratio_to_the_static_copy(bench, measured):
    _, stack = measured

    rows = bench.stack_table(1000, "Redis", stack).splitlines()
    cells = {row.split(" | ")[0].lstrip("| "): [c.strip() for c in row.strip("| ").split(" | ")] for row in rows[4:7]}

    assert rows[0] == "### 1,000 meetings, Redis cache: through the shipped nginx, and nginx serving a static copy"
    assert cells["list"] == [
        "list",
        "30,000",
        "0.5",
        "0.9",
        "50,000",
        "0.3",
        "0.6",
        "0.60× / 0.5×",
        "PASS",
        "1.8 PASS",
        "2.0",
    ]
    assert cells["baseline /healthz"][7:] == ["0.07×", "—", "—", "2.0"]
    assert cells["feed 304"][1:3] == ["HTTP 200", ""]


def test_the_cold_column_holds_issue_15s_targets_and_the_rebuilt_column_issue_6s(bench):
    results = {
        "baseline /healthz": (figures(bench, 2000), figures(bench, 0, note="n/a"), figures(bench, 1900)),
        "list": (figures(bench, 1800), figures(bench, 180), figures(bench, 600, 20.0, 40.0)),
        "organiser page": (figures(bench, 1700), figures(bench, 0, note="n/a"), figures(bench, 400, 30.0, 60.0)),
        "year archive": (figures(bench, 1700), figures(bench, 0, note="n/a"), figures(bench, 480, 25.0, 50.0)),
        "filtered feed": (figures(bench, 1500), figures(bench, 100), figures(bench, 250, 60.0, 90.0)),
    }

    rows = bench.table(100_000, "local memory", [], results).splitlines()
    cells = {row.split(" | ")[0].lstrip("| "): [c.strip() for c in row.strip("| ").split(" | ")] for row in rows[4:9]}

    assert cells["list"][6:16] == [
        "180",
        "1.0",
        "2.0",
        "0.09× / 0.1×",
        "FAIL",
        "600",
        "20.0",
        "40.0",
        "0.30× / 0.25×",
        "PASS",
    ]
    assert cells["organiser page"][11:16] == ["400", "30.0", "60.0", "0.20× / 0.25×", "FAIL"]
    assert cells["year archive"][14:16] == ["0.24× / 0.25×", "FAIL"]
    assert cells["filtered feed"][14:16] == ["0.12× / 0.15×", "FAIL"]
    assert cells["baseline /healthz"][14:16] == ["0.95×", "—"]


def test_the_home_pages_cold_figure_is_compared_with_healthz_asked_for_the_same_way(bench):
    home_cold = bench.Result(25, 40.0, 55.0, requests=10, flags=["one at a time"], baseline_rps=400)
    results = {
        "baseline /healthz": (figures(bench, 2000), figures(bench, 0, note="n/a"), figures(bench, 1900)),
        "home /": (figures(bench, 1800), figures(bench, 300), home_cold),
    }
    targets = [bench.Target("home /", "/", cold_after_new_versions=True)]

    text = bench.table(100_000, "Redis", targets, results)
    home_row = next(line for line in text.splitlines() if line.startswith("| home /"))
    records = bench.json_records(100_000, "Redis", results, {})

    assert [c.strip() for c in home_row.strip("| ").split(" | ")][11:16] == [
        "25 (one at a time)",
        "40.0",
        "55.0",
        "0.06× / 0.25×",
        "FAIL",
    ]
    assert "home /: the first request after new cache versions, 10 rounds one request at a time" in text
    assert [(r["mode"], r["rps"], r["baseline_rps"]) for r in records if r["url"] == "home /"] == [
        ("warm", 1800.0, 2000.0),
        ("cold", 25.0, 400.0),
    ]


def test_percentiles_of_a_few_timings_are_nearest_rank(bench):
    ordered = [0.01 * n for n in range(1, 11)]

    assert (bench.percentile(ordered, 50), bench.percentile(ordered, 99)) == (0.05, 0.1)
    assert bench.percentile([0.3], 99) == 0.3


@pytest.fixture(scope="module")
def growth(bench):
    sys.path.insert(0, str(harness.ROOT / "perf"))
    try:
        yield importlib.import_module("growth")
    finally:
        sys.path.remove(str(harness.ROOT / "perf"))


def growth_results(bench, baseline, cold_list, feed_304):
    return {
        "baseline /healthz": (figures(bench, baseline), figures(bench, 0, note="n/a"), figures(bench, 0, note="n/a")),
        "list": (figures(bench, 0, note="n/a"), figures(bench, 0, note="n/a"), figures(bench, cold_list, 30.0, 70.0)),
        "feed 304": (figures(bench, feed_304), figures(bench, 0, note="n/a"), figures(bench, 0, note="n/a")),
    }


def test_the_growth_table_gives_each_size_and_how_much_longer_a_request_takes_against_2x(bench, growth):
    by_size = {
        10_000: growth_results(bench, 3000, 900, 2000),
        100_000: growth_results(bench, 3000, 600, 2000),
        1_000_000: growth_results(bench, 2900, 200, 1500),
    }

    rows = growth.growth_table([10_000, 100_000, 1_000_000], by_size).splitlines()
    cells = {row.split(" | ")[0].lstrip("| "): [c.strip() for c in row.strip("| ").split(" | ")] for row in rows[2:]}

    assert rows[0].startswith("| URL | 10,000: req/s | p50 ms | p99 ms | ratio | 100,000: req/s |")
    assert rows[0].endswith("| 10,000→100,000 | 100,000→1,000,000 | ≤ 2× slower |")
    assert cells["list"][1:5] == ["900", "30.0", "70.0", "0.30×"]
    assert cells["list"][9:] == ["200", "30.0", "70.0", "0.07×", "1.50×", "3.00×", "FAIL"]
    assert cells["feed 304 (warm)"][-3:] == ["1.00×", "1.33×", "PASS"]
    assert cells["baseline /healthz (warm)"][-1] == "—"
    assert cells["meeting page"][1] == "n/a" and cells["meeting page"][-1] == "—"


def test_the_data_table_gives_generation_time_and_disk_per_size(growth):
    disk = {"database_bytes": 300 * 2**20, "meetings_table_bytes": 150 * 2**20, "meetings_index_bytes": 60 * 2**20}
    facts = {
        100_000: ({}, disk),
        1_000_000: ({"meetings": 1_000_000, "seconds": 612.4, "vacuum_seconds": 41, "date": "2026-12-02"}, disk),
    }

    rows = growth.data_table([100_000, 1_000_000], facts).splitlines()

    assert rows[2] == "| 100,000 | not recorded (--time-generation) | — | 300 MiB | 150 MiB | 60 MiB |"
    assert rows[3] == "| 1,000,000 | 612 s (2026-12-02) | 41 s | 300 MiB | 150 MiB | 60 MiB |"


@pytest.fixture
def counting_server():
    """A local HTTP server that counts the requests for each path."""
    import collections
    import http.server
    import threading

    asked = collections.Counter()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            asked[self.path] += 1
            body = b"ok"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", asked
    finally:
        server.shutdown()
        server.server_close()


def test_a_cold_run_asks_for_each_path_once_and_ends_when_they_are_used_up(counting_server, tmp_path):
    wrk_path = shutil.which("wrk")
    if not wrk_path:
        pytest.skip("wrk is not installed (apt-get install wrk): perf/bench.py installs it when it runs")
    url, asked = counting_server
    paths = harness.write_paths([f"/page-{number}" for number in range(101)], tmp_path, "cold")

    figures = harness.wrk(url + "/", connections=4, seconds=6, threads=2, paths=paths, once=True, wrk_path=wrk_path)

    # A thread stops at the answer to its last path; its other connections may each have asked once
    # more by then (a repeat), and an answer already read counts: at most one per connection.
    assert figures.paths == 101 and 101 <= figures.requests <= 101 + 4 and figures.repeated <= 4
    assert set(asked) == {f"/page-{number}" for number in range(101)}
    assert sum(asked.values()) <= 101 + 4
    assert figures.seconds < 5  # the run's own time, not wrk's -d
    assert figures.requests_per_second == figures.requests / figures.seconds
