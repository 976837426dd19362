"""Read a calendar file as real programs write it: bytes in, the events to import out, as plain values.

``events.calendar.importer`` turns these values into meetings. What is repaired here, and why
(docs/architecture.md, "Importing a calendar", says the same for editors' questions):

- **Encodings.** The standard says UTF-8, but older programs write the system's code page. Folded
  lines are unfolded as bytes first (a fold may split a UTF-8 character). A file that is not UTF-8 is
  decoded by the charset it declares (``CHARSET=`` parameters of vCalendar 1.0 and Apple iCal 1.0),
  else by the region's legacy charset ``charset-normalizer`` finds among ``REGIONAL_CHARSETS``
  (windows-1250 and ISO-8859-2 told apart by their bytes for Š Ž š ž, see ``_guessed``), named in
  a note, else refused: a title full of U+FFFD is worse than a clear refusal.
- **Control characters** (NUL, BEL, ESC…, and C1) become spaces in the whole text before parsing
  (``events.text.printable``, as on every public page): they are never meant, PostgreSQL refuses
  NUL in text, and XML feeds cannot carry them. Titles and places then have runs of spaces folded.
- **Zones.** X-WR-TIMEZONE (Google, Apple) names the zone of floating times (``x-wr-timezone`` for series);
  Windows zone names (Outlook, Exchange) are read through icalendar's CLDR mapping, for TZID and for
  X-WR-TIMEZONE alike. An all-day date that carries a TZID (SabreDAV) stays a date.
- **Series.** RRULE, RDATE, EXDATE and RECURRENCE-ID overrides are expanded by
  ``recurring-ical-events`` into one event per occurrence within a bounded window; each occurrence
  gets a UID made of the series' UID and the occurrence's original start, so a re-import finds it.
- **Bad optional properties** (a relative URL, an unreadable DTEND…) are dropped with a note naming
  them; the event is kept.
"""

import codecs
import datetime
import hashlib
import logging
import re
import time
import zoneinfo
from calendar import monthrange
from dataclasses import dataclass, field

import charset_normalizer
import recurring_ical_events
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from icalendar import Calendar
from icalendar.prop import vDDDLists, vDDDTypes, vRecur
from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from events.calendar.fetching import CalendarImportError
from events.dates import day_in_words
from events.models import Meeting, Status
from events.text import printable

logger = logging.getLogger(__name__)

TITLE_LENGTH = Meeting._meta.get_field("title").max_length
UID_LENGTH = Meeting._meta.get_field("source_uid").max_length
URL_LENGTH = Meeting._meta.get_field("external_url").max_length
# Dates outside these years are typing errors or sentinels ("9999"); the site's pages compute
# days around a meeting's dates, which overflow near the ends of Python's calendar.
FIRST_YEAR, LAST_YEAR = 1900, 2199

UNREADABLE = gettext_lazy("This is not a readable iCalendar (.ics) file.")
UNKNOWN_CHARSET = gettext_lazy(
    "The file is not in UTF-8 and its character set could not be recognised; "
    "save it as UTF-8 (Unicode) and import it again."
)
UTF16_WITHOUT_MARK = gettext_lazy(
    "The file looks like UTF-16 without a byte order mark, and could not be read as such; "
    "save it as UTF-8 (Unicode) and import it again."
)
DUPLICATE_UID = gettext_lazy("Another event in this calendar has the same UID; the first was imported.")
OLDER_VERSION = gettext_lazy(
    "Another event in this calendar has the same UID; the latest version (by SEQUENCE), else the first, was imported."
)
UNREADABLE_SERIES = gettext_lazy("Its repetition (RRULE, RDATE or EXDATE) could not be read.")
STATUS_FROM_ICAL = {"CANCELLED": Status.CANCELLED, "TENTATIVE": Status.TENTATIVE, "CONFIRMED": Status.CONFIRMED}

