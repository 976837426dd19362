"""/readyz tells the load balancer the truth: each dependency, its latency, and 503 only for what
the site cannot serve without (the database and the data version's row); a failing cache is
reported as "degraded" with a 200, since every page can still be built from the database.
"""

import socket
import time

import pytest
from django.db import connection
from django.db.utils import ProgrammingError

from events.cache.backends import mark_available
from events.models import DataVersion
from tests.test_cache_rules import redis_cache_settings

SOCKET_TIMEOUT = 0.25  # settings.py and redis_cache_settings


@pytest.fixture
def hung_redis(settings):
    """A server that accepts connections and never answers, as the site's cache."""
    hung = socket.create_server(("127.0.0.1", 0))
    hung.listen(100)
    url = f"redis://127.0.0.1:{hung.getsockname()[1]}/3"
    redis_cache_settings(settings, url, RETRY_AFTER=5)
    yield
    mark_available(url)
    hung.close()


def readiness(client):
    started = time.monotonic()
    response = client.get("/readyz")
    return response, time.monotonic() - started


def statuses(response):
    return {name: (check["status"], check["required"]) for name, check in response.json()["checks"].items()}


@pytest.mark.django_db
def test_readyz_reports_each_dependency_with_its_latency(client):
    response, _ = readiness(client)

    body = response.json()
    assert (response.status_code, response["Content-Type"], body["status"]) == (200, "application/json", "ok")
    assert statuses(response) == {"database": ("ok", True), "data_version": ("ok", True), "cache": ("ok", False)}
    assert all(isinstance(check["latency_ms"], float) and check["latency_ms"] >= 0 for check in body["checks"].values())


@pytest.mark.django_db
def test_a_hung_redis_is_reported_within_one_socket_timeout_and_degrades_only(client, hung_redis):
    first, first_took = readiness(client)
    again, again_took = readiness(client)

    assert (first.status_code, first.json()["status"]) == (200, "degraded")
    assert statuses(first)["cache"] == ("unavailable", False)
    assert statuses(first)["database"] == ("ok", True)
    assert first_took < 2 * SOCKET_TIMEOUT + 0.2, first_took
    # The backend now leaves Redis alone: the next probe answers at once, still unavailable.
    assert statuses(again)["cache"] == ("unavailable", False)
    assert again.json()["checks"]["cache"]["error"].startswith("failed recently; not asked again for ")
    assert again_took < 0.1, again_took


class DataVersionUnreadable:
    """The version's row cannot be read (a lock held past the statement timeout, a broken table)."""

    def __call__(self, execute, sql, params, many, context):
        if DataVersion._meta.db_table in sql:
            raise ProgrammingError(f"permission denied for table {DataVersion._meta.db_table}")
        return execute(sql, params, many, context)


@pytest.mark.django_db(transaction=True)
def test_an_unreadable_data_version_takes_the_host_out_of_rotation(client):
    client.get("/")  # this process now knows a version, and could serve its cached pages with it

    with connection.execute_wrapper(DataVersionUnreadable()):
        response, _ = readiness(client)

    assert (response.status_code, response.json()["status"]) == (503, "unavailable")
    assert statuses(response) == {
        "database": ("ok", True),
        "data_version": ("unavailable", True),
        "cache": ("ok", False),
    }
    assert response.json()["checks"]["data_version"]["error"] == "permission denied for table events_dataversion"


@pytest.mark.django_db
def test_readyz_is_never_cached_nor_redirected(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response, _ = readiness(client)

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"]
    assert "X-Page-Cache" not in response
