"""The deployment docs/deploy.md describes, on loopback: production settings behind nginx's TLS, the
seed meetings in an SQLite file of the test's own, gunicorn started with meetings_site/gunicorn.conf.py
and the shipped docs/nginx.conf in front of it (tests/support/nginx.py)."""

import contextlib
import tempfile
from pathlib import Path

from meetings_site.middleware import service_unavailable_response
from perf import harness
from tests.support.nginx import SERVER_NAME, Nginx, nginx_binary
from tests.support.ports import free_port


def seeded_deployment(prefix):
    """(data directory, environment) of a new deployment: migrated, seeded, its static files collected.

    HTTPS only, as in production: Django learns the scheme from nginx, or it would redirect forever.
    Skips first, before anything is built, when nginx is not installed.
    """
    nginx_binary()
    data = Path(tempfile.mkdtemp(prefix=prefix))
    environment = harness.production_environment(
        f"sqlite:///{data}/db.sqlite3",
        HTTPS_ONLY="1",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO=https",
        CLIENT_IP_HEADER="HTTP_X_REAL_IP",
        TRUSTED_PROXIES="127.0.0.1",
        ALLOWED_HOSTS=f"{SERVER_NAME},127.0.0.1",
        SITE_URL=f"https://{SERVER_NAME}",
        # Other deployments of the run (another xdist worker's) collect theirs at the same time.
        STATIC_ROOT=data / "static",
    )
    harness.manage(environment, "migrate", "--noinput")
    harness.manage(environment, "loadseed")
    harness.manage(environment, "collectstatic", "--noinput")
    return data, environment


@contextlib.contextmanager
def served(data, environment, *, workers, access_log=False):
    """(nginx, gunicorn) serving the deployment; gunicorn's log is data/gunicorn.log."""
    port = free_port()
    with (
        harness.Gunicorn(
            environment, port, log_path=data / "gunicorn.log", access_log=access_log, workers=workers
        ) as gunicorn,
        Nginx(port, service_unavailable_response().content) as nginx,
    ):
        yield nginx, gunicorn
