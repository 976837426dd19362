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
def page(browser, viewport):
    # bypass_csp: axe-core is injected into the page by the test, which a strict CSP would otherwise refuse.
    context = browser.new_context(viewport=VIEWPORTS[viewport], bypass_csp=True, locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def assert_accessible():
    """Run axe-core on the page in the browser; fail on any serious or critical violation."""
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

    return check
