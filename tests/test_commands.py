"""Management commands editors and operators run."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_editors_group_holds_meeting_permissions_and_nothing_about_users():
    codenames = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))

    assert {"add_meeting", "change_meeting", "delete_meeting", "add_backtoback", "change_organisation"} <= codenames
    assert not {c for c in codenames if c.endswith(("_user", "_group", "_permission"))}


def test_createeditor_makes_a_staff_member_of_the_editors_group():
    call_command("createeditor", "Ana@Example.org", password="a long enough passphrase", verbosity=0)

    user = get_user_model().objects.get(username="ana@example.org")
    assert user.is_staff and not user.is_superuser
    assert list(user.groups.values_list("name", flat=True)) == ["Editors"]
    assert user.check_password("a long enough passphrase")


def test_createeditor_refuses_short_password():
    with pytest.raises(CommandError, match="at least 12 characters"):
        call_command("createeditor", "ana@example.org", password="short", verbosity=0)


def test_createeditor_refuses_invalid_email():
    with pytest.raises(CommandError, match="not a valid e-mail address"):
        call_command("createeditor", "not-an-email", verbosity=0)


def test_a_release_starts_a_new_data_version(tmp_path):
    """`migrate` runs with every release: pages, entries and calendar pieces rendered by the old
    code carry the old versions in their keys and are not served. Run as the release runs it, in a
    process of its own, and read from the durable copy of the version."""
    import os
    import sqlite3
    import subprocess
    import sys
    from pathlib import Path

    database = tmp_path / "release.sqlite3"
    environment = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "DEBUG": "1"}
    environment.pop("REDIS_URL", None)

    def release():
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            cwd=Path(__file__).resolve().parent.parent,
            env=environment,
            check=True,
            timeout=120,
        )
        with sqlite3.connect(database) as connection:
            return connection.execute("SELECT version FROM events_dataversion").fetchone()[0]

    first = release()
    second = release()

    assert first and second and second != first
