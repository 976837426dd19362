"""A meeting's public change log, derived from its history: "Changed on 3 April: 12 April → 19 April".

Nobody types the log: every save leaves a historical record (django-simple-history),
and consecutive records are compared on what the public relies on — the date,
the place and the status. Only changes made while the meeting was public are
listed; what an editor changed in a draft was never announced, so it never changed.
One query per meeting page (two when the place changed), whatever the length of the history.
"""

from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from django.utils.translation import gettext_lazy as _

from events.dates import dates_in_words
from events.models import DatePrecision, Publication, Status, Venue, public_place

# The newest records considered; a meeting changed more often than this shows its recent changes.
MAX_RECORDS = 100

# Translators: what changed, in a meeting's public list of changes: "Changed on 3 May 2026: date 23 May → 30 May".
DATE_LABEL = _("date")
PLACE_LABEL = _("place")
STATUS_LABEL = _("status")
DATE_TO_BE_CONFIRMED = _("date to be confirmed")
PLACE_TO_BE_CONFIRMED = _("place to be confirmed")

RECORD_FIELDS = (
    "history_id",
    "history_date",
    "publication",
    "date_precision",
    "start_date",
    "end_date",
    "start_time",
    "end_time",
    "venue_id",
    "withhold_venue",
    "status",
)


@dataclass(frozen=True)
class Change:
    """One public change: on ``changed_at``, ``label`` went from ``before`` to ``after``."""

    changed_at: datetime
    label: str
    before: str
    after: str


def describe_dates(record, zone_name):
    """The version's dates as every page writes them (events.dates), times in the venue's zone."""
    if record.date_precision == DatePrecision.UNKNOWN or record.start_date is None:
        return str(DATE_TO_BE_CONFIRMED)
    return dates_in_words(
        record.date_precision, record.start_date, record.end_date, record.start_time, record.end_time, zone_name
    )


def describe_place(record, venues):
    if record.venue_id and record.venue_id not in venues:
        return ""  # unchanged between the two versions compared, so never shown
    place = public_place(venues.get(record.venue_id), record.withhold_venue)
    return str(place) if place else str(PLACE_TO_BE_CONFIRMED)


def describe_status(record):
    return str(Status(record.status).label)


def change_log(meeting):
    """The public changes to ``meeting``, newest first."""
    records = list(
        meeting.history.order_by("-history_date", "-history_id").values_list(*RECORD_FIELDS, named=True)[:MAX_RECORDS]
    )
    records.reverse()
    # Venues are looked up only when the place changed between two public versions (one query).
    venue_ids = {
        venue_id
        for before, after in pairwise(records)
        if before.venue_id != after.venue_id and before.publication == after.publication == Publication.PUBLISHED
        for venue_id in (before.venue_id, after.venue_id)
        if venue_id
    }
    venues = Venue.objects.select_related("country").in_bulk(venue_ids) if venue_ids else {}

    def zone_of(record):
        # The venue of that version when it was read (the place changed), else the meeting's own:
        # a time is written in the zone it is read in, and no query is spent on it.
        venue = venues.get(record.venue_id)
        return venue.timezone if venue is not None else meeting.timezone_name

    describers = (
        (DATE_LABEL, lambda record: describe_dates(record, zone_of(record) if record.start_time else None)),
        (PLACE_LABEL, lambda record: describe_place(record, venues)),
        (STATUS_LABEL, describe_status),
    )
    saves = []  # one list of changes per save, oldest save first
    for before, after in pairwise(records):
        if before.publication != Publication.PUBLISHED or after.publication != Publication.PUBLISHED:
            continue
        changes = [
            Change(after.history_date, str(label), describe(before), describe(after)) for label, describe in describers
        ]
        saves.append([change for change in changes if change.before != change.after])
    return [change for changes in reversed(saves) for change in changes]
