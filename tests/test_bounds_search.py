"""A search costs at most MAX_SEARCH_WORDS words, each once, and answers the same on the list and the feed."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.cache import version
from events.cache.version import DATA, PIECES
from events.filters import MAX_SEARCH_WORDS
from tests.support.calendars import content_of, parse
from tests.support.factories import MeetingFactory
from tests.support.html import meeting_titles

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetings(db):
    start = datetime.date(2030, 5, 14)
    MeetingFactory(title="Border police cooperation", slug="border", start_date=start)
    MeetingFactory(title="Border security and small arms", slug="arms", start_date=start)
    MeetingFactory(title="Police training", slug="police", start_date=start)


def list_titles(client, q):
    response = client.get("/meetings/", {"q": q})
    assert response.status_code == 200
    return sorted(meeting_titles(response))


def feed_titles(client, q):
    response = client.get("/calendar.ics", {"q": q})
    assert response.status_code == 200
    return sorted(event["summary"] for event in parse(content_of(response)).values())


def search_sql(client, path, q):
    """The SQL of the queries that search (those with LIKE), as the database receives it, nothing cached."""
    version.publish({DATA, PIECES})
    with CaptureQueriesContext(connection) as queries:
        content_of(client.get(path, {"q": q}))
    # The parts that may differ: the time of the request (what is published by now), and the name of
    # the server-side cursor PostgreSQL reads a feed's rows through (numbered per connection).
    return [
        re.sub(
            r'"_django_curs_\d+_\w+_\d+"',
            '"cursor"',
            re.sub(r"'\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d[^']*'", "'now'", query["sql"]),
        )
        for query in queries.captured_queries
        if "LIKE" in query["sql"].upper()
    ]


@pytest.mark.parametrize("path", ["/meetings/", "/calendar.ics"])
def test_a_word_repeated_a_hundred_times_costs_what_the_word_costs(client, meetings, path):
    once = search_sql(client, path, "border")
    repeated = search_sql(client, path, " ".join(["border", "BORDER", "Border"] * 33))

    assert repeated == once
    assert once != []


@pytest.mark.parametrize("path", ["/meetings/", "/calendar.ics"])
def test_words_past_the_limit_add_no_terms(client, meetings, path):
    words = [f"word{number}" for number in range(MAX_SEARCH_WORDS)]

    at_limit = search_sql(client, path, " ".join(words))
    past_limit = search_sql(client, path, " ".join([*words, *(f"extra{number}" for number in range(90))]))

    assert past_limit == at_limit


def test_repeated_words_find_what_the_word_finds_on_the_list_and_the_feed(client, meetings):
    repeated = "police " * 100

    assert list_titles(client, repeated) == ["Border police cooperation", "Police training"]
    assert feed_titles(client, repeated) == ["Border police cooperation", "Police training"]


def test_words_past_the_limit_do_not_count_on_the_list_or_the_feed(client, meetings):
    # The first MAX_SEARCH_WORDS distinct words all match "Border police cooperation"; the rest would not.
    q = " ".join(["border", "police", "cooperation", "BORDER", "bor", "pol", "lice", "nowhere", "nothing"])
    assert MAX_SEARCH_WORDS == 6

    assert list_titles(client, q) == ["Border police cooperation"]
    assert feed_titles(client, q) == ["Border police cooperation"]


def test_the_search_box_shows_the_words_that_counted(client, meetings):
    response = client.get("/meetings/", {"q": "police Police  training police"})

    assert response.context["filter"].form["q"].value() == "police training"


def test_a_repeated_search_is_the_same_cached_page(client, meetings):
    client.get("/meetings/", {"q": "border"})

    response = client.get("/meetings/", {"q": "border Border  border"})

    assert response["X-Page-Cache"] == "hit"


def test_a_search_word_too_long_is_a_400_on_the_list_and_the_feed(client, meetings):
    q = "x" * 201
    message = "Ensure this value has at most 200 characters (it has 201)."

    on_the_list = client.get("/meetings/", {"q": q})
    on_the_feed = client.get("/calendar.ics", {"q": q})

    assert on_the_list.status_code == 400
    assert on_the_list.context["filter"].errors["q"] == [message]
    assert on_the_feed.status_code == 400
    assert on_the_feed.content.decode() == f"q: {message}"
