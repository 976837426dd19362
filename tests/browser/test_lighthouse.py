"""Lighthouse (the npm package in tests/js, run by node, driving Debian's chromium) scores each page of the design's
quality bars at least 95 in performance, accessibility, best practices and SEO, with the desktop preset and with
the default mobile one, against a live server of the test run with the seed, static files compressed.

One test per page and preset (twelve Lighthouse runs, all four categories in each), so pytest-xdist spreads them
over its workers. The JSON reports go to tests/browser/artifacts/lighthouse/<page>-<preset>.json (kept out of git);
open one in https://googlechrome.github.io/lighthouse/viewer/ or read the failing audits the assertion prints.
"""

import json
import os
import shutil
import subprocess

import pytest

from tests.browser.conftest import ARTIFACTS, CHROMIUM, QUALITY_PAGES, quality_page_path

pytestmark = pytest.mark.browser

LIGHTHOUSE = ARTIFACTS.parent.parent / "js" / "node_modules" / "lighthouse" / "cli" / "index.js"
REPORTS = ARTIFACTS / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
PASS = 95
# Lighthouse launches chromium itself (chrome-launcher adds its own quiet flags); a root container needs no sandbox.
LIGHTHOUSE_CHROMIUM_ARGS = ["--headless=new", "--no-sandbox"]
# Now and then Lighthouse 12 loses the navigation in the trace of a newer chromium and asks to be run again; it
# is, up to ATTEMPTS times. Only that: a score below the bar is never retried.
TRACE_ERRORS = ("NO_NAVSTART", "NO_FCP", "NO_TRACING_STARTED")
ATTEMPTS = 3
# The mobile preset slows the CPU 4x, which Lighthouse's docs/throttling.md sizes for a high-end desktop (benchmark
# index 1500-2000) to emulate a mid-tier phone. On a slower or busier host (CI's two shared cores reach 600) the same
# 4x emulates a far slower phone than the preset means; the docs' remedy is to scale the multiplier to the host's
# benchmark index, which is what calibrated_slowdown does, never above Lighthouse's 4x nor below 1x.
DEFAULT_SLOWDOWN = 4
CALIBRATED_BENCHMARK_INDEX = 1500


def lighthouse_command():
    """node and Lighthouse's CLI, or skip saying why (fail under REQUIRE_BROWSER=1, as CI runs)."""
    node = shutil.which("node")
    reason = None
    if not CHROMIUM.exists():
        reason = f"Lighthouse needs Debian's chromium at {CHROMIUM} (apt-get install chromium)"
    elif node is None:
        reason = "Lighthouse runs on node (apt-get install nodejs npm)"
    elif not LIGHTHOUSE.exists():
        reason = "Lighthouse is not installed: run `make install` (npm ci in tests/js)"
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return [node, str(LIGHTHOUSE)]


def calibrated_slowdown(benchmark_index):
    """The mobile CPU multiplier that emulates, on a host of this benchmark index, the phone 4x emulates on a
    high-end desktop."""
    scaled = DEFAULT_SLOWDOWN * benchmark_index / CALIBRATED_BENCHMARK_INDEX
    return round(min(DEFAULT_SLOWDOWN, max(1.0, scaled)), 2)


def run_lighthouse(url, preset, report):
    """Lighthouse's JSON report of url with every category of the bars. On mobile, when the first run finds the
    host slower than the 4x multiplier assumes, the page is measured again with the multiplier calibrated to the
    host, and that second report is the one judged, whatever the first one scored."""
    result = lighthouse_report(url, preset, report)
    if preset == "mobile":
        slowdown = calibrated_slowdown(result["environment"]["benchmarkIndex"])
        if slowdown < DEFAULT_SLOWDOWN:
            result = lighthouse_report(url, preset, report, cpu_slowdown=slowdown)
    return result


