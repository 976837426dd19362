"""Shared by loadtest.py and faulttest.py: a production-settings gunicorn on loopback, and wrk."""

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
WRK = "/usr/bin/wrk"
WRK_REPORTER = PROJECT_DIR / "scripts" / "wrk_summary.lua"


def production_environment(database_url, **extra):
    """DEBUG off, a random key, loopback host; plain http (HTTPS_ONLY=0) because wrk speaks http."""
    environment = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "meetings_site.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "HTTPS_ONLY": "0",
        "LOG_LEVEL": "WARNING",
    }
    environment.update(extra)
    return environment


def manage(environment, *arguments, quiet=True):
    subprocess.run(
        [str(VENV_BIN / "python"), "manage.py", *arguments],
        cwd=PROJECT_DIR,
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def django_output(environment, script):
    """What a short Python script prints when run with the project's Django set up in `environment`."""
    return subprocess.run(
        [str(VENV_BIN / "python"), "-c", script],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def http_status(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310  (loopback http URL built here)
            # Read the whole body: a streamed feed is only built (and cached) as it is read, and a
            # latency that stopped at the headers would leave out all of that work.
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return None


class Gunicorn:
    """gunicorn with meetings_site/gunicorn.conf.py, started and stopped by this process only."""

    def __init__(self, environment, port, log_path, workers=None):
        self.environment = {**environment, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_ACCESS_LOG": ""}
        if workers:
            self.environment["GUNICORN_WORKERS"] = str(workers)
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        self.process = None

    def __enter__(self):
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "meetings_site/gunicorn.conf.py", "meetings_site.wsgi"],
            cwd=PROJECT_DIR,
            env=self.environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while http_status(self.base_url + "/readyz") != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not become ready; see {self.log_path}")
            time.sleep(0.5)
        return self

    def __exit__(self, *exc_info):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def wrk(url, connections, seconds, threads=2, timeout_seconds=5, headers=()):
    """Run wrk (bounded by `seconds`) and return its figures as a dict."""
    header_arguments = [argument for header in headers for argument in ("-H", header)]
    result = subprocess.run(
        [
            WRK,
            *header_arguments,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            f"--timeout={timeout_seconds}s",
            "-s",
            str(WRK_REPORTER),
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["errors"] = sum(figures[kind] for kind in ("connect", "read", "write", "status", "timeout"))
    return figures


def wait_until_idle(base_url, limit_seconds=240):
    """Wait until requests queued by a finished wrk run have been served (a sync worker serves the
    backlog even after wrk hangs up), so the next run measures the site, not the previous queue."""
    deadline = time.monotonic() + limit_seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        if http_status(base_url + "/healthz", timeout=limit_seconds) == 200 and time.monotonic() - started < 0.5:
            return True
        time.sleep(1)
    return False


def sequential_latency_ms(url, count=5):
    """Median time of `count` requests one after another: the page's own cost, without queueing."""
    timings = []
    for _ in range(count):
        started = time.monotonic()
        http_status(url, timeout=60)
        timings.append((time.monotonic() - started) * 1000)
    return sorted(timings)[len(timings) // 2]
