"""The admin keeps working under the site's Content-Security-Policy (no inline script or style allowed)."""

import os
from pathlib import Path

import pytest

from tests.factories import MeetingFactory, TopicFactory

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
PASSWORD = "correct horse battery staple"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists() and os.environ.get("REQUIRE_BROWSER") != "1",
        reason="Debian's chromium is not installed at /usr/bin/chromium",
    ),
]


@pytest.fixture
def page():
    # Playwright's sync API runs an event loop; Django's ORM must be allowed to run beside it.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser.new_page()
        browser.close()


def is_problem(console_message):
    # The site has no favicon yet; the browser asking for one is not the admin failing.
    missing_favicon = console_message.location.get("url", "").endswith("/favicon.ico")
    return console_message.type == "error" and not missing_favicon


def test_admin_login_and_meeting_change_form_work_without_csp_violations(page, live_server, django_user_model):
    django_user_model.objects.create_superuser(username="editor", password=PASSWORD)
    TopicFactory(name="Border security", slug="border-security")
    meeting = MeetingFactory(title="Regional meeting", slug="regional-meeting")
    problems = []
    page.on("console", lambda message: problems.append(message.text) if is_problem(message) else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/events/meeting/{meeting.pk}/change/")

    # The admin's scripts ran: the two-box topic chooser and the venue autocomplete are built by JavaScript.
    assert page.locator("#id_topics_from option").all_inner_texts() == ["Border security"]
    assert page.locator("#id_venue + .select2-container").count() == 1
    page.click("#id_topics_add_all")
    assert page.locator("#id_topics_to option").all_inner_texts() == ["Border security"]
    assert problems == []
