"""Restore a dump written by `manage.py backup` into an EMPTY database (DATABASE_URL).

    python manage.py restore FILE

A .dump file (pg_dump custom format) needs PostgreSQL and is restored with pg_restore in
one transaction. A .json file (dumpdata) goes into any engine: migrate, then loaddata in
one transaction. Either way the database is brought up to the code's migrations after,
and every cached page, fragment and calendar entry is made stale (new versions).
Refuses to touch a database that already holds meetings or accounts. Sessions and login
lockout records an older dump may hold are dropped: no browser is logged back in.
"""

import subprocess
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction

from events.cache import invalidate_all
from events.management.commands.backup import login_state_models, postgres_environment
from events.models import Meeting


def database_is_empty():
    tables = set(connection.introspection.table_names())
    if not tables:
        return True
    models = [Meeting, get_user_model()]
    if not all(model._meta.db_table in tables for model in models):
        return False  # tables of something else: not ours to overwrite
    return not any(model.objects.exists() for model in models)


def restore_postgresql_dump(path):
    if connection.vendor != "postgresql":
        raise CommandError("A .dump file is a PostgreSQL dump: point DATABASE_URL at an empty PostgreSQL database.")
    if connection.introspection.table_names():
        raise CommandError("pg_restore needs a database without tables: create a fresh one (createdb).")
    settings_dict = connection.settings_dict
    connection.close()
    subprocess.run(  # noqa: S603  (fixed arguments; the file is the operator's)
        [  # noqa: S607
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            f"--dbname={settings_dict['NAME']}",
            str(path),
        ],
        env=postgres_environment(settings_dict),
        check=True,
    )
    call_command("migrate", interactive=False, verbosity=0)


def restore_dumpdata(path):
    call_command("migrate", interactive=False, verbosity=0)
    # The dump holds the history as it was; loading it must not write new history rows
    # (django-simple-history records many-to-many changes even from loaddata).
    settings.SIMPLE_HISTORY_ENABLED = False
    with transaction.atomic():
        call_command("loaddata", str(path), verbosity=0)
    # loaddata inserts explicit primary keys; PostgreSQL's sequences must move past them.
    if connection.vendor == "postgresql":
        reset_sequences()


def reset_sequences():
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class Command(BaseCommand):
    help = "Restore a dump written by `manage.py backup` into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A backups/meetings-….dump (PostgreSQL) or .json file.")

    def handle(self, *args, file, **options):
        if not file.is_file():
            raise CommandError(f"No such backup file: {file}")
        if not database_is_empty():
            raise CommandError(f"Refusing to restore: database {connection.settings_dict['NAME']} is not empty.")
        if file.suffix == ".dump":
            restore_postgresql_dump(file)
        else:
            restore_dumpdata(file)
        # Dumps written before sessions and lockouts were left out still hold them.
        for model in login_state_models():
            model.objects.all().delete()
        # Whatever any cache holds (pages, fragments, calendar entries) describes another database.
        invalidate_all()
        self.stdout.write(f"Restored {file} into {connection.settings_dict['NAME']}.")
