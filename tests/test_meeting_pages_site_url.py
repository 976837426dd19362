"""Absolute links point at the site wherever it runs: a development server on another port writes
its own port into canonical links, OpenGraph, JSON-LD, calendar links and feeds; production must
say where it is (SITE_URL), and `check --deploy` tells it when it does not."""

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest

from tests.support.html import elements
from tests.support.ports import free_port

PROJECT_DIR = Path(__file__).resolve().parent.parent
SEED_SLUG = "7th-meeting-rcc-nfp-group"

# The suite's fixtures read the test database before every test, though these tests use their servers' own.
pytestmark = pytest.mark.django_db


def manage(environment, *arguments, **kwargs):
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        **kwargs,
    )


def get(url, attempts=100):
    """The body at url, waiting for a server that is still starting."""
    for _attempt in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own loopback server
                return response.read()
        except (ConnectionError, urllib.error.URLError):
            time.sleep(0.1)
    raise AssertionError(f"{url} did not answer")


@pytest.fixture
def development_server(tmp_path):
    """`manage.py runserver 127.0.0.1:<port>` as `make run PORT=<port>` starts it, on the seed, no SITE_URL."""
    port = free_port()
    environment = {
        "PATH": os.environ["PATH"],
        "DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    for arguments in (("migrate", "--noinput"), ("loadseed",)):
        assert manage(environment, *arguments).returncode == 0
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=PROJECT_DIR,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_development_server_on_another_port_writes_its_own_port_into_every_absolute_link(development_server):
    page_url = f"{development_server}/meetings/{SEED_SLUG}/"

    page = get(page_url)
    event = icalendar.Calendar.from_ical(get(f"{development_server}/meetings/{SEED_SLUG}.ics")).walk("VEVENT")[0]
    feed = icalendar.Calendar.from_ical(get(f"{development_server}/calendar.ics?date_from=2015-01-01"))

    hrefs = [anchor["attrs"].get("href", "") for anchor in elements(page, "a")]
    google = next(href for href in hrefs if href.startswith("https://calendar.google.com/"))
    outlook = next(href for href in hrefs if href.startswith("https://outlook.live.com/"))
    links = {
        "canonical": elements(page, "link", rel="canonical")[0]["attrs"]["href"],
        "og:url": elements(page, "meta", property="og:url")[0]["attrs"]["content"],
        "json-ld": json.loads(elements(page, "script", type="application/ld+json")[0]["text"])["url"],
        # The meeting page is the last line of the event's details.
        "google": parse_qs(urlsplit(google).query)["details"][0].splitlines()[-1],
        "outlook": parse_qs(urlsplit(outlook).query)["body"][0].splitlines()[-1],
        "ics": str(event["URL"]),
    }
    assert links == dict.fromkeys(links, page_url)
    assert {str(item["URL"]).split("/meetings/")[0] for item in feed.walk("VEVENT")} == {development_server}


def production_environment(**extra):
    return {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "calendar.example.org",
        **extra,
    }


def test_check_deploy_warns_when_production_has_no_site_url():
    result = manage(production_environment(), "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 1
    assert (
        "?: (meetings_site.W001) SITE_URL is http://127.0.0.1:8000: links in feeds, calendar links and "
        "canonical links point at this machine.\n"
        "\tHINT: Set SITE_URL to the site's public address, e.g. https://meetings.example.org.\n"
    ) in result.stderr


def test_check_deploy_is_quiet_about_a_public_site_url():
    result = manage(
        production_environment(SITE_URL="https://calendar.example.org"), "check", "--deploy", "--fail-level", "DEBUG"
    )

    assert "meetings_site" not in result.stdout + result.stderr


def test_a_site_url_without_scheme_is_refused():
    result = manage(production_environment(SITE_URL="calendar.example.org"), "check")

    assert result.returncode == 1
    assert (
        "?: (meetings_site.E001) SITE_URL 'calendar.example.org' is not an absolute http or https address."
    ) in result.stderr
