"""An editor enters a meeting's Albanian title in its language tab, under the site's CSP, and the
Albanian page shows it while the English page keeps the English title."""

import pytest

from tests.browser.conftest import EDITOR_EMAIL, EDITOR_PASSWORD
from tests.support.factories import MeetingFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_editor_translates_a_title_in_its_tab(editor_page, editor_account, live_server):
    page = editor_page
    problems = []

    def note_error(message):
        # The site has no favicon yet: the browser's own request for one is not the page's error.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            problems.append(message.text)

    page.context.on("console", note_error)
    meeting = MeetingFactory(title="Regional P-CVE meeting", slug="pcve", start_date="2030-04-24")

    page.goto("/admin/login/")
    page.fill("#id_username", EDITOR_EMAIL)
    page.fill("#id_password", EDITOR_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto(f"/admin/events/meeting/{meeting.pk}/change/")

    # One tab per language; English open, the other languages' fields hidden until chosen.
    title_tabs = page.locator('[role="tablist"]').first.locator('[role="tab"]')
    assert title_tabs.count() == 9
    assert page.locator("#id_title_en").is_visible()
    assert not page.locator("#id_title_sq").is_visible()
    page.locator("#translation-tab-title-sq").click()
    assert page.locator("#translation-tab-title-sq").get_attribute("aria-selected") == "true"
    page.locator("#id_title_sq").fill("Takim rajonal për P-CVE")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/events/meeting/")

    albanian = page.request.get(f"{live_server.url}/sq/meetings/pcve/").text()
    english = page.request.get(f"{live_server.url}/meetings/pcve/").text()
    assert "<h1>Takim rajonal për P-CVE</h1>" in albanian
    assert "<h1>Regional P-CVE meeting</h1>" in english
    assert problems == []
