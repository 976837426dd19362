"""Write a consistent dump of the database (DATABASE_URL, or settings' default).

    python manage.py backup [--output FILE]     # default: backups/meetings-<UTC time>.dump|.json

PostgreSQL: pg_dump in custom format (one snapshot: consistent while the site keeps serving).
SQLite: Django's dumpdata as JSON, read inside one transaction (one snapshot too).

The file is written under a temporary name and renamed at the end, so an interrupted
backup never leaves a file that looks complete. Prints the path written.

It holds accounts with their password hashes, so it is created readable by its owner only
(0600). Sessions and login lockout records are left out: a restored session would log a
browser back in after its editor logged out, and old lockouts describe another time.
"""

import datetime
import os
import subprocess
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction

# Rebuilt by `migrate` on restore. events.dataversion is a cache marker, renewed by every
# restore, not data.
DUMPDATA_EXCLUDE = ["contenttypes", "auth.permission", "events.dataversion"]


def login_state_models():
    """Live sessions and axes' login records: never in a backup, dropped by a restore."""
    return [Session, *apps.get_app_config("axes").get_models()]


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
    # The tables stay (migrations expect them); their rows are left out.
    left_out = [f"--exclude-table-data={model._meta.db_table}" for model in login_state_models()]
    subprocess.run(  # noqa: S603  (fixed arguments; the file name is ours)
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *left_out, f"--file={output}"],  # noqa: S607
        env=postgres_environment(settings_dict),
        check=True,
    )


def dump_with_dumpdata(output):
    with transaction.atomic():
        call_command(
            "dumpdata",
            natural_foreign=True,
            exclude=DUMPDATA_EXCLUDE + [model._meta.label for model in login_state_models()],
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
        output.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        try:
            # Created 0600 before anything is written; pg_dump and dumpdata write into it and
            # keep its mode, and the rename keeps it too.
            partial.unlink(missing_ok=True)
            os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
            if postgresql:
                dump_postgresql(connection.settings_dict, partial)
            else:
                dump_with_dumpdata(partial)
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
        self.stdout.write(str(output))
