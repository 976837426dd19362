"""Playwright driving Debian's chromium against pytest-django's live server.

Browser tests skip, saying why, on a machine without /usr/bin/chromium; with REQUIRE_BROWSER=1 (CI) they
fail instead, so CI can never pass by skipping them. No browser is ever downloaded.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORTS = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844},
}

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable from the tests.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


# Module scope: one chromium per test module, closed before the next module starts, so a module that drives
# Playwright with fixtures of its own never runs beside this one (the sync API allows one at a time per thread).
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def viewport():
    """Which screen the page has; parametrize a test with "phone" to browse at 390 pixels wide."""
    return "desktop"


@pytest.fixture
def console_errors():
    """Errors the browser logged while the test browsed (a CSP violation is one)."""
    return []


@pytest.fixture
def page(browser, viewport, console_errors):
    # The site's real Content-Security-Policy stays on: axe-core is evaluated through the DevTools protocol,
    # which the policy does not govern, while anything inline in our pages would be refused and logged.
    context = browser.new_context(viewport=VIEWPORTS[viewport], locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()

    def record_error(message):
        url = message.location.get("url", "")
        if message.type == "error" and not url.endswith("/favicon.ico"):
            console_errors.append(f"{url}: {message.text}")

    page.on("console", record_error)
    yield page
    context.close()


@pytest.fixture
def assert_accessible(console_errors):
    """Run axe-core on the page in the browser; fail on any serious or critical violation or any console error."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        violations = axe.run(page).response["violations"]
        serious = [
            f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
            for violation in violations
            if violation["impact"] in ("serious", "critical")
        ]
        assert serious == [], page.url
        assert console_errors == [], page.url

    return check


@pytest.fixture
def assert_strictly_accessible(console_errors):
    """axe-core with no violation of any impact (minor and moderate too), and no console error.

    The quality bar of the public pages; assert_accessible stays the floor for the journeys."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        violations = axe.run(page).response["violations"]
        found = [
            f"{violation['id']} ({violation['impact']}): {[node['target'] for node in violation['nodes']]}"
            for violation in violations
        ]
        assert found == [], page.url
        assert console_errors == [], page.url

    return check


ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"


@pytest.fixture
def save_screenshot():
    """save_screenshot(page, name): the whole page as tests/browser/artifacts/screenshots/<name>.png.

    The folder is kept out of git (.gitignore); each run overwrites the last, so anyone can look at what a
    change did to a page. Returns the file's path."""

    def save(page, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save


@pytest.fixture(scope="session")
def compressed_static_root(tmp_path_factory):
    """The static files as production serves them: collected, with a gzip copy beside each text file."""
    from django.conf import settings
    from django.core.management import call_command
    from django.test import override_settings

    root = tmp_path_factory.mktemp("staticfiles")
    storages = {**settings.STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"}}
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0, ignore_patterns=["admin"])
    return root


@pytest.fixture(scope="session")
def quality_server(django_db_setup, compressed_static_root):
    """A live server of the test run whose static files come compressed and cached for a year, as behind
    production's WhiteNoise or nginx, so Lighthouse measures the page a visitor gets.

    pytest-django's live_server serves static files raw through Django's handler; this one puts WhiteNoise
    (the project's own static server) in front of the same application. Pages still read the test's database
    (an in-memory SQLite connection is shared with the server thread, as live_server does)."""
    from django.conf import settings
    from django.db import connections
    from django.test.testcases import LiveServerThread
    from whitenoise import WhiteNoise

    def static_handler(application):
        return WhiteNoise(application, root=compressed_static_root, prefix=settings.STATIC_URL, max_age=31_536_000)

    shared = {conn.alias: conn for conn in connections.all() if conn.vendor == "sqlite" and conn.is_in_memory_db()}
    thread = LiveServerThread("127.0.0.1", static_handler, connections_override=shared, port=0)
    thread.daemon = True
    for conn in shared.values():
        conn.inc_thread_sharing()
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://127.0.0.1:{thread.port}"
    thread.terminate()
    for conn in shared.values():
        conn.dec_thread_sharing()


# The pages the design's quality bars hold (Lighthouse, axe-core, screenshots): name → (URL name, arguments, query).
QUALITY_PAGES = {
    "home": ("events:home", [], ""),
    "list": ("events:list", [], ""),
    "filtered-list": ("events:list", [], "?topic=p-cve&country=AL"),
    "meeting": ("events:detail", ["3rd-meeting-regional-network-national-p-cve-coordinators"], ""),
    "month-grid": ("events:calendar", [2019, 4], ""),
    "numbers": ("events:numbers", [], ""),
}


def quality_page_path(name):
    """The page's path; skips only while a page the bars name is not built yet (its URL does not resolve)."""
    from django.urls import NoReverseMatch, reverse

    url_name, args, query = QUALITY_PAGES[name]
    try:
        return reverse(url_name, args=args) + query
    except NoReverseMatch:
        pytest.skip(f"{url_name} does not exist yet: the {name} page is still to be built")


EDITOR_EMAIL = "editor@example.org"
EDITOR_PASSWORD = "correct horse battery staple"


@pytest.fixture
def editor_page(browser, live_server):
    """A page in Debian's chromium on the live server, for an editor to log in on."""
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def editor_account(transactional_db):
    """A regional editor (createeditor without --organisation) who logs in with EDITOR_EMAIL and EDITOR_PASSWORD."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group
    from django.core.management import call_command

    # A transactional test empties the database afterwards, migration-made rows included; make the
    # Editors group again with the migration's own function when an earlier test has flushed it.
    if not Group.objects.filter(name="Editors").exists():
        importlib.import_module("events.migrations.0002_editors_group").create_editors_group(apps, None)
    call_command("createeditor", EDITOR_EMAIL, password=EDITOR_PASSWORD, verbosity=0)


@pytest.fixture
def seeded_site(transactional_db):
    """The seed's real meetings, committed, so a live server's threads read them."""
    from django.core.management import call_command

    from events.management.commands.loadseed import SEED_FIXTURES

    call_command("loaddata", *SEED_FIXTURES, verbosity=0)


# Lighthouse's scores, collected from the tests' reports (test_lighthouse.py records them), so a run prints them.
LIGHTHOUSE_SCORES = []


def pytest_runtest_logreport(report):
    if report.when == "call":
        LIGHTHOUSE_SCORES.extend(value for key, value in report.user_properties if key == "lighthouse")


def pytest_terminal_summary(terminalreporter):
    if LIGHTHOUSE_SCORES:
        terminalreporter.section("Lighthouse scores (performance, accessibility, best practices, SEO)")
        for line in sorted(LIGHTHOUSE_SCORES):
            terminalreporter.write_line(line)
