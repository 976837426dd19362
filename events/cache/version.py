"""One number that changes whenever anything public changes: the calendar's data version.

Page and feed caches key on it and ETags derive from it, so an edit is seen on
the next request by every app server that shares the cache. Signal handlers
(connected in EventsConfig.ready) bump it after every committed write to a model
that shows on public pages or in feeds.

Where the version lives:

- The durable copy is one database row (``events.DataVersion``), written when a
  transaction that changed public data commits.
- The fast copy is in Django's cache. With a shared cache (Redis in production)
  every app server reads the same key, so a bump is seen on the very next
  request everywhere, and a request costs one cache read and no query.
- With the local-memory cache (development, tests, a one-process bench) each
  process has its own copy. It is kept for ``DATA_VERSION_LOCAL_TTL`` seconds
  (default 2) and then read again from the row, so several processes sharing a
  database but not a cache still agree within that time: the process that made
  the edit sees it at once, the others within the TTL. Production runs Redis
  (docs/deploy.md) and never waits.

A bump changes the cached copy twice: at once, so that pages rendered while the
transaction is still open are cached under a version that is thrown away, and
again when the transaction commits (with the durable row), so no page rendered
from the old data can ever be served under the final version.

Scheduled publication changes what the public sees without any write: a meeting
published "at" a later time appears when that time passes. So the version carries
the time of the next scheduled publication, and the first request after it starts
a new version (any server may; two doing it at once only cost an extra miss).
"""

import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.db import IntegrityError, transaction
from django.db.models import Min
from django.utils import timezone

DATA_VERSION_KEY = "calendar:data-version"
DATA_VERSION_ROW = 1


def data_version():
    """The current data version as a string (one cache read; a query only when the cache has none)."""
    entry = cache.get(DATA_VERSION_KEY)
    if entry is None:
        entry = _stored_entry()
        if cache_is_shared():
            # add(), not set(): another server may have bumped it meanwhile; keep theirs.
            cache.add(DATA_VERSION_KEY, entry, timeout=None)
            entry = cache.get(DATA_VERSION_KEY, entry)
        else:
            cache.set(DATA_VERSION_KEY, entry, timeout=local_ttl())
    version, next_publish = entry if isinstance(entry, tuple) else (entry, None)
    if next_publish is not None and time.time() >= next_publish:
        version = _publish_committed_version()
    return version


def bump_data_version():
    """Start a new data version now, and again once the current transaction commits."""
    _remember((_new_version(), None))
    transaction.on_commit(_publish_committed_version, robust=True)


def cache_is_shared():
    """False for caches that live inside one process (local memory) or do nothing."""
    return not isinstance(caches["default"], LocMemCache | DummyCache)


def local_ttl():
    return getattr(settings, "DATA_VERSION_LOCAL_TTL", 2)


def _publish_committed_version():
    version = _new_version()
    next_publish = _next_scheduled_publication()
    _store(version, next_publish, create_only=False)
    _remember((version, next_publish and next_publish.timestamp()))
    return version


def _remember(entry):
    cache.set(DATA_VERSION_KEY, entry, timeout=None if cache_is_shared() else local_ttl())


def _stored_entry():
    from events.models import DataVersion

    row = DataVersion.objects.filter(pk=DATA_VERSION_ROW).values_list("version", "next_publish_at").first()
    if row is None:
        # Nothing edited since the database was created: start the row, so that every process
        # reading it (local-memory caches) agrees on one version, and ETags with it.
        next_publish = _next_scheduled_publication()
        row = (_store(_new_version(), next_publish, create_only=True), next_publish)
    version, next_publish = row
    return (version, next_publish and next_publish.timestamp())


def _store(version, next_publish, *, create_only):
    """Write the durable row; with create_only, keep (and return) a row another process wrote first."""
    from events.models import DataVersion

    row = DataVersion.objects.filter(pk=DATA_VERSION_ROW)
    values = {"version": version, "changed_at": timezone.now(), "next_publish_at": next_publish}
    if not create_only and row.update(**values):
        return version
    try:
        with transaction.atomic():
            DataVersion.objects.create(pk=DATA_VERSION_ROW, **values)
    except IntegrityError:  # another process created the row first
        if create_only:
            return row.values_list("version", flat=True).get()
        row.update(**values)
    return version


def _next_scheduled_publication():
    from events.models import Meeting, Publication

    upcoming = Meeting.objects.filter(publication=Publication.PUBLISHED, publish_at__gt=timezone.now())
    return upcoming.aggregate(next=Min("publish_at"))["next"]


def _new_version():
    return format(time.time_ns(), "x")
