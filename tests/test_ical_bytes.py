"""Feeds write their content lines themselves (events.calendar.ical.event_piece); the bytes must be
exactly what icalendar 7 writes for the same meetings (new_event(...).to_ical(), the naive way).

Meetings are generated in memory (hypothesis): text with every escape and multi-byte characters
where lines fold, all-day and timed meetings in every zone the site's venues use and a few more
(UTC, a zone equivalent to it, ones far from Europe), times the clocks skip or repeat, withdrawn
dates, withheld venues, coordinates, organisers, funders, topics and linked meetings. A database
test then compares whole feeds, their VTIMEZONEs included, with one icalendar Calendar.
"""

import datetime
import uuid

import icalendar
import pytest
from django.conf import settings
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from events.calendar import assembly, ical, vtimezone
from events.calendar.views import feed_description
from events.models import (
    Access,
    Country,
    DatePrecision,
    LinkKind,
    Meeting,
    OrganiserRole,
    Status,
    Topic,
    Venue,
)
from organisations.models import Organisation
from tests.support.factories import (
    MeetingFactory,
    MeetingFunderFactory,
    MeetingOrganiserFactory,
    TopicFactory,
    VenueFactory,
)

# Every zone events/management/commands/generate_meetings.py and the seed give venues, and zones
# that take other paths through icalendar's TZID: UTC and one equivalent to it (written "Z"), and
# zones west of UTC, at a half hour, and without summer time.
ZONES = [
    "Europe/Belgrade",
    "Europe/Berlin",
    "Europe/Brussels",
    "Europe/Chisinau",
    "Europe/Ljubljana",
    "Europe/Podgorica",
    "Europe/Rome",
    "Europe/Sarajevo",
    "Europe/Skopje",
    "Europe/Sofia",
    "Europe/Tirane",
    "Europe/Vienna",
    "Europe/Zagreb",
    "Europe/Zurich",
    "UTC",
    "Etc/UTC",
    "America/New_York",
    "Asia/Kolkata",
    "Africa/Casablanca",
]

# Characters where folding and escaping go wrong: the four TEXT escapes and line endings, the
# parameter escape ^, a written "\N" (icalendar reads it as a line break), the region's letters
# (two octets), Cyrillic, three-octet (€, —) and four-octet (emoji) characters, and control
# characters feeds remove.
PIECES = [
    *"abcdefghij XYZ0123",
    *",;:\\^\"'",
    *["\n", "\r", "\r\n", "\t", "\\N", "č", "ć", "š", "ž", "đ", "ë", "Ђ", "ж", "—", "€", "„", "😀", "🇦🇱"],
    *["\x00", "\x1b", "\x85", "\u2028"],
]
TEXT = st.lists(st.sampled_from(PIECES), max_size=120).map("".join)
SHORT_TEXT = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
NAME = st.text(alphabet=st.sampled_from([*"abcdefghij ,;\\", "č", "Ђ", "€", "😀"]), min_size=1, max_size=30)
SLUG = st.from_regex(r"[a-z0-9][a-z0-9-]{0,40}", fullmatch=True)
DAY = st.dates(min_value=datetime.date(1990, 1, 1), max_value=datetime.date(2060, 12, 31))
TIME = st.times().map(lambda moment: moment.replace(microsecond=0))
MOMENT = st.datetimes(
    min_value=datetime.datetime(2000, 1, 1), max_value=datetime.datetime(2040, 1, 1), timezones=st.just(datetime.UTC)
)
DEGREES = st.decimals(min_value=-89, max_value=89, places=6, allow_nan=False, allow_infinity=False)
LANGUAGE = st.sampled_from([code for code, _name in settings.LANGUAGES])


@st.composite
def venues(draw):
    country = Country(pk=draw(st.integers(1, 5)), code="XK", name=draw(NAME), needs_designation=draw(st.booleans()))
    coordinates = draw(st.none() | st.tuples(DEGREES, DEGREES))
    latitude, longitude = coordinates or (None, None)
    return Venue(
        pk=draw(st.integers(1, 10_000)),
        name=draw(SHORT_TEXT),
        address=draw(SHORT_TEXT),
        city=draw(NAME),
        country=country,
        timezone=draw(st.sampled_from(ZONES)),
        latitude=latitude,
        longitude=longitude,
    )


