"""Public reads from a real PostgreSQL streaming replica, and everything else from the primary.

A hot standby of the test server is started on another loopback port (tests/support/replica.py)
and the router of meetings_site/routers.py is switched on, as DATABASE_REPLICA_URL does. Which
server answered is read from each connection's own query log. Skipped, with PostgreSQL's reason,
where the primary cannot stream to a replica (it needs a `replication` line in pg_hba.conf, which
.ci/run adds); the router's rules that need no replica are tested without one.
"""

import os

import pytest
from django.contrib.auth.models import User
from django.db import connections
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from events.models import Meeting
from meetings_site import routers
from meetings_site.routers import PRIMARY, REPLICA, WRITE_COOKIE, ReplicaRouter
from tests.support.admin_forms import form_data
from tests.support.factories import MeetingFactory
from tests.support.replica import Replica, Unavailable

REPLAY_CHECK = "pg_last_wal_replay_lsn()"


# --- Without a replica ------------------------------------------------------------------------


def test_outside_a_request_every_read_and_write_goes_to_the_primary():
    """Management commands, migrations, background threads: no request, so no replica."""
    router = ReplicaRouter()

    assert (router.db_for_read(Meeting), router.db_for_write(Meeting)) == (PRIMARY, PRIMARY)
    assert (router.allow_migrate(PRIMARY, "events"), router.allow_migrate(REPLICA, "events")) == (True, False)


@pytest.mark.parametrize(
    ("cookie", "number"),
    [("16/B374D848", (0x16 << 32) + 0xB374D848), ("0/0", 0), ("junk", None), ("1/2/3", None), ("", None)],
)
def test_a_write_cookie_is_read_only_as_a_wal_position(cookie, number):
    assert routers.as_number(cookie) == number


# --- With a replica ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def replica(django_db_setup, django_db_blocker):
    """The replica, known to Django as the `replica` alias of the test database, and the router on."""
    with django_db_blocker.unblock():
        primary = connections[PRIMARY]
        if primary.vendor != "postgresql":
            pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://… (CI does)")
        server = Replica(primary.settings_dict)
        try:
            server.start()
        except Unavailable as reason:
            server.remove()
            if os.environ.get("CI") == "true" and "pg_hba.conf" in str(reason):
                pytest.fail(f"{reason} (.ci/run allows replication from loopback)")
            pytest.skip(f"no streaming replica can run here: {reason}")
    connections.settings[REPLICA] = {
        **primary.settings_dict,
        "HOST": "127.0.0.1",
        "PORT": str(server.port),
        "TEST": {**primary.settings_dict["TEST"], "MIRROR": PRIMARY},
    }
    routed = override_settings(DATABASE_ROUTERS=["meetings_site.routers.ReplicaRouter"])
    routed.enable()
    try:
        yield server
    finally:
        routed.disable()
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        server.remove()


with_replica = pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])


@pytest.fixture
def replica_ready(replica):
    routers.replica_back()
    yield replica
    replica.resume_replay()
    routers.replica_back()


class Logs:
    """The queries each server answered while the block ran."""

    def __init__(self, *, replica=True):
        self.primary = CaptureQueriesContext(connections[PRIMARY])
        # Capturing connects: a replica that is down is not logged.
        self.replica = CaptureQueriesContext(connections[REPLICA]) if replica else None

    def __enter__(self):
        self.primary.__enter__()
        if self.replica is not None:
            self.replica.__enter__()
        return self

    def __exit__(self, *exc):
        if self.replica is not None:
            self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    @staticmethod
    def reading(context, table):
        return [query["sql"] for query in context.captured_queries if f'"{table}"' in query["sql"]]

    def replica_data_reads(self):
        """The replica's queries other than the router's check of how far it has replayed."""
        return [query["sql"] for query in self.replica.captured_queries if REPLAY_CHECK not in query["sql"]]


def published(title):
    return MeetingFactory(title=title, slug="regional-border-police-meeting")


@with_replica
def test_an_anonymous_visitor_s_page_is_read_from_the_replica(client, replica_ready):
    meeting = published("Regional border police meeting")
    replica_ready.wait_until_replayed()

    with Logs() as logs:
        response = client.get(meeting.get_absolute_url())

    assert response.status_code == 200
    assert "Regional border police meeting" in response.content.decode()
    assert logs.reading(logs.replica, "events_meeting") != []
    assert logs.reading(logs.primary, "events_meeting") == []
    assert logs.reading(logs.primary, "events_venue") == []


@with_replica
def test_a_forged_write_cookie_is_ignored_not_an_error(client, replica_ready):
    meeting = published("Regional border police meeting")
    replica_ready.wait_until_replayed()
    client.cookies[WRITE_COOKIE] = "'; DROP TABLE events_meeting; --"

    with Logs() as logs:
        response = client.get(meeting.get_absolute_url())

    assert response.status_code == 200
    assert logs.reading(logs.replica, "events_meeting") != []


