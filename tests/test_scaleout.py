"""Two app servers on one PostgreSQL and one Redis behave as one site.

Two gunicorn instances on two loopback ports serve the test database. An editor
logs in to the admin on the first and renames a meeting; the very next request
to the second shows the new title on its list page and in its feed, though both
pages had been cached there before the edit.

Runs when DATABASE_URL names PostgreSQL (CI does) and Redis answers at
SCALEOUT_REDIS_URL (default redis://127.0.0.1:6379/5); skipped otherwise.
"""

import http.cookiejar
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.cache import cache
from django.db import connection

from events.cache import version
from tests.support.factories import MeetingFactory
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("SCALEOUT_REDIS_URL", "redis://127.0.0.1:6379/5")
EDITOR_PASSWORD = "correct horse battery staple"

pytestmark = pytest.mark.django_db(transaction=True)


def redis_answers():
    import redis

    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.fixture
def shared_redis_cache(settings):
    """The test process uses the servers' Redis too, so its writes bump the version they read."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://… (CI does)")
    if not redis_answers():
        pytest.skip(f"needs Redis at {REDIS_URL}")
    settings.CACHES = {
        # The servers' key prefix: the database's name (meetings_site/settings.py).
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"db:{connection.settings_dict['NAME']}:{settings.RELEASE}",
        },
        "process": settings.CACHES["process"],
    }
    cache.delete(version.CACHE_KEY)  # a version left by an earlier run belongs to another database


def database_url():
    db = settings.DATABASES["default"]
    credentials = urllib.parse.quote(db["USER"] or "postgres")
    if db["PASSWORD"]:
        credentials += ":" + urllib.parse.quote(db["PASSWORD"])
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def two_servers(shared_redis_cache, tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "scale-out-test-secret-key-0123456789-abcdefghijklmnop",
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS_ONLY": "0",  # plain HTTP on loopback; production sits behind TLS
        "DATABASE_URL": database_url(),
        "CONN_MAX_AGE": "0",  # no connection outlives a request: the test database is dropped afterwards
        "REDIS_URL": REDIS_URL,
        "LOG_LEVEL": "WARNING",
        "STATIC_ROOT": str(tmp_path / "static"),  # other deployments of the run collect in parallel
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity=0"], cwd=ROOT, env=env, check=True
    )
    ports = [free_port(), free_port()]
    processes = [
        subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "-c",
                "meetings_site/gunicorn.conf.py",
                "meetings_site.wsgi",
            ],
            cwd=ROOT,
            env={
                **env,
                "GUNICORN_BIND": f"127.0.0.1:{port}",
                "GUNICORN_WORKERS": "2",
                "GUNICORN_LOG_LEVEL": "warning",
                "GUNICORN_ACCESS_LOG": "",
                "GUNICORN_MAX_REQUESTS": "0",
            },
        )
        for port in ports
    ]
    try:
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base in bases:
            wait_until_up(base)
        yield bases
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=20)


def wait_until_up(base):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{base} did not start within 30 s")


class FormReader(HTMLParser):
    """The fields a browser would submit with the page's form with id `form_id` (or its only form)."""

    def __init__(self, form_id=None):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.fields = []
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = self.form_id is None or attrs.get("id") == self.form_id
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file", "image"):
                self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # The HTML parser drops the newline that may follow <textarea>; Django adds one.
            self.fields.append((self.textarea[0], self.textarea[1].removeprefix("\n")))
            self.textarea = None
        elif tag == "form":
            self.inside = False


class Browser:
    """A cookie-keeping HTTP client for one server, like an editor's browser."""

    def __init__(self, base):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path):
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.status, response.read().decode()

    def submit(self, path, form_id=None, **changes):
        _, html = self.get(path)
        reader = FormReader(form_id)
        reader.feed(html)
        fields = [(name, value) for name, value in reader.fields if name not in changes]
        fields += list(changes.items())
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Referer": self.base + path},
        )
        with self.opener.open(request, timeout=30) as response:
            return response.status, response.geturl(), response.read().decode()


def anonymous_get(base, path):
    with urllib.request.urlopen(base + path, timeout=30) as response:
        return response.headers.get("X-Page-Cache"), response.read().decode()


def test_edit_through_one_server_is_seen_on_the_other_at_once(two_servers, django_user_model):
    first, second = two_servers
    meeting = MeetingFactory(title="Meeting of Border Police Chiefs", slug="border-police-chiefs")
    editor_account = django_user_model.objects.create_superuser("editor", "editor@example.org")
    # Hashed as production hashes (the servers' settings), not with the tests' fast hasher.
    hasher = PBKDF2PasswordHasher()
    editor_account.password = hasher.encode(EDITOR_PASSWORD, hasher.salt())
    editor_account.save()
    pages = ["/meetings/", "/calendar.ics"]
    for path in pages:
        anonymous_get(second, path)
    before = {path: anonymous_get(second, path) for path in pages}

    editor = Browser(first)
    editor.submit("/admin/login/?next=/admin/", form_id="login-form", username="editor", password=EDITOR_PASSWORD)
    status, landed_on, _ = editor.submit(
        f"/admin/events/meeting/{meeting.pk}/change/",
        form_id="meeting_form",
        title_en="Meeting of Heads of Border Police",
    )
    after = {path: anonymous_get(second, path) for path in pages}

    assert (status, landed_on) == (200, first + "/admin/events/meeting/")
    assert {path: cache_status for path, (cache_status, _) in before.items()} == dict.fromkeys(pages, "hit")
    for path in pages:
        assert "Meeting of Border Police Chiefs" in before[path][1]
        assert "Meeting of Heads of Border Police" in after[path][1]
        assert "Meeting of Border Police Chiefs" not in after[path][1]
