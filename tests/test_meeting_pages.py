"""What the public pages say about a meeting: its dates, its state, and the text an editor typed."""

import datetime
import json
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from events.dates import day_in_words
from events.models import LinkKind, Status
from events.text import NOT_PRINTABLE
from tests.support.calendars import content_of, parse
from tests.support.factories import (
    BackToBackFactory,
    MeetingFactory,
    MeetingOrganiserFactory,
    OrganisationFactory,
    VenueFactory,
)
from tests.support.html import elements, parse_xml, texts
from tests.support.importing import log_in_editor

D = datetime.date
T = datetime.time
DAY = datetime.timedelta(days=1)


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

    assert texts(listed.content, "time", "meeting-dates") == ["14–15 November 2019, from 09:30 CET"]
    # The agenda lists the meeting under each of its two days, as the grid's bars: the start time, then
    # the dates for a screen reader (the zone is on the meeting's page).
    agenda = month.content.decode().split('id="agenda-heading"')[1]
    assert texts(agenda, "span", "bar-time") == ["09:30"] * 2
    assert texts(agenda, "span", "visually-hidden") == [", 14–15 November 2019"] * 2


# --- Text that stays text -----------------------------------------------------

ATOM = {"atom": "http://www.w3.org/2005/Atom"}
HOSTILE_SUMMARY = '<img src=x onerror="alert(1)"> Meeting of <b>chiefs</b>'
HOSTILE_DESCRIPTION = "<script>alert(2)</script>\n\nAgenda: **border** cooperation."
# A vertical tab and an escape pasted from elsewhere, DEL, a C1 control, a noncharacter.
PASTED_CONTROLS = "\x0b\x1b\x7f\x85\ufffe"


def feed_html(client):
    """The HTML a reader takes from the first RSS item's <description> and the first Atom entry's <summary>."""
    rss = parse_xml(client.get("/feeds/meetings.rss").content).find("channel/item")
    atom = parse_xml(client.get("/feeds/meetings.atom").content).find("atom:entry", ATOM)
    summary = atom.find("atom:summary", ATOM)
    assert summary.get("type") == "html"
    return [rss.findtext("description"), summary.text]


def test_rss_and_atom_carry_editor_markup_as_text(client, db):
    MeetingFactory(
        title="Chiefs", start_date=timezone.localdate() + DAY, summary=HOSTILE_SUMMARY, description=HOSTILE_DESCRIPTION
    )

    for html in feed_html(client):
        # What a feed reader shows: no element an editor typed, the typed text as text.
        assert [element["tag"] for element in elements(html)] == ["p", "p"]
        assert texts(html, "p") == [f"{day_in_words(timezone.localdate() + DAY)} · Tirana, Albania", HOSTILE_SUMMARY]


def test_rss_and_atom_with_pasted_control_characters_are_well_formed(client, db):
    MeetingFactory(
        title=f"Border{PASTED_CONTROLS}police",
        start_date=timezone.localdate() + DAY,
        summary=f"Chiefs{PASTED_CONTROLS}meet",
    )

    rss_response = client.get("/feeds/meetings.rss")
    atom_response = client.get("/feeds/meetings.atom")

    assert (rss_response.status_code, atom_response.status_code) == (200, 200)
    rss = parse_xml(rss_response.content).find("channel/item")
    atom = parse_xml(atom_response.content).find("atom:entry", ATOM)
    assert [rss.findtext("title"), atom.findtext("atom:title", namespaces=ATOM)] == ["Border     police"] * 2
    for html in feed_html(client):
        assert texts(html, "p")[1:] == ["Chiefs meet"]


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/", "Border police"),
        ("/meetings/", "Border police"),
        ("/meetings/2030/5/", "Border police"),
        ("/calendar/2030/5/", "Border police"),
        ("/meetings/pasted/", "Border police"),
        ("/organisers/regional-council/", "Border police"),
    ],
)
def test_pages_never_carry_pasted_control_characters(client, db, path, shown):
    organiser = OrganisationFactory(name=f"Regional{PASTED_CONTROLS}Council", slug="regional-council")
    meeting = MeetingFactory(
        title=f"Border{PASTED_CONTROLS}police",
        slug="pasted",
        start_date=D(2030, 5, 14),
        summary=f"Chiefs{PASTED_CONTROLS}meet",
        status_note=f"Moved{PASTED_CONTROLS}again",
        venue=VenueFactory(name=f"Hall{PASTED_CONTROLS}A", city="Tirana"),
    )
    MeetingOrganiserFactory(meeting=meeting, organisation=organiser)

    with time_machine.travel(datetime.datetime(2030, 5, 1, 12, tzinfo=datetime.UTC), tick=False):
        response = client.get(path)

    assert response.status_code == 200
    assert NOT_PRINTABLE.findall(response.content.decode()) == []
    # Each pasted character reads as a space, as a browser collapses them.
    assert shown in texts(response.content, "a") + texts(response.content, "h1") + texts(
        response.content, "span", "bar-title"
    )


# --- Linked meetings say when they are cancelled or postponed ------------------