@with_replica
def test_the_admin_of_a_logged_in_editor_reads_from_the_primary(client, replica_ready):
    meeting = published("Regional border police meeting")
    replica_ready.wait_until_replayed()
    client.force_login(User.objects.create_superuser("chief@example.org", "chief@example.org"))

    with Logs() as logs:
        admin_page = client.get(reverse("admin:events_meeting_change", args=[meeting.pk]))
        public_page = client.get(meeting.get_absolute_url())

    assert (admin_page.status_code, public_page.status_code) == (200, 200)
    assert logs.replica.captured_queries == []
    assert logs.reading(logs.primary, "events_meeting") != []


@with_replica
def test_a_post_reads_from_the_primary_and_the_client_then_reads_its_write(client, replica_ready):
    """A proposal is written; while the replica lags, its sender's next pages come from the primary."""
    replica_ready.wait_until_replayed()
    replica_ready.pause_replay()
    form = {
        "form": "short",
        "short-title": "Regional Workshop on Border Security",
        "short-start_date": "2031-03-10",
        "short-end_date": "2031-03-11",
        "short-organiser": "Regional Cooperation Council",
        "short-proposer_name": "Ana Proposer",
        "short-proposer_email": "ana@example.org",
    }

    with Logs() as logs:
        sent = client.post(reverse("events:propose"), form)
        listing = client.get(reverse("events:list"))
    # Once the replica has the write, a visitor who wrote nothing reads from it again (while it lags,
    # the version's position, read with the version row, may be past it: the primary answers).
    replica_ready.resume_replay()
    replica_ready.wait_until_replayed()
    others = client.__class__()
    with Logs() as others_logs:
        others_list = others.get(reverse("events:organisers"))

    assert (sent.status_code, listing.status_code, others_list.status_code) == (302, 200, 200)
    assert Meeting.objects.filter(title="Regional Workshop on Border Security").count() == 1
    # The write cookie alone sends the sender to the primary: no session or messages cookie.
    assert sorted(client.cookies) == [WRITE_COOKIE]
    assert logs.replica_data_reads() == []
    assert logs.reading(logs.primary, "events_meeting") != []
    assert others_logs.replica_data_reads() != []


@with_replica
def test_an_editor_s_change_is_on_the_public_page_at_once_while_the_replica_lags(client, replica_ready):
    meeting = published("Regional border police meeting")
    client.force_login(User.objects.create_superuser("chief@example.org", "chief@example.org"))
    change = reverse("admin:events_meeting_change", args=[meeting.pk])
    data = form_data(client.get(change))
    replica_ready.wait_until_replayed()
    replica_ready.pause_replay()
    data["title_en"] = "Regional border police meeting (moved to Skopje)"

    assert client.post(change, data).status_code == 302
    client.logout()
    response = client.get(meeting.get_absolute_url())

    assert "Regional border police meeting (moved to Skopje)" in response.content.decode()
    assert replica_ready.sql("SELECT title FROM events_meeting") == "Regional border police meeting"


@with_replica
def test_a_version_the_replica_has_not_replayed_is_read_and_cached_from_the_primary(client, replica_ready):
    """The lag rule: while replay is paused, a page keyed on the new version never holds the old data."""
    meeting = published("Regional border police meeting")
    replica_ready.wait_until_replayed()
    assert "Regional border police meeting" in client.get(meeting.get_absolute_url()).content.decode()
    replica_ready.pause_replay()

    meeting.title = "Regional border police meeting (cancelled)"
    meeting.save()
    with Logs() as logs:
        first = client.get(meeting.get_absolute_url())
        again = client.get(meeting.get_absolute_url())
        listing = client.get(reverse("events:list"))

    assert replica_ready.sql("SELECT title FROM events_meeting") == "Regional border police meeting"
    assert (first["X-Page-Cache"], again["X-Page-Cache"]) == ("miss", "hit")
    for response in (first, again, listing):
        assert "Regional border police meeting (cancelled)" in response.content.decode()
    assert logs.replica_data_reads() == []

    replica_ready.resume_replay()
    replica_ready.wait_until_replayed()
    with Logs() as caught_up:
        organisers = client.get(reverse("events:organisers"))

    assert organisers.status_code == 200
    assert caught_up.replica_data_reads() != []


@with_replica
def test_with_the_replica_down_the_site_reads_from_the_primary(client, replica_ready):
    meeting = published("Regional border police meeting")
    replica_ready.wait_until_replayed()
    assert client.get(reverse("events:list")).status_code == 200  # a connection to the replica is open
    replica_ready.stop()
    try:
        with Logs(replica=False) as logs:
            response = client.get(meeting.get_absolute_url())
        reached = response.status_code, "Regional border police meeting" in response.content.decode()
        primary_reads = logs.reading(logs.primary, "events_meeting")
    finally:
        replica_ready.restart()

    assert reached == (200, True)
    assert primary_reads != []
