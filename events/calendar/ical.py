"""iCalendar for meetings, built with the ``icalendar`` library: small functions, no views.

A feed is a VCALENDAR head, one VTIMEZONE per venue zone, one VEVENT per
meeting, and the closing line. ``events.calendar.assembly`` keeps each meeting's serialized
VEVENT in the cache and assembles feeds from those pieces, so everything here
builds one piece at a time.
"""

import datetime
import functools
import re
from typing import NamedTuple

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language, gettext
from icalendar import Calendar, Event, vDatetime, vDuration

from events import dates
from events.calendar import vtimezone
from events.models import Access, DatePrecision, OrganiserRole, Status
from events.text import NOT_PRINTABLE

PRODID = "-//Western Balkans security meetings//Calendar feeds 1.0//EN"
# Meetings are announced weeks ahead; a change is seen within a few hours.
REFRESH_INTERVAL = datetime.timedelta(hours=6)
CALENDAR_END = b"END:VCALENDAR\r\n"

ICAL_STATUS = {
    Status.CONFIRMED: "CONFIRMED",
    Status.TENTATIVE: "TENTATIVE",
    # Postponed: the organisers have not confirmed a new date, so the old one is only tentative.
    Status.POSTPONED: "TENTATIVE",
    Status.CANCELLED: "CANCELLED",
}

# Open meetings (and those that do not say) are public; closed and invitation-only ones are private.
ICAL_CLASS = {
    Access.NOT_STATED: "PUBLIC",
    Access.OPEN: "PUBLIC",
    Access.INVITATION: "PRIVATE",
    Access.CLOSED: "PRIVATE",
}


@functools.lru_cache(maxsize=1024)
def translated(language, message):
    return gettext(message)


def _(message):
    """gettext, remembered per language: a feed asks for the same few messages for every meeting,
    and Django's gettext looks the active translation up on each call (a large part of a VEVENT)."""
    return translated(get_language(), message)


def absolute_url(path):
    """An absolute URL on the public site; feeds are cached, so never from the request's host."""
    return f"{settings.SITE_URL}{path}"


# --- The calendar ---------------------------------------------------------


def one_line(text):
    """Calendar names are single lines: line breaks and other control characters become spaces.

    (X-WR-CALNAME is not escaped like SUMMARY; a meeting title with a line break, possible
    through an import, made the one-meeting download fail with a 500.)
    """
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def new_calendar(name, description):
    """An empty VCALENDAR named for what it holds."""
    name, description = one_line(name), one_line(description)
    calendar = Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", PRODID)
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-caldesc", description)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    return calendar


def calendar_head(name, description):
    """The serialized VCALENDAR up to its first component: a feed's first piece."""
    text = new_calendar(name, description).to_ical()
    assert text.endswith(CALENDAR_END)
    return text[: -len(CALENDAR_END)]


def serialize(calendar):
    return calendar.to_ical()


# --- Time zones -----------------------------------------------------------


# Every VTIMEZONE covers at least these years, so a zone's definition is the same in nearly every
# feed: clients that keep the first definition they saw for a TZID (vobject does) stay right.
TIMEZONE_FIRST_YEAR = 2000
TIMEZONE_LAST_YEAR = 2050


def timezone_years(first_date, last_date):
    """(first year, last year) a zone's VTIMEZONE covers: its meetings' years, the year after, and 2000–2050."""
    return min(first_date.year, TIMEZONE_FIRST_YEAR), max(last_date.year + 1, TIMEZONE_LAST_YEAR)


@functools.lru_cache(maxsize=256)
def timezone_piece(tzid, first_year, last_year):
    """The VTIMEZONE for a venue's zone, right on every meeting date and after (see events.calendar.vtimezone).

    The piece depends only on its arguments, the code and the zone data (tzdata is pinned in
    requirements.txt, which the release fingerprint covers), so it is kept in memory.
    """
    return vtimezone.timezone_component(tzid, first_year, last_year).to_ical()


# --- One meeting ------------------------------------------------------------