@st.composite
def meetings(draw, linked=True):
    start_date = draw(DAY)
    end_date = start_date + datetime.timedelta(days=draw(st.integers(0, 6)))
    start_time = draw(st.none() | TIME)
    end_time = draw(st.none() | TIME) if start_time else None
    precision = draw(st.sampled_from(DatePrecision.values))
    created_at = draw(MOMENT)
    meeting = Meeting(
        pk=draw(st.integers(1, 1_000_000)),
        uid=draw(st.uuids()),
        title=draw(TEXT.filter(bool)),
        title_en=draw(SHORT_TEXT),
        slug=draw(SLUG),
        summary=draw(TEXT),
        date_precision=precision,
        start_date=start_date,
        end_date=end_date,
        start_time=start_time,
        end_time=end_time,
        status=draw(st.sampled_from(Status.values)),
        status_note=draw(SHORT_TEXT),
        access=draw(st.sampled_from(Access.values)),
        withhold_venue=draw(st.booleans()),
        sequence=draw(st.integers(0, 50)),
        created_at=created_at,
        updated_at=created_at + datetime.timedelta(seconds=draw(st.integers(0, 10**8)), microseconds=7),
    )
    venue = draw(st.none() | venues())
    if venue is not None:
        meeting.venue = venue
    # What feed_queryset() annotates: the dates a calendar places the meeting on.
    meeting.calendar_start, meeting.calendar_end = start_date, end_date
    return meeting


def organisations():
    return st.builds(
        Organisation, pk=st.integers(1, 100), name=NAME, acronym=st.sampled_from(["", "RCC", "DCAF", "Š;,"])
    )


@st.composite
def relateds(draw):
    roles = [
        assembly.FeedRole(draw(organisations()), draw(st.sampled_from(OrganiserRole.values)))
        for _ in range(draw(st.integers(0, 3)))
    ]
    fundings = [
        assembly.FeedFunding(draw(organisations()), draw(st.sampled_from(["", "IPA II", "Grant; 2024, \\ phase"])))
        for _ in range(draw(st.integers(0, 2)))
    ]
    topics = [Topic(pk=index, name=draw(NAME)) for index in range(draw(st.integers(0, 4)))]
    links = [
        (draw(st.sampled_from([*LinkKind.labels, "Side event of"])), draw(meetings()))
        for _ in range(draw(st.integers(0, 2)))
    ]
    return ical.Related(roles, fundings, topics, links)


REVISED_AT = st.none() | MOMENT


@hypothesis_settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(meeting=meetings(), related=relateds(), revised_at=REVISED_AT, language=LANGUAGE)
def test_event_piece_is_byte_for_byte_what_icalendar_writes(meeting, related, revised_at, language):
    with translation.override(language):
        naive = ical.new_event(meeting, related, revised_at).to_ical()
        fast = ical.event_piece(meeting, related, revised_at)

    assert fast == naive


@hypothesis_settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(["SUMMARY", "DESCRIPTION", "LOCATION", "X"]), text=TEXT)
def test_folded_lines_are_icalendars_at_every_length_and_character(name, text):
    line = f"{name}:{ical.escaped(ical.calendar_text(text))}"

    assert ical.folded(line) == icalendar.parser.Contentline(line).to_ical()


def test_a_line_is_folded_at_75_octets_before_a_character_that_would_cross_it():
    # 73 ASCII octets, then "č" (two octets): it would end at octet 75, so it starts the next line.
    line = "DESCRIPTION:" + "a" * 61 + "č" * 3

    folded = ical.folded(line)

    assert folded.split(b"\r\n ") == [("DESCRIPTION:" + "a" * 61).encode(), ("č" * 3).encode()]
    assert folded == icalendar.parser.Contentline(line).to_ical()


def test_an_escape_is_never_cut_from_what_it_escapes():
    line = "SUMMARY:" + "a" * 65 + "\\,b"

    folded = ical.folded(line)

    assert folded == ("SUMMARY:" + "a" * 65).encode() + b"\r\n \\,b"
    assert folded == icalendar.parser.Contentline(line).to_ical()


