"""gunicorn settings: `gunicorn -c meetings_site/gunicorn.conf.py meetings_site.wsgi`.

Meant to run behind a buffering proxy (docs/nginx.conf): nginx absorbs slow clients, so
plain sync workers are enough and each one only ever waits on the database.
Every value can be overridden from the environment (GUNICORN_*), or on the command line.
"""

import multiprocessing
import os

# Loopback (nginx on the same host) or the private address only nginx reaches (docs/deploy.md).
# A sync worker reached directly is held by any client that sends its request slowly, so an
# address on every interface is refused rather than started.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
WILDCARD_HOSTS = {"", "0.0.0.0", "::", "*"}  # noqa: S104 -- the addresses refused, not bound
if not bind.startswith(("unix:", "fd://")) and bind.rsplit(":", 1)[0].strip("[]") in WILDCARD_HOSTS:
    raise SystemExit(
        f"GUNICORN_BIND={bind} listens on every interface, where clients could reach gunicorn "
        "past nginx: bind 127.0.0.1:PORT or the private address nginx connects to (docs/deploy.md)."
    )

# The usual 2 × cores + 1: requests spend part of their time waiting on PostgreSQL.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"

# Longer than the database statement_timeout (10 s, settings.py), so a slow query ends as a
# clean 503 from Django rather than a worker killed mid-request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5

# Restart each worker after a while, so a slow leak never grows; jitter keeps them from restarting together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "200"))

# Behind the proxy: trust X-Forwarded-* only from it.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")

# Access log on stdout (the process manager collects it), with the request time in microseconds.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log (load tests)
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(D)sus "%(a)s"'
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl): two
# instances on one machine would fight over it. Nothing here uses it.
control_socket_disable = True

# Load the application once in the master: faster worker restarts, shared memory pages.
preload_app = True
