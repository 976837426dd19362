"""One number that changes whenever anything public changes: the calendar's data version.

Page and feed caches key on it and ETags derive from it, so an edit is seen on
the next request by every app server that shares the cache. Signal handlers
(connected in EventsConfig.ready) bump it after every committed write to a model
that shows on public pages or in feeds.
"""

import time

from django.core.cache import cache
from django.db import transaction

DATA_VERSION_KEY = "calendar:data-version"


def data_version():
    """The current data version as a string; starts a new one if the cache has none."""
    version = cache.get(DATA_VERSION_KEY)
    if version is None:
        version = _new_version()
        # add(), not set(): another process may have started one meanwhile; keep theirs.
        cache.add(DATA_VERSION_KEY, version, timeout=None)
        version = cache.get(DATA_VERSION_KEY, version)
    return version


def bump_data_version():
    """Start a new data version once the current transaction commits."""
    transaction.on_commit(lambda: cache.set(DATA_VERSION_KEY, _new_version(), timeout=None))


def _new_version():
    return format(time.time_ns(), "x")