@pytest.mark.parametrize(
    ("zone", "start", "expected"),
    [
        ("Europe/Belgrade", datetime.datetime(2026, 7, 1, 9, 30), b"DTSTART;TZID=Europe/Belgrade:20260701T093000"),
        ("UTC", datetime.datetime(2026, 7, 1, 9, 30), b"DTSTART:20260701T093000Z"),
        # 02:30 on 29 March 2026 does not exist in Belgrade: written in UTC, read with the offset before (+01).
        ("Europe/Belgrade", datetime.datetime(2026, 3, 29, 2, 30), b"DTSTART:20260329T013000Z"),
    ],
)
def test_timed_starts_carry_their_zone_or_are_utc(zone, start, expected):
    meeting = Meeting(
        uid=uuid.uuid4(),
        title="Workshop",
        slug="workshop",
        start_date=start.date(),
        end_date=start.date(),
        start_time=start.time(),
        end_time=datetime.time(18, 0),
        created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
        updated_at=datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC),
    )
    meeting.venue = Venue(pk=1, city="X", timezone=zone, country=Country(pk=1, code="RS", name="Serbia"))

    piece = ical.event_piece(meeting, ical.Related([], [], [], []))

    assert piece.split(b"\r\n")[2] == expected
    assert piece == ical.new_event(meeting, ical.Related([], [], [], [])).to_ical()


# --- Whole feeds, from the database -------------------------------------------------------------------


def naive_feed(meetings, name):
    """What one icalendar Calendar holding these meetings writes: the head, a VTIMEZONE per zone of
    the timed ones over their dates, and the events in the feed's order."""
    calendar = ical.new_calendar(name, feed_description())
    spans = {}
    for meeting in meetings:
        if meeting.is_timed:
            first, last = spans.get(meeting.timezone_name, (meeting.calendar_start, meeting.calendar_end))
            spans[meeting.timezone_name] = (min(first, meeting.calendar_start), max(last, meeting.calendar_end))
    for tzid, (first, last) in sorted(spans.items()):
        calendar.add_component(vtimezone.timezone_component(tzid, *ical.timezone_years(first, last)))
    for meeting in meetings:
        calendar.add_component(ical.new_event(meeting, assembly.related(meeting)))
    return calendar.to_ical()


@pytest.mark.django_db
@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_a_whole_feed_is_byte_for_byte_one_icalendar_calendar(client, language):
    meetings = []
    for index, zone in enumerate(ZONES):
        venue = VenueFactory(timezone=zone, name=f"Hall {index}; „Ђ—€“, \\ {'x' * index}")
        timed = {"start_time": datetime.time(9, 15), "end_time": datetime.time(17, 0)} if index % 3 else {}
        meeting = MeetingFactory(
            venue=venue,
            title=f"Meeting {index}: Ђорђе, Škofja Loka; 😀 " + "ž" * (index * 5),
            summary="Line one\nline two, with ; and \\ " * (index % 4),
            start_date=datetime.date(2020 + index, 3, 20 + index % 9),
            end_date=datetime.date(2020 + index, 3, 21 + index % 9),
            **timed,
        )
        meeting.topics.add(TopicFactory(name=f"Topic, {index}; č"))
        MeetingOrganiserFactory(meeting=meeting)
        MeetingFunderFactory(meeting=meeting)
        meetings.append(meeting)
    # A meeting postponed to a date to be confirmed stays at the dates last announced.
    postponed = meetings[4]
    postponed.date_precision, postponed.start_date, postponed.end_date = DatePrecision.UNKNOWN, None, None
    postponed.start_time = postponed.end_time = None
    postponed.status = Status.POSTPONED
    postponed.save()

    with translation.override(language):
        response = client.get("/calendar.ics" if language == settings.LANGUAGE_CODE else f"/{language}/calendar.ics")
        expected = naive_feed(
            list(assembly.meetings_for_pieces([meeting.pk for meeting in meetings]).order_by(*assembly.FEED_ORDER)),
            ical.calendar_name([]),
        )

    assert response.status_code == 200
    assert response.content == expected
