"""Calendar feeds assembled from cached VEVENTs.

Calendar clients poll far more often than editors edit, so a feed is never built from scratch
twice: each meeting's VEVENT is serialised once (events.calendar.ical) and cached under a key
that changes with anything it shows: the meeting's UID, SEQUENCE and last edit, and the pieces
version (events.cache.invalidation says what moves it). A feed is one query for its rows, one
get_many per chunk of rows, and the joined VEVENTs.
"""

import datetime
from itertools import islice
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Case, F, OuterRef, Prefetch, Subquery, When
from django.utils import timezone
from django.utils.translation import gettext as _

from events import dates
from events.cache import version
from events.cache.keys import key
from events.cache.version import PIECES
from events.calendar import ical
from events.filters import MeetingFilter
from events.models import (
    DEFAULT_TIMEZONE,
    BackToBack,
    DatePrecision,
    LinkKind,
    Meeting,
    MeetingFunder,
    MeetingOrganiser,
    Publication,
    Topic,
    Venue,
    publicly_visible,
)
from organisations.models import Organisation

# A VEVENT is rebuilt when its key changes; old ones just expire.
PIECE_TIMEOUT = 7 * 24 * 60 * 60
CHUNK_SIZE = 500
# Rows a feed reads from the database cursor at a time.
ROW_CHUNK_SIZE = 2000
# A feed holds every meeting its filter selects, as the list does, but at most this many, the
# newest: calendar programs are slow with, or refuse, much larger subscriptions (sizes in
# docs/performance.md), and a subscriber wants what is coming and the recent past first.
FEED_LIMIT = 1000


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


def announced(field):
    """The meeting's ``field`` in its last public version with exact dates, from its history.

    A meeting postponed to a date to be confirmed has no dates any more (the model's
    meeting_unknown_date_has_no_dates), but its subscribers still have it at the dates last
    announced: feeds keep it there, marked postponed, rather than let it silently disappear.
    """
    versions = Meeting.history.filter(
        id=OuterRef("pk"), date_precision=DatePrecision.DAY, publication=Publication.PUBLISHED
    ).order_by("-history_date", "-history_id")
    return Subquery(versions.values(field)[:1])


def calendar_date(field):
    """The day (start_date or end_date) a calendar places the meeting on: its own, else the last announced."""
    return Case(When(date_precision=DatePrecision.DAY, then=F(field)), default=announced(field))


# The feed's filter reads dates as a calendar places the meeting (calendar_date), not only exact dates.
CALENDAR_DATE_LOOKUPS = {"date_from": "calendar_end__gte", "date_to": "calendar_start__lte"}


def feed_queryset():
    """Meetings a feed may hold: published ones whose exact dates are known, and those whose dates
    were withdrawn after being announced (postponed to a date to be confirmed), at the dates last announced."""
    return (
        Meeting.objects.published()
        .annotate(calendar_start=calendar_date("start_date"), calendar_end=calendar_date("end_date"))
        .filter(calendar_start__isnull=False)
    )


def filtered(filterset):
    """The valid filterset's meetings from feed_queryset(), its dates compared with the days a calendar shows.

    As FilterSet.filter_queryset, but a postponed meeting is matched by its last announced dates,
    so a feed of a period keeps the meetings its subscribers were given for that period.
    """
    queryset = filterset.queryset
    for name, value in filterset.form.cleaned_data.items():
        if name not in CALENDAR_DATE_LOOKUPS:
            queryset = filterset.filters[name].filter(queryset, value)
        elif value is not None:
            queryset = queryset.filter(**{CALENDAR_DATE_LOOKUPS[name]: value})
    return queryset


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
        # Translators: the words searched for, quoted, in the name of a subscribed calendar.
        labels.append(_("“%(words)s”") % {"words": cleaned_data["q"]})
    for name in ("topic", "organiser", "funder", "programme"):
        for obj in cleaned_data.get(name) or ():
            labels.append(getattr(obj, "short_name", None) or str(obj))
    labels += [country.display_name for country in cleaned_data.get("country") or ()]
    if cleaned_data.get("city"):
        labels.append(cleaned_data["city"])
    status_labels = dict(MeetingFilter.base_filters["status"].extra["choices"])
    labels += [str(status_labels[value]) for value in cleaned_data.get("status") or ()]
    if cleaned_data.get("date_from"):
        # Translators: a filter in the name of a subscribed calendar; %(date)s is a date as 2026-03-31.
        labels.append(_("from %(date)s") % {"date": cleaned_data["date_from"].isoformat()})
    if cleaned_data.get("date_to"):
        # Translators: a filter in the name of a subscribed calendar; %(date)s is a date as 2026-03-31.
        labels.append(_("until %(date)s") % {"date": cleaned_data["date_to"].isoformat()})
    return labels


