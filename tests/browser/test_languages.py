"""A visitor switches language in a real browser: the page, its filters and its results stay, the
address and <html lang> change, and the choice is remembered by "/". Pages are checked with
axe-core in every language of the site."""

import datetime
import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from tests.support.factories import CountryFactory, MeetingFactory, TopicFactory, VenueFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def meetings(transactional_db):
    albania = CountryFactory(code="AL", name="Albania")
    pcve = TopicFactory(name="P-CVE", slug="p-cve")
    salw = TopicFactory(name="Small arms", slug="salw")
    tirana = VenueFactory(city="Tirana", country=albania, timezone="Europe/Tirane")
    for day, title, topic in [(23, "NFP Group meeting", pcve), (24, "RNNC meeting", pcve), (25, "SALW group", salw)]:
        meeting = MeetingFactory(title=title, slug=f"m-{day}", start_date=datetime.date(2019, 4, day), venue=tirana)
        meeting.topics.add(topic)


def result_titles(page):
    return page.locator(".meeting-title a").all_inner_texts()


def test_switching_language_keeps_the_page_and_its_filter(page, live_server, meetings, assert_accessible):
    page.goto(f"{live_server.url}/meetings/?topic=p-cve")
    english_results = result_titles(page)
    assert sorted(english_results) == ["NFP Group meeting", "RNNC meeting"]

    page.get_by_role("button", name="Српски").click()

    expect(page).to_have_url(re.compile(r"/sr/meetings/\?topic=p-cve$"))
    assert page.locator("html").get_attribute("lang") == "sr"
    assert result_titles(page) == english_results
    assert page.locator('input[name="topic"][value="p-cve"]').is_checked()
    assert page.get_by_role("button", name="Српски").get_attribute("aria-current") == "true"
    assert_accessible(page)

    page.get_by_role("button", name="Shqip").click()

    expect(page).to_have_url(re.compile(r"/sq/meetings/\?topic=p-cve$"))
    assert page.locator("html").get_attribute("lang") == "sq"
    assert result_titles(page) == english_results

    # The choice is saved: the bare address now opens in Albanian.
    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/sq/$"))
    assert page.locator("html").get_attribute("lang") == "sq"


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES if code != "en"])
def test_pages_in_the_regions_languages_are_accessible(page, live_server, meetings, assert_accessible, language):
    for path in ["/", "/meetings/?topic=p-cve", "/meetings/m-23/", "/calendar/2019/4/", "/subscribe/"]:
        page.goto(f"{live_server.url}/{language}{path}")
        assert page.locator("html").get_attribute("lang") == language, path
        assert_accessible(page)


def test_the_switcher_works_without_javascript(browser, live_server, meetings):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/calendar/2019/4/")
    page.get_by_role("button", name="Македонски").click()
    expect(page).to_have_url(re.compile(r"/mk/calendar/2019/4/$"))
    assert page.locator("html").get_attribute("lang") == "mk"
    context.close()
