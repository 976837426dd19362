"""Write a consistent dump of the database (DATABASE_URL, or settings' default).

    python manage.py backup [--output FILE]     # default: backups/meetings-<UTC time>.dump|.json

PostgreSQL: pg_dump in custom format (one snapshot: consistent while the site keeps serving).
SQLite: Django's dumpdata as JSON, read inside one transaction (one snapshot too).

The file is written under a temporary name and renamed at the end, so an interrupted
backup never leaves a file that looks complete. Prints the path written.
"""

import datetime
import os
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction

# Rebuilt by `migrate` on restore, or worthless after it (sessions would be logged-out anyway).
# events.dataversion is a cache marker, renewed by every restore, not data.
DUMPDATA_EXCLUDE = ["contenttypes", "auth.permission", "sessions", "events.dataversion"]


def postgres_environment(settings_dict):
    """libpq environment variables naming the database in settings_dict (PGPASSWORD kept out of argv)."""
    environment = dict(os.environ)
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if settings_dict.get(key):
            environment[variable] = str(settings_dict[key])
    environment["PGDATABASE"] = settings_dict["NAME"]
    return environment


def default_output(extension):
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path(settings.BASE_DIR) / "backups" / f"meetings-{stamp}.{extension}"


def dump_postgresql(settings_dict, output):
    subprocess.run(  # noqa: S603  (fixed arguments; the file name is ours)
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={output}"],  # noqa: S607
        env=postgres_environment(settings_dict),
        check=True,
    )


def dump_with_dumpdata(output):
    with transaction.atomic():
        call_command(
            "dumpdata",
            natural_foreign=True,
            exclude=DUMPDATA_EXCLUDE,
            indent=1,
            output=str(output),
            verbosity=0,
        )


class Command(BaseCommand):
    help = "Write a consistent dump of the database into backups/ (pg_dump, or dumpdata for SQLite)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, help="File to write (default: backups/meetings-<UTC time>.dump|.json)."
        )

    def handle(self, *args, output=None, **options):
        postgresql = connection.vendor == "postgresql"
        output = output or default_output("dump" if postgresql else "json")
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        try:
            if postgresql:
                dump_postgresql(connection.settings_dict, partial)
            else:
                dump_with_dumpdata(partial)
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(str(output))
