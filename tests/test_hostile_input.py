"""Hostile input: junk in every public URL's parameters and slugs never causes a 5xx, and
editor-entered text cannot put markup or script into pages."""

import datetime
import json
from html.parser import HTMLParser
from urllib.parse import quote, urlencode

import icalendar
import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.cache import version
from events.cache.version import DATA, PIECES
from events.filters import MeetingFilter
from tests.support.factories import MeetingFactory, OrganisationFactory, TopicFactory, VenueFactory

# The filter parameters (read from the filter itself, so a new one is junk-tested too) plus the
# ones list pages and feeds read.
PARAMETER_NAMES = [*MeetingFilter.base_filters, "page", "year", "month", "sort", "format"]

# Every public page (one per view); junk goes into each one's query string.
PUBLIC_PATHS = [
    "/",
    "/meetings/",
    "/meetings/2019/",
    "/meetings/2019/4/",
    "/meetings/regional-meeting/",
    "/calendar/",
    "/calendar/2019/4/",
    "/organisers/",
    "/organisers/rcc/",
    "/funders/",
    "/feeds/meetings.rss",
    "/feeds/meetings.atom",
    "/sitemap.xml",
    "/sitemap-meetings.xml",
    "/calendar.ics",
    "/meetings/regional-meeting.ics",
    "/meetings/regional-meeting/cluster.ics",
    "/subscribe/",
]
# Path segments typed as numbers or slugs in the URL patterns.
PATH_TEMPLATES = [
    "/meetings/{slug}/",
    "/organisers/{slug}/",
    "/funders/{slug}/",
    "/meetings/{slug}.ics",
    "/meetings/{slug}/cluster.ics",
    "/meetings/{number}/",
    "/meetings/{number}/{number}/",
    "/calendar/{number}/{number}/",
]

KNOWN_TROUBLE = [
    "",
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "9999-12-31",
    "-0001-01-01",
    "1e309",
    "NaN",
    "-1",
    "0",
    "99999999999999999999999999999999",
    "' OR 1=1 --",
    "<script>alert(1)</script>",
    "\x00",
    "a\x00b",
    "%00",
    "../../etc/passwd",
    "\r\nSet-Cookie: x=1",
    "ǅ𝔘𝔫𝔦𝔠𝔬𝔡𝔢 Косово 🇽🇰",
    "x" * 10_000,
    "é" * 10_000,
]

# Text without lone surrogates (those cannot be sent as UTF-8 at all).
any_text = st.text(st.characters(codec="utf-8"), max_size=40)
junk_values = st.one_of(
    st.sampled_from(KNOWN_TROUBLE),
    any_text,
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.dates().map(datetime.date.isoformat),
)
# Repeated names are allowed: the same parameter may come several times.
junk_query = st.lists(st.tuples(st.sampled_from(PARAMETER_NAMES) | any_text, junk_values), max_size=6)

FUZZ_SETTINGS = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def some_meetings(db):
    topic = TopicFactory(name="Border security", slug="border-security")
    organiser = OrganisationFactory(name="Regional Cooperation Council", slug="rcc")
    meeting = MeetingFactory(title="Regional meeting", slug="regional-meeting", start_date=datetime.date(2030, 5, 14))
    meeting.topics.add(topic)
    meeting.organisers.add(organiser)
    MeetingFactory(title="Past meeting", slug="past-meeting", start_date=datetime.date(2019, 4, 24))


def assert_not_server_error(response, url):
    assert response.status_code < 500, f"{response.status_code} for {url[:300]!r}"


@pytest.mark.parametrize("path", PUBLIC_PATHS)
@FUZZ_SETTINGS
@given(query=junk_query)
def test_junk_query_parameters_never_cause_a_server_error(client, some_meetings, path, query):
    url = f"{path}?{urlencode(query)}"

    assert_not_server_error(client.get(url), url)


@pytest.mark.parametrize("template", PATH_TEMPLATES)
@FUZZ_SETTINGS
@given(
    slug=st.one_of(st.sampled_from(KNOWN_TROUBLE), any_text),
    number=st.one_of(st.integers(min_value=0, max_value=10**30), st.sampled_from(["0", "00", "-1", "1e3"])),
)
def test_junk_in_url_paths_never_causes_a_server_error(client, some_meetings, template, slug, number):
    url = template.format(slug=quote(slug, safe=""), number=number)

    assert_not_server_error(client.get(url), url)


