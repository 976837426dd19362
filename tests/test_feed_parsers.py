"""Every parser places every timed meeting of a feed at the instant the database holds.

Calendar programs read a feed's times through its VTIMEZONEs (Outlook, Thunderbird, Apple,
web clients built on ical.js) or through their own zone data (Google, icalendar's default).
Feeds of meetings from 1990 to 2060, in every zone the region uses and in New York, Sydney and
Casablanca, are read by icalendar (both ways), vobject and ical.js; each start and end must be
the meeting's instant from the system's zone data.
"""

import datetime
import io
import zoneinfo

import icalendar
import pytest
import vobject

from events.models import Meeting, Publication
from tests.support import icaljs
from tests.support.calendars import REGION_ZONES, content_of
from tests.support.factories import MeetingFactory, VenueFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
FIRST_YEAR, LAST_YEAR = 1990, 2060
OTHER_ZONES = ["America/New_York", "Australia/Sydney", "Africa/Casablanca"]
DAY = datetime.timedelta(days=1)


def exists_once(day, time, zone):
    """True when this wall-clock time happens once in the zone: a change of clocks neither skips nor repeats it."""
    local = datetime.datetime.combine(day, time, tzinfo=zone)
    return local.utcoffset() == local.replace(fold=1).utcoffset()


def change_days(zone, year):
    """Days of the year on whose noon the zone's offset differs from the day before's."""
    days, day = [], datetime.date(year, 1, 1)
    while day.year == year:
        noon = datetime.time(12)
        before = datetime.datetime.combine(day - DAY, noon, tzinfo=zone).utcoffset()
        if datetime.datetime.combine(day, noon, tzinfo=zone).utcoffset() != before:
            days.append(day)
        day += DAY
    return days


def meetings_around_changes(venue):
    """Per year: mid-January, and around each change of clocks a meeting across it, one just after, one just before.

    Times that a change of clocks skips or repeats are left out: the admin warns about them.
    """
    zone = zoneinfo.ZoneInfo(venue.timezone)
    spans = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        spans.append((datetime.date(year, 1, 15), datetime.time(10), datetime.date(year, 1, 15), datetime.time(12)))
        for day in change_days(zone, year):
            spans.append((day - DAY, datetime.time(10), day + DAY, datetime.time(16)))
            for start, end in ((datetime.time(5), datetime.time(6)), (datetime.time(0, 30), datetime.time(1))):
                if exists_once(day, start, zone) and exists_once(day, end, zone):
                    spans.append((day, start, day, end))
    return published_meetings(venue, spans)


def published_meetings(venue, spans, label="meeting"):
    """Unsaved published meetings at the venue, one per (start date, start time, end date, end time)."""
    tag = venue.timezone.replace("/", "-").lower()
    return [
        Meeting(
            title=f"{label.capitalize()} in {venue.timezone} {n}",
            slug=f"{tag}-{label.replace(' ', '-')}-{n}",
            start_date=start_date,
            start_time=start_time,
            end_date=end_date,
            end_time=end_time,
            venue=venue,
            publication=Publication.PUBLISHED,
        )
        for n, (start_date, start_time, end_date, end_time) in enumerate(spans)
    ]


def instants(meeting):
    return meeting.start_datetime().astimezone(UTC), meeting.end_datetime().astimezone(UTC)


def read_by_icalendar(content):
    """icalendar's own reading: the TZID is looked up in the system's zone data."""
    calendar = icalendar.Calendar.from_ical(content)
    return {
        str(event["UID"]): (event.decoded("DTSTART").astimezone(UTC), event.decoded("DTEND").astimezone(UTC))
        for event in calendar.walk("VEVENT")
    }


def read_by_icalendar_through_the_vtimezones(content):
    """icalendar reading the wall-clock times through the feed's own VTIMEZONEs (Timezone.to_tz)."""
    calendar = icalendar.Calendar.from_ical(content)
    zones = {str(component["TZID"]): component.to_tz() for component in calendar.walk("VTIMEZONE")}

    def instant(prop):
        if "TZID" not in prop.params:  # written in UTC
            return prop.dt.astimezone(UTC)
        return prop.dt.replace(tzinfo=zones[prop.params["TZID"]]).astimezone(UTC)

    return {
        str(event["UID"]): (instant(event["DTSTART"]), instant(event["DTEND"])) for event in calendar.walk("VEVENT")
    }


def read_by_vobject(content):
    # vobject keeps the first VTIMEZONE it saw for a TZID; read each file on its own, as a client does.
    vobject.icalendar.__tzidMap.clear()
    return {
        event.uid.value: (event.dtstart.value.astimezone(UTC), event.dtend.value.astimezone(UTC))
        for event in vobject.readOne(io.StringIO(content.decode())).vevent_list
    }