# Newest first, as the list's past meetings; the dates are feed_queryset()'s, so a postponed meeting
# sits at its last announced dates.
FEED_ORDER = ("-calendar_start", "start_time", "title", "pk")


def newest(queryset, limit=None):
    """The newest FEED_LIMIT meetings of a feed_queryset(), newest first."""
    return queryset.order_by(*FEED_ORDER)[: limit or FEED_LIMIT]


def feed_rows(queryset):
    """The feed's meetings (from feed_queryset()) newest first, as light rows (no related objects loaded).

    A sliced queryset (newest()) keeps its order.
    """
    if not queryset.query.is_sliced:
        queryset = queryset.order_by(*FEED_ORDER)
    rows = queryset.values_list(
        "pk", "uid", "sequence", "updated_at", "venue__timezone", "calendar_start", "calendar_end", "start_time"
    )
    # Read as they come (iterator(): no second list of the rows in the queryset's cache), and each
    # zone's name kept once: a large feed's rows are most of what building it holds in memory.
    zones = {}
    return [
        FeedRow(pk, uid, sequence, updated_at, zones.setdefault(zone, zone), *days_and_time)
        for pk, uid, sequence, updated_at, zone, *days_and_time in rows.iterator(chunk_size=ROW_CHUNK_SIZE)
    ]


def cluster_ids(meeting):
    """The meeting and the published meetings chained to it back to back (the page's "meeting week")."""
    return [member.pk for member in meeting.back_to_back_cluster()]


# --- Pieces -----------------------------------------------------------------


def piece_key(row, current, now=None, over=None):
    # Whether the meeting is over is part of its key: its DESCRIPTION then says it took place.
    if over is None:
        over = dates.last_day_over(row.end_date, row.timezone or DEFAULT_TIMEZONE, now)
    stamp = f"{row.updated_at.timestamp():.6f}"
    return key("vevent", row.uid.hex, row.sequence, stamp, "over" if over else "ahead", axis=PIECES, current=current)


class LastDaysOver(dict):
    """dates.last_day_over(end_date, zone, now) of a feed's rows, asked once per end date and zone:
    a feed's meetings share days, and each answer converts the time into the venue's zone."""

    def __init__(self, now):
        super().__init__()
        self.now = now

    def __missing__(self, day_and_zone):
        self[day_and_zone] = over = dates.last_day_over(*day_and_zone, self.now)
        return over

    def of(self, row):
        return self[row.end_date, row.timezone or DEFAULT_TIMEZONE]


def published_links(prefix):
    """Prefetch of one side of a meeting's links, keeping only meetings the public may see."""
    other = "to_meeting" if prefix == "links_from" else "from_meeting"
    # The venue too: the other meeting's dates are written in words, with its times in its venue's zone.
    visible = BackToBack.objects.filter(publicly_visible(f"{other}__")).select_related(f"{other}__venue")
    return Prefetch(prefix, queryset=visible, to_attr=f"feed_{prefix}")


