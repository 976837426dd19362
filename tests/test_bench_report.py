"""perf/bench.py's report: the stack and static columns and the JSON a program compares runs with.

No timing: the figures are made up, what is checked is where each lands.
"""

import importlib
import json
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
    assert cells["list"] == ["list", "30,000", "0.5", "0.9", "50,000", "0.3", "0.6", "0.60× / 0.5×", "PASS", "1.8 PASS"]
    assert cells["baseline /healthz"][7:] == ["0.07×", "—", "—"]
    assert cells["feed 304"][1:3] == ["HTTP 200", ""]
