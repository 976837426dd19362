"""The admin's meeting form laid out for reading, and the draft banner a banner, in a real browser.

Debian's chromium through Playwright against pytest-django's live server, at a desktop's and a phone's width.
"""

import re

import pytest
from django.contrib.auth.models import User

from events.models import Publication
from tests.support.factories import MeetingFactory

PASSWORD = "correct horse battery staple"
LONG_TITLE = (
    "3rd Meeting of the Regional Network of National Coordinators for the Prevention of Violent Extremism "
    "and Countering Radicalisation that Leads to Terrorism in the Western Balkans"
)
# The factory slugs the whole title, longer than the slug column PostgreSQL enforces (SQLite does not).
LONG_TITLE_SLUG = "3rd-meeting-regional-network-national-coordinators"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server):
    User.objects.create_superuser(username="editor", password=PASSWORD)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")


def overlaps(first, second):
    return not (
        first["x"] + first["width"] <= second["x"]
        or second["x"] + second["width"] <= first["x"]
        or first["y"] + first["height"] <= second["y"]
        or second["y"] + second["height"] <= first["y"]
    )


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_the_object_tools_never_cover_the_title_of_the_change_form(page, live_server, save_screenshot, viewport):
    meeting = MeetingFactory(title=LONG_TITLE, slug=LONG_TITLE_SLUG)
    log_in(page, live_server)

    page.goto(f"{live_server.url}/admin/events/meeting/{meeting.pk}/change/")
    save_screenshot(page, f"admin-change-form-{viewport}")

    headings = [page.locator("#content > h1"), page.locator("#content > h2")]
    tools = page.locator(".object-tools li")
    assert tools.all_inner_texts() == [
        "POSTPONE",
        "CANCEL MEETING",
        "DUPLICATE AS NEXT EDITION",
        "HISTORY",
        "VIEW ON SITE",
    ]
    covered = [
        (tools.nth(index).inner_text(), heading.inner_text()[:20])
        for heading in headings
        for index in range(tools.count())
        if overlaps(tools.nth(index).bounding_box(), heading.bounding_box())
    ]
    assert covered == []


def test_times_have_no_now_shortcut_and_no_server_time_note(browser, live_server, console_errors):
    meeting = MeetingFactory(title="Regional meeting")
    # An editor in another zone than the server's (Belgrade) is told nothing about it: times are the venue's.
    context = browser.new_context(locale="en-GB", timezone_id="America/New_York")
    page = context.new_page()
    log_in(page, live_server)

    page.goto(f"{live_server.url}/admin/events/meeting/{meeting.pk}/change/")
    page.wait_for_load_state("load")

    assert page.locator("#id_start_time").get_attribute("type") == "time"
    assert page.locator(".field-start_time a, .field-end_time a").all_inner_texts() == []
    # "Publish at" is an instant on the server's clock: there, and only there, the note is right.
    notes = page.locator(".timezonewarning")
    assert [
        note.evaluate("n => n.closest('.form-row').classList.contains('field-publish_at')") for note in notes.all()
    ] == [True]
    assert re.fullmatch(r"Note: You are [56] hours behind server time\.", notes.inner_text())
    # The calendar beside the dates still works.
    assert page.locator(".field-start_date .datetimeshortcuts a").first.inner_text() == "Today"
    context.close()


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_an_editor_sees_a_drafts_banner_across_the_page_on_screen_and_in_print(page, live_server, viewport):
    draft = MeetingFactory(title=LONG_TITLE, slug=LONG_TITLE_SLUG, publication=Publication.DRAFT)
    log_in(page, live_server)

    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    banner = page.get_by_role("status")
    on_screen = banner.evaluate(BANNER_LOOK)
    page.emulate_media(media="print")
    in_print = banner.evaluate(BANNER_LOOK)

    assert banner.inner_text() == "Draft — not public"
    article = page.locator("article.meeting").bounding_box()
    assert banner.bounding_box()["width"] == pytest.approx(article["width"], abs=1)
    assert banner.bounding_box()["y"] < page.locator("article.meeting h1").bounding_box()["y"]
    assert on_screen == {"display": "flex", "background": "rgb(255, 244, 214)", "border": "2px", "weight": "700"}
    assert in_print == {"display": "flex", "background": "rgba(0, 0, 0, 0)", "border": "2px", "weight": "700"}


# What makes the banner a banner: shown, filled (on screen), framed, bold.
BANNER_LOOK = """banner => {
    const style = getComputedStyle(banner);
    return {
        display: style.display,
        background: style.backgroundColor,
        border: style.borderTopWidth,
        weight: getComputedStyle(banner.querySelector("strong")).fontWeight,
    };
}"""
