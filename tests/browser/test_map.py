"""A visitor looks at the map of an organiser's meetings and follows a city's marker to its meetings."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from events.management.commands.loadseed import SEED_FIXTURES
from events.models import Meeting, MeetingOrganiser

pytestmark = pytest.mark.browser


@pytest.fixture
def seed_meetings(transactional_db):
    call_command("loaddata", *SEED_FIXTURES, verbosity=0)


def rcc_titles_in(city):
    meetings = Meeting.objects.published().filter(
        venue__city=city, pk__in=MeetingOrganiser.objects.filter(organisation__slug="rcc").values("meeting")
    )
    return sorted(meetings.values_list("title", flat=True))


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_map_marker_leads_to_the_list_of_its_city_meetings(
    page, live_server, seed_meetings, assert_strictly_accessible, save_screenshot, viewport
):
    expected = rcc_titles_in("Belgrade")
    assert len(expected) == 1

    page.goto(f"{live_server.url}/organisers/rcc/")
    figure = page.locator("figure.venue-map")
    expect(figure.locator("svg")).to_be_visible()
    expect(figure.locator("figcaption")).to_contain_text("GeoNames")
    expect(figure.locator("svg text.venue-map-country-name", has_text="Kosovo*")).to_have_count(1)
    expect(page.locator(".designation-footnote")).to_contain_text("UNSCR 1244/1999")
    # The map scales to the screen: nothing wider than the viewport at 390 pixels either.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    box = figure.locator("svg").bounding_box()
    assert box["width"] <= page.viewport_size["width"]
    assert_strictly_accessible(page)
    figure.scroll_into_view_if_needed()
    save_screenshot(page, f"organiser-map-{viewport}")

    marker = figure.locator("svg").get_by_role("link", name="Belgrade: 1 meeting")
    expect(marker).to_have_count(1)
    marker.click()

    expect(page).to_have_url(re.compile(r"/meetings/\?organiser=rcc&city=Belgrade$"))
    expect(page.locator("a.meeting-link")).to_have_text(expected)


def test_map_city_list_below_the_map_leads_to_the_same_meetings(page, live_server, seed_meetings):
    page.goto(f"{live_server.url}/organisers/rcc/")

    page.locator("ul.venue-map-places").get_by_role("link", name="Sarajevo: 1 meeting").click()

    expect(page).to_have_url(re.compile(r"/meetings/\?organiser=rcc&city=Sarajevo$"))
    expect(page.locator("a.meeting-link")).to_have_text(rcc_titles_in("Sarajevo"))


def test_map_prints_with_its_places(page, live_server, seed_meetings):
    page.goto(f"{live_server.url}/organisers/rcc/")
    page.emulate_media(media="print")

    expect(page.locator("figure.venue-map svg")).to_be_visible()
    expect(page.locator("ul.venue-map-places li")).to_have_count(2)
