"""The cache's promises, each through the real stack: right on the next request, or within a stated bound.

Each test is a defect the cache once had (a rolled-back save, a stalled or hung Redis, a scheduled
partner, a renamed venue, several processes, midnight, tracking parameters, version reads and
bumps, restores, fragments rendered for a user). They run with the suite's cache: local memory,
or Redis when REDIS_URL is set (CI); those that need Redis itself say so.
"""

import datetime
import os
import re
import socket
import threading
import time
import zoneinfo

import pytest
import time_machine
from django.core.cache import cache, caches
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.cache import budget, invalidate_all, version
from events.cache.backends import mark_available
from events.models import LinkKind, Meeting, MeetingOrganiser
from tests.support.admin_forms import form_data
from tests.support.calendars import content_of, parse
from tests.support.factories import (
    BackToBackFactory,
    MeetingFactory,
    MeetingOrganiserFactory,
    OrganisationFactory,
    TopicFactory,
    VenueFactory,
)
from tests.support.html import texts
from tests.support.importing import upload

pytestmark = pytest.mark.django_db(transaction=True)

BELGRADE = zoneinfo.ZoneInfo("Europe/Belgrade")
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/3"


def page_status(response):
    return response.headers.get("X-Page-Cache")


def entries_of(kind):
    """The keys the default cache holds for one kind of cached thing (pages, feed bodies…)."""
    if hasattr(cache, "_cache"):  # local memory
        head = f"{cache.key_prefix}:{cache.version}:"
        return [k for k in cache._cache if k.startswith(f"{head}{kind}:")]
    return list(cache.keys(f"{kind}:*"))


def feed_events(client, url="/calendar.ics?date_from=2000-01-01"):
    response = client.get(url)
    assert response.status_code == 200
    return parse(content_of(response))


def redis_reachable():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not redis_reachable(), reason="needs Redis on 127.0.0.1:6379")


class PausableProxy:
    """A TCP proxy to Redis that can stall: while paused it holds what it receives, as a hung server does."""

    def __init__(self, target=("127.0.0.1", 6379)):
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.running = threading.Event()
        self.running.set()
        self.connections = 0
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            upstream = socket.create_connection(self.target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self.pipe, args=(source, sink), daemon=True).start()

    def pipe(self, source, sink):
        try:
            while data := source.recv(65536):
                self.running.wait()
                sink.sendall(data)
        except OSError:
            pass

    def close(self):
        self.listener.close()


def redis_cache_settings(settings, url, **options):
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "events.cache.backends.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": settings.CACHES["default"].get("KEY_PREFIX", ""),
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.25, "SOCKET_TIMEOUT": 0.25, **options},
        },
    }


# --- 1. A rolled-back save ------------------------------------------------------------------------


def test_a_rolled_back_save_keeps_the_next_scheduled_publication(client):
    now = timezone.now()
    MeetingFactory(title="Published at ten", publish_at=now + datetime.timedelta(minutes=5))
    other = MeetingFactory(title="Another meeting")
    assert "Published at ten" not in client.get("/meetings/").content.decode()
    feed = client.get("/calendar.ics")

    with pytest.raises(RuntimeError), transaction.atomic():
        other.title = "Renamed, then rolled back"
        other.save()
        raise RuntimeError("the save fails after its signals ran")

    with time_machine.travel(now + datetime.timedelta(minutes=6), tick=False):
        listed = client.get("/meetings/")
        poll = client.get("/calendar.ics", headers={"if-none-match": feed["ETag"]})

    assert page_status(listed) == "miss"
    assert "Published at ten" in listed.content.decode()
    assert "Renamed, then rolled back" not in listed.content.decode()
    assert poll.status_code == 200
    assert "Published at ten" in [event["summary"] for event in parse(content_of(poll)).values()]


# --- 2. A stalled or hung Redis ---------------------------------------------------------------------


