"""The month grid, the week and the agenda in chromium: bars across the days they span, axe-core clean
at 1280 and 390 pixels, and a phone that never scrolls sideways."""

import datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from events.models import Status
from tests.support.factories import MeetingFactory, VenueFactory

LONG_TITLE = (
    "Annual Meeting of the Police Cooperation Convention for Southeast Europe Committee of Ministers "
    "and its Expert Working Group on Border Security"
)
PAGES = {
    "month": "/calendar/2019/4/",
    "week": "/calendar/2019/week/17/",
    "agenda": "/calendar/2019/4/agenda/",
}


@pytest.fixture
def meetings(transactional_db):
    belgrade = VenueFactory(city="Belgrade", timezone="Europe/Belgrade")
    # Saturday 27 to Monday 29 April 2019: across the end of a week.
    MeetingFactory(
        title=LONG_TITLE,
        slug="pcc-see",
        start_date=datetime.date(2019, 4, 27),
        end_date=datetime.date(2019, 4, 29),
        venue=belgrade,
    )
    MeetingFactory(
        title="RNNC meeting",
        slug="rnnc",
        start_date=datetime.date(2019, 4, 24),
        start_time=datetime.time(9, 30),
    )
    MeetingFactory(
        title="Postponed workshop", slug="postponed", start_date=datetime.date(2019, 4, 24), status=Status.POSTPONED
    )
    MeetingFactory(
        title="Cancelled visit", slug="cancelled", start_date=datetime.date(2019, 4, 10), status=Status.CANCELLED
    )


# Kept out of git (.gitignore): each run overwrites the last, so anyone can look at what a change did.
SCREENSHOTS = Path(__file__).resolve().parent / "artifacts" / "screenshots"


def save_screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def box(locator):
    return locator.bounding_box()


def assert_strictly_accessible(page, console_errors):
    """axe-core finds no violation of any impact, and the browser logged no error (a CSP refusal is one)."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    found = [
        f"{violation['id']} ({violation['impact']}): {[n['target'] for n in violation['nodes']]}"
        for violation in violations
    ]
    assert found == [], page.url
    assert console_errors == [], page.url


def test_month_grid_draws_a_multi_day_meeting_as_one_bar_per_week_across_its_days(page, live_server, meetings):
    page.goto(f"{live_server.url}/calendar/2019/4/")

    grid = page.get_by_role("table", name="Calendar: April 2019")
    bars = grid.get_by_role("link", name="27–29 April 2019")
    expect(bars).to_have_count(2)
    saturday, sunday, monday = (
        grid.locator("th.day", has_text=f"{day} April 2019") for day in ("Saturday 27", "Sunday 28", "Monday 29")
    )
    first, second = box(bars.nth(0)), box(bars.nth(1))
    # The first bar runs from Saturday's left edge to Sunday's right edge (less the cell's 2px padding), the
    # second covers Monday alone, one row further down.
    assert first["x"] == pytest.approx(box(saturday)["x"], abs=4)
    assert first["x"] + first["width"] == pytest.approx(box(sunday)["x"] + box(sunday)["width"], abs=4)
    assert second["x"] == pytest.approx(box(monday)["x"], abs=4)
    assert second["x"] + second["width"] == pytest.approx(box(monday)["x"] + box(monday)["width"], abs=4)
    assert second["y"] > first["y"] + first["height"]
    # The whole title, wrapped inside the bar, never cut.
    expect(bars.nth(0)).to_contain_text(LONG_TITLE)
    expect(bars.nth(0)).to_contain_text("All day")
    expect(grid.get_by_role("link", name="RNNC meeting")).to_contain_text("09:30")


def test_month_grid_bar_leads_to_the_meeting(page, live_server, meetings):
    page.goto(f"{live_server.url}/calendar/2019/4/")
    page.get_by_role("table").get_by_role("link", name="Postponed workshop").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Postponed workshop")


def test_month_grid_every_bar_is_one_tab_stop(page, live_server, meetings):
    page.goto(f"{live_server.url}/calendar/2019/4/")
    grid = page.get_by_role("table")
    grid.get_by_role("link").first.focus()
    focused = []
    for _ in range(grid.get_by_role("link").count()):
        focused.append(page.evaluate("document.activeElement.getAttribute('href')"))
        page.keyboard.press("Tab")
    # Week by week, lane by lane: the cancelled visit; Wednesday's all-day workshop and the long meeting in the
    # first lane, Wednesday's timed meeting in the second; the long meeting again on the next week's row.
    assert focused == [
        "/meetings/cancelled/",
        "/meetings/postponed/",
        "/meetings/pcc-see/",
        "/meetings/rnnc/",
        "/meetings/pcc-see/",
    ]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
@pytest.mark.parametrize("name", PAGES)
def test_calendar_pages_are_accessible_at_every_width(page, live_server, meetings, console_errors, viewport, name):
    page.goto(f"{live_server.url}{PAGES[name]}")
    assert_strictly_accessible(page, console_errors)
    # Nothing wider than the screen: a phone visitor never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    save_screenshot(page, f"calendar-{name}-{viewport}")


@pytest.mark.parametrize("viewport", ["phone"])
def test_phone_gets_the_month_as_an_agenda_and_can_switch_views(page, live_server, meetings, viewport):
    page.goto(f"{live_server.url}/calendar/2019/4/")
    expect(page.get_by_role("table")).to_be_hidden()
    agenda = page.locator("section.agenda")
    expect(agenda.get_by_role("heading", level=3)).to_have_text(
        [
            "Wednesday 10 April 2019",
            "Wednesday 24 April 2019",
            "Saturday 27 April 2019",
            "Sunday 28 April 2019",
            "Monday 29 April 2019",
        ]
    )

    page.get_by_role("navigation", name="Calendar views").get_by_role("link", name="Week").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calendar: week 14, 1–7 April 2019")
    page.get_by_role("link", name="8–14 April 2019 →").click()
    expect(page.locator("section.agenda").get_by_role("heading", level=3)).to_have_text(["Wednesday 10 April 2019"])