# Longer than this is a typing error (DURATION:P520W), not a meeting.
LONGEST_DAYS = 366
# How far past the window a series is looked at, to say that it goes on (the note on its page).
REPEATS_AFTER_DAYS = 400
# Expanding series stops with a refusal past this: a file of many pathological rules must not hold
# a worker or the import thread for long.
SERIES_SECONDS = 20
TOO_MANY_SERIES = gettext_lazy("Its repeating events take too long to expand; import a shorter calendar.")
TOO_FREQUENT = {"SECONDLY", "MINUTELY", "HOURLY"}
DECLARED_CHARSET = re.compile(rb";CHARSET=\"?([A-Za-z0-9_.-]{2,40})", re.IGNORECASE)
# What a file that is neither UTF-8 nor says what it is was written in, by its codec name (as
# codecs.lookup gives it) and the name an editor knows: this calendar's files come from the Western
# Balkans (Latin, then Cyrillic letters; Western Europe last).
REGIONAL_CHARSETS = {
    "cp1250": "windows-1250",
    "iso8859-2": "ISO-8859-2",
    "cp1251": "windows-1251",
    "iso8859-5": "ISO-8859-5",
    "cp1252": "windows-1252",
    "iso8859-1": "ISO-8859-1",
}
# Š Ž š ž in ISO-8859-2 (© ® ą ľ in windows-1250).
ISO_8859_2_LETTERS = frozenset(b"\xa9\xae\xb9\xbe")
# Charsets read without the file saying so, by the name an editor knows.
GUESSED_CHARSETS = {
    **REGIONAL_CHARSETS,
    # Translators: a character set an imported calendar file was read as, named in a note to the editor.
    "utf-16-le": gettext_lazy("UTF-16 (little-endian, without a byte order mark)"),
    # Translators: a character set an imported calendar file was read as, named in a note to the editor.
    "utf-16-be": gettext_lazy("UTF-16 (big-endian, without a byte order mark)"),
}
BARE_CR = re.compile(rb"\r(?!\n)")
FOLD = re.compile(rb"\r?\n[ \t]")
BYTE_ORDER_MARKS = (
    # UTF-32's marks begin with UTF-16's: test them first.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_is_web_address = URLValidator(schemes=["http", "https"])


@dataclass
class Incoming:
    """One event to import (a single event, or one occurrence of a series), as plain values."""

    uid: str
    label: str
    title: str
    start: datetime.date | datetime.datetime
    end: datetime.date | datetime.datetime | None = None
    description: str = ""
    url: str = ""
    location: str = ""
    status: str | None = None
    # What was left out of this event, for the editor: a message each.
    notes: list = field(default_factory=list)
    # For an occurrence of a series: the series' UID (so a re-import can tell what left it).
    series_uid: str = ""


@dataclass
class Reading:
    events: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (label, reason)
    notes: list = field(default_factory=list)  # (label, message): kept, with something left out
    series: dict = field(default_factory=dict)  # series UID -> its label


@dataclass(frozen=True)
class Window:
    """The days whose occurrences of a series are imported: a series may repeat for ever."""

    first_day: datetime.date
    last_day: datetime.date


# --- Bytes to text -------------------------------------------------------------


@dataclass(frozen=True)
class Decoded:
    text: str
    # For the editor, when the charset was guessed rather than read from the file: which, and what to do.
    note: str = ""


def decode(data):
    """The calendar's text: UTF-8 (with or without a byte order mark), else its declared charset, else
    the region's legacy charset that reads it (with a note saying so); refused when none does.
    Control characters become spaces (events.text.printable)."""
    text, guessed = _text(data)
    note = ""
    if guessed:
        note = _(
            # Translators: %(charset)s is a character set's name, e.g. "windows-1250".
            "The file is not in UTF-8 and names no character set; it was read as %(charset)s. "
            "If its letters look wrong, save it as UTF-8 (Unicode) and import it again."
        ) % {"charset": GUESSED_CHARSETS[guessed]}
    return Decoded(printable(text), note)


def _text(data):
    """The text, and the charset it was guessed to be in (None when the file says)."""
    for mark, encoding in BYTE_ORDER_MARKS:
        if data.startswith(mark):
            if encoding == "utf-8-sig":
                data = unfold(_line_breaks(data))
            try:
                return _text_line_breaks(data.decode(encoding)), None
            except UnicodeDecodeError as error:
                raise CalendarImportError(str(UNKNOWN_CHARSET)) from error
    wide = _utf16_without_mark(data)
    if wide:
        try:
            return _text_line_breaks(data.decode(wide)), wide
        except UnicodeDecodeError as error:
            raise CalendarImportError(str(UTF16_WITHOUT_MARK)) from error
    # RFC 5545 §3.1 folds octets, not characters: a fold may split a UTF-8 sequence, which no longer
    # decodes until the line is unfolded. One byte-wide line break (CR, LF) is the same in every
    # charset read below, so unfolding first changes nothing else.
    data = unfold(_line_breaks(data))
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    declared = DECLARED_CHARSET.search(data)
    if declared:
        try:
            return data.decode(declared.group(1).decode("ascii")), None
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration: detection may still read it
    return _guessed(data)


def _guessed(data):
    """The text in the legacy charset of the region that reads ``data``, and that charset.

    Detection among every charset it knows reads a short Serbian or Croatian file as Korean or
    Cyrillic: only the region's candidates are weighed. Between windows-1250 and ISO-8859-2, which
    share č ć đ and differ in Š Ž š ž, detection picks either on a short text; the bytes decide:
    any byte from 0x80 to 0x9F is a letter in windows-1250 (Š 0x8A, Ž 0x8E, š 0x9A, ž 0x9E…) and
    a control character in ISO-8859-2, whose Š Ž š ž are 0xA9 0xAE 0xB9 0xBE (in windows-1250
    © ® ą ľ, never in the region's languages). With neither, the two read the same letters."""
    best = charset_normalizer.from_bytes(data, cp_isolation=list(REGIONAL_CHARSETS)).best()
    if best is None:
        raise CalendarImportError(str(UNKNOWN_CHARSET))
    encoding = codecs.lookup(best.encoding).name
    if encoding in {"cp1250", "iso8859-2"}:
        if any(0x80 <= byte <= 0x9F for byte in data):
            encoding = "cp1250"
        elif any(byte in ISO_8859_2_LETTERS for byte in data):
            encoding = "iso8859-2"
    try:
        return data.decode(encoding), encoding
    except UnicodeDecodeError as error:
        raise CalendarImportError(str(UNKNOWN_CHARSET)) from error


def _line_breaks(data):
    """Bare CRs (classic Mac OS, some exporters) as CRLF: icalendar reads only LF-ended lines."""
    return BARE_CR.sub(b"\r\n", data)


def _text_line_breaks(text):
    return re.sub(r"\r(?!\n)", "\r\n", text)


def _utf16_without_mark(data):
    """ "utf-16-le" or "utf-16-be" when ``data`` looks like UTF-16 with no byte order mark, else None.

    Such a file is valid UTF-8 (ASCII letters with a NUL between each), which reads as spaced-out
    nonsense: an iCalendar file is mostly ASCII, so in UTF-16 every other byte is NUL."""
    sample = data[:4096]
    pairs = len(sample) // 2
    if pairs < 8:
        return None
    even, odd = sample[0 : 2 * pairs : 2].count(0), sample[1 : 2 * pairs : 2].count(0)
    if odd > pairs * 0.6 and even < pairs * 0.05:
        return "utf-16-le"
    if even > pairs * 0.6 and odd < pairs * 0.05:
        return "utf-16-be"
    return None


def unfold(data):
    """The bytes with every folded line joined: a line break followed by one space or tab removed."""
    return FOLD.sub(b"", data)


def parse(text):
    """Every VCALENDAR in ``text`` (some exports concatenate several), as icalendar components."""
    try:
        calendars = Calendar.from_ical(text, multiple=True)
    except (ValueError, IndexError, KeyError, TypeError) as error:
        raise CalendarImportError(str(UNREADABLE)) from error
    calendars = [calendar for calendar in calendars if calendar.name == "VCALENDAR"]
    if not calendars:
        raise CalendarImportError(str(UNREADABLE))
    return calendars


# --- Calendars to events -------------------------------------------------------


def read_events(calendars, *, window, max_events):
    """The events of ``calendars`` to import; stops expanding series past ``max_events`` (the caller
    refuses the import then, so the count only needs to pass the limit)."""
    reading = Reading()
    deadline = time.monotonic() + SERIES_SECONDS
    for calendar in calendars:
        floating = _floating_zone(calendar, reading)
        zones = calendar.walk("VTIMEZONE")
        for uid, components in _by_uid(calendar, reading).items():
            # Two versions of one event (a program that appends the updated one): the later version,
            # by SEQUENCE, is the event; with equal SEQUENCEs the first (the sort is stable).
            masters = sorted(
                (component for component in components if "RECURRENCE-ID" not in component),
                key=_sequence,
                reverse=True,
            )
            for duplicate in masters[1:]:
                reading.skipped.append((_label(duplicate, uid), str(OLDER_VERSION)))
            master = masters[0] if masters else None
            overrides = [component for component in components if "RECURRENCE-ID" in component]
            if master is not None and not overrides and "RRULE" not in master and "RDATE" not in master:
                _read_single(master, uid, reading, floating)
            else:
                if time.monotonic() > deadline:
                    raise CalendarImportError(str(TOO_MANY_SERIES))
                _read_series(master, overrides, zones, floating, uid, window, reading, max_events)
            if len(reading.events) > max_events:
                return reading
    return reading


def _sequence(component):
    try:
        return int(str(component.get("SEQUENCE", 0)))
    except ValueError:
        return 0


def _floating_zone(calendar, reading):
    """The zone X-WR-TIMEZONE names for the calendar's floating times (a Windows name mapped), or None.

    Floating times of single events are placed in it here, series through ``x-wr-timezone`` (which
    recurring-ical-events applies): converting the whole calendar with it copies every event."""
    name = str(calendar.get("X-WR-TIMEZONE", "")).strip()
    if not name:
        return None
    try:
        return zoneinfo.ZoneInfo(WINDOWS_TO_OLSON.get(name, name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        reading.notes.append(
            (
                # Translators: stands where an event's title would, for a note about the calendar as a whole.
                _("The whole calendar"),
                _("Its time zone (X-WR-TIMEZONE) “%(zone)s” is unknown; times without a zone were read as local.")
                % {"zone": name[:100]},
            )
        )
        return None


def _keep_all_day_dates(event):
    """A VALUE=DATE that also carries a TZID (SabreDAV) is read as midnight in that zone; it is a date.
    Outlook's X-MICROSOFT-CDO-ALLDAYEVENT marks midnight-to-midnight times that mean whole days."""
    outlook_all_day = str(event.get("X-MICROSOFT-CDO-ALLDAYEVENT", "")).upper() == "TRUE"
    for name in ("DTSTART", "DTEND", "RECURRENCE-ID"):
        value = event.get(name)
        if not isinstance(value, vDDDTypes) or not isinstance(value.dt, datetime.datetime):
            continue
        midnight = value.dt.time() == datetime.time(0)
        if value.params.get("VALUE", "").upper() == "DATE" or (outlook_all_day and midnight):
            del event[name]
            event.add(name, value.dt.date())
    for name in ("EXDATE", "RDATE"):
        values = event.get(name)
        values = values if isinstance(values, list) else [values] if values is not None else []
        if not any(_is_date_list(value) for value in values):
            continue
        days = [
            one.dt.date() if isinstance(one.dt, datetime.datetime) else one.dt
            for value in values
            if isinstance(value, vDDDLists)
            for one in value.dts
        ]
        del event[name]
        event.add(name, days)


def _is_date_list(value):
    return isinstance(value, vDDDLists) and value.params.get("VALUE", "").upper() == "DATE"


def _by_uid(calendar, reading):
    groups = {}
    for component in calendar.walk("VEVENT"):
        uid = str(component.get("UID", "")).strip()
        if not uid:
            reading.skipped.append(
                (_label(component, ""), _("The event has no UID, so a later import could not update it."))
            )
            continue
        groups.setdefault(uid, []).append(component)
    return groups


def _label(component, uid):
    title = " ".join(str(component.get("SUMMARY", "")).split())
    return title[:TITLE_LENGTH] or uid[:80] or _("(untitled event)")


def _read_single(component, uid, reading, floating):
    _keep_all_day_dates(component)
    incoming = _read(component, source_uid(uid), _label(component, uid), reading, floating)
    if incoming is not None:
        reading.events.append(incoming)


def _read_series(master, overrides, zones, floating, uid, window, reading, max_events):
    label = _label(master if master is not None else overrides[0], uid)
    if master is not None and TOO_FREQUENT & {str(value).upper() for value in _rule_frequencies(master)}:
        # A rule every second or minute would be expanded a whole window at a time, for nothing.
        reading.skipped.append((label, _("It repeats more often than once a day, which no meeting does.")))
        return
    if master is not None and not (_intervals_positive(master) and _days_exist(master)):
        # dateutil loops for ever on INTERVAL=0, and searches to the year 9999 for a day that
        # never comes (30 February), seconds per series.
        reading.skipped.append((label, str(UNREADABLE_SERIES)))
        return
    reading.series[uid] = label
    for component in [master, *overrides] if master is not None else overrides:
        for name in _unknown_zones(component):
            if (label, unknown_zone(name, floating)) not in reading.notes:
                reading.notes.append((label, unknown_zone(name, floating)))
    series = Calendar()
    if floating is not None:
        series.add("X-WR-TIMEZONE", floating.key)
    for zone in zones:
        series.add_component(zone)
    for component in [master, *overrides] if master is not None else overrides:
        _keep_all_day_dates(component)
        series.add_component(component)
    if master is not None and _starts_before(master, datetime.date(FIRST_YEAR, 1, 1)):
        reading.skipped.append((label, outside_years()))
        return
    end = window.last_day + datetime.timedelta(days=1)
    shifts = _this_and_future_shifts(overrides)
    found = 0
    try:
        # Between two bounds, never "after" one: a rule that matches no day (30 February, daily) makes
        # dateutil search to the year 9999 for its next occurrence, seconds per series.
        query = recurring_ical_events.of(series)
        for occurrence in query.between(window.first_day, end):
            found += 1
            identity = _original_start(occurrence, shifts)
            incoming = _read(occurrence, occurrence_uid(uid, identity), label, reading, None)
            if incoming is not None:
                incoming.series_uid = uid
                reading.events.append(incoming)
            if len(reading.events) > max_events:
                return
        outside = found and (
            (master is not None and _starts_before(master, window.first_day))
            or bool(query.between(end, end + datetime.timedelta(days=REPEATS_AFTER_DAYS)))
        )
    except Exception as error:  # whatever the library trips on in a series, the rest imports
        logger.info("calendar import: series %r could not be expanded: %r", uid[:200], error)
        reading.skipped.append((label, str(UNREADABLE_SERIES)))
        return
    if not found:
        reading.skipped.append((label, _outside_window(window)))
    elif outside:
        reading.notes.append((label, _outside_window(window)))


def _is_this_and_future(recurrence_id):
    return isinstance(recurrence_id, vDDDTypes) and recurrence_id.params.get("RANGE", "").upper() == "THISANDFUTURE"


def _instant(value):
    """A key under which the same start written in two zones (or as UTC) is one."""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value


def _this_and_future_shifts(overrides):
    """How far each RANGE=THISANDFUTURE override moves the occurrences from it on, by its RECURRENCE-ID.

    recurring-ical-events gives every occurrence after such an override a copy of it, RECURRENCE-ID
    included: that RECURRENCE-ID is the override's, not the occurrence's own original start."""
    shifts = {}
    for override in overrides:
        recurrence_id, start = override.get("RECURRENCE-ID"), override.get("DTSTART")
        if _is_this_and_future(recurrence_id) and isinstance(start, vDDDTypes):
            try:
                shifts[_instant(recurrence_id.dt)] = _comparable(start.dt, recurrence_id.dt) - _comparable(
                    recurrence_id.dt, start.dt
                )
            except (TypeError, OverflowError):
                continue  # an unreadable shift: its occurrences are keyed by their own start below
    return shifts


def _comparable(value, other):
    """``value`` as the kind of ``other`` (a date as midnight, a floating time in the other's zone)."""
    if isinstance(value, datetime.datetime) or isinstance(other, datetime.datetime):
        value = _naive(value) if not isinstance(value, datetime.datetime) else value
        zone = other.tzinfo if isinstance(other, datetime.datetime) else None
        if value.tzinfo is None and zone is not None:
            value = value.replace(tzinfo=zone)
    return value


def _original_start(occurrence, shifts):
    """The start the series' rule gave this occurrence, before any override moved it: its identity.

    An override keeps its RECURRENCE-ID. An occurrence after a RANGE=THISANDFUTURE override carries
    that override's RECURRENCE-ID, so its own is its start moved back by the override's shift; keyed
    by the override's, every occurrence from it on would share one UID and all but one be lost."""
    recurrence_id = occurrence.get("RECURRENCE-ID")
    start = occurrence.decoded("DTSTART")
    if recurrence_id is None:
        return start
    shift = shifts.get(_instant(recurrence_id.dt)) if _is_this_and_future(recurrence_id) else None
    if shift is None:
        return recurrence_id.dt
    try:
        return start - shift
    except (TypeError, OverflowError):
        return start


def _rule_frequencies(component):
    rules = component.get("RRULE")
    rules = rules if isinstance(rules, list) else [rules] if rules is not None else []
    return [frequency for rule in rules if isinstance(rule, vRecur) for frequency in rule.get("FREQ", [])]


def _intervals_positive(component):
    rules = component.get("RRULE")
    rules = rules if isinstance(rules, list) else [rules] if rules is not None else []
    for rule in rules:
        if not isinstance(rule, vRecur):
            continue
        for interval in rule.get("INTERVAL", []):
            try:
                if int(interval) < 1:
                    return False
            except (TypeError, ValueError):
                return False
    return True


def _days_exist(component):
    """False when a rule's BYMONTH and BYMONTHDAY name only days no year has (30 February)."""
    rules = component.get("RRULE")
    rules = rules if isinstance(rules, list) else [rules] if rules is not None else []
    for rule in rules:
        if not isinstance(rule, vRecur) or not rule.get("BYMONTH") or not rule.get("BYMONTHDAY"):
            continue
        try:
            months = [int(month) for month in rule["BYMONTH"]]
            days = [abs(int(day)) for day in rule["BYMONTHDAY"]]
        except (TypeError, ValueError):
            return False
        if not any(1 <= month <= 12 and day <= monthrange(2024, month)[1] for month in months for day in days):
            return False
    return True


def _outside_window(window):
    # Translators: %(first)s and %(last)s are dates in words, e.g. "24 April 2019".
    return _("It repeats; only its occurrences from %(first)s to %(last)s were imported.") % {
        "first": day_in_words(window.first_day),
        "last": day_in_words(window.last_day),
    }


def _naive(value):
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    return datetime.datetime.combine(value, datetime.time(0))


def _starts_before(component, day):
    start = component.get("DTSTART")
    return isinstance(start, vDDDTypes) and _naive(start.dt) < _naive(day)


def source_uid(uid):
    """The UID as stored; one too long for the column keeps its start and a hash of the whole, so two
    long UIDs that share their first 255 characters stay two meetings."""
    if len(uid) <= UID_LENGTH:
        return uid
    digest = hashlib.sha256(uid.encode()).hexdigest()[:32]
    return f"{uid[: UID_LENGTH - len(digest) - 1]}#{digest}"


def occurrence_uid(uid, identity):
    """The UID of one occurrence: the series' and the occurrence's original start (its RECURRENCE-ID),
    which an override that moves it keeps, so re-importing a moved occurrence updates its meeting."""
    if isinstance(identity, datetime.datetime):
        if identity.tzinfo is not None:
            identity = identity.astimezone(datetime.UTC)
            stamp = identity.strftime("%Y%m%dT%H%M%SZ")
        else:
            stamp = identity.strftime("%Y%m%dT%H%M%S")
    else:
        stamp = identity.strftime("%Y%m%d")
    return source_uid(f"{uid}/{stamp}")


# --- One event -------------------------------------------------------------------


def cancelled_prefixes():
    """Title prefixes that mean the event is cancelled: this site's own (translated) and the usual English."""
    own = _("Cancelled: %(title)s").split("%(title)s")[0].strip()
    return tuple({own.casefold(), "cancelled:", "canceled:", "cancelled -", "canceled -", "cancelled –"})


def _text_of(component, name, notes):
    value = component.get(name)
    if value is None:
        return ""
    if isinstance(value, list):
        value = value[0]
    if type(value).__name__ == "vBroken":
        # Translators: %(property)s is the name of an iCalendar property, e.g. "LOCATION"; leave it untranslated.
        notes.append(_("Its %(property)s could not be read and was left out.") % {"property": name})
        return ""
    return str(value).strip()


def _read(component, uid, label, reading, floating):
    """The Incoming of one VEVENT (or occurrence), or None with the reason in ``reading.skipped``."""
    notes = []
    title = " ".join(_text_of(component, "SUMMARY", notes).split())
    status = STATUS_FROM_ICAL.get(_text_of(component, "STATUS", notes).upper())
    folded = title.casefold()
    for prefix in cancelled_prefixes():
        if folded.startswith(prefix) and len(title) > len(prefix):
            title, status = title[len(prefix) :].strip(), Status.CANCELLED
            break
    if not title:
        reading.skipped.append((label, _("The event has no title (SUMMARY).")))
        return None
    try:
        start, end = _dates(component, notes, floating)
    except _Refused as refusal:
        reading.skipped.append((label, str(refusal)))
        return None
    url = _text_of(component, "URL", notes)
    if url:
        try:
            _is_web_address(url)
            if len(url) > URL_LENGTH:
                raise ValidationError("too long")
        except ValidationError:
            notes.append(
                ngettext(
                    "Its link (URL) “%(url)s” is not a full web address of at most %(limit)d character; "
                    "it was left out.",
                    "Its link (URL) “%(url)s” is not a full web address of at most %(limit)d characters; "
                    "it was left out.",
                    URL_LENGTH,
                )
                % {"url": url[:200], "limit": URL_LENGTH}
            )
            url = ""
    incoming = Incoming(
        uid=uid,
        label=label,
        title=title[:TITLE_LENGTH],
        start=start,
        end=end,
        description=_text_of(component, "DESCRIPTION", notes),
        url=url,
        location=" ".join(_text_of(component, "LOCATION", notes).split()),
        status=status,
        notes=notes,
    )
    reading.notes.extend((label, note) for note in notes)
    return incoming


class _Refused(Exception):
    pass


def _dates(component, notes, floating):
    start = component.get("DTSTART")
    if start is None:
        raise _Refused(_("The event has no start (DTSTART)."))
    if not isinstance(start, vDDDTypes) or not isinstance(start.dt, datetime.date):
        raise _Refused(_("Its start (DTSTART) could not be read."))
    start = start.dt
    end = None
    if component.get("DTEND") is not None:
        value = component.get("DTEND")
        if isinstance(value, vDDDTypes) and isinstance(value.dt, datetime.date):
            end = value.dt
        else:
            notes.append(_("Its end (DTEND) could not be read and was left out."))
    elif component.get("DURATION") is not None:
        value = component.get("DURATION")
        if isinstance(value, vDDDTypes) and isinstance(value.dt, datetime.timedelta):
            try:
                end = start + value.dt
            except OverflowError as error:
                raise _Refused(outside_years()) from error
        else:
            notes.append(_("Its length (DURATION) could not be read and was left out."))
    for value in (start, end):
        if value is None:
            continue
        try:
            if isinstance(value, datetime.datetime):
                # astimezone overflows at the ends of Python's calendar, as placing it in a zone would.
                value.astimezone(datetime.UTC)
            elif value is end:
                # An all-day DTEND is exclusive: a meeting on 31 December 2199 ends on 1 January 2200.
                value -= datetime.timedelta(days=1)
        except OverflowError as error:
            raise _Refused(outside_years()) from error
        # A rough bound on the dates as written; the importer checks the dates the meeting gets, in
        # its venue's zone, which only it knows.
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise _Refused(outside_years())
    for name in _unknown_zones(component):
        notes.append(unknown_zone(name, floating))
    if floating is not None:
        start, end = (_placed(value, floating) for value in (start, end))
    if type(start) is not type(end) and end is not None:
        # A timed start with an all-day end (or the reverse) says nothing reliable about the end.
        notes.append(_("Its end (DTEND) is not of the same kind as its start and was left out."))
        end = None
    if end is not None and _naive(end) - _naive(start) > datetime.timedelta(days=LONGEST_DAYS):
        raise _Refused(
            ngettext(
                "It lasts more than %(days)d day, longer than any meeting; check its end (DTEND or DURATION).",
                "It lasts more than %(days)d days, longer than any meeting; check its end (DTEND or DURATION).",
                LONGEST_DAYS,
            )
            % {"days": LONGEST_DAYS}
        )
    return start, end


def _unknown_zones(component):
    """The TZIDs of the event's start and end that neither the calendar (VTIMEZONE) nor the zone
    database knows: icalendar then gives a floating time, silently."""
    names = []
    for name in ("DTSTART", "DTEND"):
        value = component.get(name)
        if (
            isinstance(value, vDDDTypes)
            and isinstance(value.dt, datetime.datetime)
            and value.dt.tzinfo is None
            and value.params.get("TZID")
        ):
            names.append(str(value.params["TZID"])[:100])
    return list(dict.fromkeys(names))


def unknown_zone(name, floating):
    if floating is not None:
        return _(
            "Its time zone (TZID) “%(zone)s” is not known and the calendar does not describe it; its "
            "times were read in the calendar's time zone (X-WR-TIMEZONE), %(calendar)s."
        ) % {"zone": name, "calendar": floating.key}
    return _(
        "Its time zone (TZID) “%(zone)s” is not known and the calendar does not describe it; its "
        "times were read as local times where the meeting is held."
    ) % {"zone": name}


def _placed(value, zone):
    if isinstance(value, datetime.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=zone)
    return value


def outside_years():
    return _("Its dates lie outside the years %(first)d to %(last)d that this calendar accepts.") % {
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
    }