def calendar_text(text):
    """Text as a calendar may carry it: C0 and C1 control characters removed (imported titles carry
    NUL, BEL or ESC; iCalendar forbids them and clients choke on them). Line breaks and tabs stay;
    icalendar escapes them. The characters are those events.text keeps off the pages."""
    return NOT_PRINTABLE.sub("", text)


def status_title(meeting):
    """The title with the status a calendar entry or a linked meeting must show: "Cancelled: …", "Postponed: …".

    In the title because Google Calendar hides STATUS:CANCELLED, and a postponed meeting keeps dates
    that no longer hold.
    """
    if meeting.is_cancelled:
        # Translators: a calendar entry's title; Google Calendar hides cancelled events, so the title says it.
        return _("Cancelled: %(title)s") % {"title": meeting.title}
    if meeting.status == Status.POSTPONED:
        # Translators: a calendar entry's title, for a postponed meeting.
        return _("Postponed: %(title)s") % {"title": meeting.title}
    return meeting.title


def summary(meeting):
    """The event title: status_title, and "Date to be confirmed: " for a meeting kept at withdrawn dates.

    A meeting with a start time and no end time is written as all-day dates (see has_times), so its
    title carries the start: "Workshop (from 09:30 CET)".
    """
    title = status_title(meeting)
    if title == meeting.title and dates_withdrawn(meeting):
        # Translators: a calendar entry's title, for a meeting postponed to a date not yet known.
        title = _("Date to be confirmed: %(title)s") % {"title": title}
    if starts_at_a_time_only(meeting):
        start = dates.start_time_in_words(meeting.start_date, meeting.start_time, meeting.timezone_name)
        # Translators: a calendar entry's title with its start time, e.g. "Workshop (from 09:30 CET)".
        title = _("%(title)s (%(start)s)") % {"title": title, "start": start}
    return calendar_text(title)


def location(meeting):
    """Venue, address, city and country, leaving out the venue an editor withheld."""
    place = meeting.public_place
    return str(place) if place else ""


def dates_withdrawn(meeting):
    """True for a meeting a feed holds without exact dates: placed at the last ones announced."""
    return meeting.date_precision != DatePrecision.DAY


def calendar_days(meeting):
    """(first day, last day) a calendar places the meeting on.

    Its own dates; for a meeting postponed to a date to be confirmed, the last ones announced,
    which events.calendar.assembly reads from the history (calendar_start, calendar_end).
    """
    if dates_withdrawn(meeting):
        return meeting.calendar_start, meeting.calendar_end
    return meeting.start_date, meeting.end_date


def all_day_dates(meeting):
    """(first day, day after the last day): iCalendar's and Google's all-day end is exclusive."""
    first_day, last_day = calendar_days(meeting)
    return first_day, last_day + datetime.timedelta(days=1)


def ical_status(meeting):
    """STATUS; a meeting whose dates were withdrawn is at most TENTATIVE at the dates it keeps."""
    if dates_withdrawn(meeting) and meeting.status != Status.CANCELLED:
        return "TENTATIVE"
    return ICAL_STATUS[meeting.status]


def when(meeting):
    """The DESCRIPTION's line on the dates, in words as the site writes them (events.dates)."""
    in_words = dates.meeting_dates_in_words(meeting)
    if dates_withdrawn(meeting):
        announced = dates.day_range_in_words(*calendar_days(meeting))
        # Translators: a line of a calendar entry's description; %(dates)s is e.g. "Date to be confirmed",
        # %(announced)s the dates announced before the meeting was postponed.
        return _("When: %(dates)s (last announced: %(announced)s)") % {"dates": in_words, "announced": announced}
    # Translators: a line of a calendar entry's description; %(dates)s is e.g. "23–25 October 2018".
    return _("When: %(dates)s") % {"dates": in_words}


def has_times(meeting):
    """True when a calendar can place the meeting between two times: it has a start and a later end.

    Organisers often announce only when a meeting starts. Any end written for it would be made up
    (the end of the start day, a default hour, or, for a meeting over several days, its start time
    on the last day), so such a meeting is written as all-day dates over its days, with the start
    time in its title and description (docs/architecture.md, "A start without an end").
    """
    return meeting.is_timed and meeting.end_time is not None and meeting.end_datetime() > meeting.start_datetime()


