"""Import a partner's calendar (.ics) as draft meetings, matched by UID so a re-import updates.

Reading is split from writing: ``events.calendar.fetching`` gets bytes from a URL within
strict limits, ``import_calendar`` turns bytes into meetings. The admin view runs
the import in one transaction: a calendar is imported whole or not at all.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from icalendar import Calendar

from events.calendar.fetching import CalendarImportError
from events.models import DEFAULT_TIMEZONE, DatePrecision, Meeting, Publication, Status, Venue

TITLE_LENGTH = Meeting._meta.get_field("title").max_length
UID_LENGTH = Meeting._meta.get_field("source_uid").max_length

# iCalendar STATUS → our status; anything else leaves the status as it is.
STATUS_FROM_ICAL = {"CANCELLED": Status.CANCELLED, "TENTATIVE": Status.TENTATIVE, "CONFIRMED": Status.CONFIRMED}


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (summary or UID, reason) pairs


def parse_calendar(data):
    try:
        return Calendar.from_ical(data)
    except (ValueError, IndexError, KeyError) as error:
        raise CalendarImportError(_("This is not a readable iCalendar (.ics) file.")) from error


def _local(value, zone):
    """A date, or a datetime in ``zone`` (floating times are taken as already local)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(zone)
        return value.replace(tzinfo=None)
    return value


def _match_venue(location):
    """An existing venue whose name or city appears in the event's LOCATION, else None."""
    parts = [part.strip() for part in location.split(",") if part.strip()]
    if not parts:
        return None
    by_name = Venue.objects.filter(name__in=parts).exclude(name="").select_related("country").first()
    if by_name:
        return by_name
    query = Q()
    for part in parts:
        query |= Q(city__iexact=part)
    return Venue.objects.filter(query, name="").select_related("country").first() or (
        Venue.objects.filter(query).select_related("country").first()
    )


def _apply_event(meeting, event):
    """Copy what the event says onto ``meeting``; return an error message, or None when valid."""
    title = str(event.get("SUMMARY", "")).strip()
    if not title:
        return _("The event has no title (SUMMARY).")
    start = event.decoded("DTSTART", None)
    if start is None:
        return _("The event has no start (DTSTART).")
    meeting.title = title[:TITLE_LENGTH]
    meeting.description = str(event.get("DESCRIPTION", "")).strip()
    url = str(event.get("URL", "")).strip()
    if url:
        meeting.external_url = url
    location = str(event.get("LOCATION", "")).strip()
    if location:
        venue = _match_venue(location)
        if venue:
            meeting.venue = venue
        elif location not in meeting.editor_notes:
            meeting.editor_notes = "\n".join(
                filter(
                    None, [meeting.editor_notes, _("Place in the imported calendar: %(place)s") % {"place": location}]
                )
            )
    status = STATUS_FROM_ICAL.get(str(event.get("STATUS", "")).upper())
    if status:
        meeting.status = status

    zone = zoneinfo.ZoneInfo(meeting.venue.timezone if meeting.venue_id else DEFAULT_TIMEZONE)
    end = event.decoded("DTEND", None)
    if end is None and event.get("DURATION") is not None:
        end = start + event.decoded("DURATION")
    start, end = _local(start, zone), _local(end, zone) if end is not None else None
    meeting.date_precision = DatePrecision.DAY
    if isinstance(start, datetime.datetime):
        meeting.start_date, meeting.start_time = start.date(), start.time()
        if isinstance(end, datetime.datetime):
            meeting.end_date, meeting.end_time = end.date(), end.time()
        else:
            meeting.end_date, meeting.end_time = start.date(), None
    else:
        meeting.start_date, meeting.start_time, meeting.end_time = start, None, None
        # An all-day DTEND is exclusive: an event on 24 April ends on 25 April.
        meeting.end_date = (end - datetime.timedelta(days=1)) if isinstance(end, datetime.date) else start
        meeting.end_date = max(meeting.end_date, start)
    try:
        meeting.full_clean(exclude=["slug", "uid"], validate_unique=False)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


@transaction.atomic
def import_calendar(data):
    """Create or update one draft meeting per VEVENT in the iCalendar ``data``; returns an ImportResult."""
    calendar = parse_calendar(data)
    result = ImportResult()
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID", "")).strip()[:UID_LENGTH]
        label = str(event.get("SUMMARY", "")).strip() or uid or _("(untitled event)")
        if not uid:
            result.skipped.append((label, _("The event has no UID, so a later import could not update it.")))
            continue
        meeting = Meeting.objects.filter(source_uid=uid).first()
        is_new = meeting is None
        if is_new:
            meeting = Meeting(source_uid=uid, publication=Publication.DRAFT)
        try:
            problem = _apply_event(meeting, event)
        except (ValueError, TypeError, KeyError):
            problem = _("The event's dates could not be read.")
        if problem:
            result.skipped.append((label, problem))
            continue
        if is_new:
            meeting.slug = Meeting.objects.unique_slug(meeting.title)
        meeting.save()
        (result.created if is_new else result.updated).append(meeting)
    return result
