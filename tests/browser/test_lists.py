"""Lists in a real browser: on a phone the first meeting is on the first screen; the copy button puts the
subscription address on the clipboard and says so; the list, an archive and the home page have no axe-core
violation of any impact, at 1280 and at 390 pixels wide."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import DatePrecision, Status
from tests.browser.conftest import VIEWPORTS
from tests.support.factories import MeetingFactory, MeetingOrganiserFactory, OrganisationFactory, TopicFactory

pytestmark = pytest.mark.browser

DAY = datetime.timedelta(days=1)


@pytest.fixture
def listed(transactional_db):
    today = timezone.localdate()
    rcc = OrganisationFactory(name="Regional Cooperation Council", acronym="RCC", slug="rcc")
    pcve = TopicFactory(name="P-CVE", slug="p-cve")
    rows = [
        # A long title, as real ones are: it wraps, all of it shown.
        (
            # (its slug within the 120 characters PostgreSQL holds to)
            "Meeting of the Steering Group of the Regional Cooperation Council on Preventing and Countering Violent "
            "Extremism",
            {"start_date": today + 3 * DAY, "end_date": today + 5 * DAY},
        ),
        ("Border police chiefs", {"start_date": today + 9 * DAY, "start_time": datetime.time(9, 30)}),
        ("Postponed working group", {"start_date": today + 12 * DAY, "status": Status.POSTPONED}),
        ("Cancelled workshop", {"start_date": today + 14 * DAY, "status": Status.CANCELLED}),
        ("Tentative seminar", {"start_date": today + 40 * DAY, "status": Status.TENTATIVE}),
        ("Month-only conference", {"start_date": today + 70 * DAY, "date_precision": DatePrecision.MONTH}),
        ("Ministerial, date open", {"start_date": None, "end_date": None, "date_precision": DatePrecision.UNKNOWN}),
        ("Last month's expert meeting", {"start_date": today - 30 * DAY}),
        ("Last year's conference", {"start_date": today - 400 * DAY, "end_date": today - 398 * DAY}),
    ]
    for title, fields in rows:
        meeting = MeetingFactory(title=title, **fields)
        meeting.topics.add(pcve)
        MeetingOrganiserFactory(meeting=meeting, organisation=rcc)
    return today


@pytest.mark.parametrize("viewport", ["phone"])
def test_on_a_phone_the_first_meeting_is_on_the_first_screen(page, live_server, listed, save_screenshot):
    page.goto(f"{live_server.url}/meetings/")

    first = page.locator("li.meeting-item").first
    expect(first).to_be_visible()
    box = first.bounding_box()
    save_screenshot(page, "lists-meetings-390")
    assert box["y"] + box["height"] <= VIEWPORTS["phone"]["height"], box
    # The date block sits left of the entry's text, the entry no wider than the screen.
    block = first.locator(".date-block").bounding_box()
    body = first.locator(".meeting-body").bounding_box()
    assert block["x"] + block["width"] <= body["x"]
    assert page.evaluate("document.documentElement.scrollWidth") <= VIEWPORTS["phone"]["width"]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_copy_button_puts_the_subscription_address_on_the_clipboard_and_says_so(browser, live_server, listed, viewport):
    context = browser.new_context(
        viewport=VIEWPORTS[viewport], locale="en-GB", permissions=["clipboard-read", "clipboard-write"]
    )
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/meetings/?topic=p-cve")
        address = page.locator("#subscribe-url").input_value()

        button = page.get_by_role("button", name="Copy address")
        expect(button).to_be_visible()
        button.click()

        status = page.locator(".subscribe [role=status]")
        expect(status).to_have_text("Copied")
        assert page.evaluate("navigator.clipboard.readText()") == address
        assert address.endswith("/calendar.ics?topic=p-cve")
        # Pressed again, the announcement comes again.
        button.click()
        expect(status).to_have_text("Copied")
    finally:
        context.close()


def test_without_javascript_the_address_stays_selectable_and_no_button_shows(browser, live_server, listed):
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="en-GB", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/meetings/")
        field = page.locator("#subscribe-url")
        expect(field).to_be_visible()
        expect(field).to_have_attribute("readonly", "")
        expect(page.locator(".copy-button")).to_have_count(0)
        webcal = page.get_by_role("link", name="Subscribe in your calendar program").get_attribute("href")
        assert webcal.startswith("webcal:")
    finally:
        context.close()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("path", ["/", "/meetings/", "/meetings/{year}/", "/meetings/{year}/{month}/"])
def test_lists_have_no_axe_violation_of_any_impact(
    page, live_server, listed, assert_strictly_accessible, save_screenshot, viewport, path
):
    today = listed
    url = path.format(year=today.year, month=today.month)
    response = page.goto(f"{live_server.url}{url}")
    assert response.status == 200

    expect(page.locator("li.meeting-item").first).to_be_visible()
    name = url.strip("/").replace("/", "-") or "home"
    save_screenshot(page, f"lists-{name}-{VIEWPORTS[viewport]['width']}")
    assert_strictly_accessible(page)
