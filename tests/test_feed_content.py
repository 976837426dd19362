"""What feeds, downloads and "Add to calendar" links say about a meeting, read by icalendar, vobject and ical.js."""

import datetime
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
import time_machine

from events.calendar import assembly
from events.calendar import links as calendar_links
from events.editors import actions
from events.models import DatePrecision, LinkKind, Publication, Status
from tests.support.calendars import content_of, parse
from tests.support.factories import BackToBackFactory, MeetingFactory, TopicFactory, VenueFactory
from tests.support.html import elements, meeting_titles, texts
from tests.support.icaljs import read_events

D = datetime.date
T = datetime.time
UTC = datetime.UTC

pytestmark = pytest.mark.django_db


def download(client, meeting):
    response = client.get(f"/meetings/{meeting.slug}.ics")
    assert response.status_code == 200, response.content
    return content_of(response)


def link_query(url):
    return {name: values[0] for name, values in parse_qs(urlsplit(url).query).items()}


# --- A start time without an end time ------------------------------------------------------------------


def start_only_meeting(**fields):
    """14–15 November 2019 in Belgrade, announced as starting at 09:30, its end time not given."""
    venue = VenueFactory(name="Palace of Serbia", city="Belgrade", timezone="Europe/Belgrade")
    defaults = {"title": "Heads of border police", "start_date": D(2019, 11, 14), "end_date": D(2019, 11, 15)}
    return MeetingFactory(venue=venue, start_time=T(9, 30), **(defaults | fields))


def test_start_time_without_end_is_written_as_all_day_dates_over_its_days(client):
    meeting = start_only_meeting()

    content = download(client, meeting)

    event = parse(content)[str(meeting.uid)]
    assert (event["start"], event["end"]) == (D(2019, 11, 14), D(2019, 11, 16))
    assert event["summary"] == "Heads of border police (from 09:30 CET)"
    assert "When: 14–15 November 2019, from 09:30 CET" in event["description"].split("\n")
    assert read_events(content) == {str(meeting.uid): {"start": D(2019, 11, 14), "end": D(2019, 11, 16)}}


def test_one_day_meeting_with_only_a_start_time_is_that_day_with_the_time_in_its_title(client):
    meeting = start_only_meeting(title="Expert group", end_date=D(2019, 11, 14))

    content = download(client, meeting)

    event = parse(content)[str(meeting.uid)]
    assert (event["start"], event["end"], event["summary"]) == (
        D(2019, 11, 14),
        D(2019, 11, 15),
        "Expert group (from 09:30 CET)",
    )
    assert read_events(content)[str(meeting.uid)] == {"start": D(2019, 11, 14), "end": D(2019, 11, 15)}


def test_start_time_without_end_in_the_feed_is_the_same_entry_as_the_download(client):
    meeting = start_only_meeting()

    feed = parse(content_of(client.get("/calendar.ics?date_from=2019-01-01")))

    assert feed == parse(download(client, meeting))


def test_google_and_outlook_links_of_a_start_only_meeting_are_all_day_with_the_start_in_the_title():
    meeting = start_only_meeting()

    links = calendar_links.add_to_calendar_links(meeting, in_cluster=False)

    google, outlook = link_query(links.google), link_query(links.outlook)
    assert (google["dates"], google["text"]) == ("20191114/20191116", "Heads of border police (from 09:30 CET)")
    assert (outlook["startdt"], outlook["enddt"], outlook["allday"], outlook["subject"]) == (
        "2019-11-14",
        "2019-11-16",
        "true",
        "Heads of border police (from 09:30 CET)",
    )


def test_meeting_with_both_times_keeps_its_times_in_all_three_parsers_and_the_links(client):
    meeting = start_only_meeting(end_time=T(13))

    content = download(client, meeting)
    links = calendar_links.add_to_calendar_links(meeting, in_cluster=False)

    event = parse(content)[str(meeting.uid)]
    assert (event["start"], event["end"], event["summary"]) == (
        datetime.datetime(2019, 11, 14, 8, 30, tzinfo=UTC),
        datetime.datetime(2019, 11, 15, 12, tzinfo=UTC),
        "Heads of border police",
    )
    assert read_events(content)[str(meeting.uid)] == {"start": event["start"], "end": event["end"]}
    assert link_query(links.google)["dates"] == "20191114T083000Z/20191115T120000Z"
    assert (link_query(links.outlook)["startdt"], link_query(links.outlook)["enddt"]) == (
        "2019-11-14T08:30:00Z",
        "2019-11-15T12:00:00Z",
    )


# --- A postponed meeting never vanishes -------------------------------------------------------------------


def announced_meeting(**fields):
    defaults = {"title": "SALW Commission", "start_date": D(2030, 11, 14), "end_date": D(2030, 11, 15)}
    return MeetingFactory(**(defaults | fields))


