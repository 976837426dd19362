"""Set Django up for a maintenance script run from the repository (python scripts/NAME.py)."""

import os
import sys
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def setup():
    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "meetings_site.settings")
    # Backups and restores serve no requests and sign nothing, so they need no real key;
    # without one, settings would refuse to load when DEBUG is off.
    os.environ.setdefault("SECRET_KEY", "maintenance-script-serves-no-requests")
    import django

    django.setup()


def postgres_environment(settings_dict):
    """libpq environment variables naming the database in settings_dict (PGPASSWORD kept out of argv)."""
    environment = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if settings_dict.get(key):
            environment[variable] = str(settings_dict[key])
    environment["PGDATABASE"] = settings_dict["NAME"]
    return environment