@needs_redis
def test_an_edit_made_while_redis_stalls_shows_within_the_version_bound(settings):
    proxy = PausableProxy()
    redis_cache_settings(settings, f"redis://127.0.0.1:{proxy.port}/3", RETRY_AFTER=0)
    settings.VERSION_CACHE_SECONDS = 0.5
    client = Client()
    meeting = MeetingFactory(title="Before the stall")
    assert "Before the stall" in client.get("/meetings/").content.decode()
    feed = client.get("/calendar.ics?date_from=2000-01-01")

    proxy.running.clear()  # Redis stops answering
    meeting.title = "Edited during the stall"
    meeting.save()  # committed; the cache cannot hear of it
    proxy.running.set()  # Redis answers again, with the version copy it had
    mark_available(settings.CACHES["default"]["LOCATION"])

    # The copy it holds expires within VERSION_CACHE_SECONDS, Redis's own clock: wait for that, no longer.
    deadline = time.monotonic() + 2
    while cache.get(version.CACHE_KEY) is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    listed = client.get("/meetings/")
    poll = client.get("/calendar.ics?date_from=2000-01-01", headers={"if-none-match": feed["ETag"]})
    proxy.close()

    assert "Edited during the stall" in listed.content.decode()
    assert poll.status_code == 200


def test_a_hung_redis_costs_pages_at_most_one_socket_timeout(settings):
    # A server that accepts connections and never answers.
    hung = socket.create_server(("127.0.0.1", 0))
    hung.listen(100)
    redis_cache_settings(settings, f"redis://127.0.0.1:{hung.getsockname()[1]}/3", RETRY_AFTER=5)
    MeetingFactory(title="Served from the database", start_date=datetime.date(2030, 5, 14))
    client = Client()

    timings = {}
    for path in ("/", "/calendar/2030/5/", "/meetings/", "/calendar.ics"):
        started = time.monotonic()
        response = client.get(path)
        timings[path] = (response.status_code, time.monotonic() - started)
    hung.close()

    assert {path: status for path, (status, _) in timings.items()} == dict.fromkeys(timings, 200)
    # One socket timeout (0.25 s) for the first call, then the cache is left alone: no page waits longer.
    assert max(elapsed for _, elapsed in timings.values()) < 1.0, timings


# --- 3. A linked meeting that becomes public by schedule ----------------------------------------------


def test_a_partner_published_by_schedule_appears_in_the_vevent_description(client):
    now = timezone.now()
    week = MeetingFactory(title="Border Police Week", start_date=datetime.date(2030, 5, 14))
    side = MeetingFactory(
        title="Study visit to the border",
        start_date=datetime.date(2030, 5, 15),
        publish_at=now + datetime.timedelta(minutes=5),
    )
    BackToBackFactory(from_meeting=week, to_meeting=side, kind=LinkKind.STUDY_VISIT)
    before = feed_events(client)[str(week.uid)]["description"]

    with time_machine.travel(now + datetime.timedelta(minutes=6), tick=False):
        after = feed_events(client)[str(week.uid)]["description"]
        page = client.get(week.get_absolute_url()).content.decode()

    assert "Study visit to the border" not in before
    assert "Study visit: Study visit to the border (15 May 2030)" in after.splitlines()
    assert "Study visit to the border" in page


# --- 4. Shared data changes the VEVENT: a new DTSTAMP and LAST-MODIFIED ------------------------------


@pytest.mark.parametrize("change", ["venue", "organisation", "topic"])
def test_renaming_shared_data_gives_the_vevent_a_later_dtstamp(client, change):
    import icalendar

    meeting = MeetingFactory(venue=VenueFactory(name="Hotel Tirana"))
    rcc = OrganisationFactory(name="Regional Cooperation Council", acronym="RCC")
    MeetingOrganiserFactory(meeting=meeting, organisation=rcc)
    topic = TopicFactory(name="Border security")
    meeting.topics.add(topic)

    def vevent():
        response = client.get("/calendar.ics?date_from=2000-01-01")
        return icalendar.Calendar.from_ical(content_of(response)).walk("VEVENT")[0]

    before = vevent()
    later = timezone.now() + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        renamed = {"venue": meeting.venue, "organisation": rcc, "topic": topic}[change]
        renamed.name = "Renamed"
        if change == "organisation":
            renamed.acronym = "RNM"
        renamed.save()
    after = vevent()

    assert after.decoded("SEQUENCE") == before.decoded("SEQUENCE")
    assert after.decoded("DTSTAMP") > before.decoded("DTSTAMP")
    assert after.decoded("LAST-MODIFIED") == after.decoded("DTSTAMP")
    assert after.decoded("DTSTAMP") >= later.replace(microsecond=0)
    text = {
        "venue": str(after["LOCATION"]),
        "organisation": str(after["DESCRIPTION"]),
        "topic": after.get("CATEGORIES").to_ical().decode(),
    }[change]
    assert ("RNM" if change == "organisation" else "Renamed") in text