@pytest.mark.django_db(transaction=True)
def test_postponed_to_a_date_to_be_confirmed_stays_in_feeds_at_its_last_announced_dates(
    client, django_capture_on_commit_callbacks
):
    meeting = announced_meeting(start_time=T(9, 30), end_time=T(13))
    before = parse(content_of(client.get("/calendar.ics")))[str(meeting.uid)]

    with django_capture_on_commit_callbacks(execute=True):
        actions.postpone(meeting, note="The ministers' meeting moved.")
    feed = content_of(client.get("/calendar.ics"))
    download = client.get(f"/meetings/{meeting.slug}.ics")

    after = parse(feed)[str(meeting.uid)]
    assert (after["start"], after["end"], after["status"]) == (D(2030, 11, 14), D(2030, 11, 16), "TENTATIVE")
    assert after["summary"] == "Postponed: SALW Commission"
    assert after["sequence"] > before["sequence"]
    assert after["description"].split("\n")[2:4] == [
        "When: Date to be confirmed (last announced: 14–15 November 2030)",
        "Postponed: The ministers' meeting moved.",
    ]
    assert download.status_code == 200
    assert parse(content_of(download)) == {str(meeting.uid): after}
    assert read_events(feed)[str(meeting.uid)] == {"start": D(2030, 11, 14), "end": D(2030, 11, 16)}


@pytest.mark.django_db(transaction=True)
def test_new_dates_for_a_postponed_meeting_move_the_same_uid(client, django_capture_on_commit_callbacks):
    meeting = announced_meeting()
    with django_capture_on_commit_callbacks(execute=True):
        actions.postpone(meeting)
    undated = parse(content_of(client.get("/calendar.ics")))[str(meeting.uid)]

    with django_capture_on_commit_callbacks(execute=True):
        actions.postpone(meeting, start_date=D(2031, 3, 3), end_date=D(2031, 3, 4))
    events = parse(content_of(client.get("/calendar.ics")))

    assert list(events) == [str(meeting.uid)]
    moved = events[str(meeting.uid)]
    assert (moved["start"], moved["end"]) == (D(2031, 3, 3), D(2031, 3, 5))
    assert moved["summary"] == "Postponed: SALW Commission"
    assert moved["sequence"] > undated["sequence"]
    assert "When: 3–4 March 2031" in moved["description"].split("\n")


@pytest.mark.django_db(transaction=True)
def test_feed_of_a_period_keeps_a_postponed_meeting_announced_in_it(client, django_capture_on_commit_callbacks):
    meeting = announced_meeting()
    with django_capture_on_commit_callbacks(execute=True):
        actions.postpone(meeting)

    in_period = parse(content_of(client.get("/calendar.ics?date_from=2030-11-01&date_to=2030-11-30")))
    before_it = parse(content_of(client.get("/calendar.ics?date_from=2030-01-01&date_to=2030-10-31")))

    assert list(in_period) == [str(meeting.uid)]
    assert before_it == {}


def test_meeting_never_announced_with_dates_stays_out_of_feeds(client):
    to_be_confirmed = MeetingFactory(date_precision=DatePrecision.UNKNOWN, start_date=None, end_date=None)
    # Dates given only while it was a draft were never announced.
    drafted = announced_meeting(title="Drafted", publication=Publication.DRAFT)
    drafted.date_precision, drafted.start_date, drafted.end_date = DatePrecision.UNKNOWN, None, None
    drafted.publication = Publication.PUBLISHED
    drafted.save()

    events = parse(content_of(client.get("/calendar.ics?date_from=2000-01-01")))

    assert events == {}
    assert client.get(f"/meetings/{to_be_confirmed.slug}.ics").status_code == 404
    assert client.get(f"/meetings/{drafted.slug}.ics").status_code == 404


# --- A subscription holds what the page shows -------------------------------------------------------------


def subscription_address(response):
    inputs = elements(response.content, "input", id="subscribe-url")
    return [element["attrs"]["value"] for element in inputs]


def test_subscription_of_a_filtered_list_holds_the_meetings_the_list_shows(client, seed):
    page = client.get("/meetings/?topic=p-cve&country=AL")
    [address] = subscription_address(page)

    feed = parse(content_of(client.get(address.removeprefix("http://testserver"))))

    assert sorted(meeting_titles(page)) == sorted(event["summary"] for event in feed.values())
    assert len(feed) == 2


def test_feed_over_its_limit_keeps_the_newest_meetings(client, monkeypatch):
    monkeypatch.setattr(assembly, "FEED_LIMIT", 3)
    for day in (1, 2, 3, 4, 5):
        MeetingFactory(title=f"Day {day}", start_date=D(2031, 1, day))

    response = client.get("/calendar.ics")

    in_file_order = [str(event["SUMMARY"]) for event in icalendar.Calendar.from_ical(response.content).walk("VEVENT")]
    assert in_file_order == ["Day 5", "Day 4", "Day 3"]


def test_subscription_box_says_what_the_feed_holds(client):
    page = client.get("/meetings/")

    [box] = texts(page.content, "section", "subscribe")
    assert "Keep the meetings listed here in your own calendar, newest first and at most 1,000 of them;" in box
    assert "Meetings without exact dates are left out until their dates are announced." in box


