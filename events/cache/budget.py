"""What one client may make the cache store: PAGE_CACHE_CLIENT_BYTES per PAGE_CACHE_TIMEOUT.

Every distinct filter is one entry (events.filters.MeetingQuery), but a client inventing filters
could still fill the cache and evict everyone else's pages. So whatever a request stores for its
filter (the page, the feed body, the filter form, the counts) is charged to its client, and a
client over its budget stores nothing more until the window ends. Entries charged here live at
most PAGE_CACHE_TIMEOUT, so a client never holds more than twice its budget. Per-meeting entries
(list entries, VEVENTs) are not charged: they are bounded by the number of meetings.
"""

import contextvars
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache

from events.cache.keys import key

_client = contextvars.ContextVar("cache_budget_client", default=None)


@contextmanager
def charged_to(client):
    """Charge what is stored in this block (a request) to this client."""
    token = _client.set([client, None])
    try:
        yield
    finally:
        _client.reset(token)


def _counter_key(client):
    window = int(time.time() // settings.PAGE_CACHE_TIMEOUT)
    return key("store-budget", client, window, versioned=False, language=False)


def spent(client):
    """Bytes this client has made the cache store in the current window."""
    return cache.get(_counter_key(client), 0)


def current_client():
    """The charge of this request, for a streamed response that stores after its request ended."""
    return _client.get()


def allows(size=0, charge=None):
    """Whether the current client may store size more bytes now (always, outside a request)."""
    state = charge or _client.get()
    if state is None:
        return True
    client, used = state
    if used is None:
        used = state[1] = cache.get(_counter_key(client), 0)
    return used + size <= settings.PAGE_CACHE_CLIENT_BYTES


def spend(size, charge=None):
    """Charge size bytes just stored to the current client."""
    state = charge or _client.get()
    if state is None:
        return
    counter = _counter_key(state[0])
    cache.add(counter, 0, timeout=2 * settings.PAGE_CACHE_TIMEOUT)
    try:
        state[1] = cache.incr(counter, size)
    except ValueError:  # the cache is unavailable or lost the counter: store nothing more
        state[1] = settings.PAGE_CACHE_CLIENT_BYTES + 1


def store(cache_key, value, size, timeout, charge=None):
    """Store value when the client's budget allows; True when stored. charge: from current_client()."""
    if not allows(size, charge):
        return False
    cache.set(cache_key, value, timeout)
    spend(size, charge)
    return True
