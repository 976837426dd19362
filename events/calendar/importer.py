"""Import a partner's calendar (.ics) as draft meetings, matched by UID so a re-import updates.

Reading is split from writing: ``events.calendar.fetching`` gets bytes from a URL within strict
limits, ``events.calendar.reading`` turns bytes into plain events (encodings, zones, series), and
``import_calendar`` here turns those into meetings in one transaction: a calendar is imported whole
or not at all. Reads and writes are in bulk (one query per batch, not per event), so a calendar of
thousands of events fits in one request; ``events.calendar.import_jobs`` runs larger ones apart.
"""

import datetime
import zoneinfo
from dataclasses import dataclass, field

import psycopg2.extras
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from events.cache import invalidation
from events.calendar import reading
from events.calendar.fetching import CalendarImportError
from events.dates import day_in_words
from events.models import DEFAULT_TIMEZONE, DatePrecision, Meeting, Publication, Status, Venue

BATCH = 500
SERIES_PER_QUERY = 200
# What an import writes onto a meeting; the rest (publication, slug, topics…) is the editors'.
# A calendar's text is taken as English, the language every meeting has: translations are the
# editors', and an import leaves them as they are.
IMPORTED_FIELDS = (
    "title_en",
    "description_en",
    "external_url",
    "venue_id",
    "editor_notes",
    "status",
    "date_precision",
    "start_date",
    "end_date",
    "start_time",
    "end_time",
)


@dataclass
class ImportResult:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    unchanged: int = 0
    skipped: list = field(default_factory=list)  # (summary or UID, reason) pairs
    notes: list = field(default_factory=list)  # (summary, what was left out) of imported events

    def as_dict(self):
        """What the editor is shown, as stored on an ImportJob."""
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "skipped": [list(pair) for pair in self.skipped],
            "notes": [list(pair) for pair in self.notes],
        }


def import_summary(result):
    """The one line an editor reads first, from ImportResult.as_dict()."""
    counts = {key: result.get(key, 0) for key in ("created", "updated", "unchanged")}
    if counts["unchanged"]:
        return (
            _("Calendar imported: %(created)d new draft meetings, %(updated)d updated, %(unchanged)d unchanged.")
            % counts
        )
    return _("Calendar imported: %(created)d new draft meetings, %(updated)d updated.") % counts


def too_many_events(count, limit):
    return _("The calendar has more than %(limit)d events to import (%(count)d found); import a shorter one.") % {
        "limit": limit,
        "count": count,
    }


def series_window(today=None):
    today = today or timezone.localdate()
    return reading.Window(
        first_day=today - datetime.timedelta(days=settings.CALENDAR_IMPORT_SERIES_PAST_DAYS),
        last_day=today + datetime.timedelta(days=settings.CALENDAR_IMPORT_SERIES_FUTURE_DAYS),
    )


def read_calendar(data, *, max_events=None):
    """The events of the calendar ``data`` (bytes) as reading.Reading; CalendarImportError when it
    cannot be read at all or has more than ``max_events`` events to import."""
    max_events = settings.CALENDAR_IMPORT_MAX_EVENTS if max_events is None else max_events
    decoded = reading.decode(data)
    found = reading.read_events(reading.parse(decoded.text), window=series_window(), max_events=max_events)
    if decoded.note:
        found.notes.insert(0, (_("The whole calendar"), decoded.note))
    if len(found.events) > max_events:
        raise CalendarImportError(too_many_events(len(found.events), max_events))
    return found


@transaction.atomic
def import_calendar(data, *, max_events=None, user=None):
    """Create or update one draft meeting per event (per occurrence of a series) in ``data``."""
    found = read_calendar(data, max_events=max_events)
    result = ImportResult(skipped=list(found.skipped), notes=list(found.notes))
    _write(found.events, found.series, result, user)
    return result


# --- Writing ----------------------------------------------------------------------


class _Venues:
    """Every venue, read once, matched against LOCATION texts in memory."""

    def __init__(self):
        self.by_id = {venue.pk: venue for venue in Venue.objects.select_related("country")}
        self.named = {}
        self.cities = {}
        for venue in self.by_id.values():
            if venue.name:
                self.named.setdefault(venue.name.casefold(), []).append(venue)
            else:
                self.cities.setdefault(venue.city.casefold(), []).append(venue)

    def match(self, location):
        """The venue a LOCATION names: by name *and* city when it names one ("Hotel Europa, Sarajevo"
        is not "Hotel Europa, Banja Luka"), else the city's own venue (name left empty), else None.
        A country named as well ("…, Serbia") settles a city name found in two countries."""
        parts = {part.strip().casefold() for part in location.split(",") if part.strip()}
        if not parts:
            return None
        named = [
            venue
            for part in parts
            for venue in self.named.get(part, ())
            if venue.city.casefold() in parts or (len(self.named[part]) == 1 and len(parts) == 1)
        ]
        cities = [venue for part in parts for venue in self.cities.get(part, ())]
        for candidates in (named, cities):
            if len(candidates) > 1:
                in_country = [venue for venue in candidates if _country_names(venue) & parts]
                candidates = in_country or candidates
            if candidates:
                return min(candidates, key=lambda venue: venue.pk)
        return None


