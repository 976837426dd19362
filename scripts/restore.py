#!/usr/bin/env python3
"""Restore a dump written by scripts/backup.py into an EMPTY database (DATABASE_URL).

    python scripts/restore.py FILE

A .dump file (pg_dump custom format) needs PostgreSQL and is restored with pg_restore in
one transaction. A .json file (dumpdata) goes into any engine: migrate, then loaddata in
one transaction. Either way the database is brought up to the code's migrations after.
Refuses to touch a database that already holds meetings or accounts.
"""

import argparse
import subprocess
import sys
from pathlib import Path

import _django


def database_is_empty(connection):
    tables = set(connection.introspection.table_names())
    if not tables:
        return True
    from django.contrib.auth import get_user_model

    from events.models import Meeting

    models = [Meeting, get_user_model()]
    if not all(model._meta.db_table in tables for model in models):
        return False  # tables of something else: not ours to overwrite
    return not any(model.objects.exists() for model in models)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path)
    arguments = parser.parse_args()
    if not arguments.file.is_file():
        sys.exit(f"No such backup file: {arguments.file}")
    _django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    if not database_is_empty(connection):
        sys.exit(f"Refusing to restore: database {connection.settings_dict['NAME']} is not empty.")

    if arguments.file.suffix == ".dump":
        if connection.vendor != "postgresql":
            sys.exit("A .dump file is a PostgreSQL dump: point DATABASE_URL at an empty PostgreSQL database.")
        if connection.introspection.table_names():
            sys.exit("pg_restore needs a database without tables: create a fresh one (createdb).")
        connection.close()
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                f"--dbname={connection.settings_dict['NAME']}",
                str(arguments.file),
            ],
            env=_django.postgres_environment(connection.settings_dict),
            check=True,
        )
        call_command("migrate", interactive=False, verbosity=0)
    else:
        call_command("migrate", interactive=False, verbosity=0)
        from django.conf import settings

        # The dump holds the history as it was; loading it must not write new history rows
        # (django-simple-history records many-to-many changes even from loaddata).
        settings.SIMPLE_HISTORY_ENABLED = False
        with transaction.atomic():
            call_command("loaddata", str(arguments.file), verbosity=0)
        # loaddata inserts explicit primary keys; PostgreSQL's sequences must move past them.
        if connection.vendor == "postgresql":
            reset_sequences(connection)
    from events.versioning import bump_data_version

    bump_data_version()
    print(f"Restored {arguments.file} into {connection.settings_dict['NAME']}.")


def reset_sequences(connection):
    from django.apps import apps
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True))
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


if __name__ == "__main__":
    sys.exit(main())