# --- 5. Several processes without Redis ---------------------------------------------------------------


def test_processes_with_their_own_local_memory_agree_within_the_version_bound(settings):
    """Two workers, each with its own memory (no Redis): a rename saved by one reaches the other
    within VERSION_CACHE_SECONDS, VEVENTs included."""
    settings.VERSION_CACHE_SECONDS = 2
    rcc = OrganisationFactory(name="Regional Cooperation Council", acronym="RCC")
    meeting = MeetingFactory()
    MeetingOrganiserFactory(meeting=meeting, organisation=rcc)

    def worker(name):
        """Requests as served by the worker whose memory is `name`."""
        settings.CACHES = {
            **settings.CACHES,
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": name},
        }
        if name not in started:
            caches["default"].clear()
            started.add(name)
        return Client()

    started = set()
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert "RCC" in feed_events(worker("worker-a"))[str(meeting.uid)]["description"]
        assert "RCC" in feed_events(worker("worker-b"))[str(meeting.uid)]["description"]
        worker("worker-a")
        rcc.acronym = "RCC Secretariat"
        rcc.save()
        assert "RCC Secretariat (Organiser)" in feed_events(worker("worker-a"))[str(meeting.uid)]["description"]
    with time_machine.travel(now + datetime.timedelta(seconds=2.5), tick=False):
        description = feed_events(worker("worker-b"))[str(meeting.uid)]["description"]
        page = worker("worker-b").get(meeting.get_absolute_url()).content.decode()

    assert "Organisers: RCC Secretariat (Organiser)" in description.splitlines()
    assert "RCC Secretariat" in page


# --- 6. Midnight --------------------------------------------------------------------------------------


def today_in_grid(html):
    return re.search(r'aria-current="date">\s*<span class="day-number" aria-hidden="true">(\d+)</span>', html).group(1)


def test_pages_change_at_midnight_though_nothing_was_edited(client):
    evening = datetime.datetime(2030, 5, 14, 23, 58, tzinfo=BELGRADE)
    MeetingFactory(title="Ends today", start_date=datetime.date(2030, 5, 14))
    MeetingFactory(title="Tomorrow's meeting", start_date=datetime.date(2030, 5, 15))

    with time_machine.travel(evening, tick=False):
        home_before = client.get("/").content.decode()
        grid_before = client.get("/calendar/2030/5/").content.decode()
    with time_machine.travel(evening + datetime.timedelta(minutes=3), tick=False):
        home = client.get("/")
        grid = client.get("/calendar/2030/5/")

    upcoming_before = " ".join(texts(home_before, "section", "list-section-upcoming"))
    upcoming = " ".join(texts(home.content, "section", "list-section-upcoming"))
    past = " ".join(texts(home.content, "section", "list-section-past"))
    assert "Ends today" in upcoming_before
    assert page_status(home) == "miss"
    # Now among the past meetings, and its entry says so: entries are keyed on the day too.
    assert "Ends today" not in upcoming
    assert "Ends today Took place" in past
    assert "Tomorrow's meeting" in upcoming
    assert (today_in_grid(grid_before), today_in_grid(grid.content.decode())) == ("14", "15")


# --- 7. Tracking parameters and what one client can make the cache hold --------------------------------


def test_tracking_parameters_map_to_one_cache_entry_per_filter(client):
    MeetingFactory(title="Regional meeting", start_date=datetime.date(2030, 5, 14))
    for number in range(50):
        assert client.get(f"/calendar.ics?utm_source={number}&topic=&fbclid=x{number}").status_code == 200
        assert client.get(f"/meetings/?utm_campaign={number}").status_code == 200
    client.get("/calendar.ics?status=confirmed&utm_source=1")
    client.get("/calendar.ics?utm_source=2&status=confirmed&status=confirmed")

    # /calendar.ics, /meetings/, and /calendar.ics?status=confirmed: one entry each.
    assert len(entries_of("page")) == 3


