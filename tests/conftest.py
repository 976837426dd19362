"""Fixtures shared by the whole suite."""

import uuid

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.management import call_command
from django.utils import translation

from events.management.commands.loadseed import SEED_FIXTURES


@pytest.fixture(autouse=True)
def test_settings(settings):
    """What every test runs with, beyond the production-like settings."""
    # Tests do not run collectstatic, and hashed static names need the manifest it writes.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # A fast hasher: tests log editors in often, and the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The cached copy of the version outlives a test, so query counts stay exact; tests of the
    # bound itself set their own (and move the clock).
    settings.VERSION_CACHE_SECONDS = 3600
    return settings


@pytest.fixture(autouse=True)
def english_to_start_with():
    """Each test starts in English: a request leaves its language active in the thread, and
    reverse() in the next test would otherwise write that language's prefix."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_cache(test_settings):
    """Each test starts with caches of its own: a key prefix of its own (a shared Redis is never
    cleared, and parallel test processes share it), empty local memory."""
    default = test_settings.CACHES["default"]
    test_settings.CACHES = {
        **test_settings.CACHES,
        "default": {**default, "KEY_PREFIX": f"{default.get('KEY_PREFIX', '')}:test-{uuid.uuid4().hex}"},
    }
    for alias in ("default", "process"):
        if "locmem" in test_settings.CACHES[alias]["BACKEND"]:
            caches[alias].clear()


@pytest.fixture(autouse=True)
def current_content_types(request, django_db_blocker):
    """Django keeps content types in memory; a transactional test's flush may have recreated them
    under other keys, and the admin's log would point at rows that no longer exist. Read them
    afresh before each test, outside what it measures (a test without the database has none to read)."""
    ContentType.objects.clear_cache()
    uses_database = request.node.get_closest_marker("django_db") or {
        "db",
        "transactional_db",
        "django_db_setup",
    } & set(request.fixturenames)
    if not uses_database:
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        ContentType.objects.get_for_models(*apps.get_models())


@pytest.fixture
def seed(db):
    """The seed's real meetings, loaded from fixtures/ exactly as `make run` loads them."""
    call_command("loaddata", *SEED_FIXTURES, verbosity=0)
