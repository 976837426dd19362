"""Reading the calendars the site emits with ical.js (tests/js), the parser of web calendar clients.

ical.js knows no zone but the feed's own VTIMEZONEs, so it reads a feed as a client that trusts
them does. It runs on node; `make install` installs it (npm ci in tests/js) when node is there.
"""

import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

JS_DIR = Path(__file__).resolve().parent.parent / "js"
READER = JS_DIR / "read-events.mjs"
INSTALLED = JS_DIR / "node_modules" / "ical.js" / "package.json"


def node_binary():
    """node's path once ical.js is installed, or skip saying why (fail in CI, which has both: .ci/run)."""
    node = shutil.which("node")
    if node and INSTALLED.exists():
        return node
    if node:
        reason = "ical.js is not installed: run `make install` (npm ci in tests/js)"
    else:
        reason = "node is not installed (apt-get install nodejs npm), so ical.js cannot read the feeds"
    if os.environ.get("CI") == "true" or os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def value_of(text):
    if text is None:
        return None
    if "T" not in text:
        return datetime.date.fromisoformat(text)
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def read_events(content):
    """{uid: {"start": …, "end": …}} as ical.js reads the .ics: aware UTC datetimes, or dates for all-day events."""
    result = subprocess.run(
        [node_binary(), str(READER)], input=content, capture_output=True, check=True, cwd=JS_DIR, timeout=60
    )
    return {
        uid: {"start": value_of(fields["start"]), "end": value_of(fields["end"])}
        for uid, fields in json.loads(result.stdout).items()
    }
