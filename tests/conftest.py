"""Fixtures shared by the whole suite."""

import time

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.management import call_command

from events.cache.version import DATA_VERSION_KEY, cache_is_shared
from events.management.commands.loadseed import SEED_FIXTURES

# Tests do not run collectstatic, and hashed static names need the manifest it writes.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A fast hasher: tests log editors in often, and the production hasher is slow on purpose.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test process keeps its data version without expiry, so reading it never costs a query
# (query counts stay exact); see events/versioning.py.
settings.DATA_VERSION_LOCAL_TTL = None


@pytest.fixture
def seed(db):
    """The seed's real meetings, loaded from fixtures/ exactly as `make run` loads them."""
    call_command("loaddata", *SEED_FIXTURES, verbosity=0)


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache and a data version of its own.

    The page cache (meetings_site/page_cache.py) would otherwise serve one test the pages
    another test rendered. Page keys contain the version, so even a shared cache (REDIS_URL
    set) is never cleared by tests.
    """
    if not cache_is_shared():
        cache.clear()
    caches["process"].clear()
    # Same form as a real version (hex nanoseconds): the feeds derive Last-Modified from it.
    cache.set(DATA_VERSION_KEY, format(time.time_ns(), "x"), timeout=None)