def test_one_client_inventing_filters_cannot_fill_the_cache(client, settings):
    MeetingFactory(title="Regional meeting", start_date=datetime.date(2030, 5, 14))
    # At the start of a budget window (they are PAGE_CACHE_TIMEOUT long), so none begins mid-test.
    with time_machine.travel(datetime.datetime(2030, 1, 1, 12, 0, 1, tzinfo=datetime.UTC), tick=False):
        client.get("/meetings/?q=nothing10")
        one_filter = budget.spent("127.0.0.1")  # its page, its filter form and its counts
        # Room for three such filters (the one just stored among them), not four.
        settings.PAGE_CACHE_CLIENT_BYTES = int(3.5 * one_filter)

        for number in range(20):
            client.get(f"/meetings/?q=nothing{number}")
        stored_by_one = len(entries_of("page"))
        spent_by_one = budget.spent("127.0.0.1")
        Client(REMOTE_ADDR="192.0.2.7").get("/meetings/?q=another")

    assert stored_by_one == 3
    assert spent_by_one <= settings.PAGE_CACHE_CLIENT_BYTES
    assert len(entries_of("page")) == 4


# --- 8. The version is read once per request and moves once per transaction ---------------------------


def test_a_cold_list_page_reads_the_version_once(client, monkeypatch):
    for number in range(25):
        MeetingFactory(title=f"Meeting {number}")
    reads = []
    real_read = version._read
    monkeypatch.setattr(version, "_read", lambda *entry: reads.append(1) or real_read(*entry))

    response = client.get("/meetings/?page=1")  # an empty parameter (?topic=) is a redirect now

    assert response.status_code == 200
    assert len(reads) == 1


def test_one_admin_save_publishes_one_version(admin_client):
    """A save that renames the meeting, changes an organiser's role and replaces its topics."""
    meeting = MeetingFactory(title="Before")
    MeetingOrganiserFactory(meeting=meeting, organisation=OrganisationFactory(slug="rcc"))
    meeting.topics.add(TopicFactory(name="Old topic"))
    new_topic = TopicFactory(name="New topic")
    url = f"/admin/events/meeting/{meeting.pk}/change/"
    data = form_data(admin_client.get(url))
    data.update({"title_en": "After", "topics": [str(new_topic.pk)], "organiser_roles-0-role": "host"})

    with CaptureQueriesContext(connection) as queries:
        response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    updates = [query["sql"] for query in queries.captured_queries if "events_dataversion" in query["sql"]]
    assert [sql.split()[0] for sql in updates] == ["SELECT", "UPDATE"]
    meeting.refresh_from_db()
    assert (meeting.title, list(meeting.topics.values_list("name", flat=True))) == ("After", ["New topic"])
    assert MeetingOrganiser.objects.get(meeting=meeting).role == "host"


# --- 9. Bulk writes move every axis ---------------------------------------------------------------------


def test_a_bulk_load_or_restore_starts_new_data_and_vevent_versions():
    before = version.current()
    with transaction.atomic():
        invalidate_all()
        assert version.current() == before  # nothing before the commit
    after = version.current()

    assert after.data != before.data
    assert after.pieces != before.pieces


# --- 10. Fragments shared by everyone know nothing of who asked ------------------------------------------


STAFF_AWARE_ENTRY = "<li>{{ meeting.title }}{% if user.is_staff %} [edit]{% endif %}{{ request.path }}</li>"


def test_list_entries_are_rendered_without_the_request_or_its_user(client, admin_client, settings):
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "APP_DIRS": False,
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "loaders": [
                    (
                        "django.template.loaders.locmem.Loader",
                        {"includes/meeting_item.html": STAFF_AWARE_ENTRY},
                    ),
                    "django.template.loaders.filesystem.Loader",
                    "django.template.loaders.app_directories.Loader",
                ],
            },
        }
    ]
    MeetingFactory(title="Shared entry")

    assert admin_client.get("/meetings/").status_code == 200  # an editor renders the entries first
    public = client.get("/meetings/", headers={"if-none-match": '"no-such-page"'}).content.decode()

    assert "<li>Shared entry</li>" in public
    assert "[edit]" not in public


def test_organisation_history_page_answers_in_the_admin(admin_client):
    organisation = OrganisationFactory(name="Regional Cooperation Council")
    MeetingOrganiser.objects.create(meeting=MeetingFactory(), organisation=organisation)

    response = admin_client.get(f"/admin/organisations/organisation/{organisation.pk}/history/")

    assert response.status_code == 200


# --- More of the same promises ----------------------------------------------------------------------


