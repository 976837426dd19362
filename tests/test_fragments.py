"""events.cache.fragments: pages the page cache has not seen are built from per-meeting list entries, never stale ones.

A conditional request (If-None-Match) is never answered by the page cache, so these tests
build pages past it without changing what the page shows.
"""

import pytest

from tests.support.factories import MeetingFactory, MeetingOrganiserFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

PAST_THE_PAGE_CACHE = {"if-none-match": '"no-such-page"'}


@pytest.fixture
def listed(db):
    rcc = OrganisationFactory(name="Regional Cooperation Council", acronym="RCC", slug="rcc")
    meetings = MeetingFactory.create_batch(3)
    for meeting in meetings:
        MeetingOrganiserFactory(meeting=meeting, organisation=rcc)
    return {"rcc": rcc, "meetings": meetings}


def entries(response):
    html = response.content.decode()
    return html[html.index('<ul class="meeting-list">') : html.index("</ul>", html.index('<ul class="meeting-list">'))]


def test_a_new_query_string_reuses_the_list_entries(client, listed, django_assert_num_queries):
    first = client.get("/meetings/")
    with django_assert_num_queries(1) as queries:
        second = client.get("/meetings/", headers=PAST_THE_PAGE_CACHE)

    assert first.headers["X-Page-Cache"] == "miss"
    assert "X-Page-Cache" not in second.headers
    assert entries(second) == entries(first)
    assert entries(second).count("Organised by RCC") == 3
    # The organisers are part of the cached entries: not read again.
    assert not [query for query in queries.captured_queries if "events_meetingorganiser" in query["sql"]]


@pytest.mark.django_db(transaction=True)
def test_an_edit_shows_in_entries_of_pages_not_yet_cached(client, listed):
    client.get("/meetings/")
    rcc = listed["rcc"]
    rcc.acronym = "RCC Secretariat"
    rcc.save()
    meeting = listed["meetings"][0]
    meeting.title = "Renamed meeting"
    meeting.save()

    html = client.get("/meetings/", headers=PAST_THE_PAGE_CACHE).content.decode()

    assert html.count("Organised by RCC Secretariat") == 3
    assert "Renamed meeting" in html


def test_an_editors_draft_preview_is_never_kept_for_the_public(client, admin_client, listed):
    meeting = MeetingFactory(title="Secret draft", publication="draft")
    MeetingOrganiserFactory(meeting=meeting, organisation=listed["rcc"])

    preview = admin_client.get(meeting.get_absolute_url())
    assert "Draft — not public" in preview.content.decode()
    assert client.get(meeting.get_absolute_url()).status_code == 404

    meeting.publication = "published"
    meeting.save()
    public = client.get(meeting.get_absolute_url()).content.decode()
    assert "Secret draft" in public
    assert "Draft — not public" not in public


def test_entries_are_rendered_only_for_meetings_the_public_may_see(listed):
    from events.cache.fragments import list_entries

    public = listed["meetings"][0]
    draft = MeetingFactory(title="Unpublished since the page read its keys", publication="draft")

    entries = list_entries([public.pk, draft.pk])

    assert list(entries) == [public.pk]