def starts_at_a_time_only(meeting):
    return meeting.is_timed and not has_times(meeting)


def timed_span(meeting):
    """(start, end) as aware datetimes in the venue's zone, for a meeting that has_times."""
    return meeting.start_datetime(), meeting.end_datetime()


def unambiguous(moment):
    """A local time the clocks skip or repeat, as UTC; any other as it is.

    Parsers disagree on such a time (ical.js takes the second of a repeated hour, vobject and ical.js
    move a skipped one the other way), so it is written as the instant RFC 5545 means: the first of
    a repeated hour, and a skipped hour read with the offset before the change. The admin warns the
    editor about such times (events.editors.forms)."""
    first, second = moment.replace(fold=0), moment.replace(fold=1)
    if first.utcoffset() == second.utcoffset():
        return moment
    return first.astimezone(datetime.UTC)


class Related(NamedTuple):
    """What a VEVENT shows beyond the meeting's own row and venue; events.calendar.assembly reads it in bulk."""

    roles: list  # MeetingOrganiser rows, with their organisation
    fundings: list  # MeetingFunder rows, with their organisation
    topics: list
    linked: list  # (label, meeting) pairs the public may see, in date order


def organiser_with_role(role):
    return organiser_in_words(get_language(), role.organisation.short_name, role.role)


@functools.lru_cache(maxsize=4096)
def organiser_in_words(language, short_name, role):
    # Translators: an organiser in a calendar entry's description, e.g. "RCC (Host)".
    return _("%(organisation)s (%(role)s)") % {"organisation": short_name, "role": OrganiserRole(role).label}


# What meeting.status_today() says, per language, status and whether the last day is over: the
# model translates every choice of the field on each call, a large part of a VEVENT's time.
STATUS_TODAY = {}


def status_today(meeting):
    ahead = meeting.end_date is None or not dates.last_day_over(meeting.end_date, meeting.timezone_name)
    memo = (get_language(), meeting.status, ahead)
    if memo not in STATUS_TODAY:
        STATUS_TODAY[memo] = str(meeting.status_today())
    return STATUS_TODAY[memo]


# A slug the URL pattern takes and reverse() writes unchanged (it quotes nothing in it).
PLAIN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")
SLUG_MARK = "slug-mark"


@functools.lru_cache(maxsize=64)
def detail_path_template(language, script_prefix, urlconf):
    return reverse("events:detail", kwargs={"slug": SLUG_MARK})


def meeting_path(meeting):
    """meeting.get_absolute_url(), without resolving the URL pattern for every meeting of a feed."""
    if not PLAIN_SLUG.fullmatch(meeting.slug):
        return meeting.get_absolute_url()
    template = detail_path_template(get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)
    return template.replace(SLUG_MARK, meeting.slug, 1)


