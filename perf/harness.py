"""What every benchmark and operations test shares: the site in a production-like environment,
gunicorn started the one way production starts it, manage.py commands, and wrk.

- production_environment(): DEBUG off, a random SECRET_KEY, loopback hosts, plain http.
- manage() runs `python manage.py …`; site_data() runs perf/sitedata.py (facts about the data:
  counts, URLs, the paths of cold runs) and returns what it prints, as JSON.
- Gunicorn: `gunicorn -c meetings_site/gunicorn.conf.py meetings_site.wsgi`, configured only
  through the GUNICORN_* variables that file reads (bind, workers, access log, log level…).
- wrk(): one bounded wrk run, its figures read from perf/wrk/report.lua's JSON line; with
  paths=…, every request asks for the next of those paths (perf/wrk/paths.lua); with once=True
  as well, the run ends when each has been answered once (perf/wrk/paths_once.lua).

Only loopback addresses are contacted. The drivers (bench.py, bench_feeds.py, loadtest.py,
faulttest.py) are run from the repository's root: `.venv/bin/python perf/bench.py`.
"""

import datetime
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
PYTHON = sys.executable
WRK_DIR = ROOT / "perf" / "wrk"
REPORT_SCRIPT = WRK_DIR / "report.lua"
PATHS_SCRIPT = WRK_DIR / "paths.lua"
PATHS_ONCE_SCRIPT = WRK_DIR / "paths_once.lua"
GUNICORN_CONFIG = "meetings_site/gunicorn.conf.py"
# What the page cache says it did (events.cache.middleware): "hit" or "miss".
PAGE_CACHE_HEADER = "X-Page-Cache"
# One key for every process of a run (manage.py commands, gunicorn), never written anywhere.
SECRET_KEY = secrets.token_urlsafe(50)


def log(message, name="perf"):
    print(f"[{name} {datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", flush=True)


def stop_on_sigterm():
    """SIGTERM (a timeout, kill) unwinds like Ctrl-C, so the gunicorn being measured is stopped too."""

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


# --- The environment and Django's side ----------------------------------------------------


def production_environment(database_url, *, redis_url=None, **extra):
    """Settings as production has them, on loopback: DEBUG off, a real-looking SECRET_KEY,
    ALLOWED_HOSTS for 127.0.0.1, plain http (HTTPS_ONLY=0: wrk speaks http), warnings only.
    Nothing is inherited from the caller's environment but PATH, so a DEBUG=1 or REDIS_URL in
    the shell never changes what is measured. With redis_url the cache is Redis, else each
    process's local memory. Further settings (CONN_MAX_AGE="600"…) come as keyword arguments.
    """
    environment = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "meetings_site.settings",
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "HTTPS_ONLY": "0",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
    }
    if redis_url:
        environment["REDIS_URL"] = redis_url
    environment.update({name: str(value) for name, value in extra.items()})
    return environment