@pytest.mark.parametrize("query", ["date_from=11/14/2019", "topic=no-such-topic"])
def test_list_answering_400_offers_no_subscription(client, query):
    page = client.get(f"/meetings/?{query}")
    instructions = client.get(f"/subscribe/?{query}")

    assert (page.status_code, instructions.status_code) == (400, 400)
    assert subscription_address(page) == []
    assert texts(page.content, "section", "subscribe") == []
    assert elements(instructions.content, "input", id="feed-url") == []
    assert "This filter cannot be subscribed to; correct it on the list of meetings first:" in instructions.text


# --- Control characters, and linked meetings' status ------------------------------------------------------


def test_control_characters_from_an_import_are_stripped_from_every_calendar_text(client):
    # NUL cannot be stored on PostgreSQL; BEL, ESC, VT and C1 can, and were written raw.
    venue = VenueFactory(name="Hall\x1b[0m A", city="Tirana")
    meeting = MeetingFactory(title="Heads\x07 of police\x1b[31m", summary="Agenda\x0b to follow.\x85", venue=venue)
    meeting.topics.add(TopicFactory(name="SALW\x1f"))

    content = download(client, meeting)

    event = parse(content)[str(meeting.uid)]
    assert (event["summary"], event["location"]) == ("Heads of police[31m", "Hall[0m A, Tirana, Albania")
    assert event["description"].split("\n")[0] == "Agenda to follow."
    assert icalendar.Calendar.from_ical(content).walk("VEVENT")[0]["CATEGORIES"].cats == ["SALW"]
    assert not any(chr(code).encode() in content for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))


def test_google_and_outlook_links_carry_no_control_characters():
    meeting = MeetingFactory.build(title="Heads\x00 of\x07 police\x1b", summary="Agenda\x00.", slug="heads")

    links = calendar_links.add_to_calendar_links(meeting, in_cluster=False)

    google, outlook = link_query(links.google), link_query(links.outlook)
    assert (google["text"], outlook["subject"]) == ("Heads of police", "Heads of police")
    assert google["details"] == outlook["body"] == "Agenda.\n\nhttp://127.0.0.1:8000/meetings/heads/"


@pytest.mark.django_db(transaction=True)
def test_linked_meetings_that_are_cancelled_or_postponed_say_so_in_the_description(
    client, django_capture_on_commit_callbacks
):
    meeting = MeetingFactory(title="Ministerial", start_date=D(2030, 5, 14))
    cancelled = MeetingFactory(title="Expert group", start_date=D(2030, 5, 13))
    postponed = MeetingFactory(title="Study visit", start_date=D(2030, 5, 15))
    BackToBackFactory(from_meeting=meeting, to_meeting=cancelled)
    BackToBackFactory(from_meeting=postponed, to_meeting=meeting, kind=LinkKind.STUDY_VISIT)
    parse(content_of(client.get("/calendar.ics")))

    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel(cancelled, reason="No quorum.")
    with django_capture_on_commit_callbacks(execute=True):
        actions.postpone(postponed)
    description = parse(content_of(client.get("/calendar.ics")))[str(meeting.uid)]["description"].split("\n")

    assert [line for line in description if line.startswith(("Back-to-back", "Study visit"))] == [
        "Back-to-back with: Cancelled: Expert group (13 May 2030)",
        "Study visit during: Postponed: Study visit (Date to be confirmed)",
    ]


# --- Past meetings, and dates as the site writes them ------------------------------------------------------


def test_description_of_a_past_meeting_says_it_took_place_and_writes_dates_in_words(client):
    meeting = MeetingFactory(title="Ministerial", start_date=D(2026, 11, 27), end_date=D(2026, 11, 28))
    tentative = MeetingFactory(title="Workshop", start_date=D(2026, 11, 20), status=Status.TENTATIVE)
    BackToBackFactory(from_meeting=meeting, to_meeting=tentative)

    with time_machine.travel(datetime.datetime(2026, 12, 2, 12, tzinfo=UTC)):
        events = parse(content_of(client.get("/calendar.ics")))

    assert events[str(meeting.uid)]["description"].split("\n")[2:5] == [
        "When: 27–28 November 2026",
        "Status: Took place",
        "Back-to-back with: Workshop (20 November 2026)",
    ]
    assert events[str(tentative.uid)]["description"].split("\n")[3] == "Status: Dates passed, never confirmed"


def test_a_meeting_reads_took_place_the_day_after_its_last_day_without_an_edit(client):
    meeting = MeetingFactory(title="Ministerial", start_date=D(2030, 5, 14))
    url = f"/meetings/{meeting.slug}.ics"

    with time_machine.travel(datetime.datetime(2030, 5, 14, 20, tzinfo=UTC)):  # 22:00 in Belgrade
        before = client.get(url)
    with time_machine.travel(datetime.datetime(2030, 5, 14, 22, 30, tzinfo=UTC)):  # 00:30 the next day
        revalidated = client.get(url, headers={"If-None-Match": before["ETag"]})
        after = client.get(url)

    assert parse(content_of(before))[str(meeting.uid)]["description"].split("\n")[3] == "Status: Confirmed"
    assert revalidated.status_code == 200
    assert parse(content_of(after))[str(meeting.uid)]["description"].split("\n")[3] == "Status: Took place"
