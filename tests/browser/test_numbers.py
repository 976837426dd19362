"""The numbers page in a real browser: download a table as CSV, check its total against the list, follow a
cell to the list it counts; axe-core finds nothing, desktop and phone."""

import csv
import datetime
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.support.factories import (
    CountryFactory,
    MeetingFactory,
    MeetingFunderFactory,
    OrganisationFactory,
    TopicFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def funded(transactional_db):
    eu = OrganisationFactory(name="European Union", acronym="EU", slug="eu")
    undp = OrganisationFactory(name="UNDP", acronym="", slug="undp")
    borders = TopicFactory(name="Borders", slug="borders")
    kosovo = CountryFactory(code="XK", name="Kosovo", needs_designation=True)
    for index in range(7):
        meeting = MeetingFactory(
            title=f"Border meeting {index}",
            slug=f"border-meeting-{index}",
            start_date=datetime.date(2024 + index % 2, 1 + index, 10),
        )
        MeetingFunderFactory(meeting=meeting, organisation=eu, instrument="IPA" if index % 3 else "")
        if index % 2:
            MeetingFunderFactory(meeting=meeting, organisation=undp)
        meeting.topics.add(borders)
        meeting.countries.add(kosovo)


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_numbers_csv_total_matches_the_list(
    page, live_server, funded, assert_strictly_accessible, save_screenshot, viewport
):
    page.goto(f"{live_server.url}/numbers/")
    expect(page.get_by_role("heading", name="Meetings by funder and instrument")).to_be_visible()
    # Wide tables and the timeline scroll inside their own box; the page never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert_strictly_accessible(page)
    save_screenshot(page, f"numbers-{viewport}")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download this table as CSV").first.click()
    download = download_info.value
    assert download.suggested_filename == "meetings-by-funders.csv"
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["Funder", "Instrument", "2024", "2025", "Total"]
    total = rows[-1]
    assert total[0] == "All meetings, each counted once"
    eu = next(row for row in rows if row[:2] == ["European Union", "All instruments"])

    # The row's last link is its total.
    page.get_by_role("row", name=re.compile(r"^European Union All instruments")).get_by_role("link").last.click()
    expect(page).to_have_url(f"{live_server.url}/meetings/?funder=eu")
    expect(page.locator(".result-count")).to_have_text(f"{eu[-1]} meetings found")

    page.goto(f"{live_server.url}/meetings/")
    expect(page.locator(".result-count")).to_have_text(f"{total[-1]} meetings found")
    assert total[-1] == "7"


def test_numbers_by_topic_is_accessible(page, live_server, funded, assert_strictly_accessible):
    page.goto(f"{live_server.url}/numbers/?by=topic")
    expect(page.get_by_role("link", name="By topic")).to_have_attribute("aria-current", "page")
    chart = page.get_by_role("img", name="Meetings by month and topic")
    expect(chart).to_be_visible()
    assert "from January 2024 to June 2025" in page.locator("#timeline-desc").text_content()
    assert_strictly_accessible(page)
