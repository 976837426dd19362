"""The whole-page cache: anonymous pages served from the cache, and every edit seen on the next request."""

import datetime
import gzip

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from events.cache import version
from events.cache.middleware import CACHE_STATUS_HEADER
from tests.support.factories import MeetingFactory, TopicFactory


def page_cache_status(response):
    return response.headers.get(CACHE_STATUS_HEADER)


@pytest.fixture
def meeting(db):
    return MeetingFactory(title="Meeting of Border Police Chiefs", slug="border-police-chiefs")


@pytest.mark.django_db
def test_second_anonymous_request_is_served_from_the_cache(client, meeting):
    first = client.get(meeting.get_absolute_url())
    second = client.get(meeting.get_absolute_url())

    assert (first.status_code, page_cache_status(first)) == (200, "miss")
    assert (second.status_code, page_cache_status(second)) == (200, "hit")
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


@pytest.mark.django_db
def test_cache_hit_runs_no_query(client, meeting, django_assert_num_queries):
    client.get(meeting.get_absolute_url())

    with django_assert_num_queries(0):
        response = client.get(meeting.get_absolute_url())

    assert page_cache_status(response) == "hit"


@pytest.mark.django_db(transaction=True)
def test_edit_through_the_orm_is_visible_on_the_next_request(client, meeting):
    assert b"Meeting of Border Police Chiefs" in client.get(meeting.get_absolute_url()).content

    meeting.title = "Meeting of Heads of Border Police"
    meeting.save()
    response = client.get(meeting.get_absolute_url())

    assert page_cache_status(response) == "miss"
    assert b"Meeting of Heads of Border Police" in response.content
    assert b"Meeting of Border Police Chiefs" not in response.content


@pytest.mark.django_db(transaction=True)
def test_renaming_a_venue_city_is_visible_on_the_home_page_at_once(client, meeting):
    assert b"Tirana" in client.get("/").content

    venue = meeting.venue
    venue.city = "Durrës"
    venue.save()
    response = client.get("/")

    assert page_cache_status(response) == "miss"
    assert "Durrës".encode() in response.content
    assert b"Tirana" not in response.content


@pytest.mark.django_db(transaction=True)
def test_adding_a_topic_changes_the_data_version(meeting):
    before = version.current()

    meeting.topics.add(TopicFactory(name="Cybercrime"))

    assert version.current().data != before.data


@pytest.mark.django_db(transaction=True)
def test_committed_edit_is_read_back_by_a_process_with_an_empty_cache(meeting):
    from django.core.cache import cache

    meeting.title = "Renamed"
    meeting.save()
    committed = version.current()
    # Another worker with a local-memory cache has no copy: it reads the database row.
    cache.delete(version.CACHE_KEY)

    assert version.current() == committed


@pytest.mark.django_db
def test_editor_with_a_session_is_never_served_from_the_cache(client, meeting, django_user_model):
    client.get(meeting.get_absolute_url())
    editor = django_user_model.objects.create_user("editor@example.org", password="a long enough pass")
    client.force_login(editor)

    response = client.get(meeting.get_absolute_url())

    assert response.status_code == 200
    assert page_cache_status(response) is None


@pytest.mark.django_db
def test_parameters_a_page_does_not_read_share_its_cached_copy(client, meeting):
    first = client.get(meeting.get_absolute_url())

    tracked = client.get(meeting.get_absolute_url() + "?utm_source=newsletter")
    other = client.get(meeting.get_absolute_url() + "?fbclid=abc&page=3")

    assert [page_cache_status(first), page_cache_status(tracked), page_cache_status(other)] == ["miss", "hit", "hit"]
    assert tracked.content == other.content == first.content


@pytest.mark.django_db
def test_gzip_and_plain_clients_get_their_own_cached_copies(client, meeting):
    url = meeting.get_absolute_url()
    plain_first = client.get(url)
    gzip_first = client.get(url, headers={"accept-encoding": "gzip, deflate"})
    gzip_again = client.get(url, headers={"accept-encoding": "gzip, deflate"})
    plain_again = client.get(url)

    assert [page_cache_status(r) for r in (plain_first, gzip_first, gzip_again, plain_again)] == [
        "miss",
        "miss",
        "hit",
        "hit",
    ]
    assert gzip_again["Content-Encoding"] == "gzip"
    assert gzip.decompress(gzip_again.content) == plain_again.content
    assert not plain_again.has_header("Content-Encoding")


