"""The deployment docs/deploy.md describes, run for real: the shipped docs/nginx.conf in front of
gunicorn started with meetings_site/gunicorn.conf.py on loopback, production settings (HTTPS only,
behind a TLS proxy), the seed meetings in an SQLite file. Everything is asked through nginx over
TLS, as a visitor's browser or calendar program would.

Skipped when nginx is not installed (tests/support/nginx.py says how to get it); CI installs it.
"""

import gzip
import http.client
import re
import socket
import threading
import time

import icalendar
import pytest

from meetings_site.middleware import service_unavailable_response
from tests.support.deployment import seeded_deployment, served
from tests.support.nginx import SERVER_NAME, Nginx
from tests.support.ports import free_port

WORKERS = 2
# More slow clients than workers: each would hold a sync worker if it reached gunicorn.
SLOW_CLIENTS = 12
CLIENT_HEADER_TIMEOUT = 10  # docs/nginx.conf
SPOOFED_ADDRESS = "203.0.113.9"
# A loopback address of the test's own, so nginx's $remote_addr differs from gunicorn's REMOTE_ADDR.
CLIENT_ADDRESS = "127.0.0.3"


@pytest.fixture(scope="module")
def deployment():
    data, environment = seeded_deployment("deploy-test-")
    with served(data, environment, workers=WORKERS, access_log=True) as (nginx, gunicorn):
        yield nginx, gunicorn, data / "gunicorn.log"


def ask(nginx, method, path, *, headers=None, body=None, source="127.0.0.1"):
    """(status, headers, body) of one request to the site through nginx over TLS."""
    return nginx.ask(method, path, headers=headers, body=body, source=source)


def test_the_shipped_nginx_config_parses(deployment):
    nginx, _, _ = deployment

    status, output = nginx.check()

    assert status == 0, output
    assert "syntax is ok" in output


def test_a_page_through_nginx_is_served_over_https_without_a_redirect(deployment):
    nginx, _, _ = deployment

    status, headers, body = ask(nginx, "GET", "/meetings/", headers={"Accept-Encoding": "identity"})

    assert status == 200
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert "– Western Balkans security meetings</title>" in body.decode()


def test_plain_http_is_redirected_to_https_by_nginx(deployment):
    nginx, _, _ = deployment
    connection = http.client.HTTPConnection("127.0.0.1", nginx.http_port, timeout=10)

    connection.request("GET", "/meetings/?topic=p-cve", headers={"Host": SERVER_NAME})
    response = connection.getresponse()

    assert (response.status, response.headers["Location"]) == (301, f"https://{SERVER_NAME}/meetings/?topic=p-cve")


def test_a_feed_through_nginx_comes_gzip_compressed_and_whole(deployment):
    nginx, _, _ = deployment

    status, headers, body = ask(nginx, "GET", "/calendar.ics?date_from=2015-01-01", headers={"Accept-Encoding": "gzip"})

    calendar = icalendar.Calendar.from_ical(gzip.decompress(body))
    assert (status, headers["Content-Encoding"]) == (200, "gzip")
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert len(calendar.walk("VEVENT")) == 10  # the seed's ten dated meetings


def test_django_sees_the_address_nginx_saw_not_the_one_the_client_claims(deployment):
    nginx, _, log_path = deployment
    spoofing = {"X-Real-IP": SPOOFED_ADDRESS, "X-Forwarded-For": SPOOFED_ADDRESS}
    status, headers, page = ask(nginx, "GET", "/admin/login/", headers=spoofing, source=CLIENT_ADDRESS)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.decode()).group(1)
    cookie = headers["Set-Cookie"].split(";", 1)[0]

    status, _, _ = ask(
        nginx,
        "POST",
        "/admin/login/",
        headers={
            **spoofing,
            "Cookie": cookie,
            "Origin": f"https://{SERVER_NAME}",
            "Content-Type": "application/x-www-form-urlencoded",
        },
        body=f"csrfmiddlewaretoken={token}&username=spoofer%40example.org&password=wrong-password-123",
        source=CLIENT_ADDRESS,
    )

    time.sleep(0.2)  # the worker's log line
    failures = re.findall(r"login failed user=spoofer@example.org address=(\S+)", log_path.read_text())
    assert status == 200  # the form again, with its error
    assert failures == [CLIENT_ADDRESS]


def test_slow_header_clients_hold_no_gunicorn_worker_and_nginx_cuts_them_off(deployment):
    nginx, _, _ = deployment
    outcomes = []

    def slow_client():
        # One header line every two seconds, then silence: nginx must hold it, not a worker.
        connection = nginx.tls_socket(timeout=CLIENT_HEADER_TIMEOUT + 10)
        opened = time.monotonic()
        connection.sendall(f"GET / HTTP/1.1\r\nHost: {SERVER_NAME}\r\n".encode())
        for line in range(3):
            time.sleep(2)
            connection.sendall(f"X-Line-{line}: slow\r\n".encode())
        try:
            answer = connection.recv(100)
        except OSError as error:
            answer = repr(error)
        outcomes.append((answer, time.monotonic() - opened))

    clients = [threading.Thread(target=slow_client) for _ in range(SLOW_CLIENTS)]
    for client in clients:
        client.start()
    time.sleep(1)
    timings = []
    for _ in range(3):
        started = time.monotonic()
        status, _, _ = ask(nginx, "GET", "/healthz")
        timings.append((status, time.monotonic() - started))
        time.sleep(1)
    for client in clients:
        client.join()

    assert [status for status, _ in timings] == [200, 200, 200]
    assert max(elapsed for _, elapsed in timings) < 1.0, timings
    # Cut off (closed, no answer) once client_header_timeout has passed since it started its request.
    assert [answer for answer, _ in outcomes] == [b""] * SLOW_CLIENTS
    assert all(CLIENT_HEADER_TIMEOUT - 1 < elapsed < CLIENT_HEADER_TIMEOUT + 3 for _, elapsed in outcomes), outcomes


def test_a_body_over_the_limit_gets_413_from_nginx_without_reaching_gunicorn(deployment):
    nginx, _, log_path = deployment
    connection = nginx.tls_socket()

    connection.sendall(
        f"POST /admin/body-limit-probe/ HTTP/1.1\r\nHost: {SERVER_NAME}\r\n"
        f"Content-Type: application/octet-stream\r\nContent-Length: {11 * 1024 * 1024}\r\n\r\n".encode()
    )
    answer = connection.recv(100)

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert "body-limit-probe" not in log_path.read_text()


def test_an_unknown_host_name_is_dropped_by_nginx(deployment):
    nginx, _, _ = deployment
    connection = socket.create_connection(("127.0.0.1", nginx.http_port), timeout=10)

    connection.sendall(b"GET / HTTP/1.1\r\nHost: attacker.example\r\n\r\n")

    assert connection.recv(100) == b""  # 444: closed without an answer


def test_while_gunicorn_is_down_nginx_serves_the_maintenance_page_as_503():
    page = service_unavailable_response().content
    with Nginx(free_port(), page) as nginx:
        status, headers, body = ask(nginx, "GET", "/meetings/")

    assert (status, headers["Retry-After"], headers["Cache-Control"]) == (503, "30", "no-store")
    assert body == page
