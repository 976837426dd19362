#!/usr/bin/env python3
"""Write a consistent dump of the database named by DATABASE_URL (or settings' default).

PostgreSQL: pg_dump in custom format (one snapshot: consistent while the site keeps serving).
SQLite: Django's dumpdata as JSON, read inside one transaction (one snapshot too).

    python scripts/backup.py [--output FILE]      # default: backups/meetings-<UTC time>.dump|.json

The file is written under a temporary name and renamed at the end, so an interrupted
backup never leaves a file that looks complete. Prints the path written.
"""

import argparse
import datetime
import os
import subprocess
import sys
from pathlib import Path

import _django

# Rebuilt by `migrate` on restore, or worthless after it (sessions would be logged-out anyway).
DUMPDATA_EXCLUDE = ["contenttypes", "auth.permission", "sessions"]


def default_output(extension):
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    return _django.PROJECT_DIR / "backups" / f"meetings-{stamp}.{extension}"


def dump_postgresql(settings_dict, output):
    subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={output}"],
        env=_django.postgres_environment(settings_dict),
        check=True,
    )


def dump_with_dumpdata(output):
    from django.core.management import call_command
    from django.db import transaction

    with transaction.atomic():
        call_command(
            "dumpdata",
            natural_foreign=True,
            exclude=DUMPDATA_EXCLUDE,
            indent=1,
            output=str(output),
            verbosity=0,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, help="file to write (default: backups/meetings-<time>.dump|.json)")
    arguments = parser.parse_args()
    _django.setup()
    from django.db import connection

    postgresql = connection.vendor == "postgresql"
    output = arguments.output or default_output("dump" if postgresql else "json")
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
    print(output)


if __name__ == "__main__":
    sys.exit(main())
