"""Fixtures shared by the whole suite."""

import pytest
from django.core.management import call_command

from events.management.commands.loadseed import SEED_FIXTURES


@pytest.fixture
def seed(db):
    """The seed's real meetings, loaded from fixtures/ exactly as `make run` loads them."""
    call_command("loaddata", *SEED_FIXTURES, verbosity=0)


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """Pages render without `collectstatic`: tests run with DEBUG off, which selects the manifest storage."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
