"""The sitemap is an index of pages of at most URLS_PER_PAGE URLs, each built once per data version."""

import gzip

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Publication
from events.public.sitemaps import URLS_PER_PAGE, MeetingSitemap
from tests.support.factories import MeetingFactory
from tests.support.html import parse_xml

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
PROTOCOL_LIMIT = 50_000


def index_locations(response):
    return [loc.text for loc in parse_xml(response.content).findall("sm:sitemap/sm:loc", NS)]


def url_locations(response):
    return [loc.text for loc in parse_xml(response.content).findall("sm:url/sm:loc", NS)]


def queries_of(call):
    with CaptureQueriesContext(connection) as queries:
        response = call()
    return response, len(queries)


def in_every_language(path):
    """A page's address in each of the site's languages, English (the root) first."""
    return [f"http://testserver{'' if code == 'en' else '/' + code}{path}" for code, _name in settings.LANGUAGES]


@pytest.fixture
def two_per_page(monkeypatch):
    """Two meetings a page: each is listed once per language."""
    monkeypatch.setattr(MeetingSitemap, "limit", 2 * len(settings.LANGUAGES))


def test_pages_stay_within_the_protocols_limit():
    assert URLS_PER_PAGE <= PROTOCOL_LIMIT
    assert MeetingSitemap.limit == URLS_PER_PAGE


def test_index_lists_each_page_of_each_section(client, two_per_page):
    for number in range(5):
        MeetingFactory(slug=f"meeting-{number}")

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert index_locations(response) == [
        "http://testserver/sitemap-pages.xml",
        "http://testserver/sitemap-meetings.xml",
        "http://testserver/sitemap-meetings.xml?p=2",
        "http://testserver/sitemap-meetings.xml?p=3",
    ]


def test_sections_list_the_fixed_pages_and_published_meetings_page_by_page(client, two_per_page):
    for number in range(3):
        MeetingFactory(slug=f"meeting-{number}")
    MeetingFactory(slug="draft", publication=Publication.DRAFT)

    pages = url_locations(client.get("/sitemap-pages.xml"))
    first = url_locations(client.get("/sitemap-meetings.xml"))
    second = url_locations(client.get("/sitemap-meetings.xml?p=2"))

    assert pages == [
        *in_every_language("/"),
        *in_every_language("/meetings/"),
        *in_every_language("/organisers/"),
        *in_every_language("/funders/"),
    ]
    assert first == [*in_every_language("/meetings/meeting-0/"), *in_every_language("/meetings/meeting-1/")]
    assert second == in_every_language("/meetings/meeting-2/")


def test_every_address_names_its_other_languages_and_english_as_the_default(client):
    MeetingFactory(slug="everywhere")

    urls = parse_xml(client.get("/sitemap-meetings.xml").content).findall("sm:url", NS)

    assert len(urls) == len(settings.LANGUAGES)
    for url in urls:
        alternates = [(link.get("hreflang"), link.get("href")) for link in url.findall("xhtml:link", NS)]
        assert alternates == [
            *zip([code for code, _name in settings.LANGUAGES], in_every_language("/meetings/everywhere/"), strict=True),
            ("x-default", "http://testserver/meetings/everywhere/"),
        ]


# Committed for real: the data version moves when a transaction commits.
@pytest.mark.django_db(transaction=True)
def test_a_sitemap_page_is_built_once_per_data_version(client):
    MeetingFactory(slug="first")
    client.get("/sitemap-meetings.xml")

    again, queries = queries_of(lambda: client.get("/sitemap-meetings.xml"))
    MeetingFactory(slug="second")
    after_edit = client.get("/sitemap-meetings.xml")

    assert queries == 0
    assert url_locations(again) == in_every_language("/meetings/first/")
    assert url_locations(after_edit) == [
        *in_every_language("/meetings/first/"),
        *in_every_language("/meetings/second/"),
    ]


@pytest.mark.django_db(transaction=True)
def test_unpublishing_a_meeting_takes_it_out_of_the_cached_sitemap(client):
    meeting = MeetingFactory(slug="soon-hidden")
    assert url_locations(client.get("/sitemap-meetings.xml")) == in_every_language("/meetings/soon-hidden/")

    meeting.publication = Publication.DRAFT
    meeting.save()

    assert url_locations(client.get("/sitemap-meetings.xml")) == []


@pytest.mark.parametrize("path", ["/sitemap.xml", "/sitemap-meetings.xml", "/sitemap-pages.xml"])
def test_junk_query_parameters_cost_no_rebuild(client, path):
    MeetingFactory(slug="kept")
    first = client.get(path)

    junk, queries = queries_of(lambda: client.get(path, {"utm_source": "x", "q": "y" * 500, "page": "7"}))

    assert queries == 0
    assert junk.content == first.content


@pytest.mark.parametrize("page", ["0", "01", "2", "99999999999", "-1", "abc", "1e3", "", " 1"])
def test_a_page_that_is_not_there_is_a_404(client, page):
    MeetingFactory(slug="only")

    assert client.get("/sitemap-meetings.xml", {"p": page}).status_code == 404


def test_an_unknown_section_is_a_404(client):
    assert client.get("/sitemap-drafts.xml").status_code == 404


def test_a_gzip_client_gets_the_same_sitemap_compressed(client):
    MeetingFactory(slug="zipped")
    plain = client.get("/sitemap-meetings.xml")

    zipped = client.get("/sitemap-meetings.xml", HTTP_ACCEPT_ENCODING="gzip")

    assert zipped["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped["Vary"]
    assert zipped["X-Robots-Tag"] == "noindex, noodp, noarchive"
    assert gzip.decompress(zipped.content) == plain.content
    assert url_locations(plain) == in_every_language("/meetings/zipped/")
