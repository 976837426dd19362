"""Calendar feeds assembled from cached VEVENT pieces.

Calendar clients poll far more often than editors edit, so a feed is never built
from scratch twice: each meeting's VEVENT is serialized once (by ``events.ical``)
and kept in the shared cache under a key that changes with anything it shows —
the meeting's UID, SEQUENCE and last edit, the pieces version (moved when shared
data such as an organisation's name changes; see ``events.ical_signals``) and the
language. Editing one meeting rebuilds one piece. A feed is one query for the rows it holds, one ``get_many`` per chunk
of rows, and the joined pieces. Conditional requests are answered from the data
version alone, before any of that runs.
"""

import datetime
import hashlib
from itertools import islice
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Prefetch
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from events.cache.version import data_version
from events.calendar import ical
from events.filters import MeetingFilter
from events.ical_signals import pieces_version
from events.models import (
    DEFAULT_TIMEZONE,
    BackToBack,
    LinkKind,
    Meeting,
    MeetingFunder,
    MeetingOrganiser,
    publicly_visible,
)

FEED_PARAMS = tuple(MeetingFilter.base_filters)
# A subscriber wants what is coming and the recent past, not twenty years of archive.
DEFAULT_WINDOW = datetime.timedelta(days=365)
# A piece is rebuilt when its key changes; old pieces just expire.
PIECE_TIMEOUT = 7 * 24 * 60 * 60
CHUNK_SIZE = 500
# Above this many meetings a feed is streamed instead of built in memory first.
STREAM_THRESHOLD = 2000


class FeedRow(NamedTuple):
    """What a feed needs to know about a meeting before it has its VEVENT."""

    pk: int
    uid: object
    sequence: int
    updated_at: datetime.datetime
    timezone: str | None
    start_date: datetime.date
    end_date: datetime.date
    start_time: datetime.time | None


# --- Choosing meetings ------------------------------------------------------


def feed_queryset():
    """Meetings a feed may hold: published ones whose exact dates are known."""
    return Meeting.objects.published().dated()


def canonical_query(query):
    """The filter part of a query string in a fixed order: the same feed, the same ETag and cache key."""
    pairs = sorted((key, value) for key in FEED_PARAMS for value in query.getlist(key) if value.strip())
    return urlencode(pairs)


def uses_default_window(query):
    return not any(query.get(key, "").strip() for key in ("date_from", "date_to"))


def window_start(today=None):
    return (today or timezone.localdate()) - DEFAULT_WINDOW


def filter_reason(filterset):
    """The filter form's errors as plain text for a 400 response."""
    lines = []
    for field, errors in filterset.errors.items():
        for error in errors:
            lines.append(f"{field}: {error}")
    return "\n".join(lines)


def filter_labels(cleaned_data):
    """Human names of what a feed is filtered on, in the filter form's order."""
    labels = []
    if cleaned_data.get("q"):
        labels.append(f"“{cleaned_data['q']}”")
    for key in ("topic", "organiser", "funder", "programme"):
        for obj in cleaned_data.get(key) or ():
            labels.append(getattr(obj, "short_name", None) or str(obj))
    labels += [country.display_name for country in cleaned_data.get("country") or ()]
    if cleaned_data.get("city"):
        labels.append(cleaned_data["city"])
    status_labels = dict(MeetingFilter.base_filters["status"].extra["choices"])
    labels += [str(status_labels[value]) for value in cleaned_data.get("status") or ()]
    if cleaned_data.get("date_from"):
        labels.append(_("from %(date)s") % {"date": cleaned_data["date_from"].isoformat()})
    if cleaned_data.get("date_to"):
        labels.append(_("until %(date)s") % {"date": cleaned_data["date_to"].isoformat()})
    return labels


def feed_rows(queryset):
    """The feed's meetings in calendar order, as light rows (no related objects loaded)."""
    rows = queryset.order_by("start_date", "start_time", "title", "pk").values_list(
        "pk", "uid", "sequence", "updated_at", "venue__timezone", "start_date", "end_date", "start_time"
    )
    return [FeedRow(*row) for row in rows]


def cluster_ids(meeting):
    """The meeting and the published meetings chained to it back to back (the page's "meeting week")."""
    return [member.pk for member in meeting.back_to_back_cluster()]


# --- Pieces -----------------------------------------------------------------


def piece_key(row, version, language):
    return f"ical:vevent:{language}:{version}:{row.uid.hex}:{row.sequence}:{row.updated_at.timestamp():.6f}"


