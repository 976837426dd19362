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