def meetings_for_pieces(pks):
    """The meetings behind these rows, with everything their VEVENTs show, in a fixed number of queries.

    The related rows go to plain lists (to_attr): filling each meeting's related managers instead
    cost Django a QuerySet per meeting and relation, most of the time of reading a large feed.
    """
    return (
        Meeting.objects.filter(pk__in=pks)
        .annotate(calendar_start=calendar_date("start_date"), calendar_end=calendar_date("end_date"))
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
    return ical.Related(meeting.feed_roles, meeting.feed_fundings, meeting.feed_topics, linked(meeting))


def linked(meeting):
    """(label, meeting) pairs of the published meetings linked to this one, in date order."""
    pairs = [(LinkKind(link.kind).label, link.to_meeting) for link in meeting.feed_links_from]
    pairs += [(link.reverse_label, link.from_meeting) for link in meeting.feed_links_to]
    # By the English title on a tie (the column every meeting has): the same order in every language.
    return sorted(pairs, key=lambda pair: (pair[1].start_date or datetime.date.max, pair[1].title_en or ""))


class FeedRole(NamedTuple):
    """What a VEVENT shows of a MeetingOrganiser row."""

    organisation: Organisation
    role: str


class FeedFunding(NamedTuple):
    """What a VEVENT shows of a MeetingFunder row, written as the model writes it."""

    organisation: Organisation
    instrument: str

    __str__ = MeetingFunder.__str__


# Columns a VEVENT never shows: the long description in every language above all.
UNSHOWN_FIELDS = (
    *(field.name for field in Meeting._meta.concrete_fields if field.name.startswith("description")),
    "editor_notes",
    "search_text",
    "source_uid",
    "external_url",
    "working_languages",
    "interpretation_into",
)


def sources_for_pieces(pks):
    """(meeting, Related) of the meetings behind these rows, what build_pieces needs, in a fixed number of queries.

    What meetings_for_pieces() reads, read for speed: the organisations, topics and venues a chunk
    shows are read once each and shared by its meetings, and the link rows come as plain tuples, so
    that a model instance is made per meeting rather than ten (making them was most of the read).
    The order of each meeting's organisers, funders and topics is the prefetches' (the models' orderings).
    """
    meetings = list(
        Meeting.objects.filter(pk__in=pks)
        .annotate(calendar_start=calendar_date("start_date"), calendar_end=calendar_date("end_date"))
        .defer(*UNSHOWN_FIELDS)
        .prefetch_related(published_links("links_from"), published_links("links_to"))
    )
    venues = Venue.objects.select_related("country").in_bulk({meeting.venue_id for meeting in meetings} - {None})
    roles = MeetingOrganiser.objects.filter(meeting__in=pks).values_list("meeting_id", "organisation_id", "role")
    fundings = MeetingFunder.objects.filter(meeting__in=pks).values_list("meeting_id", "organisation_id", "instrument")
    roles, fundings = list(roles), list(fundings)
    organisations = Organisation.objects.in_bulk({row[1] for row in roles} | {row[1] for row in fundings})
    topic_links = list(Meeting.topics.through.objects.filter(meeting__in=pks).values_list("meeting_id", "topic_id"))
    topics = list(Topic.objects.filter(pk__in={topic_id for _meeting, topic_id in topic_links}))
    rank = {topic.pk: (position, topic) for position, topic in enumerate(topics)}

    by_meeting = {meeting.pk: ([], [], []) for meeting in meetings}
    for meeting_id, organisation_id, role in roles:
        by_meeting[meeting_id][0].append(FeedRole(organisations[organisation_id], role))
    for meeting_id, organisation_id, instrument in fundings:
        by_meeting[meeting_id][1].append(FeedFunding(organisations[organisation_id], instrument))
    for meeting_id, topic_id in topic_links:
        by_meeting[meeting_id][2].append(rank[topic_id])
    sources = []
    for meeting in meetings:
        if meeting.venue_id is not None:
            meeting.venue = venues[meeting.venue_id]
        meeting_roles, meeting_fundings, meeting_topics = by_meeting[meeting.pk]
        meeting_topics = [topic for _position, topic in sorted(meeting_topics, key=lambda pair: pair[0])]
        sources.append((meeting, ical.Related(meeting_roles, meeting_fundings, meeting_topics, linked(meeting))))
    return sources


def build_pieces(pks, current):
    # A change to shared data (a venue renamed) rebuilds VEVENTs without editing their meetings:
    # their DTSTAMP and LAST-MODIFIED are at least that change's time, so clients take the new text.
    revised_at = current.pieces_changed_at
    return {
        meeting.pk: ical.event_piece(meeting, meeting_related, revised_at=revised_at)
        for meeting, meeting_related in sources_for_pieces(pks)
    }


def event_pieces(rows, current=None):
    """Each row's VEVENT in order: from the cache, or built (and cached) a chunk at a time."""
    current = current or version.current()
    now = timezone.now()
    over = LastDaysOver(now)
    rows = iter(rows)
    while chunk := list(islice(rows, CHUNK_SIZE)):
        keys = {row.pk: piece_key(row, current, now, over.of(row)) for row in chunk}
        pieces = cache.get_many(keys.values())
        missing = [row.pk for row in chunk if keys[row.pk] not in pieces]
        if missing:
            built = {keys[pk]: piece for pk, piece in build_pieces(missing, current).items()}
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


def feed_chunks(rows, name, description, current):
    """The whole feed as a sequence of byte strings; current: the version its request pinned."""
    yield ical.calendar_head(name, description)
    yield from timezone_pieces(rows)
    yield from event_pieces(rows, current)
    yield ical.CALENDAR_END
