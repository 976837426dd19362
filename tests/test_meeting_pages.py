"""What the public pages say about a meeting: its dates, its state, and the text an editor typed."""

import datetime
import json

import pytest

from tests.support.factories import MeetingFactory, VenueFactory
from tests.support.html import elements, texts

D = datetime.date
T = datetime.time


# --- A start time without an end time ---------------------------------------


@pytest.fixture
def starts_at_half_past_nine(db):
    """Announced as "starts at 09:30 on 14 November", over 14 and 15 November: no end time."""
    venue = VenueFactory(city="Belgrade", country__code="RS", country__name="Serbia", timezone="Europe/Belgrade")
    return MeetingFactory(
        title="Border police chiefs",
        slug="border-police-chiefs",
        start_date=D(2019, 11, 14),
        end_date=D(2019, 11, 15),
        start_time=T(9, 30),
        venue=venue,
    )


def test_meeting_page_with_start_time_only_says_from_and_invents_no_end(client, starts_at_half_past_nine):
    response = client.get("/meetings/border-police-chiefs/")

    assert texts(response.content, "p", "meeting-when") == ["14–15 November 2019, from 09:30 CET"]
    og = {
        meta["attrs"]["property"]: meta["attrs"]["content"]
        for meta in elements(response.content, "meta")
        if "property" in meta["attrs"]
    }
    assert og["og:description"] == "14–15 November 2019, from 09:30 CET, Belgrade. A regional meeting."


def test_json_ld_with_start_time_only_gives_the_end_as_a_day(client, starts_at_half_past_nine):
    response = client.get("/meetings/border-police-chiefs/")

    data = json.loads(elements(response.content, "script", type="application/ld+json")[0]["text"])
    assert (data["startDate"], data["endDate"]) == ("2019-11-14T09:30:00+01:00", "2019-11-15")


def test_list_and_month_agenda_with_start_time_only_say_from(client, starts_at_half_past_nine):
    listed = client.get("/meetings/?date_from=2019-11-01")
    month = client.get("/calendar/2019/11/")

    assert texts(listed.content, "time") == ["14–15 November 2019, from 09:30 CET"]
    # The agenda lists the meeting under each of its two days.
    assert texts(month.content, "time") == ["14–15 November 2019, from 09:30 CET"] * 2
