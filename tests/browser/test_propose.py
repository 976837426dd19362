"""A partner proposes a meeting in a real browser: with JavaScript off, and the page checked with axe-core."""

import pytest
from playwright.sync_api import expect

from events.models import Meeting, Proposal, Publication
from tests.browser.conftest import VIEWPORTS
from tests.support.factories import CountryFactory, VenueFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def tirana(transactional_db):
    return VenueFactory(name="", city="Tirana", country=CountryFactory(code="AL", name="Albania"))


def fill_short_form(page):
    page.get_by_label("Title of the meeting").fill("Regional Workshop on Border Security")
    page.get_by_label("Start date").fill("2031-03-10")
    page.get_by_label("End date").fill("2031-03-11")
    page.get_by_label("City").fill("Tirana")
    page.get_by_label("Country").select_option(label="Albania")
    page.get_by_label("Organiser").fill("Regional Cooperation Council")
    short = page.locator("form", has=page.locator('input[value="short"]'))
    short.get_by_label("Your name").fill("Vesna Proposer")
    short.get_by_label("Your e-mail address").fill("vesna@example.org")


def test_a_proposal_sent_without_javascript_lands_as_a_draft(browser, live_server, tirana):
    context = browser.new_context(viewport=VIEWPORTS["desktop"], locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/propose/")

    # The trap is out of sight: a person never fills it.
    expect(page.locator("#id_short-website")).not_to_be_in_viewport()
    fill_short_form(page)
    page.get_by_role("button", name="Send the proposal").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for your proposal")
    proposal = Proposal.objects.get()
    assert [(m.title, m.publication, m.venue_id) for m in proposal.meetings.all()] == [
        ("Regional Workshop on Border Security", Publication.DRAFT, tirana.pk)
    ]
    assert proposal.proposer_email == "vesna@example.org"
    context.close()


def test_an_invalid_proposal_shows_the_errors_at_the_fields_without_javascript(browser, live_server, tirana):
    context = browser.new_context(viewport=VIEWPORTS["phone"], locale="en-GB", java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/propose/")
    fill_short_form(page)
    page.get_by_label("End date").fill("2031-03-01")
    page.get_by_role("button", name="Send the proposal").click()

    expect(page.locator("#id_short-end_date_error")).to_have_text("The meeting cannot end before it starts.")
    # What was typed is kept.
    expect(page.get_by_label("Title of the meeting")).to_have_value("Regional Workshop on Border Security")
    assert Meeting.objects.count() == 0
    context.close()


def test_the_propose_page_is_accessible_before_and_after_an_error(
    page, live_server, tirana, assert_accessible, save_screenshot
):
    page.goto(f"{live_server.url}/propose/")
    save_screenshot(page, "propose")
    assert_accessible(page)

    page.get_by_role("button", name="Send the announcement").click()

    expect(page.locator("#id_announcement-announcement_error")).to_have_text("This field is required.")
    assert_accessible(page)