def _country_names(venue):
    return {venue.country.name.casefold(), venue.country.code.casefold(), str(venue.country.display_name).casefold()}


def _existing(uids):
    found = {}
    uids = list(uids)
    for first in range(0, len(uids), BATCH):
        # The empty UID excluded in words, so PostgreSQL sees its partial unique index applies.
        for meeting in Meeting.objects.filter(source_uid__in=uids[first : first + BATCH]).exclude(source_uid=""):
            found[meeting.source_uid] = meeting
    return found


def _write(events, series, result, user):
    venues = _Venues()
    existing = _existing(event.uid for event in events)
    now = timezone.now()
    adopted = {meeting.pk for meeting in _adopt_whole_series_meetings(events, series, existing, result)}
    former, gone = _adopt_occurrences_of_former_series(events, existing, result, now)
    adopted |= {meeting.pk for meeting in former}
    new, changed, seen = [], [], set()
    for event in events:
        if event.uid in seen:
            result.skipped.append((event.label, str(reading.DUPLICATE_UID)))
            continue
        seen.add(event.uid)
        meeting = existing.get(event.uid)
        is_new = meeting is None
        if is_new:
            meeting = Meeting(source_uid=event.uid, publication=Publication.DRAFT)
        before = tuple(getattr(meeting, name) for name in IMPORTED_FIELDS)
        problem = _apply(meeting, event, venues)
        if problem:
            result.skipped.append((event.label, problem))
            continue
        # The writes below are bulk SQL and send no pre_save: the search text is folded here, as a save would.
        meeting.fill_search_text()
        if is_new:
            new.append(meeting)
        elif tuple(getattr(meeting, name) for name in IMPORTED_FIELDS) != before or meeting.pk in adopted:
            if tuple(getattr(meeting, name) for name in Meeting.SCHEDULE_FIELDS) != _schedule(before):
                meeting.sequence += 1
            meeting.updated_at = now
            changed.append(meeting)
        else:
            result.unchanged += 1
    changed += gone
    changed += _gone_from_series(series, {event.uid for event in events}, result, now)
    for meeting, slug in zip(new, Meeting.objects.unique_slugs([meeting.title_en for meeting in new]), strict=True):
        meeting.slug = slug
    if new:
        _create(new, now)
        _add_history(new, "+", user, now)
        result.created = new
    if changed:
        # The untranslated columns too: they hold the English text (organisations.models.EnglishColumnsMixin).
        _update(
            changed, [*IMPORTED_FIELDS, "title", "description", "source_uid", "sequence", "updated_at", "search_text"]
        )
        _add_history(changed, "~", user, now)
        result.updated = changed
    # Bulk writes send no post_save, so the versions are moved here, once, on commit. New meetings
    # are drafts and an import never changes a publication: only updates to public meetings count.
    if changed and invalidation.any_public([meeting.pk for meeting in changed]):
        invalidation.everything_changed()


# Writing many rows. Django's bulk_create and bulk_update compile every value of every row through
# the ORM's expression machinery (bulk_update a CASE per field over the batch, whose cost grows with
# the batch), and simple_history's bulk helpers build a model instance per history row: together most
# of an import's time. Here an insert is one multi-row INSERT per batch, and updates one prepared
# UPDATE run over many rows (on PostgreSQL through psycopg2's execute_batch, a round trip per batch
# rather than per row). Column names come from the models' own metadata, quoted; every value is a
# parameter. Figures in docs/performance.md, "Calendar import".


def _execute_many(connection, sql, rows):
    with connection.cursor() as cursor:
        for first in range(0, len(rows), BATCH):
            batch = rows[first : first + BATCH]
            if connection.vendor == "postgresql":
                psycopg2.extras.execute_batch(cursor.cursor, sql, batch, page_size=BATCH)
            else:
                cursor.executemany(sql, batch)


