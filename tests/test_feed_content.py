"""What feeds, downloads and "Add to calendar" links say about a meeting, read by icalendar, vobject and ical.js."""

import datetime
import json
import os
import pathlib
import shutil
import subprocess
from urllib.parse import parse_qs, urlsplit

import pytest

from events.calendar import links as calendar_links
from tests.support.calendars import content_of, parse
from tests.support.factories import MeetingFactory, VenueFactory

D = datetime.date
T = datetime.time
UTC = datetime.UTC
JS_READER = pathlib.Path(__file__).parent / "js" / "read-events.mjs"

pytestmark = pytest.mark.django_db


def read_with_icaljs(content):
    """{uid: {start, end, allDay}} as ical.js (web calendar clients) reads the file."""
    if not (JS_READER.parent / "node_modules" / "ical.js").exists():
        pytest.skip("ical.js is not installed (npm ci in tests/js)")
    # Floating all-day dates are read in the process's zone: UTC, so a date prints as its own midnight.
    env = {**os.environ, "TZ": "UTC"}
    command = [shutil.which("node") or "node", str(JS_READER)]
    result = subprocess.run(command, input=content, capture_output=True, check=True, timeout=30, env=env)
    return json.loads(result.stdout)


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
    assert read_with_icaljs(content) == {
        str(meeting.uid): {"start": "2019-11-14T00:00:00.000Z", "end": "2019-11-16T00:00:00.000Z", "allDay": True}
    }


def test_one_day_meeting_with_only_a_start_time_is_that_day_with_the_time_in_its_title(client):
    meeting = start_only_meeting(title="Expert group", end_date=D(2019, 11, 14))

    content = download(client, meeting)

    event = parse(content)[str(meeting.uid)]
    assert (event["start"], event["end"], event["summary"]) == (
        D(2019, 11, 14),
        D(2019, 11, 15),
        "Expert group (from 09:30 CET)",
    )
    assert read_with_icaljs(content)[str(meeting.uid)]["allDay"] is True


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
    assert read_with_icaljs(content)[str(meeting.uid)] == {
        "start": "2019-11-14T08:30:00.000Z",
        "end": "2019-11-15T12:00:00.000Z",
        "allDay": False,
    }
    assert link_query(links.google)["dates"] == "20191114T083000Z/20191115T120000Z"
    assert (link_query(links.outlook)["startdt"], link_query(links.outlook)["enddt"]) == (
        "2019-11-14T08:30:00Z",
        "2019-11-15T12:00:00Z",
    )