def published_links(prefix):
    """Prefetch of one side of a meeting's links, keeping only meetings the public may see."""
    other = "to_meeting" if prefix == "links_from" else "from_meeting"
    visible = BackToBack.objects.filter(publicly_visible(f"{other}__")).select_related(other)
    return Prefetch(prefix, queryset=visible, to_attr=f"feed_{prefix}")


def meetings_for_pieces(pks):
    """The meetings behind these rows, with everything their VEVENTs show, in a fixed number of queries.

    The related rows go to plain lists (to_attr): filling each meeting's related managers instead
    cost Django a QuerySet per meeting and relation, two thirds of reading 1,000 meetings.
    """
    return (
        Meeting.objects.filter(pk__in=pks)
        .select_related("venue__country")
        .prefetch_related(
            Prefetch(
                "organiser_roles",
                queryset=MeetingOrganiser.objects.select_related("organisation"),
                to_attr="feed_roles",
            ),
            Prefetch(
                "fundings", queryset=MeetingFunder.objects.select_related("organisation"), to_attr="feed_fundings"
            ),
            Prefetch("topics", to_attr="feed_topics"),
            published_links("links_from"),
            published_links("links_to"),
        )
    )


def related(meeting):
    """What the meeting's VEVENT shows beyond its own row, from meetings_for_pieces' prefetches."""
    pairs = [(LinkKind(link.kind).label, link.to_meeting) for link in meeting.feed_links_from]
    pairs += [(link.reverse_label, link.from_meeting) for link in meeting.feed_links_to]
    linked = sorted(pairs, key=lambda pair: (pair[1].start_date or datetime.date.max, pair[1].title))
    return ical.Related(meeting.feed_roles, meeting.feed_fundings, meeting.feed_topics, linked)


def build_pieces(pks):
    return {meeting.pk: ical.event_piece(meeting, related(meeting)) for meeting in meetings_for_pieces(pks)}


def event_pieces(rows, version, language):
    """Each row's VEVENT in order: from the cache, or built (and cached) a chunk at a time."""
    rows = iter(rows)
    while chunk := list(islice(rows, CHUNK_SIZE)):
        keys = {row.pk: piece_key(row, version, language) for row in chunk}
        pieces = cache.get_many(keys.values())
        missing = [row.pk for row in chunk if keys[row.pk] not in pieces]
        if missing:
            built = {keys[pk]: piece for pk, piece in build_pieces(missing).items()}
            cache.set_many(built, timeout=PIECE_TIMEOUT)
            pieces.update(built)
        for row in chunk:
            # A meeting unpublished since the rows were read has no piece: it is left out.
            if keys[row.pk] in pieces:
                yield pieces[keys[row.pk]]


def timezone_pieces(rows):
    """One VTIMEZONE per venue zone of the timed meetings, covering their dates."""
    spans = {}
    for row in rows:
        if row.start_time is None:
            continue
        tzid = row.timezone or DEFAULT_TIMEZONE
        first, last = spans.get(tzid, (row.start_date, row.end_date))
        spans[tzid] = (min(first, row.start_date), max(last, row.end_date))
    pieces = []
    for tzid, (first, last) in sorted(spans.items()):
        pieces.append(ical.timezone_piece(tzid, *ical.timezone_years(first, last)))
    return pieces


def feed_chunks(rows, name, description):
    """The whole feed as a sequence of byte strings."""
    version = pieces_version()
    language = translation.get_language()
    yield ical.calendar_head(name, description)
    yield from timezone_pieces(rows)
    yield from event_pieces(rows, version, language)
    yield ical.CALENDAR_END


# --- Validators for conditional requests --------------------------------------


def feed_etag(path, query_key, version=None, today=None):
    """A strong ETag from the data version, language, path and canonical query, and the day for
    feeds whose default window moves daily.

    A meeting scheduled to appear later needs nothing more: the data version carries the next
    publication time and moves on when it passes (events.versioning).
    """
    version = version or data_version()
    parts = [version, translation.get_language(), path, query_key, str(today or "")]
    return '"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + '"'


def version_time(version=None):
    """When the data last changed: the data version is a time in nanoseconds."""
    version = version or data_version()
    return datetime.datetime.fromtimestamp(int(version, 16) / 1e9, tz=datetime.UTC)


def feed_last_modified(version=None, today=None):
    """Last-Modified: the last edit or scheduled publication, or the start of today for a window that moves daily."""
    modified = version_time(version)
    if today is not None:
        midnight = datetime.datetime.combine(today, datetime.time(), tzinfo=timezone.get_current_timezone())
        modified = max(modified, midnight.astimezone(datetime.UTC))
    return modified
