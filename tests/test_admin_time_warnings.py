"""Times calendars cannot place as the editor means them are warned about at their field, and still saved."""

import datetime
import html
import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from events.models import DatePrecision, Meeting
from tests.support.admin_forms import form_data
from tests.support.factories import MeetingFactory, VenueFactory
from tests.test_admin import make_editor

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:events_meeting_add")
SKIPPED_IN_BELGRADE = (
    "The clocks in Europe/Belgrade go forward from 02:00 to 03:00 on 29 March 2026, so 02:30 does not exist "
    "that day. Calendars will show 03:30: check the time with the organisers."
)
REPEATED_IN_BELGRADE = (
    "The clocks in Europe/Belgrade go back from 03:00 to 02:00 on 25 October 2026, so 02:30 happens twice "
    "that day. Calendars will show the first of the two: check with the organisers which one they mean."
)
NO_END_TIME = (
    "This meeting lasts several days and has a start time but no end time, so calendars cannot show when "
    "it ends. Give the end time on the last day if it is known."
)


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor())
    return client


def field_warnings(response):
    """{field: [warning]} as the change form shows them next to the fields."""
    page = response.content.decode()
    return {
        field: [html.unescape(item) for item in re.findall(r'<li class="warning">(.*?)</li>', items, flags=re.S)]
        for field, items in re.findall(
            r'<ul class="messagelist field-warnings" id="id_(\w+)_warnings">(.*?)</ul>', page, flags=re.S
        )
    }


def warning_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request) if message.level_tag == "warning"]


def new_meeting(client, venue, **fields):
    data = form_data(client.get(ADD_URL))
    data.update(
        {
            "title_en": "Border police working group",
            "slug": "border-police-working-group",
            "date_precision": DatePrecision.DAY,
            "venue": venue.pk,
            "end_date": "",
            **fields,
        }
    )
    return data


def test_a_start_time_the_clocks_skip_is_warned_at_the_start_time_and_saved(editor_client):
    venue = VenueFactory(city="Belgrade", timezone="Europe/Belgrade")
    data = new_meeting(editor_client, venue, start_date="2026-03-29", start_time="02:30", end_time="04:00")

    response = editor_client.post(ADD_URL, {**data, "_continue": "1"}, follow=True)

    meeting = Meeting.objects.get()
    assert (meeting.start_date, meeting.start_time) == (datetime.date(2026, 3, 29), datetime.time(2, 30))
    assert field_warnings(response) == {"start_time": [SKIPPED_IN_BELGRADE]}
    assert warning_messages(response) == [SKIPPED_IN_BELGRADE]


def test_an_end_time_that_happens_twice_is_warned_at_the_end_time(editor_client):
    venue = VenueFactory(city="Belgrade", timezone="Europe/Belgrade")
    meeting = MeetingFactory(
        venue=venue, start_date=datetime.date(2026, 10, 25), start_time=datetime.time(1), end_time=datetime.time(2, 30)
    )

    response = editor_client.get(reverse("admin:events_meeting_change", args=[meeting.pk]))

    assert field_warnings(response) == {"end_time": [REPEATED_IN_BELGRADE]}


def test_the_venues_own_zone_decides_which_times_do_not_exist(editor_client):
    # New York moves its clocks on the second Sunday of March; Belgrade's 02:15 that day is an ordinary time.
    new_york = MeetingFactory(
        venue=VenueFactory(city="New York", timezone="America/New_York"),
        start_date=datetime.date(2026, 3, 8),
        start_time=datetime.time(2, 15),
        end_time=datetime.time(4),
    )
    belgrade = MeetingFactory(
        venue=VenueFactory(city="Belgrade", timezone="Europe/Belgrade"),
        start_date=datetime.date(2026, 3, 8),
        start_time=datetime.time(2, 15),
        end_time=datetime.time(4),
    )

    new_york_page = editor_client.get(reverse("admin:events_meeting_change", args=[new_york.pk]))
    belgrade_page = editor_client.get(reverse("admin:events_meeting_change", args=[belgrade.pk]))

    assert field_warnings(new_york_page) == {
        "start_time": [
            "The clocks in America/New_York go forward from 02:00 to 03:00 on 8 March 2026, so 02:15 does not "
            "exist that day. Calendars will show 03:15: check the time with the organisers."
        ]
    }
    assert field_warnings(belgrade_page) == {}


def test_a_multi_day_meeting_with_a_start_time_and_no_end_time_is_warned_at_the_end_time_and_saved(editor_client):
    venue = VenueFactory(city="Tirana")
    data = new_meeting(editor_client, venue, start_date="2026-11-14", end_date="2026-11-15", start_time="09:30")

    response = editor_client.post(ADD_URL, data, follow=True)

    meeting = Meeting.objects.get()
    assert (meeting.end_date, meeting.start_time, meeting.end_time) == (
        datetime.date(2026, 11, 15),
        datetime.time(9, 30),
        None,
    )
    # Saved with "Save": the list says it, as the form will at the field.
    assert response.request["PATH_INFO"] == reverse("admin:events_meeting_changelist")
    assert warning_messages(response) == [NO_END_TIME]
    change_form = editor_client.get(reverse("admin:events_meeting_change", args=[meeting.pk]))
    assert field_warnings(change_form) == {"end_time": [NO_END_TIME]}


def test_a_form_refused_for_another_reason_still_shows_the_warning_at_the_field(editor_client):
    venue = VenueFactory(city="Belgrade", timezone="Europe/Belgrade")
    data = new_meeting(editor_client, venue, start_date="2026-03-29", start_time="02:30", end_time="04:00", title_en="")

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert not Meeting.objects.exists()
    assert list(response.context["adminform"].form.errors) == ["title_en"]
    assert field_warnings(response) == {"start_time": [SKIPPED_IN_BELGRADE]}


@pytest.mark.parametrize(
    "fields",
    [
        {"start_date": datetime.date(2026, 3, 29), "start_time": datetime.time(3), "end_time": datetime.time(4)},
        {"start_date": datetime.date(2026, 10, 25), "start_time": datetime.time(3), "end_time": datetime.time(4)},
        {"start_date": datetime.date(2026, 11, 14), "end_date": datetime.date(2026, 11, 15)},
        {
            "start_date": datetime.date(2026, 11, 14),
            "end_date": datetime.date(2026, 11, 15),
            "start_time": datetime.time(9, 30),
            "end_time": datetime.time(13),
        },
    ],
    ids=["after-the-clocks-go-forward", "after-they-go-back", "all-day-over-two-days", "timed-over-two-days"],
)
def test_an_ordinary_schedule_has_no_warnings(editor_client, fields):
    meeting = MeetingFactory(venue=VenueFactory(city="Belgrade", timezone="Europe/Belgrade"), **fields)

    response = editor_client.get(reverse("admin:events_meeting_change", args=[meeting.pk]))

    assert field_warnings(response) == {}
    data = form_data(response)
    saved = editor_client.post(reverse("admin:events_meeting_change", args=[meeting.pk]), data, follow=True)
    assert warning_messages(saved) == []
