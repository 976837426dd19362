"""The public change log: "Changed on …: 12 April → 19 April", derived from the history, never typed."""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from events.changelog import MAX_RECORDS
from events.dates import day_in_words
from events.editors import actions as editing
from events.models import DatePrecision, Meeting, Publication
from tests.support.factories import CountryFactory, MeetingFactory, VenueFactory

D = datetime.date
pytestmark = pytest.mark.django_db


def log_lines(client, meeting):
    html = client.get(meeting.get_absolute_url()).content.decode()
    section = re.search(r'<section class="change-log".*?</section>', html, flags=re.S)
    if section is None:
        return []
    items = re.findall(r"<li>(.*?)</li>", section.group(0), flags=re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip() for item in items]


def today():
    return day_in_words(timezone.localdate())


def test_a_new_date_shows_on_the_public_page(client):
    meeting = MeetingFactory(start_date=D(2030, 4, 12))
    meeting.start_date = meeting.end_date = D(2030, 4, 19)
    meeting.save()

    assert log_lines(client, meeting) == [f"Changed on {today()}: date 12 April 2030 → 19 April 2030"]


def test_place_and_status_changes_are_listed_newest_first(client):
    meeting = MeetingFactory(venue=VenueFactory(name="", city="Tirana"))
    meeting.venue = VenueFactory(name="Hotel Europa", city="Sarajevo", country=CountryFactory(code="BA", name="BiH"))
    meeting.save()
    editing.cancel(meeting, reason="Cancelled by the host.")

    assert log_lines(client, meeting) == [
        f"Changed on {today()}: status Confirmed → Cancelled",
        f"Changed on {today()}: place Tirana, Albania → Hotel Europa, Sarajevo, BiH",
    ]


def test_postponed_to_a_date_to_be_confirmed(client):
    meeting = MeetingFactory(start_date=D(2030, 4, 12))
    editing.postpone(meeting)

    assert log_lines(client, meeting) == [
        f"Changed on {today()}: date 12 April 2030 → date to be confirmed",
        f"Changed on {today()}: status Confirmed → Postponed",
    ]


def test_changes_made_while_a_draft_are_not_listed(client):
    meeting = MeetingFactory(publication=Publication.DRAFT, start_date=D(2030, 4, 12))
    meeting.start_date = meeting.end_date = D(2030, 4, 19)
    meeting.save()
    editing.publish(meeting)

    assert log_lines(client, meeting) == []
    assert meeting.change_log == []


def test_changes_that_the_public_cannot_see_are_not_listed(client):
    meeting = MeetingFactory(title="Old title")
    meeting.title = "New title"
    meeting.editor_notes = "Checked with the host."
    meeting.save()

    assert log_lines(client, meeting) == []


def test_a_withheld_venue_stays_withheld_in_the_log(client):
    meeting = MeetingFactory(access="closed", withhold_venue=True, venue=VenueFactory(name="Secret room"))
    meeting.venue = VenueFactory(name="Other secret room", city="Durrës")
    meeting.save()

    assert log_lines(client, meeting) == [f"Changed on {today()}: place Tirana, Albania → Durrës, Albania"]


def test_month_precision_reads_as_a_month(client):
    meeting = MeetingFactory(date_precision=DatePrecision.MONTH, start_date=D(2030, 4, 1))
    meeting.date_precision = DatePrecision.DAY
    meeting.start_date = meeting.end_date = D(2030, 4, 24)
    meeting.save()

    assert log_lines(client, meeting) == [f"Changed on {today()}: date April 2030 → 24 April 2030"]


def test_the_log_costs_one_query_however_long_the_history(django_assert_num_queries):
    meeting = MeetingFactory(start_date=D(2030, 1, 1))
    for day in range(2, MAX_RECORDS + 20):
        meeting.start_date = meeting.end_date = D(2030, 1, 1) + datetime.timedelta(days=day)
        meeting.save()
    meeting = Meeting.objects.get(pk=meeting.pk)

    with django_assert_num_queries(1):
        changes = meeting.change_log

    assert len(changes) == MAX_RECORDS - 1
    assert changes[0].after == day_in_words(meeting.start_date)


def test_dates_and_times_read_as_on_every_other_page(client):
    with time_machine.travel(datetime.datetime(2026, 11, 28, 8, 30, tzinfo=datetime.UTC), tick=False):
        meeting = MeetingFactory(
            start_date=D(2026, 12, 3), start_time=datetime.time(9, 30), end_time=datetime.time(17, 0)
        )
        meeting.end_date = D(2026, 12, 4)
        meeting.end_time = None
        meeting.save()

    assert log_lines(client, meeting) == [
        "Changed on 28 November 2026: date 3 December 2026, 09:30–17:00 CET → 3–4 December 2026, from 09:30 CET"
    ]
