"""Reads that may go to a PostgreSQL streaming replica, when DATABASE_REPLICA_URL names one.

Only an anonymous visitor's GET or HEAD of a public page or feed may read from the replica
(``PublicPageCacheMiddleware`` says which requests those are: the ones whose answer it may
cache). Everything else reads from the primary: writes and whatever follows a write in the same
request, reads inside a transaction, the admin and logged-in editors, every POST (logins, axes,
the proposals' rate limit), migrations, management commands and background threads (no request
context at all), and a client that has just written (below).

The cache's rule holds with a lagging replica: every cached thing is keyed on the calendar's
version (events/cache/version.py), and each version carries the primary's WAL position (LSN)
taken after its change committed. A public request reads from the replica only when the replica
has replayed at least that far, so what it reads is never older than the version it stores it
under; else the whole request reads from the primary. A client whose unsafe request (POST…)
wrote gets a cookie with the primary's position after its write, and reads from the replica only
once the replica has replayed that far too: it sees its own writes, public or not.

A replica that cannot be reached is left alone for RETRY_AFTER_SECONDS and the primary answers.
docs/deploy.md, "Past one machine", has the layout and the numbers.
"""

import contextvars
import re
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

PRIMARY = DEFAULT_DB_ALIAS
REPLICA = "replica"

# Set on the answer to an unsafe request that wrote: the primary's WAL position after the write.
WRITE_COOKIE = "primary_lsn"
# How long a client keeps reading from the primary at most after its write, if the replica lags
# that long: past it the replica is broken, not behind (the operator's lag alert, docs/deploy.md).
WRITE_COOKIE_SECONDS = 60
# After a failed check the replica is not asked again for this long: a replica that is down
# costs one connection timeout per process per RETRY_AFTER_SECONDS, not one per request.
RETRY_AFTER_SECONDS = 5.0

LSN = re.compile(r"^[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}$")
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}

_request = contextvars.ContextVar("database_reads", default=None)
# Until when (time.monotonic) this process leaves a failed replica alone.
_replica_down_until = 0.0


def configured():
    """Whether reads may go to a replica: DATABASE_REPLICA_URL set, on PostgreSQL."""
    return REPLICA in connections.settings and connections[PRIMARY].vendor == "postgresql"


def as_number(lsn):
    """A WAL position ("16/B374D848") as the number PostgreSQL compares; None for anything else."""
    if not lsn or not LSN.match(lsn):
        return None
    high, low = lsn.split("/")
    return (int(high, 16) << 32) + int(low, 16)


def primary_lsn():
    """The primary's WAL position now, when a replica is configured and the position says
    something: outside a transaction, so every commit this process made is behind it."""
    if not configured() or connections[PRIMARY].in_atomic_block:
        return None
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        return cursor.fetchone()[0]


class RequestReads:
    """Where one request's reads go, decided at its first read."""

    def __init__(self, *, public, written_at=None):
        self.public = public
        # The client's last write (the cookie), as a number, or None.
        self.written_at = written_at
        self.wrote = False
        self.alias = None

    def alias_for_read(self):
        if not self.public or self.wrote or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        if self.alias is None:
            self.alias = REPLICA if replica_has_replayed(self.required_position()) else PRIMARY
        return self.alias

    def required_position(self):
        """How far the replica must have replayed: the version's change and the client's own write."""
        from events.cache import version  # deferred: the cache's version imports this module

        position = as_number(version.current().lsn)
        if position is None:
            return None  # a version whose position is not known: only the primary is sure to be as new
        return max(position, self.written_at or 0)


@contextmanager
def request_reads(request, *, public):
    """Route this request's reads (public: an anonymous GET/HEAD of a page the page cache may keep)."""
    if not configured():
        yield None
        return
    reads = RequestReads(public=public, written_at=as_number(request.COOKIES.get(WRITE_COOKIE)))
    token = _request.set(reads)
    try:
        yield reads
    finally:
        _request.reset(token)


def remember_write(request, response, reads):
    """After an unsafe request that wrote, the client reads from the primary until the replica has its write."""
    if reads is None or not reads.wrote or request.method in SAFE_METHODS:
        return
    try:
        position = primary_lsn()
    except DatabaseError:
        return  # the primary is failing: this answer is an error page anyway
    if position is not None:
        response.set_cookie(
            WRITE_COOKIE,
            position,
            max_age=WRITE_COOKIE_SECONDS,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )


def replica_has_replayed(position):
    """Whether the replica answers and has replayed the primary's WAL up to position."""
    global _replica_down_until
    if position is None or time.monotonic() < _replica_down_until:
        return False
    replica = connections[REPLICA]
    try:
        replica.ensure_connection()
        # Asked on every request that reads, never remembered: the answer is also the check that the
        # connection still works (a persistent one outlives a replica that went down, and a read
        # failing after the choice would be a 503, not the primary's answer).
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
            replayed = as_number(cursor.fetchone()[0])
    except DatabaseError:
        _replica_down_until = time.monotonic() + RETRY_AFTER_SECONDS
        replica.close()
        return False
    if replayed is None:
        return False  # not a standby (promoted, or the URL names a primary): it may be anywhere
    return replayed >= position


def replica_back():
    """Forget a failure at once (tests, or an operator's shell after repairing the replica)."""
    global _replica_down_until
    _replica_down_until = 0.0


class ReplicaRouter:
    """DATABASE_ROUTERS when DATABASE_REPLICA_URL is set: the primary unless the request's reads may use the replica."""

    def db_for_read(self, model, **hints):
        reads = _request.get()
        return PRIMARY if reads is None else reads.alias_for_read()

    def db_for_write(self, model, **hints):
        reads = _request.get()
        if reads is not None:
            reads.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # Both hold the same rows: an object read from either may point at one read from the other.
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA} or None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY
