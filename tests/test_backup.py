"""Nothing lost: `manage.py backup` then `manage.py restore` into an empty database gives back the same public site.

The commands run as they do for an operator (`make backup`, `make restore`): in their own
processes, against real databases (SQLite files here; PostgreSQL too when DATABASE_URL names
one, as in CI).
"""

import io
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import dj_database_url
import psycopg2
import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent

# Renders the public pages the way a visitor gets them, one JSON object {path: body}.
RENDER_PUBLIC_PAGES = """
import json, django
django.setup()
from django.conf import settings
settings.STORAGES = {**settings.STORAGES, "staticfiles": {
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
from django.test import Client
from events.models import Meeting
client = Client()
paths = ["/"] + [meeting.get_absolute_url() for meeting in Meeting.objects.published().order_by("slug")]
pages = {}
for path in paths:
    response = client.get(path)
    pages[path] = [response.status_code, response.content.decode()]
print(json.dumps(pages))
"""


# An editor logged in, and a lockout: what a live database holds besides meetings.
ADD_LOGIN_STATE = """
import django
django.setup()
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone
editor = get_user_model().objects.create_user("editor@example.org", "editor@example.org", "a long passphrase here")
session = SessionStore()
session["_auth_user_id"] = str(editor.pk)
session.create()
now = timezone.now()
AccessAttempt.objects.create(username="editor@example.org", ip_address="203.0.113.7", user_agent="", get_data="",
                             post_data="", http_accept="", path_info="/admin/login/", failures_since_start=6,
                             attempt_time=now)
AccessLog.objects.create(username="editor@example.org", ip_address="203.0.113.7", user_agent="", http_accept="",
                         path_info="/admin/login/", attempt_time=now, session_hash="x")
"""


COUNT_LOGIN_STATE = """
import django, json
django.setup()
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
print(json.dumps({"users": get_user_model().objects.count(), "sessions": Session.objects.count(),
                  "attempts": AccessAttempt.objects.count(), "logs": AccessLog.objects.count()}))
"""


def environment(database_url):
    return {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "meetings_site.settings",
        "DATABASE_URL": database_url,
        "SECRET_KEY": "backup-test-key-not-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "0",
    }


def run(arguments, database_url):
    result = subprocess.run(
        [sys.executable, *arguments],
        cwd=PROJECT_DIR,
        env=environment(database_url),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def seeded_database(database_url):
    run(["manage.py", "migrate", "--noinput", "-v0"], database_url)
    run(["manage.py", "loadseed"], database_url)
    run(["-c", ADD_LOGIN_STATE], database_url)


def public_pages(database_url):
    return json.loads(run(["-c", RENDER_PUBLIC_PAGES], database_url))


def round_trip(source_url, target_url, backup_file):
    seeded_database(source_url)
    before = public_pages(source_url)

    written = run(["manage.py", "backup", "--output", str(backup_file)], source_url)
    restored = run(["manage.py", "restore", str(backup_file)], target_url)

    after = public_pages(target_url)
    assert written == f"{backup_file}\n"
    assert restored.startswith(f"Restored {backup_file} into ")
    return before, after


@pytest.fixture(scope="module")
def sqlite_round_trip(tmp_path_factory):
    """Seed a SQLite database, back it up, restore into a new one (once for the tests below)."""
    directory = tmp_path_factory.mktemp("backup")
    source = f"sqlite:///{directory / 'source.sqlite3'}"
    target = f"sqlite:///{directory / 'target.sqlite3'}"
    before, after = round_trip(source, target, directory / "backup.json")
    return directory, target, before, after


def test_sqlite_backup_restores_the_same_public_pages(sqlite_round_trip):
    _, _, before, after = sqlite_round_trip

    assert len(before) == 13  # the home page and the twelve seed meetings
    assert [status for status, _ in before.values()] == [200] * 13
    assert after == before


def test_sqlite_restored_database_dumps_to_the_same_data(sqlite_round_trip):
    directory, target, _, _ = sqlite_round_trip

    run(["manage.py", "backup", "--output", str(directory / "again.json")], target)

    assert json.loads((directory / "again.json").read_text()) == json.loads((directory / "backup.json").read_text())


def test_sqlite_backup_is_readable_by_its_owner_only(sqlite_round_trip):
    directory, _, _, _ = sqlite_round_trip

    assert stat.S_IMODE((directory / "backup.json").stat().st_mode) == 0o600


def test_sqlite_backup_holds_accounts_but_no_sessions_or_lockout_records(sqlite_round_trip):
    directory, _, _, _ = sqlite_round_trip

    models = {row["model"] for row in json.loads((directory / "backup.json").read_text())}

    assert "auth.user" in models
    assert sorted(model for model in models if model.startswith(("sessions.", "axes."))) == []


def test_sqlite_restore_leaves_no_session_to_log_in_with(sqlite_round_trip):
    _, target, _, _ = sqlite_round_trip

    counts = run(["-c", COUNT_LOGIN_STATE], target)

    assert json.loads(counts) == {"users": 1, "sessions": 0, "attempts": 0, "logs": 0}


def test_restore_refuses_a_database_that_is_not_empty(sqlite_round_trip):
    directory, target, _, _ = sqlite_round_trip

    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(directory / "backup.json")],
        cwd=PROJECT_DIR,
        env=environment(target),
        capture_output=True,
        text=True,
        timeout=180,
    )

    assert result.returncode == 1
    assert (
        result.stderr == f"CommandError: Refusing to restore: database {directory / 'target.sqlite3'} is not empty.\n"
    )


@pytest.fixture
def postgresql_databases():
    """Two fresh PostgreSQL databases beside the test database (only when the suite runs on PostgreSQL)."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("the suite runs on SQLite; set DATABASE_URL to a PostgreSQL database to test pg_dump")
    config = dj_database_url.parse(url)
    names = [f"{config['NAME']}_backup_source", f"{config['NAME']}_backup_target"]
    server = psycopg2.connect(
        dbname="postgres", user=config["USER"], host=config["HOST"], port=config["PORT"], password=config["PASSWORD"]
    )
    server.autocommit = True

    def recreate(drop_only=False):
        with server.cursor() as cursor:
            for name in names:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
                if not drop_only:
                    cursor.execute(f'CREATE DATABASE "{name}"')

    recreate()
    base = url.rsplit("/", 1)[0]
    yield [f"{base}/{name}" for name in names]
    recreate(drop_only=True)
    server.close()


def test_postgresql_dump_restores_the_same_public_pages(postgresql_databases, tmp_path):
    source, target = postgresql_databases

    before, after = round_trip(source, target, tmp_path / "backup.dump")

    assert [status for status, _ in before.values()] == [200] * 13
    assert after == before
    assert stat.S_IMODE((tmp_path / "backup.dump").stat().st_mode) == 0o600
    assert json.loads(run(["-c", COUNT_LOGIN_STATE], target)) == {"users": 1, "sessions": 0, "attempts": 0, "logs": 0}
    # pg_restore's own table of contents: which tables' rows the dump carries.
    contents = subprocess.run(
        ["pg_restore", "--list", str(tmp_path / "backup.dump")],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    tables_with_data = sorted(line.split()[-2] for line in contents.splitlines() if " TABLE DATA " in line)
    assert "auth_user" in tables_with_data
    assert [table for table in tables_with_data if table.startswith(("django_session", "axes_"))] == []


@pytest.mark.django_db(transaction=True)
def test_restoring_an_older_dump_drops_its_sessions_and_lockout_records(tmp_path):
    """Dumps written before sessions and lockouts were left out still hold them."""
    from axes.models import AccessAttempt
    from django.contrib.sessions.models import Session
    from django.core.management import call_command

    from events.models import Topic

    backup = tmp_path / "older.json"
    rows = [
        {"model": "events.topic", "pk": 1, "fields": {"name": "Migration", "slug": "m"}},
        {
            "model": "sessions.session",
            "pk": "k" * 32,
            "fields": {"session_data": "x", "expire_date": "2099-01-01T00:00:00Z"},
        },
        {
            "model": "axes.accessattempt",
            "pk": 1,
            "fields": {
                "username": "editor",
                "ip_address": "203.0.113.7",
                "user_agent": "",
                "get_data": "",
                "post_data": "",
                "http_accept": "",
                "path_info": "/admin/login/",
                "failures_since_start": 6,
                "attempt_time": "2099-01-01T00:00:00Z",
            },
        },
    ]
    backup.write_text(json.dumps(rows))

    call_command("restore", str(backup), stdout=io.StringIO())

    assert (Session.objects.count(), AccessAttempt.objects.count()) == (0, 0)
    assert list(Topic.objects.values_list("slug", flat=True)) == ["m"]


@pytest.mark.django_db(transaction=True)
def test_restore_makes_every_cached_version_stale(tmp_path, monkeypatch):
    """Pages, fragments and calendar entries cached before a restore describe another database."""
    from django.core.management import call_command

    from events.management.commands import restore
    from events.models import Topic

    calls = []
    monkeypatch.setattr(restore, "invalidate_all", lambda: calls.append("invalidate_all"))
    backup = tmp_path / "one-topic.json"
    backup.write_text(json.dumps([{"model": "events.topic", "pk": 1, "fields": {"name": "Migration", "slug": "m"}}]))

    output = io.StringIO()
    call_command("restore", str(backup), stdout=output)

    assert output.getvalue().startswith(f"Restored {backup} into ")
    assert calls == ["invalidate_all"]
    assert list(Topic.objects.values_list("slug", flat=True)) == ["m"]