def _insert(model, fields, rows):
    connection = connections[model.objects.db]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = min(BATCH, (connection.features.max_query_params or BATCH * len(fields)) // len(fields))
    with connection.cursor() as cursor:
        for first in range(0, len(rows), per_statement):
            batch = rows[first : first + per_statement]
            values = ", ".join([row] * len(batch))
            sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES {values}"  # noqa: S608
            cursor.execute(sql, [value for one in batch for value in one])


def _english_values():
    """Read a meeting's values as a save does (EnglishColumnsMixin): the untranslated columns in English."""
    return translation.override(settings.MODELTRANSLATION_DEFAULT_LANGUAGE)


def _create(meetings, now):
    """INSERT the new meetings, then read their primary keys back by their UIDs (set before the insert)."""
    connection = connections[Meeting.objects.db]
    fields = [field for field in Meeting._meta.concrete_fields if not field.primary_key]
    for meeting in meetings:
        meeting.created_at = meeting.updated_at = now
    with _english_values():
        rows = [
            [field.get_db_prep_save(getattr(meeting, field.attname), connection) for field in fields]
            for meeting in meetings
        ]
    _insert(Meeting, fields, rows)
    keys = {}
    for first in range(0, len(meetings), BATCH):
        uids = [meeting.uid for meeting in meetings[first : first + BATCH]]
        keys.update(Meeting.objects.filter(uid__in=uids).values_list("uid", "pk"))
    for meeting in meetings:
        meeting.pk = keys[meeting.uid]
        meeting._state.adding = False


def _add_history(meetings, kind, user, now):
    """One history row per meeting ("+" created, "~" changed), as django-simple-history writes them."""
    history = Meeting.history.model
    connection = connections[history.objects.db]
    own = {"history_date": now, "history_type": kind, "history_user_id": user.pk if user else None}
    fields = [field for field in history._meta.concrete_fields if not field.primary_key]
    names = {field.attname for field in Meeting._meta.concrete_fields}
    with _english_values():
        rows = [_history_values(meeting, fields, names, own, connection) for meeting in meetings]
    _insert(history, fields, rows)


def _history_values(meeting, fields, names, own, connection):
    values = []
    for column in fields:
        if column.attname in own:
            value = own[column.attname]
        elif column.attname in names:
            value = getattr(meeting, column.attname)
        else:
            value = column.get_default()
        values.append(column.get_db_prep_save(value, connection))
    return values


def _update(meetings, names):
    """UPDATE each meeting's ``names``: one statement run over many rows."""
    connection = connections[Meeting.objects.db]
    fields = [Meeting._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(Meeting._meta.db_table)} SET {assignments} WHERE {quote(Meeting._meta.pk.column)} = %s"  # noqa: S608
    with _english_values():
        rows = [
            [field.get_db_prep_save(getattr(meeting, field.attname), connection) for field in fields] + [meeting.pk]
            for meeting in meetings
        ]
    _execute_many(connection, sql, rows)


def _schedule(values):
    by_name = dict(zip(IMPORTED_FIELDS, values, strict=True))
    return tuple(by_name[name] for name in Meeting.SCHEDULE_FIELDS)


def _adopt_whole_series_meetings(events, series, existing, result):
    """Meetings that an import before series were expanded made of a whole series (source UID the
    series' own): each becomes the occurrence on its start date, keeping what editors gave it
    (publication, topics, organisers…), so re-importing does not add that occurrence twice. One whose
    date matches no occurrence is left as it is, and named."""
    whole = _existing(series)
    if not whole:
        return []
    first_days = {}
    for event in events:
        if event.series_uid in whole and event.uid not in existing:
            first_days.setdefault((event.series_uid, _naive_date(event.start)), event)
    adopted = []
    for uid, meeting in whole.items():
        event = first_days.get((uid, meeting.start_date))
        if event is None:
            result.notes.append(
                (
                    series[uid],
                    _(
                        "An earlier import made one meeting of the whole series; it was left as it is, "
                        "beside the meetings of its occurrences."
                    ),
                )
            )
            continue
        meeting.source_uid = event.uid
        existing[event.uid] = meeting
        adopted.append(meeting)
    return adopted


def _naive_date(value):
    return value.date() if isinstance(value, datetime.datetime) else value


def _gone_from_series(series, imported, result, now):
    """Meetings of a series' earlier import whose occurrence is no longer in it (an EXDATE added, an
    occurrence cancelled by removal): marked cancelled, not deleted, so nothing an editor added is lost
    and subscribers hear of it. Only occurrences from the series window's first day on are looked at."""
    first_day = series_window().first_day
    gone = []
    uids = list(series)
    earlier = []
    for first in range(0, len(uids), SERIES_PER_QUERY):
        prefixes = Q()
        for uid in uids[first : first + SERIES_PER_QUERY]:
            prefixes |= Q(source_uid__startswith=f"{uid}/")
        earlier += Meeting.objects.filter(prefixes, start_date__gte=first_day).exclude(status=Status.CANCELLED)
    for meeting in earlier:
        # "a/b/20300305" is series "a/b"'s, not series "a"'s, though it starts with "a/".
        label = series.get(meeting.source_uid.rsplit("/", 1)[0])
        if meeting.source_uid in imported or label is None:
            continue
        gone.append(_cancel_gone_occurrence(meeting, label, result, now))
    return gone


def _cancel_gone_occurrence(meeting, label, result, now):
    meeting.status = Status.CANCELLED
    meeting.sequence += 1
    meeting.updated_at = now
    result.notes.append(
        (
            label,
            _("Its occurrence on %(day)s is no longer in the calendar; it is now marked cancelled.")
            % {"day": day_in_words(meeting.start_date)},
        )
    )
    return meeting


def _adopt_occurrences_of_former_series(events, existing, result, now):
    """A series turned back into one event (its RRULE removed, its UID kept), as (adopted, cancelled).

    The meeting of the occurrence on the event's start date becomes the event's, keeping what editors
    gave it, so the event does not add a second meeting that day; the series' other occurrences, from
    the window's first day on, are marked cancelled as for a series that lost them (never deleted)."""
    singles = {event.uid: event for event in events if not event.series_uid and event.uid not in existing}
    if not singles:
        return [], []
    # Occurrence UIDs are "<series UID>/<original start>": one pass over the UIDs with a "/", rather
    # than a prefix search per event, finds those of the events' UIDs.
    pks = [
        pk
        for pk, uid in Meeting.objects.filter(source_uid__contains="/").values_list("pk", "source_uid")
        if uid.rsplit("/", 1)[0] in singles
    ]
    if not pks:
        return [], []
    first_day = series_window().first_day
    earlier = []
    for first in range(0, len(pks), BATCH):
        earlier += (
            Meeting.objects.filter(pk__in=pks[first : first + BATCH])
            .select_related("venue")
            .order_by("start_date", "pk")
        )
    adopted, cancelled = [], []
    for meeting in earlier:
        event = singles[meeting.source_uid.rsplit("/", 1)[0]]
        zone = zoneinfo.ZoneInfo(meeting.venue.timezone if meeting.venue else DEFAULT_TIMEZONE)
        if event.uid not in existing and meeting.start_date == _naive_date(_local(event.start, zone)):
            meeting.source_uid = event.uid
            existing[event.uid] = meeting
            adopted.append(meeting)
        elif meeting.start_date >= first_day and meeting.status != Status.CANCELLED:
            cancelled.append(_cancel_gone_occurrence(meeting, event.label, result, now))
    return adopted, cancelled


def _local(value, zone):
    """A date, or a datetime in ``zone`` (floating times are taken as already local)."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(zone)
        return value.replace(tzinfo=None)
    return value


def _apply(meeting, event, venues):
    """Copy ``event`` onto ``meeting``; return an error message, or None when valid."""
    meeting.title_en = event.title
    meeting.description_en = event.description
    if event.url:
        meeting.external_url = event.url
    if event.location:
        venue = venues.match(event.location)
        if venue:
            meeting.venue = venue
        else:
            _note(meeting, _("Place in the imported calendar: %(place)s") % {"place": event.location})
    for note in event.notes:
        _note(meeting, _("Left out of the import: %(note)s") % {"note": note})
    if event.status:
        meeting.status = event.status
    venue = venues.by_id.get(meeting.venue_id)
    zone = zoneinfo.ZoneInfo(venue.timezone if venue else DEFAULT_TIMEZONE)
    try:
        start = _local(event.start, zone)
        end = _local(event.end, zone) if event.end is not None else None
    except OverflowError:
        return reading.outside_years()
    meeting.date_precision = DatePrecision.DAY
    if isinstance(start, datetime.datetime):
        meeting.start_date, meeting.start_time = start.date(), start.time()
        if isinstance(end, datetime.datetime):
            meeting.end_date, meeting.end_time = end.date(), end.time()
        else:
            meeting.end_date, meeting.end_time = start.date(), None
    else:
        meeting.start_date, meeting.start_time, meeting.end_time = start, None, None
        # An all-day DTEND is exclusive: an event on 24 April ends on 25 April. One equal to DTSTART
        # (a common slip) is that one day; one before it is refused below, as a timed one is.
        meeting.end_date = start if end is None or end == start else end - datetime.timedelta(days=1)
    # The bound on the days the meeting is held, where it is held: 23:30 UTC on 31 December 2199 is
    # already 2200 in Belgrade.
    if not (meeting.start_date.year >= reading.FIRST_YEAR and meeting.end_date.year <= reading.LAST_YEAR):
        return reading.outside_years()
    try:
        # The model's rules, as clean() mirrors the constraints. The fields were checked on the way in
        # (reading: URL, title length; the status from a fixed table); full_clean would double the cost.
        meeting.clean()
    except ValidationError as error:
        return " ".join(error.messages)
    meeting.normalise_dates()
    return None


def _note(meeting, line):
    if line not in meeting.editor_notes:
        meeting.editor_notes = "\n".join(filter(None, [meeting.editor_notes, line]))
