"""Fixtures shared by the whole suite."""

import pytest
from django.conf import settings
from django.core.management import call_command

from events.management.commands.loadseed import SEED_FIXTURES

# Tests do not run collectstatic, and hashed static names need the manifest it writes.
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# A fast hasher: tests log editors in often, and the production hasher is slow on purpose.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def seed(db):
    """The seed's real meetings, loaded from fixtures/ exactly as `make run` loads them."""
    call_command("loaddata", *SEED_FIXTURES, verbosity=0)
