"""An editor's day in a real browser: enter a meeting from an announcement, publish it, cancel it.

Debian's chromium through Playwright against pytest-django's live server. Skips, saying why, without
/usr/bin/chromium; with REQUIRE_BROWSER=1 (CI) it fails instead. No browser is ever downloaded.
"""

import pytest
from icalendar import Calendar

from events.models import Meeting, OrganiserRole, Publication, Status
from tests.browser.conftest import EDITOR_EMAIL, EDITOR_PASSWORD
from tests.support.factories import CountryFactory, MeetingFactory, OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose_in_autocomplete(page, field_id, text):
    """Pick ``text`` in the admin's select2 autocomplete for the <select> with ``field_id``."""
    page.locator(f"#{field_id} + .select2 .select2-selection").click()
    page.fill(".select2-container--open .select2-search__field", text)
    page.click(f".select2-results__option:has-text('{text}')")


def feed_entry(page, meeting):
    """(SUMMARY, STATUS, DESCRIPTION) of ``meeting`` in the public feed, parsed as a calendar program would."""
    response = page.request.get("/calendar.ics")
    assert response.status == 200
    calendar = Calendar.from_ical(response.body())
    entries = [
        (str(event["SUMMARY"]), str(event["STATUS"]), str(event["DESCRIPTION"]))
        for event in calendar.walk("VEVENT")
        if str(event["URL"]).endswith(meeting.get_absolute_url())
    ]
    assert len(entries) == 1
    return entries[0]


def test_editor_enters_publishes_and_cancels_a_meeting(editor_page, editor_account, live_server):
    page = editor_page
    # The admin must work under the site's Content-Security-Policy: no inline script or style.
    csp_violations = []

    def note_csp_violation(message):
        if "Content Security Policy" in message.text:
            csp_violations.append(message.text)

    page.context.on("console", note_csp_violation)
    CountryFactory(code="AL", name="Albania")
    OrganisationFactory(name="EU Delegation to Bosnia and Herzegovina", acronym="EUD BiH")
    OrganisationFactory(name="IISG Support Group", acronym="IISG")
    OrganisationFactory(name="European Union", acronym="EU")
    MeetingFactory(title="7th Meeting of the NFP Group", slug="7th-nfp", start_date="2030-04-23")

    # Log in.
    response = page.goto("/admin/login/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.fill("#id_username", EDITOR_EMAIL)
    page.fill("#id_password", EDITOR_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")

    # Enter the meeting the way the announcement reads.
    page.goto("/admin/events/meeting/add/")
    page.locator("#id_title_en").press_sequentially("3rd Meeting of the RNNC")
    assert page.input_value("#id_slug") == "3rd-meeting-of-the-rnnc"  # filled in by the admin's script
    page.fill("#id_start_date", "2030-04-24")
    choose_in_autocomplete(page, "id_organiser_roles-0-organisation", "EUD BiH")
    page.select_option("#id_organiser_roles-0-role", OrganiserRole.ORGANISER)
    page.click("#organiser_roles-group .add-row a")
    choose_in_autocomplete(page, "id_organiser_roles-1-organisation", "IISG")
    page.select_option("#id_organiser_roles-1-role", OrganiserRole.CO_ORGANISER)
    page.fill("#id_organiser_roles-1-position", "1")
    # A venue not yet known: added in the admin's pop-up, then chosen in the form.
    with page.expect_popup() as popup_info:
        page.click("#add_id_venue")
    popup = popup_info.value
    popup.fill("#id_name", "Hotel Tirana International")
    popup.fill("#id_city", "Tirana")
    choose_in_autocomplete(popup, "id_country", "Albania")
    popup.select_option("#id_timezone", "Europe/Tirane")
    with popup.expect_event("close"):
        popup.click("input[name=_save]")
    assert page.inner_text("#id_venue option:checked") == "Hotel Tirana International, Tirana, Albania"
    choose_in_autocomplete(page, "id_fundings-0-organisation", "European Union")
    page.fill("#id_fundings-0-instrument", "IPA II")
    page.locator("#id_description_en").press_sequentially("Discussing **P-CVE** topics.")
    # The live preview (static/js/markdown-preview.js) shows the public rendering before saving.
    page.wait_for_selector(".markdown-preview strong")
    assert page.inner_text(".markdown-preview") == "Discussing P-CVE topics."
    choose_in_autocomplete(page, "id_links_from-0-to_meeting", "7th Meeting of the NFP Group")
    page.select_option("#id_publication", Publication.PUBLISHED)
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")

    meeting = Meeting.objects.get(slug="3rd-meeting-of-the-rnnc")
    assert [(r.organisation.acronym, r.role) for r in meeting.organiser_roles.all()] == [
        ("EUD BiH", OrganiserRole.ORGANISER),
        ("IISG", OrganiserRole.CO_ORGANISER),
    ]
    assert page.inner_text(".markdown-preview strong") == "P-CVE"
    assert [str(funding) for funding in meeting.fundings.all()] == ["EU – IPA II"]

    # The public sees it: on the list, on its page, in the feed.
    page.goto("/meetings/")
    item = page.locator(".meeting-item", has_text="3rd Meeting of the RNNC")
    assert item.locator(".meeting-organisers").inner_text() == "Organised by EUD BiH, IISG"
    assert item.locator(".status").count() == 0
    page.goto(meeting.get_absolute_url())
    assert page.inner_text("h1") == "3rd Meeting of the RNNC"
    assert page.locator(".draft-banner").count() == 0
    assert page.locator(".status-banner").count() == 0
    summary, status, description = feed_entry(page, meeting)
    assert (summary, status) == ("3rd Meeting of the RNNC", "CONFIRMED")
    assert "Organisers: EUD BiH (Organiser); IISG (Co-organiser)" in description

    # Cancel it in a few clicks.
    page.goto(f"/admin/events/meeting/{meeting.pk}/change/")
    page.click(".object-tools a:has-text('Cancel')")
    page.fill("#id_reason", "Cancelled at the request of the host.")
    page.click("input[type=submit][value='Cancel the meeting']")
    page.wait_for_selector(".messagelist .success")
    meeting.refresh_from_db()
    assert meeting.status == Status.CANCELLED

    # The cancellation shows on the list, the page and the feed.
    page.goto("/meetings/")
    item = page.locator(".meeting-item", has_text="3rd Meeting of the RNNC")
    assert item.locator(".status").inner_text() == "Cancelled"
    page.goto(meeting.get_absolute_url())
    banner = page.inner_text(".status-banner")
    assert banner == "This meeting has been cancelled.\n\nCancelled at the request of the host."
    assert "status Confirmed → Cancelled" in page.inner_text(".change-log")
    summary, status, description = feed_entry(page, meeting)
    assert (summary, status) == ("Cancelled: 3rd Meeting of the RNNC", "CANCELLED")
    when, status_line = description.splitlines()[:2]
    assert when.startswith("When: ")
    assert status_line == "Cancelled: Cancelled at the request of the host."
    assert csp_violations == []
