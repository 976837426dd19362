"""A visitor in a real browser: filters the list, opens a meeting, follows a back-to-back link, uses the month grid.

Each page on the way is checked with axe-core. The same journey runs on a desktop screen and at 390 pixels wide.
"""

import datetime
import re

import pytest
from playwright.sync_api import expect

from tests.support.factories import (
    BackToBackFactory,
    CountryFactory,
    MeetingFactory,
    MeetingOrganiserFactory,
    OrganisationFactory,
    TopicFactory,
    VenueFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def meetings(transactional_db):
    kosovo = CountryFactory(code="XK", name="Kosovo", needs_designation=True)
    serbia = CountryFactory(code="RS", name="Serbia")
    pcve = TopicFactory(name="P-CVE", slug="p-cve")
    salw = TopicFactory(name="Small arms", slug="salw")
    rcc = OrganisationFactory(name="Regional Cooperation Council", acronym="RCC", slug="rcc")
    nfp = MeetingFactory(title="NFP Group meeting", slug="nfp", start_date=datetime.date(2019, 4, 23))
    rnnc = MeetingFactory(
        title="RNNC meeting",
        slug="rnnc",
        start_date=datetime.date(2019, 4, 24),
        description="Discussing **P-CVE** strategies.",
    )
    albania = MeetingFactory(title="Albania coordination", slug="albania", start_date=datetime.date(2019, 4, 25))
    for meeting in (nfp, rnnc, albania):
        meeting.topics.add(pcve)
        MeetingOrganiserFactory(meeting=meeting, organisation=rcc)
    rnnc.countries.add(kosovo)
    BackToBackFactory(from_meeting=rnnc, to_meeting=nfp)
    BackToBackFactory(from_meeting=rnnc, to_meeting=albania)
    belgrade = MeetingFactory(
        title="SALW steering group",
        slug="salw",
        start_date=datetime.date(2019, 3, 5),
        venue=VenueFactory(city="Belgrade", country=serbia, timezone="Europe/Belgrade"),
    )
    belgrade.topics.add(salw)


def assert_fits_the_screen(page):
    """Nothing wider than the viewport: a phone visitor never scrolls sideways."""
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


def open_filters(page):
    details = page.locator("details.more-filters")
    if details.get_attribute("open") is None:
        page.locator("details.more-filters > summary").click()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_visitor_filters_opens_a_meeting_and_follows_the_cluster(page, live_server, meetings, assert_accessible):
    page.goto(f"{live_server.url}/meetings/")
    expect(page.locator(".result-count")).to_have_text("4 meetings found")
    assert_accessible(page)

    open_filters(page)
    page.get_by_role("group", name="Topic").get_by_label("P-CVE").check()
    page.get_by_role("group", name="Country").get_by_label("Kosovo*").check()
    page.get_by_role("button", name="Apply filters").click()

    expect(page.locator(".result-count")).to_have_text("1 meeting found")
    expect(page.locator("a.meeting-link")).to_have_text(["RNNC meeting"])
    expect(page.locator("a.chip")).to_have_text(["Remove filter Topic: P-CVE ×", "Remove filter Country: Kosovo* ×"])
    expect(page.locator(".designation-footnote")).to_contain_text("UNSCR 1244/1999")
    assert_accessible(page)
    assert_fits_the_screen(page)

    page.get_by_role("link", name="RNNC meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("RNNC meeting")
    expect(page.locator(".meeting-when")).to_have_text("24 April 2019")
    expect(page.locator("section.cluster li")).to_have_count(3)
    assert_accessible(page)
    assert_fits_the_screen(page)

    page.locator("section.cluster").get_by_role("link", name="Albania coordination").click()
    expect(page).to_have_url(re.compile(r"/meetings/albania/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Albania coordination")


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_visitor_uses_the_month_grid(page, live_server, meetings, assert_accessible, viewport):
    page.goto(f"{live_server.url}/calendar/2019/3/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar: March 2019")
    assert_accessible(page)

    page.get_by_role("link", name="April 2019 →").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar: April 2019")
    assert_accessible(page)

    if viewport == "desktop":
        grid = page.get_by_role("table")
        expect(grid).to_be_visible()
        expect(page.locator("section.agenda")).to_be_hidden()
        # Each meeting is a bar whose name carries its days (tests/browser/test_month_grid.py measures them).
        bar = grid.get_by_role("link", name=re.compile("RNNC meeting.*24 April 2019"))
        expect(bar).to_have_count(1)
        bar.click()
    else:
        # On a phone the grid gives way to an agenda of the days that have meetings.
        expect(page.get_by_role("table")).to_be_hidden()
        agenda = page.locator("section.agenda")
        expect(agenda.get_by_role("heading", level=3)).to_have_text(
            ["Tuesday 23 April 2019", "Wednesday 24 April 2019", "Thursday 25 April 2019"]
        )
        assert_fits_the_screen(page)
        agenda.get_by_role("link", name="RNNC meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("RNNC meeting")