def test_cancelled_and_postponed_meetings_say_so_in_the_cluster_and_the_linked_list(client, db):
    nfp = MeetingFactory(title="NFP Group", slug="nfp", start_date=D(2019, 4, 23), status=Status.CANCELLED)
    rnnc = MeetingFactory(title="RNNC", slug="rnnc", start_date=D(2019, 4, 24))
    albania = MeetingFactory(title="Albania", slug="albania", start_date=D(2019, 4, 25), status=Status.POSTPONED)
    visit = MeetingFactory(title="Visit", slug="visit", start_date=D(2019, 4, 26), status=Status.CANCELLED)
    BackToBackFactory(from_meeting=rnnc, to_meeting=nfp)
    BackToBackFactory(from_meeting=rnnc, to_meeting=albania)
    BackToBackFactory(from_meeting=rnnc, to_meeting=visit, kind=LinkKind.STUDY_VISIT)

    response = client.get("/meetings/rnnc/")

    assert texts(response.content, "ol", "timeline") == [
        "23 April 2019 NFP Group Cancelled · Tirana 24 April 2019 RNNC (this meeting) · Tirana "
        "25 April 2019 Albania Postponed · Tirana"
    ]
    assert texts(response.content, "section", "linked") == [
        "Linked meetings Study visit Visit Cancelled (26 April 2019)"
    ]


# --- Past and changed meetings read right -------------------------------------

BELGRADE = zoneinfo.ZoneInfo("Europe/Belgrade")


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (Status.CONFIRMED, "Took place"),
        (Status.TENTATIVE, "Dates passed, never confirmed"),
        (Status.CANCELLED, "Cancelled"),
        (Status.POSTPONED, "Postponed"),
    ],
)
def test_a_past_meeting_says_it_took_place_unless_it_was_called_off(client, db, status, shown):
    MeetingFactory(slug="past", start_date=D(2019, 4, 23), end_date=D(2019, 4, 25), status=status)

    response = client.get("/meetings/past/")

    assert texts(response.content, "dd", f"status-{status}") == [shown]


def test_a_meeting_reads_took_place_from_the_midnight_after_its_last_day(client, db):
    evening = datetime.datetime(2030, 5, 14, 23, 58, tzinfo=BELGRADE)
    MeetingFactory(slug="ends-today", start_date=D(2030, 5, 13), end_date=D(2030, 5, 14))

    with time_machine.travel(evening, tick=False):
        before = client.get("/meetings/ends-today/")
        cached = client.get("/meetings/ends-today/")
    with time_machine.travel(evening + datetime.timedelta(minutes=3), tick=False):
        after = client.get("/meetings/ends-today/")

    assert [response.headers.get("X-Page-Cache") for response in (before, cached, after)] == ["miss", "hit", "miss"]
    assert [texts(response.content, "dd", "status-confirmed") for response in (cached, after)] == [
        ["Confirmed"],
        ["Took place"],
    ]


def test_a_scheduled_meeting_previewed_by_an_editor_says_when_in_words(client, db):
    MeetingFactory(slug="scheduled", publish_at=datetime.datetime(2026, 11, 28, 8, 30, tzinfo=datetime.UTC))
    log_in_editor(client)

    with time_machine.travel(datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC), tick=False):
        response = client.get("/meetings/scheduled/")

    assert texts(response.content, "p", "draft-banner") == ["Scheduled — not public until 28 November 2026, 09:30 CET"]


def description_of(response):
    (event,) = parse(content_of(response)).values()
    return event["description"]


@pytest.mark.parametrize(
    "zone, still_going_on, next_site_day",
    [
        # 21:37 in New York on 1 December is already 2 December in Belgrade.
        ("America/New_York", datetime.datetime(2030, 12, 2, 2, 37, tzinfo=datetime.UTC), D(2030, 12, 3)),
        # 05:00 on 2 December in Tokyo is still 1 December in Belgrade.
        ("Asia/Tokyo", datetime.datetime(2030, 12, 1, 20, 0, tzinfo=datetime.UTC), D(2030, 12, 2)),
    ],
)
def test_a_meeting_never_reads_took_place_before_its_day_is_over_where_it_is_held(
    client, db, zone, still_going_on, next_site_day
):
    MeetingFactory(
        slug="far-away",
        venue=VenueFactory(timezone=zone),
        start_date=D(2030, 12, 1),
        end_date=D(2030, 12, 1),
        start_time=datetime.time(20),
        end_time=datetime.time(23),
    )
    later = datetime.datetime.combine(next_site_day, datetime.time(0, 1), tzinfo=BELGRADE)

    with time_machine.travel(still_going_on, tick=False):
        going_on_page = client.get("/meetings/far-away/")
        going_on_ics = description_of(client.get("/meetings/far-away.ics"))
    with time_machine.travel(later, tick=False):
        over_page = client.get("/meetings/far-away/")
        over_ics = description_of(client.get("/meetings/far-away.ics"))

    assert texts(going_on_page.content, "dd", "status-confirmed") == ["Confirmed"]
    assert "Status: Confirmed" in going_on_ics.splitlines()
    assert texts(over_page.content, "dd", "status-confirmed") == ["Took place"]
    assert "Status: Took place" in over_ics.splitlines()