@pytest.mark.django_db
def test_each_language_gets_its_own_cached_copy(client, meeting):
    """One language per address: the browser's language does not split a page's cached copies."""
    url = meeting.get_absolute_url()
    english = client.get(url, headers={"accept-language": "en"})
    english_for_albanian_browser = client.get(url, headers={"accept-language": "sq"})
    albanian = client.get(f"/sq{url}")
    albanian_again = client.get(f"/sq{url}", headers={"accept-language": "en"})

    assert [page_cache_status(r) for r in (english, english_for_albanian_browser, albanian, albanian_again)] == [
        "miss",
        "hit",
        "miss",
        "hit",
    ]
    assert english_for_albanian_browser["Content-Language"] == "en"
    assert albanian["Content-Language"] == albanian_again["Content-Language"] == "sq"
    assert not albanian.has_header("Vary") or "accept-language" not in albanian["Vary"].lower()


@pytest.mark.django_db
def test_unknown_page_is_not_cached(client):
    first = client.get("/meetings/no-such-meeting/")
    second = client.get("/meetings/no-such-meeting/")

    assert [first.status_code, second.status_code] == [404, 404]
    assert [page_cache_status(first), page_cache_status(second)] == [None, None]


def test_healthz_is_never_cached(client):
    first = client.get(reverse("healthz"))
    second = client.get(reverse("healthz"))

    assert [page_cache_status(first), page_cache_status(second)] == [None, None]


@pytest.mark.django_db
def test_admin_is_never_cached(client):
    first = client.get("/admin/login/")
    second = client.get("/admin/login/")

    assert [page_cache_status(first), page_cache_status(second)] == [None, None]


@pytest.mark.django_db
def test_conditional_request_goes_to_the_view(client, meeting):
    client.get(meeting.get_absolute_url())

    response = client.get(meeting.get_absolute_url(), headers={"if-none-match": '"anything"'})

    assert response.status_code == 200
    assert page_cache_status(response) is None


@pytest.mark.django_db(transaction=True)
def test_meeting_published_for_later_appears_when_its_time_comes_without_any_edit(client):
    publish_at = timezone.now() + datetime.timedelta(minutes=5)
    MeetingFactory(title="Scheduled meeting", publish_at=publish_at)
    MeetingFactory(title="Announced meeting")
    before = client.get("/")
    cached = client.get("/")

    with time_machine.travel(publish_at + datetime.timedelta(seconds=1), tick=False):
        after = client.get("/")

    assert [page_cache_status(before), page_cache_status(cached), page_cache_status(after)] == ["miss", "hit", "miss"]
    assert b"Announced meeting" in before.content
    assert b"Scheduled meeting" not in before.content
    assert b"Scheduled meeting" in after.content


# --- What a shared cache in front (nginx, a CDN) may keep: events/cache/headers.py -------------


@pytest.mark.django_db
def test_a_public_page_lets_shared_caches_keep_it_for_seconds_and_browsers_not_at_all(client, meeting):
    answers = [client.get(meeting.get_absolute_url()) for _ in range(2)]

    assert [page_cache_status(answer) for answer in answers] == ["miss", "hit"]
    assert [answer["Cache-Control"] for answer in answers] == ["public, max-age=0, s-maxage=2, must-revalidate"] * 2


@pytest.mark.django_db
def test_shared_cache_seconds_is_the_setting(client, meeting, settings):
    settings.SHARED_CACHE_SECONDS = 4

    page = client.get(meeting.get_absolute_url())
    feed = client.get("/calendar.ics")

    assert page["Cache-Control"] == "public, max-age=0, s-maxage=4, must-revalidate"
    assert sorted(feed["Cache-Control"].split(", ")) == ["max-age=300", "public", "s-maxage=4"]


@pytest.mark.django_db
def test_a_logged_in_editor_s_public_page_is_private(admin_client, meeting):
    response = admin_client.get(meeting.get_absolute_url())

    assert response["Cache-Control"] == "private"


@pytest.mark.django_db
def test_a_page_not_found_says_nothing_a_shared_cache_could_keep(client):
    response = client.get("/meetings/no-such-meeting/")

    assert response.status_code == 404
    assert "Cache-Control" not in response


@pytest.mark.django_db
def test_the_admin_login_form_is_private(client):
    response = client.get("/admin/login/")

    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]
