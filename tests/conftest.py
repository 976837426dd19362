"""Fixtures shared by the whole suite."""

import uuid

import pytest
from django.core.cache import cache
from django.core.management import call_command

from events.management.commands.loadseed import SEED_FIXTURES
from events.versioning import DATA_VERSION_KEY, cache_is_shared


@pytest.fixture
def seed(db):
    """The seed's real meetings, loaded from fixtures/ exactly as `make run` loads them."""
    call_command("loaddata", *SEED_FIXTURES, verbosity=0)


@pytest.fixture(autouse=True)
def fresh_cache(settings):
    """Each test starts with an empty cache and a data version of its own.

    The page cache (meetings_site/page_cache.py) would otherwise serve one test the
    pages another test rendered. The version is set here, and kept without expiry in the
    test process, so that reading it never costs a query (query counts stay exact); page keys
    contain it, so even a shared cache (REDIS_URL set) is never cleared by tests.
    """
    settings.DATA_VERSION_LOCAL_TTL = None
    if not cache_is_shared():
        cache.clear()
    cache.set(DATA_VERSION_KEY, uuid.uuid4().hex, timeout=None)


@pytest.fixture(autouse=True)
def unhashed_static_files(settings):
    """Pages render without collectstatic having run: static names stay unhashed in tests."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