def manage(environment, *arguments, quiet=True):
    """`python manage.py ARGUMENTS` in the environment; stops the run if it fails."""
    subprocess.run(
        [PYTHON, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def run_module(environment, module, *arguments, timeout=None):
    """`python -m MODULE ARGUMENTS` from the repository's root (where Django's code imports from);
    returns the completed process (stdout and stderr captured as text)."""
    return subprocess.run(
        [PYTHON, "-m", module, *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def site_data(environment, command, *arguments):
    """What perf/sitedata.py COMMAND prints (JSON), read from the database `environment` names."""
    completed = run_module(environment, "perf.sitedata", command, *map(str, arguments))
    if completed.returncode != 0:
        raise RuntimeError(f"perf/sitedata.py {command} failed:\n{completed.stderr}")
    return json.loads(completed.stdout)


def ensure_postgres_database(database_url, *, recreate=False):
    """Create the PostgreSQL database database_url names unless it exists (drop it first with recreate)."""
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(database_url)
    server = psycopg2.connect(
        dbname="postgres", user=config["USER"], password=config["PASSWORD"], host=config["HOST"], port=config["PORT"]
    )
    server.autocommit = True
    name = config["NAME"].replace('"', '""')
    with server.cursor() as cursor:
        if recreate:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            log(f"creating database {config['NAME']}")
            cursor.execute(f'CREATE DATABASE "{name}"')
    server.close()


# --- HTTP -------------------------------------------------------------------------------


def fetch(url, headers=None, timeout=60):
    """(status, response headers) of a GET, reading the whole body: a streamed feed is only built
    (and cached) as it is read. Status None: refused, timed out or cut off."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310  (loopback URL built here)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            response.read()
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers
    except (urllib.error.URLError, OSError, http.client.HTTPException):
        return None, {}


def fetch_whole(url, headers=None, timeout=60):
    """(status, response headers, body) of a GET; over https the certificate is not checked (the
    benchmark's own self-signed one, on loopback). Status None: refused, timed out or cut off."""
    request = urllib.request.Request(url, headers=headers or {})  # noqa: S310  (loopback URL built here)
    context = ssl._create_unverified_context() if url.startswith("https:") else None  # noqa: S323
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, b""
    except (urllib.error.URLError, OSError, http.client.HTTPException):
        return None, {}, b""


def http_status(url, timeout=5):
    return fetch(url, timeout=timeout)[0]


def page_cache_status(headers):
    """The page cache's word on a response: "hit", "miss", or "" when it did not say (it does not keep it)."""
    return (headers.get(PAGE_CACHE_HEADER) or "").strip().lower() if headers else ""


def sequential_latency_ms(url, count=5):
    """Median time of `count` requests one after another: the page's own cost, without queueing."""
    timings = []
    for _ in range(count):
        started = time.monotonic()
        http_status(url, timeout=60)
        timings.append((time.monotonic() - started) * 1000)
    return sorted(timings)[len(timings) // 2]


# --- gunicorn ---------------------------------------------------------------------------------


class Gunicorn:
    """gunicorn as production runs it (meetings_site/gunicorn.conf.py), on 127.0.0.1:port, started
    and stopped by this process only.

    Its settings are the config file's; `settings` overrides them the way the file allows, through
    its environment variables: Gunicorn(env, 8105, workers=5, max_requests=0) sets GUNICORN_WORKERS=5
    and GUNICORN_MAX_REQUESTS=0. The access log is off (GUNICORN_ACCESS_LOG empty) unless
    access_log=True; gunicorn's own log goes to log_path (a temporary file by default).
    """

    def __init__(self, environment, port, *, log_path=None, access_log=False, ready_path="/readyz", **settings):
        self.environment = {
            **environment,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_ACCESS_LOG": "-" if access_log else "",
        }
        for name, value in settings.items():
            if value is not None:
                self.environment[f"GUNICORN_{name.upper()}"] = str(value)
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = Path(log_path or Path(tempfile.gettempdir()) / f"perf-gunicorn-{port}.log")
        self.ready_path = ready_path
        self.process = None

    def __enter__(self):
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", GUNICORN_CONFIG, "meetings_site.wsgi"],
            cwd=ROOT,
            env=self.environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while http_status(self.base_url + self.ready_path) != 200:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                tail = "".join(self.log_path.read_text().splitlines(keepends=True)[-20:])
                raise RuntimeError(f"gunicorn did not become ready (log: {self.log_path}):\n{tail}")
            time.sleep(0.3)
        return self

    def __exit__(self, *exc_info):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)  # the config's graceful_timeout is 30 s
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def wait_until_idle(self, limit_seconds=240, fast_seconds=0.5):
        """Wait until the requests queued by a finished wrk run have been served (a sync worker serves
        the backlog even after wrk hangs up), so the next run measures the site, not the previous
        queue: /healthz answers within fast_seconds. False if it never did within limit_seconds."""
        deadline = time.monotonic() + limit_seconds
        while time.monotonic() < deadline:
            started = time.monotonic()
            status = http_status(self.base_url + "/healthz", timeout=max(1.0, deadline - time.monotonic()))
            if status == 200 and time.monotonic() - started < fast_seconds:
                return True
            time.sleep(0.5)
        return False


# --- wrk --------------------------------------------------------------------------------------


def ensure_wrk():
    """wrk's path; installs Debian's package when it is missing (needs root)."""
    found = shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists() else None)
    if found:
        return found
    log("wrk is missing: installing Debian's package (apt-get install wrk)")
    apt_environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=apt_environment)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=apt_environment)
    return shutil.which("wrk") or "/usr/bin/wrk"


@dataclass
class WrkResult:
    requests: int = 0
    seconds: float = 0.0
    requests_per_second: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    connect_errors: int = 0
    read_errors: int = 0
    write_errors: int = 0
    bad_statuses: int = 0  # responses other than 2xx and 3xx
    timeouts: int = 0
    paths: int = 0  # distinct paths the run had (paths.lua), 0 for a single URL
    once: bool = False  # the run stopped when its paths were used up (paths_once.lua)

    @property
    def errors(self):
        return self.connect_errors + self.read_errors + self.write_errors + self.bad_statuses + self.timeouts

    @property
    def repeated(self):
        """Requests that asked again for a path of the run (the file was used up)."""
        return max(0, self.requests - self.paths) if self.paths else 0

    def repeated_beyond(self, connections):
        """Repeats beyond what a run that stops when its paths are used up always has: when a thread
        has its last answer, each of its other connections may have asked once more."""
        return max(0, self.repeated - connections) if self.once else self.repeated


def write_paths(paths, directory, name):
    """One path per line, for wrk(paths=…)."""
    path = Path(directory) / f"{name}.paths"
    path.write_text("".join(f"{line}\n" for line in paths))
    return path


def wrk(url, *, connections, seconds, threads=2, timeout_seconds=5, headers=(), paths=None, once=False, wrk_path=None):
    """One wrk run, bounded by `seconds`. headers: "Name: value" strings. paths: a file from
    write_paths(); then each request asks for the next of them (url gives only the server), and
    with once=True the run stops when every path has been answered once (its figures are over
    the time that took), so a file shorter than the run gives a shorter run, not repeats."""
    command = [wrk_path or ensure_wrk(), f"-t{threads}", f"-c{connections}", f"-d{seconds}s"]
    command.append(f"--timeout={timeout_seconds}s")
    for header in headers:
        command += ["-H", header]
    path_count = 0
    if paths:
        path_count = sum(1 for line in Path(paths).read_text().splitlines() if line)
        script = PATHS_ONCE_SCRIPT if once else PATHS_SCRIPT
        command += ["-s", str(script), url, "--", str(paths), str(threads)]
    else:
        command += ["-s", str(REPORT_SCRIPT), url]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines or not lines[-1].startswith("{"):
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr or completed.stdout}")
    figures = json.loads(lines[-1])
    seconds_run = figures["duration_us"] / 1e6
    return WrkResult(
        requests=figures["requests"],
        seconds=seconds_run,
        requests_per_second=figures["requests"] / seconds_run if seconds_run else 0.0,
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        max_ms=figures["max_us"] / 1000,
        connect_errors=figures["connect"],
        read_errors=figures["read"],
        write_errors=figures["write"],
        bad_statuses=figures["status"],
        timeouts=figures["timeout"],
        paths=path_count,
        once=bool(paths) and once,
    )


# --- nginx serving saved copies -------------------------------------------------------------------

STATIC_CONFIG = """\
worker_processes {workers};
pid {prefix}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    sendfile on;
    tcp_nopush on;
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port} ssl http2;
        ssl_certificate {certificate};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;
        root {prefix}/copies;
{locations}
    }}
}}
"""


def start_nginx(command, port, error_log, **popen_options):
    """nginx in the foreground (command: its binary and options), once it accepts connections on port.

    Stops the run, with nginx's error log, when it exits or does not listen within 10 seconds.
    """
    process = subprocess.Popen(
        [*command, "-g", "daemon off;"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **popen_options
    )
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log_text = error_log.read_text() if error_log.exists() else ""
                raise RuntimeError(f"nginx did not start: {log_text}") from None
            time.sleep(0.05)


def stop_nginx(process):
    """nginx's graceful stop (SIGQUIT: requests in progress finish), killed after 10 seconds."""
    if process and process.poll() is None:
        process.send_signal(signal.SIGQUIT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class SavedCopy:
    """One response as the site answered it: what nginx serves again for the static column."""

    name: str
    status: int
    content_type: str
    content_encoding: str
    body: bytes


class StaticCopies:
    """nginx (one worker, as the stack's) serving each saved response from a file, over TLS with the
    stack's certificate: the physical limit of the same answer on this machine. A 304 is answered
    as nginx answers any 304, with no body. copy_path(name) is where a copy is served."""

    def __init__(self, nginx_path, copies, port, certificate, key, workers=1):
        self.nginx_path, self.port = nginx_path, port
        self.prefix = Path(tempfile.mkdtemp(prefix="bench-static-"))
        (self.prefix / "copies").mkdir()
        locations = []
        for number, copy in enumerate(copies):
            path = self.copy_path(number)
            if copy.status == 304:
                locations.append(f"        location = {path} {{ return 304; }}")
                continue
            (self.prefix / "copies" / path.lstrip("/")).write_bytes(copy.body)
            encoding = f" add_header Content-Encoding {copy.content_encoding};" if copy.content_encoding else ""
            served_as = f'types {{ }} default_type "{copy.content_type}";{encoding}'
            locations.append(f"        location = {path} {{ {served_as} }}")
        self.paths = {copy.name: self.copy_path(number) for number, copy in enumerate(copies)}
        (self.prefix / "nginx.conf").write_text(
            STATIC_CONFIG.format(
                prefix=self.prefix,
                port=port,
                certificate=certificate,
                key=key,
                locations="\n".join(locations),
                workers=workers,
            )
        )
        for path in [self.prefix, *self.prefix.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)  # nginx's workers run as nobody under root
        self.base_url = f"https://localhost:{port}"
        self.process = None

    @staticmethod
    def copy_path(number):
        return f"/copy-{number}"

    def __enter__(self):
        prefix = str(self.prefix)
        command = [self.nginx_path, "-p", prefix, "-e", f"{prefix}/error.log", "-c", f"{prefix}/nginx.conf"]
        self.process = start_nginx(command, self.port, self.prefix / "error.log")
        return self

    def __exit__(self, *exc_info):
        stop_nginx(self.process)
        shutil.rmtree(self.prefix, ignore_errors=True)