def test_cached_pages_are_still_served_while_the_database_is_down(client, settings):
    from django.db import connections

    from tests.test_availability import unreachable_database_connection

    settings.VERSION_CACHE_SECONDS = 2
    MeetingFactory(title="Kept in the cache", slug="kept")
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert client.get("/meetings/kept/").status_code == 200
    working = connections["default"]
    connections._connections.default = unreachable_database_connection()
    try:
        # Past the version copy's lifetime: the version cannot be read again, the last one known stands.
        with time_machine.travel(now + datetime.timedelta(seconds=30), tick=False):
            cached = client.get("/meetings/kept/")
            uncached = Client(raise_request_exception=False).get("/meetings/")
    finally:
        connections._connections.default = working

    assert (cached.status_code, page_status(cached)) == (200, "hit")
    assert "Kept in the cache" in cached.content.decode()
    assert uncached.status_code == 503


def test_an_organiser_change_rolled_back_in_a_savepoint_is_touched_again(client):
    meeting = MeetingFactory()
    role = MeetingOrganiserFactory(meeting=meeting, organisation=OrganisationFactory(acronym="RCC"))
    before = feed_events(client)[str(meeting.uid)]
    later = timezone.now() + datetime.timedelta(minutes=1)

    with time_machine.travel(later, tick=False), transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            role.role = "host"
            role.save()  # touches the meeting, then the savepoint is rolled back
            raise RuntimeError
        role.role = "chair"
        role.save()
    after = feed_events(client)[str(meeting.uid)]

    assert "Organisers: RCC (Chair)" in after["description"].splitlines()
    assert "Organisers: RCC (Organiser)" in before["description"].splitlines()


def test_a_new_release_gives_feeds_a_new_etag(client, settings):
    MeetingFactory()
    first = client.get("/calendar.ics?date_from=2000-01-01")

    settings.RELEASE = "next-release"
    again = client.get("/calendar.ics?date_from=2000-01-01", headers={"if-none-match": first["ETag"]})

    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]


# --- 11. Public versions move only for public changes -------------------------------------------------

PUBLIC_PAGES = ["/", "/meetings/", "/meetings/board-of-the-rcc/"]
PUBLIC_FEEDS = ["/calendar.ics", "/calendar.ics?date_from=2000-01-01", "/meetings/board-of-the-rcc.ics"]


@pytest.fixture
def public_and_draft():
    """A published meeting (in every public answer) and a draft, each with an organiser, a venue, a topic."""
    soon = datetime.date.today() + datetime.timedelta(days=30)
    board = MeetingFactory(title="Board of the RCC", start_date=soon, venue=VenueFactory(name="Hotel Tirana"))
    MeetingOrganiserFactory(meeting=board, organisation=OrganisationFactory(name="Regional Cooperation Council"))
    board.topics.add(TopicFactory(name="Border security"))
    draft = MeetingFactory(
        title="Draft meeting",
        start_date=soon,
        publication="draft",
        venue=VenueFactory(name="Draft venue"),
    )
    MeetingOrganiserFactory(meeting=draft, organisation=OrganisationFactory(name="Draft partner"))
    return board, draft


def public_answers(client):
    """What a visitor and a subscriber hold: each page (cached), each feed's ETag and Last-Modified."""
    answers = {}
    for url in PUBLIC_PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        answers[url] = response.content
    for url in PUBLIC_FEEDS:
        response = client.get(url)
        assert response.status_code == 200, url
        answers[url] = (response["ETag"], response["Last-Modified"])
    return answers


def assert_unchanged(client, before):
    """Every page is still a page-cache hit, byte for byte; every feed keeps its ETag and answers 304 to it."""
    for url in PUBLIC_PAGES:
        response = client.get(url)
        assert (page_status(response), response.content) == ("hit", before[url]), url
    for url in PUBLIC_FEEDS:
        response = client.get(url)
        assert (response["ETag"], response["Last-Modified"]) == before[url], url
        assert client.get(url, headers={"if-none-match": before[url][0]}).status_code == 304, url


def moved(client, before):
    """The public answers whose version moved: pages rebuilt, feeds with a new ETag."""
    changed = [url for url in PUBLIC_PAGES if page_status(client.get(url)) != "hit"]
    changed += [url for url in PUBLIC_FEEDS if client.get(url).get("ETag") != before[url][0]]
    return changed


