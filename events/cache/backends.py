"""Redis that cannot hold the site up: after a failure it is left alone for a few seconds.

A Redis that refuses connections fails fast, but one that accepts them and never answers
costs every cache call its whole socket timeout, and a page makes several, so pages ran past
the worker timeout. After one failure this backend answers every call as a miss (writes are dropped) for
OPTIONS["RETRY_AFTER"] seconds, then tries again; pages are built from the database meanwhile.
Nothing is lost by it: the durable version is in the database (events.cache.version).
"""

import logging
import time

from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

FAILURES = (ConnectionInterrupted, RedisError, OSError)
# Per process and server: every thread's backend object shares what one of them learnt.
_unavailable_until = {}


def _guarded(name, when_unavailable):
    method = getattr(RedisCache, name)

    def call(self, *args, **kwargs):
        if time.monotonic() < _unavailable_until.get(self._server, 0.0):
            return when_unavailable(*args, **kwargs)
        try:
            return method(self, *args, **kwargs)
        except FAILURES as error:
            _unavailable_until[self._server] = time.monotonic() + self.retry_after
            logger.warning("cache unavailable for %s s: %s", self.retry_after, error)
            return when_unavailable(*args, **kwargs)

    call.__name__ = name
    return call


def _default(_key, default=None, *args, **kwargs):
    return default


def _missing_counter(*args, **kwargs):
    raise ValueError("the cache is unavailable")


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("RETRY_AFTER", 5))
        # Failures must reach the guard above, not be swallowed one call at a time.
        options["IGNORE_EXCEPTIONS"] = False
        super().__init__(server, {**params, "OPTIONS": options})

    get = _guarded("get", _default)
    get_many = _guarded("get_many", lambda *args, **kwargs: {})
    set = _guarded("set", lambda *args, **kwargs: False)
    add = _guarded("add", lambda *args, **kwargs: False)
    set_many = _guarded("set_many", lambda *args, **kwargs: [])
    delete = _guarded("delete", lambda *args, **kwargs: False)
    delete_many = _guarded("delete_many", lambda *args, **kwargs: 0)
    has_key = _guarded("has_key", lambda *args, **kwargs: False)
    touch = _guarded("touch", lambda *args, **kwargs: False)
    incr = _guarded("incr", _missing_counter)
    decr = _guarded("decr", _missing_counter)
    clear = _guarded("clear", lambda *args, **kwargs: None)


def left_alone_for(server):
    """Seconds this process still leaves the server alone after a failure (0: it is asked again)."""
    return max(0.0, _unavailable_until.get(server, 0.0) - time.monotonic())


def mark_available(server):
    """Forget a failure (tests; an operator after fixing Redis need not wait RETRY_AFTER)."""
    _unavailable_until.pop(server, None)
