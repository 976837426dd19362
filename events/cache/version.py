"""The calendar's version: what every cached thing is keyed on, read once per request.

Two numbers that only ever move forward: ``data`` moves on every committed public change (never
for a draft: ``reschedule`` keeps the next scheduled publication right without moving it) and
keys pages, list entries, counts, forms and ETags; ``pieces`` moves only when something many
VEVENTs show changes, and keys the cached VEVENTs. Both live in one ``DataVersion`` row, the
source of truth; the cache holds a copy for VERSION_CACHE_SECONDS at most, so a lost or dropped
write (a stalled Redis, a process of its own with local memory) heals itself within that time.
docs/architecture.md has the whole design.
"""

import contextvars
import datetime
import time
from contextlib import contextmanager
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, IntegrityError, connections, transaction
from django.db.models import Min
from django.db.models.expressions import RawSQL
from django.utils import timezone

from events.models import DataVersion, Meeting, Publication
from meetings_site import routers
from meetings_site.routers import PRIMARY

CACHE_KEY = "calendar:version"
ROW = 1
DATA, PIECES = "data", "pieces"

_pinned = contextvars.ContextVar("calendar_version", default=None)
# The version this process read last, for when the database cannot be asked.
_last_known = None


class Version(NamedTuple):
    data: str
    pieces: str
    # When a meeting published for later appears (a timestamp), or None: the version moves then.
    next_publish: float | None
    # With a replica (meetings_site/routers.py): the primary's WAL position once this version's
    # change had committed, which the replica must have replayed before a request keyed on this
    # version reads from it. None: not known, so such requests read from the primary.
    lsn: str | None = None

    @property
    def pieces_changed_at(self):
        """When shared data last changed: the floor of every VEVENT's DTSTAMP and LAST-MODIFIED."""
        return as_time(self.pieces)

    @property
    def data_changed_at(self):
        return as_time(self.data)


def current():
    """The version in force. Inside a request (pinned) it is read once and kept for the whole request."""
    holder = _pinned.get()
    if holder is None:
        return _read()
    version = holder[0]
    if version is None or (version.next_publish is not None and time.time() >= version.next_publish):
        version = holder[0] = _read()
    return version


@contextmanager
def pinned():
    """Read the version at most once in this block (a request), on first use: every key built in it agrees."""
    token = _pinned.set([None])
    try:
        yield
    finally:
        _pinned.reset(token)


def with_cached(cache_key):
    """The version and one cached value, in one round trip to the cache (a page-cache lookup:
    the page's entry carries the version it was stored under). Pins the version as current() does."""
    found = cache.get_many([CACHE_KEY, cache_key])
    version = _read(found.get(CACHE_KEY))
    holder = _pinned.get()
    if holder is not None:
        holder[0] = version
    return version, found.get(cache_key)


_UNREAD = object()


def _read(entry=_UNREAD):
    """entry: the cached copy when the caller already asked the cache for it (None: it had none)."""
    global _last_known
    if entry is _UNREAD:
        entry = cache.get(CACHE_KEY)
    if entry is None:
        try:
            entry = _stored()
        except DatabaseError:
            if _last_known is None:
                raise
            # The database is down: the cache may still answer what it answered a moment ago
            # (nothing can have been edited since); the views themselves answer 503.
            return _last_known
        # add(), not set(): a writer's newer copy wins over a reader's that was read before it.
        # A copy read inside a transaction lacks the WAL position a replica must have replayed
        # (routers.RequestReads): shared, it would send every reader to the primary until it expired.
        if (len(entry) > 3 and entry[3] is not None) or not routers.configured():
            cache.add(CACHE_KEY, entry, timeout=settings.VERSION_CACHE_SECONDS)
    version = _last_known = Version(*entry)
    if version.next_publish is not None and time.time() >= version.next_publish:
        # A scheduled publication came due: the public now sees more, with no write to say so.
        # Both axes move, since a meeting's VEVENT lists the linked meetings the public may see.
        version = publish({DATA, PIECES})
    return version


def read_from_database():
    """The version as its row holds it now, past every cached copy (the readiness probe)."""
    return Version(*_stored())