def description(meeting, related, page_url=None):
    """Plain text for DESCRIPTION: summary, dates, status note, organisers, funders, linked meetings, the page."""
    lines = []
    if meeting.summary:
        lines += [meeting.summary, ""]
    # The dates in words: all-day entries of a start-only meeting lose its start time, a postponed one its new date.
    lines.append(when(meeting))
    # As the meeting's page reads it today: "Took place" once its last day is over, never a bare "Confirmed".
    # The VEVENT's cache key carries whether it is over (events.calendar.assembly.piece_key).
    status = status_today(meeting)
    if meeting.status_note:
        # Translators: a line of a calendar entry's description: the status ("Postponed") and the editor's note on it.
        lines.append(_("%(status)s: %(note)s") % {"status": status, "note": meeting.status_note})
    else:
        # Translators: a line of a calendar entry's description; %(status)s is e.g. "Confirmed" or "Took place".
        lines.append(_("Status: %(status)s") % {"status": status})
    # Enum labels, not get_FOO_display(): that translates every choice of the field on each call.
    roles = [organiser_with_role(role) for role in related.roles]
    if roles:
        # Translators: a line of a calendar entry's description; %(list)s is organisers separated by "; ".
        lines.append(_("Organisers: %(list)s") % {"list": "; ".join(roles)})
    funders = [str(funding) for funding in related.fundings]
    if funders:
        # Translators: a line of a calendar entry's description; %(list)s is funders separated by "; ".
        lines.append(_("Funded by: %(list)s") % {"list": "; ".join(funders)})
    if meeting.access != Access.NOT_STATED:
        # Translators: a line of a calendar entry's description; %(access)s is e.g. "By invitation".
        lines.append(_("Access: %(access)s") % {"access": Access(meeting.access).label})
    for label, other in related.linked:
        lines.append(
            # Translators: a line of a calendar entry's description on a linked meeting; %(label)s is the kind
            # of link (e.g. "Side event of"), %(title)s the other meeting's title, %(dates)s its dates.
            _("%(label)s: %(title)s (%(dates)s)")
            % {"label": label, "title": status_title(other), "dates": dates.meeting_dates_in_words(other)}
        )
    lines += ["", page_url or absolute_url(meeting.get_absolute_url())]
    return calendar_text("\n".join(lines))


def new_event(meeting, related, revised_at=None):
    """The VEVENT of one meeting from feed_queryset(); revised_at: when shared data it shows (a venue…) last changed."""
    page_url = absolute_url(meeting.get_absolute_url())
    event = Event()
    event.add("uid", str(meeting.uid))
    # DTSTAMP follows the last change to what the VEVENT shows rather than the build time: a cached
    # piece stays valid, and a client seeing the same SEQUENCE with a newer DTSTAMP takes the newer text.
    revised = max(meeting.updated_at, revised_at) if revised_at else meeting.updated_at
    event.add("dtstamp", revised)
    event.add("created", meeting.created_at)
    event.add("last-modified", revised)
    event.add("sequence", meeting.sequence)
    if has_times(meeting):
        start, end = timed_span(meeting)
        event.add("dtstart", unambiguous(start))
        event.add("dtend", unambiguous(end))
    else:
        first_day, day_after = all_day_dates(meeting)
        event.add("dtstart", first_day)
        event.add("dtend", day_after)
        # All-day meetings do not block the subscriber's day.
        event.add("transp", "TRANSPARENT")
    event.add("summary", summary(meeting))
    event.add("status", ical_status(meeting))
    event.add("class", ICAL_CLASS[meeting.access])
    place = calendar_text(location(meeting))
    if place:
        event.add("location", place)
    venue = meeting.public_venue
    if venue is not None and venue.has_coordinates:
        event.add("geo", (float(venue.latitude), float(venue.longitude)))
    event.add("url", page_url)
    topics = [calendar_text(topic.name) for topic in related.topics]
    if topics:
        event.add("categories", topics)
    event.add("description", description(meeting, related, page_url))
    return event


