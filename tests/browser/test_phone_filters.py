"""Filtering on a phone (390 x 844): the drawer, its counts and targets, and the results on the first screen."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PHONE_HEIGHT = 844


def box(locator):
    found = locator.bounding_box()
    assert found is not None, locator
    return found


def assert_on_first_screen(locator):
    """Wholly visible without scrolling."""
    found = box(locator)
    assert found["y"] >= 0
    assert found["y"] + found["height"] <= PHONE_HEIGHT, found


def assert_targets_at_least(locators, size):
    for locator in locators:
        found = box(locator)
        assert found["width"] >= size and found["height"] >= size, (locator, found)


@pytest.mark.parametrize("viewport", ["phone"])
def test_phone_visitor_ticks_a_topic_and_sees_the_first_result_on_the_first_screen(
    page, live_server, seeded_site, assert_strictly_accessible, save_screenshot
):
    page.goto(f"{live_server.url}/meetings/")
    drawer = page.locator("details.more-filters")
    expect(drawer).not_to_have_attribute("open", re.compile(".*"))
    assert_strictly_accessible(page)

    page.get_by_text("Filters", exact=True).click()
    topics = page.get_by_role("group", name="Topic")
    pcve = topics.get_by_role("checkbox", name=re.compile(r"^P-CVE \d+ meetings?$"))
    expect(pcve).to_be_visible()
    # Checkboxes of 24 px at least; each option's row (checkbox and label, all of it clickable) 44 px.
    assert_targets_at_least(topics.get_by_role("checkbox").all(), 24)
    for option in topics.locator(".option").all():
        assert box(option)["height"] >= 44
    assert_targets_at_least([page.locator("details.more-filters > summary")], 44)
    # Every option is shown, or behind "Show all": no list scrolls inside the page.
    scrolling = page.locator(".filter-grid *").evaluate_all(
        "nodes => nodes.filter(n => ['auto', 'scroll'].includes(getComputedStyle(n).overflowY)).length"
    )
    assert scrolling == 0
    assert_strictly_accessible(page)
    save_screenshot(page, "phone-filters-open")

    pcve.check()
    page.get_by_role("button", name="Apply filters").click()

    # The form's empty fields (search, city, dates) were not sent.
    expect(page).to_have_url(f"{live_server.url}/meetings/?topic=p-cve")
    expect(page.locator("details.more-filters > summary")).to_have_text(re.compile(r"^Filters \(1 active\)"))
    expect(page.locator("a.chip")).to_have_text(["Remove filter Topic: P-CVE ×"])
    assert_on_first_screen(page.locator(".result-count"))
    assert_on_first_screen(page.locator("a.meeting-link").first)
    assert_targets_at_least(page.locator("a.chip").all(), 24)
    assert_strictly_accessible(page)
    save_screenshot(page, "phone-filters-applied")


@pytest.mark.parametrize("viewport", ["phone"])
def test_phone_filtered_list_by_address_shows_results_on_the_first_screen(page, live_server, seeded_site):
    page.goto(f"{live_server.url}/meetings/?topic=p-cve&country=AL")

    assert_on_first_screen(page.locator(".result-count"))
    assert_on_first_screen(page.locator("a.meeting-link").first)


@pytest.mark.parametrize("viewport", ["phone"])
def test_phone_option_search_finds_an_organiser_behind_show_all(page, live_server, seeded_site, console_errors):
    page.goto(f"{live_server.url}/meetings/")
    page.get_by_text("Filters", exact=True).click()
    organisers = page.get_by_role("group", name="Organiser")
    hidden_one = organisers.locator(".more-options .option").first
    name = hidden_one.locator("label").evaluate("label => label.firstChild.textContent.trim()")
    expect(hidden_one).to_be_hidden()

    organisers.get_by_role("searchbox", name="Find an option").fill(name[:6].lower())

    expect(hidden_one).to_be_visible()
    visible = organisers.locator(".option:visible")
    assert 1 <= visible.count() < organisers.locator(".option").count()
    assert console_errors == []