def publish(axes):
    """Start new versions on these axes (DATA always moves), durably, then tell the cache."""
    previous = _stored()
    stamp = _new_stamp(previous)
    version = Version(
        data=stamp,
        pieces=stamp if PIECES in axes else previous[1],
        next_publish=_next_scheduled_publication(),
    )
    _write(version)
    version = version._replace(lsn=routers.primary_lsn())
    if version.lsn is None and routers.configured():
        # Inside a transaction the WAL position is not yet past this write: the next reader takes
        # the row and the position with it (a copy without one sends every reader to the primary).
        cache.delete(CACHE_KEY)
    else:
        cache.set(CACHE_KEY, tuple(version), timeout=settings.VERSION_CACHE_SECONDS)
    holder = _pinned.get()
    if holder is not None:
        holder[0] = version
    return version


def reschedule():
    """A write the public cannot see changed when a meeting is next published by schedule: the stamps
    stay (no public ETag moves), only the time at which the version next moves by itself."""
    next_publish = _next_scheduled_publication()
    moment = next_publish and datetime.datetime.fromtimestamp(next_publish, tz=datetime.UTC)
    if not DataVersion.objects.filter(pk=ROW).update(next_publish_at=moment):
        _stored()  # no row yet: it starts with the schedule as it now is
    # Dropped, not rewritten: the next reader takes the row, whose stamps another writer may have moved meanwhile.
    cache.delete(CACHE_KEY)
    holder = _pinned.get()
    if holder is not None:
        holder[0] = None


def _stored():
    # Always the primary's row: a replica's may be behind (and so is everything read with it).
    rows = DataVersion.objects.using(PRIMARY).filter(pk=ROW)
    fields = ["version", "pieces_version", "next_publish_at"]
    if routers.configured() and not connections[PRIMARY].in_atomic_block:
        # In the same statement: the position is past the commit of every version the row can show
        # (a commit is visible only once its WAL is written, with synchronous_commit on).
        rows = rows.annotate(lsn=RawSQL("pg_current_wal_lsn()::text", ()))
        fields.append("lsn")
    row = rows.values_list(*fields).first()
    if row is None:
        # Nothing changed since the database was created: start the row, so that every process agrees.
        # The pieces version starts at the epoch: it is also the floor of every VEVENT's DTSTAMP,
        # which must stay the meeting's own last edit until shared data changes.
        return tuple(_write(Version(_new_stamp(), "0", _next_scheduled_publication()), create_only=True))
    data, pieces, next_publish, *lsn = row
    return (data, pieces, next_publish and next_publish.timestamp(), *lsn)


def _write(version, *, create_only=False):
    """Write the row; with create_only keep (and return) a row another process wrote first."""
    next_publish = version.next_publish and datetime.datetime.fromtimestamp(version.next_publish, tz=datetime.UTC)
    values = {
        "version": version.data,
        "pieces_version": version.pieces,
        "changed_at": timezone.now(),
        "next_publish_at": next_publish,
    }
    row = DataVersion.objects.filter(pk=ROW)
    if not create_only and row.update(**values):
        return version
    try:
        with transaction.atomic():
            DataVersion.objects.create(pk=ROW, **values)
    except IntegrityError:  # another process created the row first
        if create_only:
            data, pieces, stored_next = (
                row.using(PRIMARY).values_list("version", "pieces_version", "next_publish_at").get()
            )
            return Version(data, pieces, stored_next and stored_next.timestamp())
        row.update(**values)
    return version


def _next_scheduled_publication():
    upcoming = Meeting.objects.using(PRIMARY).filter(publication=Publication.PUBLISHED, publish_at__gt=timezone.now())
    moment = upcoming.aggregate(next=Min("publish_at"))["next"]
    return moment and moment.timestamp()


def _new_stamp(previous=None):
    """Nanoseconds in hex, and always past the previous stamp (clocks of two servers may disagree)."""
    stamp = time.time_ns()
    if previous is not None:
        stamp = max(stamp, int(previous[0], 16) + 1)
    return format(stamp, "x")


def as_time(stamp):
    return datetime.datetime.fromtimestamp(int(stamp, 16) / 1e9, tz=datetime.UTC)