def event_piece(meeting, related, revised_at=None):
    """One meeting's serialized VEVENT, ready to be cached and joined into feeds.

    Byte for byte new_event(...).to_ical() (tests/test_ical_bytes.py holds them equal on generated
    meetings), written as content lines directly: building icalendar's property objects and
    serializing them was most of the time of a feed built from an empty cache (docs/performance.md).
    The lines are in icalendar's order (Event.canonical_order, then the others by name).
    """
    page_url = absolute_url(meeting_path(meeting))
    revised = max(meeting.updated_at, revised_at) if revised_at else meeting.updated_at
    lines = [b"BEGIN:VEVENT", folded("SUMMARY:" + escaped(summary(meeting)))]
    timed = has_times(meeting)
    if timed:
        start, end = timed_span(meeting)
        lines.append(folded("DTSTART" + datetime_value(unambiguous(start))))
        lines.append(folded("DTEND" + datetime_value(unambiguous(end))))
    else:
        first_day, day_after = all_day_dates(meeting)
        lines.append(b"DTSTART;VALUE=DATE:" + date_value(first_day))
        lines.append(b"DTEND;VALUE=DATE:" + date_value(day_after))
    stamp = utc_value(revised)
    lines.append(b"DTSTAMP:" + stamp)
    lines.append(folded("UID:" + escaped(str(meeting.uid))))
    lines.append(b"SEQUENCE:%d" % meeting.sequence)
    topics = [calendar_text(topic.name) for topic in related.topics]
    if topics:
        lines.append(folded("CATEGORIES:" + ",".join(map(escaped, topics))))
    lines.append(b"CLASS:" + ICAL_CLASS[meeting.access].encode())
    lines.append(b"CREATED:" + utc_value(meeting.created_at))
    lines.append(folded("DESCRIPTION:" + escaped(description(meeting, related, page_url))))
    venue = meeting.public_venue
    if venue is not None and venue.has_coordinates:
        lines.append(f"GEO:{float(venue.latitude)};{float(venue.longitude)}".encode())
    lines.append(b"LAST-MODIFIED:" + stamp)
    place = calendar_text(location(meeting))
    if place:
        lines.append(folded("LOCATION:" + escaped(place)))
    lines.append(b"STATUS:" + ical_status(meeting).encode())
    if not timed:
        lines.append(b"TRANSP:TRANSPARENT")
    lines.append(folded("URL:" + page_url))
    lines.append(b"END:VEVENT\r\n")
    return b"\r\n".join(lines)


def escaped(text):
    """TEXT as icalendar 7 escapes it (icalendar.parser.string._escape_char), in the same order:
    a written "\\N" is a line break, every line ending is "\\n"."""
    return (
        text.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def date_value(day):
    return b"%04d%02d%02d" % (day.year, day.month, day.day)


def utc_value(moment):
    """A DATE-TIME in UTC, as icalendar writes DTSTAMP, CREATED and LAST-MODIFIED (seconds, "Z")."""
    moment = moment.astimezone(datetime.UTC)
    return b"%04d%02d%02dT%02d%02d%02dZ" % (
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )


def datetime_value(moment):
    """What follows the property name for an aware DATE-TIME: ";TZID=…:" and local time, or ":" and UTC."""
    tzid = tzid_parameter(moment.tzinfo)
    local = f"{moment.year:04}{moment.month:02}{moment.day:02}T{moment.hour:02}{moment.minute:02}{moment.second:02}"
    return f";{tzid}:{local}" if tzid else f":{local}Z"


@functools.lru_cache(maxsize=256)
def tzid_parameter(zone):
    """The TZID parameter icalendar writes for this zone ("TZID=Europe/Belgrade"), or "" for UTC.

    Asked of icalendar once per zone: it names a zone by its key or an equivalent one, and writes
    UTC (and zones equivalent to it) as "Z" with no parameter.
    """
    value = vDatetime(datetime.datetime(2000, 1, 1, tzinfo=zone))
    return value.params.to_ical().decode() if value.params else ""


# icalendar folds a content line of more than 74 octets after its 74th octet, never inside a UTF-8
# character and never right after a "\" or "^" (so an escape stays with what it escapes, icalendar
# issue #1501); each further line is a space and at most 74 octets more.
FOLD_OCTETS = 74
FOLD = b"\r\n "


def folded(line):
    """A content line as icalendar's Contentline.to_ical() writes it: UTF-8, folded."""
    data = line.encode()
    if len(data) <= FOLD_OCTETS:
        return data
    parts, start = [], 0
    while len(data) - start > FOLD_OCTETS:
        end = start + FOLD_OCTETS
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: the cut goes before its character
            end -= 1
        if data[end - 1] in b"\\^" and end - 1 > start:
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return FOLD.join(parts)


def calendar_name(labels):
    """X-WR-CALNAME: the site's name and what the feed is filtered on, e.g. "Security meetings — P-CVE, Albania"."""
    if not labels:
        # Translators: the name a subscribed calendar takes in the subscriber's calendar program.
        return _("Security meetings")
    # Translators: the name of a subscribed calendar of filtered meetings; %(filters)s is e.g. "P-CVE, Albania".
    return _("Security meetings — %(filters)s") % {"filters": ", ".join(labels)}