def lighthouse_report(url, preset, report, *, cpu_slowdown=None):
    """Lighthouse's JSON report of url with every category of the bars, in one run."""
    report.parent.mkdir(parents=True, exist_ok=True)
    command = [
        *lighthouse_command(),
        url,
        f"--only-categories={','.join(CATEGORIES)}",
        "--output=json",
        f"--output-path={report}",
        f"--chrome-flags={' '.join(LIGHTHOUSE_CHROMIUM_ARGS)}",
        # The full-page screenshot is a picture for the HTML viewer, no audit reads it; the tests take their own.
        "--disable-full-page-screenshot",
        "--quiet",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    if cpu_slowdown is not None:
        command.append(f"--throttling.cpuSlowdownMultiplier={cpu_slowdown}")
    environment = {**os.environ, "CHROME_PATH": str(CHROMIUM)}
    for _attempt in range(ATTEMPTS):
        completed = subprocess.run(command, env=environment, capture_output=True, text=True, timeout=180)
        if not any(error in completed.stderr for error in TRACE_ERRORS):
            break
    assert completed.returncode == 0, completed.stderr[-2000:]
    return json.loads(report.read_text())


def failing_audits(result, category):
    """The audits that cost the category points: id, score and title, as Lighthouse names them."""
    audits = result["audits"]
    failing = []
    for ref in result["categories"][category]["auditRefs"]:
        audit = audits[ref["id"]]
        if ref["weight"] > 0 and audit["score"] is not None and audit["score"] < 1:
            failing.append(f"{ref['id']} ({audit['score']:.2f}): {audit.get('displayValue') or audit['title']}")
    return failing


def scores_of(result):
    return {category: round(result["categories"][category]["score"] * 100) for category in CATEGORIES}


@pytest.mark.parametrize("preset", ["desktop", "mobile"])
@pytest.mark.parametrize("name", list(QUALITY_PAGES))
def test_page_scores_at_least_95_in_every_lighthouse_category(
    name, preset, quality_server, seeded_site, record_property
):
    path = quality_page_path(name)

    result = run_lighthouse(f"{quality_server}{path}", preset, REPORTS / f"{name}-{preset}.json")

    assert result.get("runtimeError") is None, result["runtimeError"]
    assert result["finalDisplayedUrl"] == f"{quality_server}{path}"
    scores = scores_of(result)
    slowdown = result["configSettings"]["throttling"]["cpuSlowdownMultiplier"]
    record_property(
        "lighthouse",
        f"{name} ({preset}) {path}: {' / '.join(str(scores[c]) for c in CATEGORIES)}"
        f" (CPU {slowdown}x, benchmark index {result['environment']['benchmarkIndex']:.0f})",
    )
    below = {category: failing_audits(result, category) for category, score in scores.items() if score < PASS}
    assert below == {}, f"{name} ({preset}) {scores}"


def test_failing_audits_name_what_costs_points():
    result = {
        "audits": {
            "meta-description": {"score": 0, "title": "Document does not have a meta description"},
            "robots-txt": {"score": None, "title": "robots.txt is valid"},
            "http-status-code": {"score": 1, "title": "Page has successful HTTP status code"},
            "structured-data": {"score": 0, "title": "Structured data is valid"},
        },
        "categories": {
            "seo": {
                "auditRefs": [
                    {"id": "meta-description", "weight": 1},
                    {"id": "robots-txt", "weight": 1},
                    {"id": "http-status-code", "weight": 1},
                    {"id": "structured-data", "weight": 0},
                ]
            }
        },
    }

    assert failing_audits(result, "seo") == ["meta-description (0.00): Document does not have a meta description"]


@pytest.mark.parametrize(
    ("benchmark_index", "slowdown"),
    [(2000, 4), (1500, 4), (1200, 3.2), (600, 1.6), (300, 1.0)],
)
def test_the_mobile_cpu_slowdown_is_scaled_to_the_host_as_lighthouse_documents(benchmark_index, slowdown):
    assert calibrated_slowdown(benchmark_index) == slowdown
