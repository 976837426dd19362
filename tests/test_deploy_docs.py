"""The docs tell one deployment story: gunicorn started from its config file, reachable only by nginx.

The story itself runs in tests/test_deploy_nginx.py; these tests keep every place the docs tell
it, and the config file, from drifting back to a gunicorn clients can reach directly.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "docs").glob("*.md"))
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
WILDCARDS = ("0.0.0.0", "[::]", "::", "*")  # noqa: S104 -- what the docs must not say


def doc_lines(pattern):
    return [
        (doc.name, line.strip()) for doc in DOCS for line in doc.read_text().splitlines() if re.search(pattern, line)
    ]


def test_every_gunicorn_command_in_the_docs_starts_it_with_its_config_file():
    commands = doc_lines(r"^\s*(`)?gunicorn\s")

    assert commands, "the docs no longer say how gunicorn is started"
    assert [line for _, line in commands if "-c meetings_site/gunicorn.conf.py" not in line] == []


def test_no_doc_binds_gunicorn_on_every_interface():
    binds = doc_lines(r"GUNICORN_BIND=|gunicorn .*(-b|--bind)")

    assert binds
    assert [line for _, line in binds if any(f"={host}:" in line or f" {host}:" in line for host in WILDCARDS)] == []


def test_the_nginx_config_lives_in_one_file():
    # A second server block in the prose drifts from the tested one (it once lacked every limit).
    assert doc_lines(r"^\s*server\s*\{") == []


def check_config(bind):
    environment = {**os.environ, "GUNICORN_BIND": bind, "DJANGO_SETTINGS_MODULE": "meetings_site.settings"}
    return subprocess.run(
        [GUNICORN, "-c", "meetings_site/gunicorn.conf.py", "--check-config", "meetings_site.wsgi"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize("bind", ["0.0.0.0:8000", "[::]:8000", ":8000"])
def test_gunicorn_refuses_to_listen_on_every_interface(bind):
    checked = check_config(bind)

    assert checked.returncode != 0
    assert f"GUNICORN_BIND={bind} listens on every interface" in checked.stdout + checked.stderr


@pytest.mark.parametrize("bind", ["127.0.0.1:8000", "10.0.0.11:8000", "unix:/run/meetings.sock"])
def test_gunicorn_accepts_loopback_and_private_addresses(bind):
    assert check_config(bind).returncode == 0