@pytest.mark.django_db
def test_very_long_query_string_gets_no_server_error(client):
    url = "/meetings/?" + "&".join(f"q={'x' * 100}" for _ in range(1900))

    assert client.get(url).status_code < 500


class MarkupCollector(HTMLParser):
    """What a browser would treat as live markup: scripts, event-handler attributes, script URLs."""

    def __init__(self):
        super().__init__()
        self.scripts = []
        self.handler_attributes = []
        self.script_urls = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.handler_attributes.append((tag, name))
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                ("javascript:", "data:", "vbscript:")
            ):
                self.script_urls.append((tag, value))
        if tag == "script":
            self._in_script = {"type": attributes.get("type"), "src": attributes.get("src"), "text": ""}
            self.scripts.append(self._in_script)

    def handle_data(self, data):
        if self._in_script is not None:
            self._in_script["text"] += data

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


HOSTILE_TEXT = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
HOSTILE_MARKDOWN = (
    "Agenda\n\n"
    "<script>alert(3)</script>\n\n"
    '<iframe src="https://evil.example/"></iframe>\n\n'
    "[click](javascript:alert(4)) and [data](data:text/html,<script>alert(5)</script>)\n\n"
    '<a href="https://example.org/" onclick="alert(6)">link</a>\n\n'
    "</script><script>alert(7)</script>"
)


@pytest.mark.django_db
def test_editor_text_cannot_inject_markup_or_script_into_the_meeting_page(client):
    MeetingFactory(
        title=f"Meeting {HOSTILE_TEXT}",
        slug="hostile",
        summary=f"Summary {HOSTILE_TEXT}",
        description=HOSTILE_MARKDOWN,
        status_note=HOSTILE_TEXT,
    )

    response = client.get("/meetings/hostile/")
    page = MarkupCollector()
    page.feed(response.content.decode())

    assert response.status_code == 200
    assert page.handler_attributes == []
    assert page.script_urls == []
    # Only data blocks (structured data) and same-site script files; no inline code.
    executable = [script for script in page.scripts if script["type"] != "application/ld+json"]
    assert [script for script in executable if not (script["src"] or "").startswith("/static/")] == []
    for data_block in page.scripts:
        if data_block["type"] == "application/ld+json":
            assert json.loads(data_block["text"])  # still whole: the title did not break out of it
    assert "<iframe" not in response.content.decode()
    assert f"Meeting {HOSTILE_TEXT}" in html_text(response.content.decode())


def html_text(markup):
    """The page's text as a reader sees it (entities decoded)."""
    parts = []
    parser = HTMLParser()
    parser.handle_data = parts.append
    parser.feed(markup)
    return "".join(parts)


# Any text an editor could type or paste, control characters included (not lone surrogates,
# which cannot be stored as UTF-8).
editor_text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=80).filter(
    str.strip
)
ICS_TRAPS = st.sampled_from(
    [
        "\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:injected",
        "\nX-INJECTED:1",
        "\rATTACH:http://evil.example/",
        "\x0b\x1b\x7f",
    ]
)


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(title=editor_text, trap=ICS_TRAPS, city=editor_text)
def test_editor_text_cannot_add_lines_or_events_to_the_calendar_feed(client, db, title, trap, city):
    # The examples share one test database: each runs in a savepoint rolled back afterwards. Rolled
    # back, no version moves, so each example starts new ones (nothing cached by the one before).
    version.publish({DATA, PIECES})
    with transaction.atomic():
        meeting = MeetingFactory(
            title=f"{title}{trap}",
            slug="hostile-text",
            summary=f"{trap}{title}",
            status_note=trap,
            venue=VenueFactory(name=trap, city=city[:100]),
            start_date=datetime.date(2030, 5, 14),
        )

        response = client.get(f"/meetings/{meeting.slug}.ics")
        content = b"".join(response.streaming_content) if response.streaming else response.content
        transaction.set_rollback(True)

    events = icalendar.Calendar.from_ical(content).walk("VEVENT")
    assert response.status_code == 200
    assert [str(event["UID"]) for event in events] == [str(meeting.uid)]
    assert [name for name in events[0] if name.startswith("X-INJECTED") or name == "ATTACH"] == []
