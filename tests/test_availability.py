"""Failing well: database outage → 503 with Retry-After, Redis outage → still serving, probes, error pages."""

import runpy
import socket
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError, connection, connections
from django.db.utils import load_backend
from django.test import Client
from django.utils import translation

from tests.support.factories import MeetingFactory

PROJECT_DIR = Path(__file__).resolve().parent.parent
SITE_NAME = "Western Balkans security meetings"


def closed_port():
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def unreachable_database_connection():
    """A connection to a PostgreSQL server that is not there: every query fails as in an outage
    (psycopg2 cannot connect, Django raises OperationalError)."""
    settings_dict = {
        **connection.settings_dict,
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "meetings",
        "USER": "postgres",
        "HOST": "127.0.0.1",
        "PORT": closed_port(),
        "OPTIONS": {"connect_timeout": 2},
    }
    return load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, "default")


@pytest.fixture
def database_down(db):
    """This thread's database connection replaced by an unreachable one; the real one put back afterwards."""
    working = connections["default"]
    connections._connections.default = unreachable_database_connection()
    yield
    connections._connections.default = working


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "events.cache.backends.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/4",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        },
        "process": settings.CACHES["process"],
    }


@pytest.mark.parametrize("path", ["/", "/meetings/", "/meetings/regional-meeting/", "/calendar/2030/5/"])
def test_database_outage_answers_503_with_retry_after_and_the_friendly_page(database_down, path):
    response = Client(raise_request_exception=False).get(path)

    body = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    assert "<h1>Temporarily unavailable</h1>" in body
    assert SITE_NAME in body  # the site's design, not a bare error
    assert "Traceback" not in body


@pytest.mark.parametrize("language", ["sr", "sq"])
def test_the_outage_page_is_in_the_language_of_the_address(database_down, language):
    Client(raise_request_exception=False).get("/mk/meetings/")  # another language served just before
    response = Client(raise_request_exception=False).get(f"/{language}/meetings/")

    with translation.override(language):
        heading = translation.gettext("Temporarily unavailable")
    assert response.status_code == 503
    assert response["Content-Language"] == language
    assert heading != "Temporarily unavailable"
    assert f"<h1>{heading}</h1>" in response.content.decode()


@pytest.mark.parametrize(
    "path", ["/calendar.ics", "/calendar.ics?topic=border-security", "/meetings/regional-meeting.ics"]
)
def test_calendar_feed_answers_503_not_an_empty_calendar_when_the_database_is_down(database_down, path):
    response = Client(raise_request_exception=False).get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.RETRY_AFTER_SECONDS)
    assert b"BEGIN:VCALENDAR" not in response.content


def test_database_outage_fails_readyz_but_not_healthz(database_down):
    client = Client(raise_request_exception=False)

    ready = client.get("/readyz")
    alive = client.get("/healthz")

    assert (ready.status_code, ready.json()["status"]) == (503, "unavailable")
    assert {name: check["status"] for name, check in ready.json()["checks"].items()} == {
        "database": "unavailable",
        "data_version": "unavailable",
        "cache": "ok",
    }
    assert (alive.status_code, alive.content) == (200, b"ok\n")


def test_site_serves_again_once_the_database_is_back(db):
    MeetingFactory(title="Regional meeting", slug="regional-meeting")
    client = Client(raise_request_exception=False)
    working = connections["default"]
    connections._connections.default = unreachable_database_connection()
    during = client.get("/meetings/regional-meeting/")
    connections._connections.default = working

    after = client.get("/meetings/regional-meeting/")

    assert (during.status_code, after.status_code) == (503, 200)
    assert "<h1>Regional meeting</h1>" in after.content.decode()


@pytest.mark.django_db
def test_readyz_reports_database_and_cache(client):
    response = client.get("/readyz")

    assert (response.status_code, response.json()["status"]) == (200, "ok")
    assert {name: check["status"] for name, check in response.json()["checks"].items()} == {
        "database": "ok",
        "data_version": "ok",
        "cache": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_redis_outage_keeps_the_site_serving(client, redis_down):
    MeetingFactory(title="Regional meeting", slug="regional-meeting")

    home = client.get("/")
    detail = client.get("/meetings/regional-meeting/")
    ready = client.get("/readyz")

    assert (home.status_code, detail.status_code) == (200, 200)
    assert "Regional meeting" in detail.content.decode()
    assert (ready.status_code, ready.json()["status"]) == (200, "degraded")
    assert ready.json()["checks"]["cache"]["status"] == "unavailable"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement_timeout is a PostgreSQL setting")
@pytest.mark.django_db
def test_postgresql_statement_timeout_is_shorter_than_the_gunicorn_timeout_and_raises_operational_error():
    gunicorn_settings = runpy.run_path(str(PROJECT_DIR / "meetings_site" / "gunicorn.conf.py"))

    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        (configured,) = cursor.fetchone()
        cursor.execute("SET LOCAL statement_timeout = 50")
        with pytest.raises(OperationalError):
            cursor.execute("SELECT pg_sleep(1)")

    assert configured == "10s"
    assert gunicorn_settings["timeout"] == 30


@pytest.mark.django_db
def test_unknown_meeting_gets_the_404_page(client):
    response = client.get("/meetings/no-such-meeting/")

    body = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in body
    assert SITE_NAME in body


@pytest.mark.django_db
def test_form_without_csrf_token_gets_the_403_page():
    response = Client(enforce_csrf_checks=True).post("/admin/login/", {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert "<h1>Form expired</h1>" in response.content.decode()


@pytest.mark.urls("tests.support.failing_urls")
@pytest.mark.django_db
def test_unexpected_error_gets_the_500_page_without_a_traceback():
    response = Client(raise_request_exception=False).get("/fails/")

    body = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong</h1>" in body
    assert SITE_NAME in body
    assert "RuntimeError" not in body


def test_database_outage_seen_by_a_middleware_also_answers_503(database_down, settings):
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:3],
        "tests.support.failing_urls.DatabaseReadingMiddleware",
        *settings.MIDDLEWARE[3:],
    ]

    response = Client(raise_request_exception=False).get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(settings.RETRY_AFTER_SECONDS)
    assert "<h1>Temporarily unavailable</h1>" in response.content.decode()