def test_a_draft_edited_in_the_admin_leaves_every_public_answer_as_it_was(client, admin_client, public_and_draft):
    _board, draft = public_and_draft
    small_arms = TopicFactory(name="Small arms")  # a new topic is public: the filter form lists it
    before = public_answers(client)
    version_before = version.current()
    url = f"/admin/events/meeting/{draft.pk}/change/"
    data = form_data(admin_client.get(url))
    data.update(
        {
            "title_en": "Draft meeting, renamed",
            "topics": [str(small_arms.pk)],
            "organiser_roles-0-role": "host",
            "fundings-0-organisation": str(OrganisationFactory(name="Draft funder").pk),
            "fundings-0-position": "0",
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert version.current() == version_before
    assert_unchanged(client, before)
    # The editor sees the change at once: the admin and the draft's preview are not keyed on public versions.
    assert "Draft meeting, renamed" in admin_client.get(url).content.decode()
    preview = admin_client.get(draft.get_absolute_url()).content.decode()
    assert "Draft meeting, renamed" in preview
    assert "Small arms" in preview


def test_a_new_draft_with_a_new_venue_and_partner_leaves_every_public_answer_as_it_was(
    client, admin_client, public_and_draft
):
    before = public_answers(client)
    venue = VenueFactory(name="New hotel")
    partner = OrganisationFactory(name="New partner")
    data = form_data(admin_client.get("/admin/events/meeting/add/"))
    data.update(
        {
            "title_en": "A new draft",
            "slug": "a-new-draft",
            "date_precision": "day",
            "start_date": "2030-04-24",
            "venue": str(venue.pk),
            "organiser_roles-0-organisation": str(partner.pk),
            "organiser_roles-0-role": "organiser",
            "organiser_roles-0-position": "0",
        }
    )

    response = admin_client.post("/admin/events/meeting/add/", data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert_unchanged(client, before)


def test_deleting_a_draft_leaves_every_public_answer_as_it_was(client, admin_client, public_and_draft):
    _board, draft = public_and_draft
    BackToBackFactory(from_meeting=draft, to_meeting=MeetingFactory(title="Another draft", publication="draft"))
    before = public_answers(client)

    response = admin_client.post(f"/admin/events/meeting/{draft.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert_unchanged(client, before)


def partner_calendar(uid, title, day):
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Partner//EN\r\nBEGIN:VEVENT\r\n"
        f"UID:{uid}\r\nDTSTAMP:20300101T000000Z\r\nDTSTART;VALUE=DATE:{day:%Y%m%d}\r\n"
        f"SUMMARY:{title}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def test_importing_a_calendar_of_new_meetings_leaves_every_public_answer_as_it_was(
    client, admin_client, public_and_draft
):
    before = public_answers(client)
    day = datetime.date.today() + datetime.timedelta(days=40)

    response = upload(admin_client, partner_calendar("new-1@partner.example", "Partner workshop", day))

    assert response.status_code == 302
    assert Meeting.objects.get(source_uid="new-1@partner.example").publication == "draft"
    assert_unchanged(client, before)


def test_importing_an_update_of_a_published_meeting_moves_every_public_answer(client, admin_client, public_and_draft):
    board, _draft = public_and_draft
    Meeting.objects.filter(pk=board.pk).update(source_uid="board@partner.example")
    before = public_answers(client)

    response = upload(
        admin_client, partner_calendar("board@partner.example", "Board of the RCC, moved", board.start_date)
    )

    assert response.status_code == 302
    assert moved(client, before) == ["/", "/meetings/", "/meetings/board-of-the-rcc/", *PUBLIC_FEEDS]
    assert "Board of the RCC, moved" in client.get("/meetings/board-of-the-rcc/").content.decode()


def test_deleting_a_published_meeting_moves_every_public_answer(client, admin_client, public_and_draft):
    board, _draft = public_and_draft
    before = public_answers(client)

    response = admin_client.post(f"/admin/events/meeting/{board.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert moved(client, before) == ["/", "/meetings/", "/meetings/board-of-the-rcc/", *PUBLIC_FEEDS]
    assert client.get("/meetings/board-of-the-rcc/").status_code == 404


def publish_draft(board, draft):
    draft.publication = "published"
    draft.save()


def unpublish(board, draft):
    board.publication = "draft"
    board.save()


def rename_published(board, draft):
    board.title = "Board of the RCC, renamed"
    board.save()


def add_organiser_to_published(board, draft):
    MeetingOrganiserFactory(meeting=board, organisation=OrganisationFactory(name="UNODC"))


def link_draft_to_published(board, draft):
    BackToBackFactory(from_meeting=draft, to_meeting=board)


def move_draft_partner_to_published(board, draft):
    role = draft.organiser_roles.get()
    role.meeting = board
    role.save()


def move_published_partner_to_draft(board, draft):
    role = board.organiser_roles.get()
    role.meeting = draft
    role.save()


def add_topic_to_published(board, draft):
    board.topics.add(TopicFactory(name="P-CVE"))


def rename_venue_of_published(board, draft):
    board.venue.name = "Hotel Tirana International"
    board.venue.save()


def rename_partner_of_published(board, draft):
    organisation = board.organiser_roles.get().organisation
    organisation.acronym = "RCC"
    organisation.save()


def add_unused_topic(board, draft):
    TopicFactory(name="A topic no meeting has yet")  # the public filter form lists every topic


@pytest.mark.parametrize(
    "change",
    [
        publish_draft,
        unpublish,
        rename_published,
        add_organiser_to_published,
        link_draft_to_published,
        move_draft_partner_to_published,
        move_published_partner_to_draft,
        add_topic_to_published,
        rename_venue_of_published,
        rename_partner_of_published,
        add_unused_topic,
    ],
)
def test_each_public_change_still_moves_the_public_versions(client, public_and_draft, change):
    board, draft = public_and_draft
    before = public_answers(client)

    change(board, draft)

    assert "/calendar.ics" in moved(client, before)
    assert page_status(client.get("/meetings/")) == "hit"  # moved() asked once since: the new version is kept


@pytest.mark.parametrize(
    "change",
    [
        lambda board, draft: setattr(draft, "title", "Renamed draft") or draft.save(),
        lambda board, draft: MeetingOrganiserFactory(meeting=draft, organisation=OrganisationFactory(name="UNODC")),
        lambda board, draft: draft.topics.add(board.topics.get()),
        lambda board, draft: setattr(draft.venue, "name", "Renamed venue") or draft.venue.save(),
        lambda board, draft: OrganisationFactory(name="A body no meeting names"),
        lambda board, draft: BackToBackFactory(from_meeting=draft, to_meeting=MeetingFactory(publication="draft")),
    ],
    ids=["rename", "organiser", "topic", "venue", "organisation", "link"],
)
def test_a_write_only_drafts_show_moves_no_public_version(client, public_and_draft, change):
    board, draft = public_and_draft
    before = public_answers(client)

    change(board, draft)

    assert_unchanged(client, before)


def test_a_draft_scheduled_for_ten_appears_at_ten_and_not_before(client, public_and_draft):
    _board, draft = public_and_draft
    nine = datetime.datetime(2030, 1, 7, 9, 0, tzinfo=BELGRADE)
    with time_machine.travel(nine, tick=False):
        before = public_answers(client)
        draft.publication = "published"
        draft.publish_at = nine + datetime.timedelta(minutes=5)
        draft.save()
    with time_machine.travel(nine + datetime.timedelta(minutes=4), tick=False):
        assert_unchanged(client, before)
    with time_machine.travel(nine + datetime.timedelta(minutes=5), tick=False):
        listed = client.get("/meetings/")
        feed = client.get("/calendar.ics")

    assert page_status(listed) == "miss"
    assert "Draft meeting" in listed.content.decode()
    assert feed["ETag"] != before["/calendar.ics"][0]


def test_a_scheduled_publication_moved_later_or_withdrawn_keeps_its_time(client, public_and_draft):
    """Within one page-cache lifetime (600 s), so that an unmoved version shows as a hit."""
    _board, draft = public_and_draft
    nine = datetime.datetime(2030, 1, 7, 9, 0, tzinfo=BELGRADE)
    with time_machine.travel(nine, tick=False):
        draft.publication = "published"
        draft.publish_at = nine + datetime.timedelta(minutes=2)
        draft.save()
        before = public_answers(client)
        draft.publish_at = nine + datetime.timedelta(minutes=4)  # moved later
        draft.save()
    with time_machine.travel(nine + datetime.timedelta(minutes=3), tick=False):
        assert_unchanged(client, before)  # nothing appears at the old time, so nothing moves then
        draft.publication = "draft"  # withdrawn
        draft.save()
    with time_machine.travel(nine + datetime.timedelta(minutes=5), tick=False):
        assert_unchanged(client, before)
        draft.publication = "published"
        draft.publish_at = nine + datetime.timedelta(minutes=7)  # scheduled again
        draft.save()
    with time_machine.travel(nine + datetime.timedelta(minutes=7), tick=False):
        listed = client.get("/meetings/")

    assert page_status(listed) == "miss"
    assert "Draft meeting" in listed.content.decode()
