"""The shipped docs/nginx.conf, run as a real nginx on a test machine.

Only what a test machine cannot have is changed (substitutions()): the privileged ports, the
upstream address, the certificate paths, the maintenance root and the proxy cache's directory.
Each must match the shipped file, so a test never silently runs a config other than the one
operators install. The file is included from a minimal main config (MAIN_CONFIG) that puts
nginx's pid, logs and temporary files in a directory of its own, as Debian's
/etc/nginx/nginx.conf includes sites-enabled/. As root, nginx is started as nobody: the test
never runs a server with root's rights.
"""

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
from pathlib import Path

import pytest

from perf import harness
from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parent.parent.parent
SHIPPED_CONFIG = ROOT / "docs" / "nginx.conf"
SERVER_NAME = "calendar.example.org"
CERTIFICATES = f"/etc/letsencrypt/live/{SERVER_NAME}"
MAINTENANCE_ROOT = "/srv/meetings/maintenance"
UPSTREAM = "server 127.0.0.1:8000 "
PROXY_CACHE = "/var/cache/nginx/meetings"

MAIN_CONFIG = """\
worker_processes 1;
pid {prefix}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    # What Debian's own /etc/nginx/nginx.conf sets in http {{}}, so a duplicate directive shows here.
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    gzip on;
    access_log off;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {prefix}/meetings.conf;
}}
"""


def nginx_binary():
    """nginx's path, or skip (fail in CI, which installs Debian's nginx-light: .ci/run)."""
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
    if found:
        return found
    reason = "nginx is not installed (apt-get install nginx-light); CI installs it and runs these tests"
    if os.environ.get("CI") == "true" or os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)


def substitutions(*, http_port, https_port, upstream_port, certificates, maintenance, proxy_cache, server_name):
    """(pattern, replacement) for each thing a test machine cannot have."""
    renamed = [(re.escape(SERVER_NAME), server_name)] if server_name != SERVER_NAME else []
    return [
        (r"\blisten 80\b", f"listen {http_port}"),
        (r"\blisten 443\b", f"listen {https_port}"),
        (re.escape(UPSTREAM), f"server 127.0.0.1:{upstream_port} "),
        (re.escape(CERTIFICATES), str(certificates)),
        (re.escape(MAINTENANCE_ROOT), str(maintenance)),
        (re.escape(PROXY_CACHE) + r"\b", str(proxy_cache)),
        *renamed,  # after the certificates' path, which holds the name too
    ]


def render_shipped_config(**places):
    text = SHIPPED_CONFIG.read_text()
    for pattern, replacement in substitutions(**places):
        text, count = re.subn(pattern, replacement, text)
        assert count, f"docs/nginx.conf no longer has {pattern!r}: update tests/support/nginx.py with it"
    return text


def self_signed_certificate(directory):
    """fullchain.pem and privkey.pem for SERVER_NAME, as certbot would leave them."""
    subprocess.run(
        [
            shutil.which("openssl") or "/usr/bin/openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={SERVER_NAME}",
            "-addext",
            f"subjectAltName=DNS:{SERVER_NAME}",
            "-keyout",
            str(directory / "privkey.pem"),
            "-out",
            str(directory / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
    )
    return directory / "fullchain.pem"


class Nginx:
    """docs/nginx.conf in front of 127.0.0.1:upstream_port, on two free high ports.

    Its proxy cache starts empty (a directory of its own) and is removed with it. server_name:
    for a client that cannot resolve SERVER_NAME (wrk, in perf/bench.py): "localhost"."""

    def __init__(self, upstream_port, maintenance_page, *, server_name=SERVER_NAME):
        self.nginx = nginx_binary()
        self.prefix = Path(tempfile.mkdtemp(prefix="nginx-test-"))
        certificates = self.prefix / "certificates"
        maintenance = self.prefix / "maintenance"
        certificates.mkdir()
        maintenance.mkdir()
        self.ca_file = self_signed_certificate(certificates)
        (maintenance / "maintenance.html").write_bytes(maintenance_page)
        self.http_port, self.https_port = free_port(), free_port()
        (self.prefix / "meetings.conf").write_text(
            render_shipped_config(
                http_port=self.http_port,
                https_port=self.https_port,
                upstream_port=upstream_port,
                certificates=certificates,
                maintenance=maintenance,
                proxy_cache=self.prefix / "proxy_cache",
                server_name=server_name,
            )
        )
        self.main_config = self.prefix / "nginx.conf"
        self.main_config.write_text(MAIN_CONFIG.format(prefix=self.prefix))
        self.as_user = {}
        if os.geteuid() == 0:
            for path in [self.prefix, *self.prefix.rglob("*")]:
                shutil.chown(path, "nobody", "nogroup")
            self.as_user = {"user": "nobody", "group": "nogroup", "extra_groups": []}
        self.process = None

    def command(self, *arguments):
        prefix = str(self.prefix)
        return [self.nginx, "-p", prefix, "-e", f"{prefix}/error.log", "-c", str(self.main_config), *arguments]

    def check(self):
        """`nginx -t` on the config: (exit status, what it printed)."""
        done = subprocess.run(self.command("-t"), capture_output=True, text=True, check=False, **self.as_user)
        return done.returncode, done.stderr

    def __enter__(self):
        self.process = harness.start_nginx(self.command(), self.https_port, self.prefix / "error.log", **self.as_user)
        return self

    def __exit__(self, *exc_info):
        harness.stop_nginx(self.process)
        shutil.rmtree(self.prefix, ignore_errors=True)

    def tls_context(self):
        return ssl.create_default_context(cafile=str(self.ca_file))

    def tls_socket(self, source="127.0.0.1", timeout=10):
        """A TLS connection to the site's server, naming SERVER_NAME as a browser would (SNI)."""
        raw = socket.create_connection(("127.0.0.1", self.https_port), timeout=timeout, source_address=(source, 0))
        return self.tls_context().wrap_socket(raw, server_hostname=SERVER_NAME)

    def ask(self, method, path, *, headers=None, body=None, source="127.0.0.1"):
        """(status, headers, body) of one request to the site over TLS, as a visitor's browser sends it."""
        connection = http.client.HTTPSConnection(SERVER_NAME, self.https_port, timeout=30)
        connection.sock = self.tls_socket(source=source)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        result = response.status, response.headers, response.read()
        connection.close()
        return result
