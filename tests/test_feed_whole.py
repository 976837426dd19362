"""A feed is whole or an error status: the database lost while a feed is built gives a 503.

A calendar program that gets a 200 without END:VCALENDAR may keep the partial calendar and
delete every event it lacks. These tests cut the database off after each number of queries a
cold feed makes (its version, its rows, then its VEVENTs a chunk at a time) and check that every
answer is either the 503 of an outage or the whole feed.
"""

import datetime
import gzip

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test import Client

from events.calendar import assembly, views
from tests.support.calendars import parse
from tests.support.factories import MeetingFactory, MeetingOrganiserFactory, TopicFactory

MEETINGS = 7
FEED = "/calendar.ics?date_from=2030-01-01"


class DatabaseLostAfter:
    """Lets `queries` queries through, then fails every later one as a dropped connection does."""

    def __init__(self, queries):
        self.allowed = queries
        self.run = 0
        self.failed = 0

    def __call__(self, execute, sql, params, many, context):
        if self.run >= self.allowed:
            self.failed += 1
            raise OperationalError("server closed the connection unexpectedly")
        self.run += 1
        return execute(sql, params, many, context)


@pytest.fixture
def meetings(db, monkeypatch):
    # Small chunks, so the VEVENTs of seven meetings are built over four rounds of queries.
    monkeypatch.setattr(assembly, "CHUNK_SIZE", 2)
    topic = TopicFactory(name="Border security", slug="border-security")
    for day in range(MEETINGS):
        meeting = MeetingFactory(start_date=datetime.date(2030, 1, 1) + datetime.timedelta(days=day))
        meeting.topics.add(topic)
        MeetingOrganiserFactory(meeting=meeting)


def whole_feed_uids():
    return set(parse(gzip.decompress(Client().get(FEED, headers={"accept-encoding": "gzip"}).content)))


def test_a_cold_feed_reads_the_database_in_many_steps(meetings):
    lost = DatabaseLostAfter(1000)

    with connection.execute_wrapper(lost):
        response = Client().get(FEED, headers={"accept-encoding": "gzip"})

    assert response.status_code == 200
    # The version, the rows, and per chunk of VEVENTs the meetings and their related rows.
    assert lost.run >= 10


@pytest.mark.parametrize("queries", range(12))
def test_database_lost_while_a_feed_is_built_gives_a_503_never_a_partial_200(meetings, queries):
    lost = DatabaseLostAfter(queries)

    with connection.execute_wrapper(lost):
        response = Client(raise_request_exception=False).get(FEED, headers={"accept-encoding": "gzip"})
        # A streamed body would be built only now, as it is read, after its 200 went out.
        body = b"".join(response.streaming_content) if response.streaming else response.content

    if lost.failed:
        assert response.status_code == 503
        assert response["Retry-After"] == str(settings.RETRY_AFTER_SECONDS)
        assert not response.has_header("ETag")
        assert b"BEGIN:VCALENDAR" not in body
    else:
        assert response.status_code == 200
        assert set(parse(gzip.decompress(body))) == whole_feed_uids()
        assert len(set(parse(gzip.decompress(body)))) == MEETINGS


# Transactional: the lost query breaks the transaction a plain db test runs in, as it would a request's.
@pytest.mark.django_db(transaction=True)
def test_after_a_lost_build_the_next_poll_gets_the_whole_feed(meetings):
    with connection.execute_wrapper(DatabaseLostAfter(4)):
        during = Client(raise_request_exception=False).get(FEED, headers={"accept-encoding": "gzip"})

    after = Client().get(FEED, headers={"accept-encoding": "gzip"})

    assert (during.status_code, after.status_code) == (503, 200)
    assert len(parse(gzip.decompress(after.content))) == MEETINGS


@pytest.mark.parametrize("kept", [False, True], ids=["built", "kept"])
def test_a_large_plain_feed_is_sent_in_pieces_whole_with_its_length(meetings, monkeypatch, kept):
    # Seven meetings stand for a feed larger than the cap on plain feeds held whole (a megabyte).
    monkeypatch.setattr(views, "PLAIN_WHOLE_MAX_BYTES", 2000)
    monkeypatch.setattr(views, "PLAIN_PIECE_BYTES", 1000)
    compressed = Client().get(FEED, headers={"accept-encoding": "gzip"}).content
    if not kept:
        cache.clear()

    response = Client().get(FEED)

    assert response.streaming
    pieces = list(response.streaming_content)
    body = b"".join(pieces)
    assert body == gzip.decompress(compressed)
    assert int(response["Content-Length"]) == len(body) > 2000
    assert max(map(len, pieces)) <= 1000
    assert body.endswith(b"END:VCALENDAR\r\n")
    assert len(parse(body)) == MEETINGS
    assert "Content-Encoding" not in response


def test_a_small_plain_feed_is_sent_whole(meetings):
    response = Client().get(FEED)

    assert not response.streaming
    assert len(response.content) < views.PLAIN_WHOLE_MAX_BYTES
    assert int(response["Content-Length"]) == len(response.content)
    assert len(parse(response.content)) == MEETINGS
