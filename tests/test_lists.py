"""Lists built for scanning: each entry's date block, time, place, organisers, topics and status badge; the
sections (upcoming, date to be confirmed, past) of the list, the archives and the home page; the
subscription box after the results; the year archive's month counts and its links to other years."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.cache import fragments, version
from events.cache.version import DATA, PIECES
from events.models import DatePrecision, Publication, Status
from events.public.views import year_summary
from tests.support.factories import (
    MeetingFactory,
    MeetingOrganiserFactory,
    OrganisationFactory,
    TopicFactory,
    VenueFactory,
)
from tests.support.html import elements, meeting_titles, texts

D = datetime.date
BELGRADE = zoneinfo.ZoneInfo("Europe/Belgrade")
# Every test runs on 10 May 2030, noon in Belgrade, unless it travels elsewhere.
NOW = datetime.datetime(2030, 5, 10, 12, 0, tzinfo=BELGRADE)
PAST_THE_PAGE_CACHE = {"if-none-match": '"no-such-page"'}

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def on_the_tenth_of_may():
    with time_machine.travel(NOW, tick=False):
        yield


def entry_texts(response):
    return texts(response.content, "li", "meeting-item")


def only_entry(response):
    [entry] = entry_texts(response)
    return entry


# --- One entry ---------------------------------------------------------------------------------------


def test_entry_of_a_timed_meeting_shows_its_date_block_time_place_organisers_and_topics(client):
    meeting = MeetingFactory(
        title="Regional P-CVE coordination",
        start_date=D(2030, 5, 14),
        start_time=datetime.time(9, 30),
        venue=VenueFactory(city="Tirana"),
    )
    MeetingOrganiserFactory(meeting=meeting, organisation=OrganisationFactory(acronym="RCC", slug="rcc"))
    MeetingOrganiserFactory(meeting=meeting, organisation=OrganisationFactory(acronym="OSCE", slug="osce"))
    meeting.topics.add(TopicFactory(name="P-CVE", slug="p-cve"), TopicFactory(name="Border security", slug="border"))

    response = client.get("/meetings/")

    assert only_entry(response) == (
        "14 May 2030 Regional P-CVE coordination 14 May 2030, from 09:30 CEST · Tirana, Albania "
        "Organised by RCC, OSCE Border security P-CVE"
    )
    assert texts(response.content, "div", "date-block") == ["14 May 2030"]
    [block] = elements(response.content, "div", "date-block")
    assert block["attrs"]["aria-hidden"] == "true"
    [when] = elements(response.content, "time", "meeting-dates")
    # The start in the venue's zone, as the meeting page gives it.
    assert when["attrs"]["datetime"] == "2030-05-14T09:30+02:00"
    assert [(tag["text"], tag["attrs"]["href"]) for tag in elements(response.content, "a", "tag")] == [
        ("Border security", "/meetings/?topic=border"),
        ("P-CVE", "/meetings/?topic=p-cve"),
    ]
    assert texts(response.content, "p", "meeting-status") == []


@pytest.mark.parametrize(
    ("dates", "block", "in_words", "machine"),
    [
        ({"start_date": D(2030, 6, 3), "end_date": D(2030, 6, 5)}, "3–5 Jun 2030", "3–5 June 2030", ["2030-06-03"]),
        (
            {"start_date": D(2030, 5, 30), "end_date": D(2030, 6, 2)},
            "30 May – 2 Jun 2030",
            "30 May – 2 June 2030",
            ["2030-05-30", "2030-06-02"],
        ),
        (
            {"start_date": D(2030, 12, 30), "end_date": D(2031, 1, 2)},
            "30 Dec 2030 – 2 Jan 2031",
            "30 December 2030 – 2 January 2031",
            ["2030-12-30", "2031-01-02"],
        ),
        (
            {"start_date": D(2030, 6, 1), "date_precision": DatePrecision.MONTH},
            "Jun 2030",
            "June 2030 (exact dates to be confirmed)",
            ["2030-06"],
        ),
    ],
    ids=["days-in-a-month", "across-months", "across-years", "month-only"],
)
def test_date_block_of_each_precision(client, dates, block, in_words, machine):
    MeetingFactory(title="Working group", **dates)

    response = client.get("/meetings/")

    assert texts(response.content, "div", "date-block") == [block]
    assert [time["attrs"]["datetime"] for time in elements(block_element_html(response), "time")] == machine
    assert only_entry(response) == f"{block} Working group {in_words} · Tirana, Albania"


def block_element_html(response):
    html = response.content.decode()
    start = html.index('<div class="date-block')
    return html[start : html.index("</div>", start)]


def test_date_block_of_a_meeting_whose_date_is_to_be_confirmed_says_so(client):
    MeetingFactory(title="Ministerial", start_date=None, end_date=None, date_precision=DatePrecision.UNKNOWN)

    response = client.get("/meetings/")

    assert texts(response.content, "div", "date-tbc") == ["Date TBC"]
    assert only_entry(response) == "Date TBC Ministerial Date to be confirmed · Tirana, Albania"
    assert elements(block_element_html(response), "time") == []


@pytest.mark.parametrize(
    ("status", "start", "badge"),
    [
        (Status.POSTPONED, D(2030, 6, 1), ("status-postponed", "Postponed")),
        (Status.CANCELLED, D(2030, 6, 1), ("status-cancelled", "Cancelled")),
        (Status.TENTATIVE, D(2030, 6, 1), ("status-tbc", "Tentative")),
        (Status.CONFIRMED, D(2030, 5, 1), ("status-took-place", "Took place")),
        (Status.TENTATIVE, D(2030, 5, 1), ("status-tbc", "Dates passed, never confirmed")),
        # Cancelled and postponed say so for good, past or not.
        (Status.CANCELLED, D(2030, 5, 1), ("status-cancelled", "Cancelled")),
    ],
)
def test_status_badge_says_the_status_in_words_with_its_own_colour(client, status, start, badge):
    MeetingFactory(title="Steering group", start_date=start, status=status)

    response = client.get("/meetings/")

    [shown] = elements(response.content, "strong", "status")
    assert (shown["attrs"]["class"].split()[1], shown["text"]) == badge
    assert texts(response.content, "p", "meeting-status") == [badge[1]]


def test_a_confirmed_upcoming_meeting_has_no_badge(client):
    MeetingFactory(title="Steering group", start_date=D(2030, 6, 1), status=Status.CONFIRMED)

    assert elements(client.get("/meetings/").content, "strong", "status") == []


def test_cancelled_entry_is_marked_for_the_stylesheet(client):
    MeetingFactory(title="Steering group", start_date=D(2030, 6, 1), status=Status.CANCELLED)

    [entry] = elements(client.get("/meetings/").content, "li", "meeting-item")

    assert entry["attrs"]["class"] == "meeting-item is-cancelled"


def test_entry_says_took_place_from_the_day_after_its_last_day_with_no_edit(client):
    meeting = MeetingFactory(title="Ends on the eleventh", start_date=D(2030, 5, 11))
    evening = datetime.datetime(2030, 5, 11, 23, 58, tzinfo=BELGRADE)

    with time_machine.travel(evening, tick=False):
        before = fragments.list_entries([meeting.pk])[meeting.pk]
        again = fragments.list_entries([meeting.pk])[meeting.pk]
    with time_machine.travel(evening + datetime.timedelta(minutes=3), tick=False):
        after = fragments.list_entries([meeting.pk])[meeting.pk]

    assert texts(before, "p", "meeting-status") == texts(again, "p", "meeting-status") == []
    assert texts(after, "p", "meeting-status") == ["Took place"]


def test_entries_of_a_page_are_read_from_the_cache_for_the_next_page_that_shows_them(client, django_assert_num_queries):
    for number in range(3):
        meeting = MeetingFactory(title=f"Meeting {number}", start_date=D(2030, 6, 1 + number))
        meeting.topics.add(TopicFactory(name="P-CVE", slug="p-cve"))
    first = client.get("/meetings/")

    with django_assert_num_queries(1) as queries:  # the keys of the page (counts and form are cached)
        second = client.get("/meetings/", headers=PAST_THE_PAGE_CACHE)

    assert entry_texts(second) == entry_texts(first)
    assert not [query for query in queries.captured_queries if "events_topic" in query["sql"]]


# --- Sections ----------------------------------------------------------------------------------------


def section_headings(response):
    return texts(response.content, "h3", "list-section-heading")


def sections_of(response):
    """[(heading, [titles])] in page order."""
    html = response.content.decode()
    found = []
    for chunk in html.split('<section class="list-section ')[1:]:
        chunk = chunk[: chunk.index("</section>")]
        [heading] = texts(chunk, "h3", "list-section-heading")
        found.append((heading, texts(chunk, "a", "meeting-link")))
    return found


@pytest.fixture
def a_bit_of_everything(db):
    MeetingFactory(title="Last year", start_date=D(2029, 11, 3))
    MeetingFactory(title="Last week", start_date=D(2030, 5, 3))
    MeetingFactory(title="Going on", start_date=D(2030, 5, 9), end_date=D(2030, 5, 11))
    MeetingFactory(title="Next week", start_date=D(2030, 5, 17))
    MeetingFactory(title="Sometime in June", start_date=D(2030, 6, 1), date_precision=DatePrecision.MONTH)
    MeetingFactory(title="No date yet", start_date=None, end_date=None, date_precision=DatePrecision.UNKNOWN)
    MeetingFactory(title="Draft", start_date=D(2030, 5, 20), publication=Publication.DRAFT)


def test_list_shows_upcoming_then_date_to_be_confirmed_then_past_under_headings(client, a_bit_of_everything):
    response = client.get("/meetings/")

    assert sections_of(response) == [
        ("Upcoming", ["Going on", "Next week", "Sometime in June"]),
        ("Date to be confirmed", ["No date yet"]),
        ("Past", ["Last week", "Last year"]),
    ]


def test_each_page_of_a_long_list_heads_the_sections_its_meetings_belong_to(client):
    for day in range(1, 19):
        MeetingFactory(title=f"Upcoming {day:02d}", start_date=D(2030, 6, day))
    for letter in "ABC":
        MeetingFactory(title=f"Unknown {letter}", start_date=None, end_date=None, date_precision=DatePrecision.UNKNOWN)
    for day in range(1, 5):
        MeetingFactory(title=f"Past {day}", start_date=D(2030, 4, day))

    first = client.get("/meetings/")
    second = client.get("/meetings/?page=2")

    assert sections_of(first) == [
        ("Upcoming", [f"Upcoming {day:02d}" for day in range(1, 19)]),
        ("Date to be confirmed", ["Unknown A", "Unknown B"]),
    ]
    assert sections_of(second) == [
        ("Date to be confirmed", ["Unknown C"]),
        ("Past", ["Past 4", "Past 3", "Past 2", "Past 1"]),
    ]
    assert texts(second.content, "span", "page-position") == ["Page 2 of 2"]


def test_a_filtered_list_shows_only_the_sections_it_has(client, a_bit_of_everything):
    response = client.get("/meetings/?q=week")

    assert sections_of(response) == [("Upcoming", ["Next week"]), ("Past", ["Last week"])]


def test_list_without_results_has_no_section_headings(client, a_bit_of_everything):
    response = client.get("/meetings/?q=nothing")

    assert section_headings(response) == []
    assert texts(response.content, "p", "notice") == ["No published meeting matches these filters."]


def test_month_archive_shows_upcoming_then_past_each_in_calendar_order(client, a_bit_of_everything):
    MeetingFactory(title="Whole of May", start_date=D(2030, 5, 1), date_precision=DatePrecision.MONTH)
    MeetingFactory(title="Late May", start_date=D(2030, 5, 28))

    response = client.get("/meetings/2030/5/")

    assert sections_of(response) == [
        ("Upcoming", ["Whole of May", "Going on", "Next week", "Late May"]),
        ("Past", ["Last week"]),
    ]


def test_a_past_year_archive_has_only_its_past_section(client, a_bit_of_everything):
    assert sections_of(client.get("/meetings/2029/")) == [("Past", ["Last year"])]


def test_archive_pages_head_the_sections_of_their_own_meetings(client):
    for day in range(1, 16):
        MeetingFactory(title=f"May {day:02d}", start_date=D(2030, 5, day))
    for day in range(16, 32):
        MeetingFactory(title=f"May {day:02d}", start_date=D(2030, 5, day))

    first = client.get("/meetings/2030/5/")
    second = client.get("/meetings/2030/5/?page=2")

    # Today (the 10th) is upcoming: 22 upcoming meetings, then the nine past.
    assert sections_of(first) == [("Upcoming", [f"May {day:02d}" for day in range(10, 30)])]
    assert sections_of(second) == [
        ("Upcoming", ["May 30", "May 31"]),
        ("Past", [f"May {day:02d}" for day in range(1, 10)]),
    ]


def test_home_shows_upcoming_date_to_be_confirmed_and_past_meetings(client, a_bit_of_everything):
    response = client.get("/")

    assert texts(response.content, "h2", "list-section-heading") == [
        "Upcoming meetings",
        "Date to be confirmed",
        "Past meetings",
    ]
    assert texts(response.content, "h3", "list-month-heading") == ["May 2030", "June 2030"]
    assert meeting_titles(response) == [
        "Going on",
        "Next week",
        "Sometime in June",
        "No date yet",
        "Last week",
        "Last year",
    ]
    past = response.content.decode().split('id="past-heading"')[1]
    assert texts(past, "p", "meeting-status") == ["Took place", "Took place"]


def test_home_keeps_its_limit_of_ten_past_meetings(client):
    for day in range(1, 13):
        MeetingFactory(title=f"April {day:02d}", start_date=D(2030, 4, day))

    response = client.get("/")

    assert meeting_titles(response) == [f"April {day:02d}" for day in range(12, 2, -1)]
    assert texts(response.content, "p", "notice") == ["No upcoming meetings have been announced at the moment."]


# --- The subscription box ----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/meetings/", "/meetings/2030/5/"])
def test_subscription_box_comes_after_the_results_with_its_address_and_copy_script(client, a_bit_of_everything, path):
    response = client.get(path)
    html = response.content.decode()

    assert html.index('class="meeting-item') < html.index('class="subscribe"')
    assert html.index('class="result-count"') < html.index('class="meeting-item')
    [field] = elements(html, "input", id="subscribe-url")
    assert field["attrs"]["readonly"] is None  # present, so the address is selectable, not editable
    assert field["attrs"]["value"].startswith("http://testserver/")
    assert (field["attrs"]["data-copy-label"], field["attrs"]["data-copied-label"]) == ("Copy address", "Copied")
    # Without JavaScript there is no copy button to press: the script adds it.
    assert elements(html, "button", "copy-button") == []
    [script] = elements(html, "script", src="/static/js/copy-address.js")
    assert "defer" in script["attrs"]
    assert [link["text"] for link in elements(html, "a", "subscribe-webcal")] == ["Subscribe in your calendar program"]
    assert [a["attrs"]["href"].startswith("webcal:") for a in elements(html, "a", "subscribe-webcal")] == [True]


# --- The year archive --------------------------------------------------------------------------------


@pytest.fixture
def years(db):
    MeetingFactory(title="2017 meeting", start_date=D(2017, 6, 1))
    MeetingFactory(title="March", start_date=D(2019, 3, 12))
    MeetingFactory(title="April to May", start_date=D(2019, 4, 30), end_date=D(2019, 5, 1))
    MeetingFactory(title="April", start_date=D(2019, 4, 3))
    MeetingFactory(title="Draft in June", start_date=D(2019, 6, 3), publication=Publication.DRAFT)
    MeetingFactory(title="2022 meeting", start_date=D(2022, 2, 1))


def months_of(response):
    """[(the month's text, its links)] of the year archive's month list."""
    html = response.content.decode()
    start = html.index('<ul class="month-links">')
    listing = html[start : html.index("</ul>", start)]
    return [
        (texts(item, "li")[0], [a["attrs"]["href"] for a in elements(item, "a")])
        for item in (f"<li>{chunk}" for chunk in listing.split("<li>")[1:])
    ]


def test_year_archive_gives_each_month_its_count_and_links_only_months_with_meetings(client, years):
    response = client.get("/meetings/2019/")

    assert months_of(response) == [
        ("January 2019 0 meetings", []),
        ("February 2019 0 meetings", []),
        ("March 2019 1 meeting", ["/meetings/2019/3/"]),
        ("April 2019 2 meetings", ["/meetings/2019/4/"]),
        ("May 2019 1 meeting", ["/meetings/2019/5/"]),
        ("June 2019 0 meetings", []),
        ("July 2019 0 meetings", []),
        ("August 2019 0 meetings", []),
        ("September 2019 0 meetings", []),
        ("October 2019 0 meetings", []),
        ("November 2019 0 meetings", []),
        ("December 2019 0 meetings", []),
    ]


def test_year_archive_links_to_the_nearest_years_that_have_meetings(client, years):
    navigation = texts(client.get("/meetings/2019/").content, "nav", "period-nav")
    links = {a["text"]: a["attrs"]["href"] for a in elements(client.get("/meetings/2019/").content, "a", rel="prev")}
    links |= {a["text"]: a["attrs"]["href"] for a in elements(client.get("/meetings/2019/").content, "a", rel="next")}

    assert links == {"← 2017": "/meetings/2017/", "2022 →": "/meetings/2022/"}
    assert navigation[0].startswith("← 2017 2022 →")


@pytest.mark.parametrize(("year", "previous", "following"), [(2017, [], ["2019 →"]), (2022, ["← 2019"], [])])
def test_year_archive_links_no_year_beyond_the_data(client, years, year, previous, following):
    response = client.get(f"/meetings/{year}/")

    assert texts(response.content, "a", rel="prev") == previous
    assert texts(response.content, "a", rel="next") == following


def test_an_empty_year_between_the_data_links_to_its_neighbours_with_meetings(client, years):
    response = client.get("/meetings/2020/")

    assert texts(response.content, "a", rel="prev") == ["← 2019"]
    assert texts(response.content, "a", rel="next") == ["2022 →"]
    assert [links for _text, links in months_of(response)] == [[]] * 12


@pytest.mark.django_db(transaction=True)
def test_year_summary_is_three_queries_cached_until_the_data_changes(years, django_assert_num_queries):
    # The year's month counts, the last day before it and the first day after it with meetings.
    with django_assert_num_queries(3):
        first = year_summary(2019)
    with django_assert_num_queries(0):
        assert year_summary(2019) == first

    MeetingFactory(title="Another March", start_date=D(2019, 3, 20))
    MeetingFactory(title="2018 meeting", start_date=D(2018, 9, 1))

    again = year_summary(2019)
    assert (first["months"][2], first["previous_year"], first["next_year"]) == (1, 2017, 2022)
    assert (again["months"][2], again["previous_year"], again["next_year"]) == (2, 2018, 2022)


def test_year_archive_queries_do_not_grow_with_its_meetings(client):
    def queries_of_a_cold_page():
        version.publish({DATA, PIECES})  # nothing cached: entries, counts, form and year summary
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/meetings/2019/").status_code == 200
        return len(captured)

    MeetingFactory(title="One", start_date=D(2019, 4, 1))
    few = queries_of_a_cold_page()
    for day in range(2, 28):
        meeting = MeetingFactory(title=f"Day {day}", start_date=D(2019, 4, day))
        meeting.topics.add(TopicFactory(name="P-CVE", slug="p-cve"))
        MeetingOrganiserFactory(meeting=meeting)

    assert queries_of_a_cold_page() == few