def read_by_icaljs(content):
    return {uid: (fields["start"], fields["end"]) for uid, fields in icaljs.read_events(content).items()}


READERS = {
    "icalendar": read_by_icalendar,
    "icalendar through the VTIMEZONEs": read_by_icalendar_through_the_vtimezones,
    "vobject": read_by_vobject,
    "ical.js": read_by_icaljs,
}


def misread(meetings, content):
    """{reader: the meetings it placed anywhere but at their instants}, for each reader."""
    expected = {str(meeting.uid): (meeting, instants(meeting)) for meeting in meetings}
    wrong = {}
    for name, read in READERS.items():
        read_back = read(content)
        wrong[name] = [
            f"{meeting.title} ({meeting.start_date} {meeting.start_time}): read {read_back.get(uid)}, is {when}"
            for uid, (meeting, when) in expected.items()
            if read_back.get(uid) != when
        ]
    return wrong


# One feed per zone, parsed once by each parser: about 500 meetings, all of which a feed holds.
@pytest.mark.parametrize("tzid", REGION_ZONES + OTHER_ZONES)
def test_every_parser_reads_every_start_and_end_of_the_archive_feed_at_the_databases_instant(client, tzid):
    icaljs.node_binary()
    Meeting.objects.bulk_create(meetings_around_changes(VenueFactory(timezone=tzid, city=tzid.split("/")[-1])))
    meetings = list(Meeting.objects.select_related("venue"))

    content = content_of(client.get("/calendar.ics?date_from=1990-01-01"))

    assert len(meetings) > 300
    assert misread(meetings, content) == {name: [] for name in READERS}


@pytest.mark.parametrize(
    "tzid, day, hours",
    [
        # Before the first change of clocks of the meeting's year: ical.js read it as UTC.
        ("America/New_York", datetime.date(2026, 2, 10), -5),
        # Sydney's summer: 11 hours ahead of UTC, read as UTC too.
        ("Australia/Sydney", datetime.date(2026, 1, 20), 11),
        # A Belgrade summer meeting before 1996, when the rules were others: an hour off in vobject and ical.js.
        ("Europe/Belgrade", datetime.date(1995, 9, 20), 2),
        # Morocco is on +00 during Ramadan (here 2026), which icalendar's own zone data lacks.
        ("Africa/Casablanca", datetime.date(2026, 3, 5), 0),
    ],
)
def test_add_to_calendar_file_is_read_at_the_meetings_time_by_every_parser(client, tzid, day, hours):
    icaljs.node_binary()
    meeting = MeetingFactory(
        start_date=day,
        start_time=datetime.time(10),
        end_time=datetime.time(12),
        venue=VenueFactory(timezone=tzid),
    )

    content = content_of(client.get(f"/meetings/{meeting.slug}.ics"))

    start = datetime.datetime.combine(day, datetime.time(10), tzinfo=UTC) - datetime.timedelta(hours=hours)
    assert {name: read(content)[str(meeting.uid)] for name, read in READERS.items()} == {
        name: (start, start + datetime.timedelta(hours=2)) for name in READERS
    }


def times_the_clocks_skip_or_repeat(zone, years):
    """Per change of clocks in these years: the first quarter hour of that day that happens never or twice."""
    found = []
    for year in years:
        for day in change_days(zone, year) + [day + DAY for day in change_days(zone, year)]:
            for minutes in range(0, 24 * 60, 15):
                time = datetime.time(minutes // 60, minutes % 60)
                if not exists_once(day, time, zone):
                    found.append((day, time))
                    break
    return found


@pytest.mark.parametrize("tzid", REGION_ZONES + OTHER_ZONES)
def test_a_time_the_clocks_skip_or_repeat_is_read_at_one_instant_by_every_parser(client, tzid):
    """The admin warns about such times; if the editor keeps one, every calendar still shows one instant:
    the first of a repeated hour, a skipped hour read with the offset before the change (RFC 5545)."""
    icaljs.node_binary()
    zone = zoneinfo.ZoneInfo(tzid)
    venue = VenueFactory(timezone=tzid, city=tzid.split("/")[-1])
    times = times_the_clocks_skip_or_repeat(zone, (1990, 1999, 2011, 2026, 2037))
    Meeting.objects.bulk_create(
        published_meetings(venue, [(day, time, day, datetime.time(23, 45)) for day, time in times], "odd time")
    )
    meetings = list(Meeting.objects.select_related("venue"))

    content = content_of(client.get("/calendar.ics?date_from=1990-01-01"))

    assert len(meetings) >= 5
    assert misread(meetings, content) == {name: [] for name in READERS}
