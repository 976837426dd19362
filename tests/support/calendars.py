"""Reading the calendars the site emits, with two independent parsers that must agree."""

import datetime

import icalendar
import vobject

UTC = datetime.UTC


def as_utc(value):
    return value.astimezone(UTC) if isinstance(value, datetime.datetime) else value


def parse(content):
    """Events of an .ics as {uid: fields}, read by icalendar and by vobject, which must agree on them.

    vobject reads timed events through the feed's own VTIMEZONE (as Outlook and Thunderbird
    do); icalendar uses the system's zone data. Agreement means the VTIMEZONE is right.
    """
    calendar = icalendar.Calendar.from_ical(content)
    by_icalendar = {}
    for event in calendar.walk("VEVENT"):
        by_icalendar[str(event["UID"])] = {
            "summary": str(event["SUMMARY"]),
            "start": as_utc(event.decoded("DTSTART")),
            "end": as_utc(event.decoded("DTEND")) if "DTEND" in event else None,
            "status": str(event["STATUS"]),
            "sequence": int(event["SEQUENCE"]),
            "description": str(event.get("DESCRIPTION", "")),
            "location": str(event.get("LOCATION", "")),
        }
    # vobject keeps the first VTIMEZONE it saw for a TZID; read each file on its own, as a client does.
    vobject.icalendar.__tzidMap.clear()
    by_vobject = {}
    # An empty calendar has no vevent_list at all.
    for event in getattr(vobject.readOne(content.decode()), "vevent_list", []):
        by_vobject[event.uid.value] = {
            "summary": event.summary.value,
            "start": as_utc(event.dtstart.value),
            "end": as_utc(event.dtend.value) if hasattr(event, "dtend") else None,
            "status": event.status.value,
            "sequence": int(event.sequence.value),
            "description": event.description.value if hasattr(event, "description") else "",
            "location": event.location.value if hasattr(event, "location") else "",
        }
    assert by_icalendar == by_vobject
    return by_icalendar


def content_of(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


# The zones of the region's venues, and the ones its meetings abroad are held in.
REGION_ZONES = [
    "Europe/Belgrade",
    "Europe/Tirane",
    "Europe/Sarajevo",
    "Europe/Skopje",
    "Europe/Podgorica",
    "Europe/Zagreb",
    "Europe/Ljubljana",
    "Europe/Vienna",
    "Europe/Brussels",
    "Europe/London",
]
