"""Fetching a calendar from a URL: the address checked is the address connected to, addresses that
embed IPv4 ones are refused, redirects are checked the same way, and the whole fetch has one deadline.

A real HTTP(S) server on loopback answers; the resolver (socket.getaddrinfo) is substituted where a
test needs a name to resolve somewhere in particular, or differently the second time (rebinding).
"""

import socket
import socketserver
import ssl
import subprocess
import threading
import time

import pytest

from events.calendar import fetching
from events.calendar.fetching import CalendarImportError, fetch_calendar

CALENDAR = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Partner//EN\r\nEND:VCALENDAR\r\n"
NOT_PUBLIC = "Only calendars on the public internet can be imported."
TOO_SLOW = "The calendar took too long to download; try again later."
UNREACHABLE = "The address could not be reached."
# A public address (example.com's); a test that reaches for it expects not to get there in time.
PUBLIC_ADDRESS = "93.184.215.14"
TRICKLE_PAUSE = 0.2
TRICKLE_FOR = 6.0


class PartnerHandler(socketserver.StreamRequestHandler):
    """A partner's web server, written byte by byte where a test needs it slow."""

    def handle(self):
        request = b""
        while not request.endswith(b"\r\n\r\n"):
            line = self.rfile.readline()
            if not line:
                return
            request += line
        head = request.decode("latin-1").split("\r\n")
        path = head[0].split(" ")[1]
        headers = dict(line.split(": ", 1) for line in head[1:] if ": " in line)
        self.server.seen.append((path, headers.get("Host")))
        if path == "/calendar.ics":
            self.answer(b"200 OK", CALENDAR)
        elif path.startswith("/redirect/"):
            location = path.removeprefix("/redirect/").replace("PORT", str(self.server.server_address[1]))
            self.wfile.write(f"HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n".encode())
        elif path == "/trickle-body":
            self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
            self.trickle(b"x" * 1000)
        elif path == "/trickle-headers":
            self.trickle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"y" * 1000)
        else:
            self.answer(b"404 Not Found", b"")

    def answer(self, status, body):
        self.wfile.write(b"HTTP/1.1 " + status + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body)

    def trickle(self, data):
        started = time.monotonic()
        for byte in data:
            if time.monotonic() - started > TRICKLE_FOR:
                return
            try:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
            except OSError:
                return
            time.sleep(TRICKLE_PAUSE)


class PartnerServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, tls=None):
        super().__init__(("127.0.0.1", 0), PartnerHandler)
        self.seen = []
        self.tls = tls

    def get_request(self):
        sock, address = super().get_request()
        if self.tls:
            sock = self.tls.wrap_socket(sock, server_side=True)
        return sock, address


def serve(tls=None):
    server = PartnerServer(tls)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return server


@pytest.fixture
def partner():
    server = serve()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def loopback_allowed(settings):
    # Only the test server's address; everything else is checked as in production.
    settings.CALENDAR_IMPORT_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.1/32"]


class Resolver:
    """socket.getaddrinfo for some names, each answering its addresses in turn (the last one repeats)."""

    def __init__(self, monkeypatch, **names):
        self.answers = {name.replace("_", "."): list(addresses) for name, addresses in names.items()}
        self.asked = []
        self.real = socket.getaddrinfo
        monkeypatch.setattr(socket, "getaddrinfo", self.getaddrinfo)

    def getaddrinfo(self, host, port, *args, **kwargs):
        if host not in self.answers:
            return self.real(host, port, *args, **kwargs)
        self.asked.append(host)
        answer = self.answers[host][0] if len(self.answers[host]) == 1 else self.answers[host].pop(0)
        addresses = answer if isinstance(answer, list) else [answer]
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port or 0, 0, 0))
            if ":" in address
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))
            for address in addresses
        ]


def port_of(server):
    return server.server_address[1]


def test_a_name_that_rebinds_to_loopback_never_reaches_this_machine(partner, monkeypatch):
    # Public for the check, loopback for any later lookup: only one lookup may happen.
    resolver = Resolver(monkeypatch, rebind_example=[PUBLIC_ADDRESS, "127.0.0.1"])

    with pytest.raises(CalendarImportError) as refused:
        fetch_calendar(f"http://rebind.example:{port_of(partner)}/calendar.ics", timeout=1.0)

    assert str(refused.value) in {UNREACHABLE, TOO_SLOW}
    assert partner.seen == []
    assert resolver.asked == ["rebind.example"]


def test_the_fetch_connects_to_the_checked_address_and_names_the_host(partner, loopback_allowed, monkeypatch):
    Resolver(monkeypatch, calendar_example=["127.0.0.1"])
    port = port_of(partner)

    body = fetch_calendar(f"http://calendar.example:{port}/calendar.ics")

    assert body == CALENDAR
    assert partner.seen == [("/calendar.ics", f"calendar.example:{port}")]


@pytest.mark.parametrize(
    "address",
    [
        "::127.0.0.1",  # IPv4-compatible
        "::ffff:127.0.0.1",  # IPv4-mapped
        "64:ff9b::7f00:1",  # NAT64
        "64:ff9b:1::7f00:1",  # local-use NAT64
        "2002:7f00:1::",  # 6to4
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
        "::ffff:5db8:d70e",  # IPv4-mapped, even of a public address
        "127.0.0.1",
        "10.0.0.8",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104 - an address refused, not bound
        "::1",
        "fe80::1",
        "fc00::1",
    ],
)
def test_a_name_resolving_to_a_non_public_address_is_refused_before_connecting(partner, monkeypatch, address):
    Resolver(monkeypatch, sneaky_example=[address])

    with pytest.raises(CalendarImportError) as refused:
        fetch_calendar(f"http://sneaky.example:{port_of(partner)}/calendar.ics")

    assert str(refused.value) == NOT_PUBLIC
    assert partner.seen == []


def test_a_name_with_one_private_address_among_public_ones_is_refused(partner, monkeypatch):
    Resolver(monkeypatch, mixed_example=[[PUBLIC_ADDRESS, "127.0.0.1"]])

    with pytest.raises(CalendarImportError, match=NOT_PUBLIC):
        fetch_calendar(f"http://mixed.example:{port_of(partner)}/calendar.ics")


@pytest.mark.parametrize("host", ["[::127.0.0.1]", "[64:ff9b::7f00:1]", "[2002:7f00:1::]", "[::ffff:7f00:1]"])
def test_ipv6_literals_embedding_ipv4_are_refused(host):
    with pytest.raises(CalendarImportError, match=NOT_PUBLIC):
        fetch_calendar(f"http://{host}:8103/calendar.ics")


def test_a_redirect_is_followed_to_an_allowed_address(partner, loopback_allowed):
    port = port_of(partner)

    body = fetch_calendar(f"http://127.0.0.1:{port}/redirect/http://127.0.0.1:PORT/calendar.ics")

    assert body == CALENDAR
    assert [path for path, _host in partner.seen] == ["/redirect/http://127.0.0.1:PORT/calendar.ics", "/calendar.ics"]


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("http://sneaky.example:PORT/calendar.ics", NOT_PUBLIC),
        ("http://[::ffff:127.0.0.1]:PORT/calendar.ics", NOT_PUBLIC),
        ("http://10.0.0.8/calendar.ics", NOT_PUBLIC),
        ("file:///etc/passwd", "Only http and https addresses can be imported."),
    ],
)
def test_a_redirect_is_checked_like_the_first_address(partner, loopback_allowed, monkeypatch, location, message):
    Resolver(monkeypatch, sneaky_example=["::ffff:127.0.0.1"])

    with pytest.raises(CalendarImportError) as refused:
        fetch_calendar(f"http://127.0.0.1:{port_of(partner)}/redirect/{location}")

    assert str(refused.value) == message
    assert [path for path, _host in partner.seen] == [f"/redirect/{location}"]


def test_endless_redirects_are_refused(partner, loopback_allowed):
    # Each hop strips one "/redirect/http://127.0.0.1:PORT" prefix, one more hop than allowed.
    path = "/calendar.ics"
    for _hop in range(fetching.MAX_REDIRECTS + 1):
        path = f"/redirect/http://127.0.0.1:PORT{path}"
    url = f"http://127.0.0.1:{port_of(partner)}{path}"

    with pytest.raises(CalendarImportError, match=r"The address redirected too many times\."):
        fetch_calendar(url)

    assert len(partner.seen) == fetching.MAX_REDIRECTS + 1


@pytest.mark.parametrize("path", ["/trickle-body", "/trickle-headers"])
def test_a_server_trickling_bytes_is_cut_off_at_the_deadline(partner, loopback_allowed, path):
    started = time.monotonic()

    with pytest.raises(CalendarImportError, match=TOO_SLOW):
        fetch_calendar(f"http://127.0.0.1:{port_of(partner)}{path}", timeout=1.0)

    assert time.monotonic() - started < 1.0 + TRICKLE_PAUSE * 2


# --- https: the certificate is verified against the host name, sent as SNI --------------------


def openssl(*arguments, cwd):
    subprocess.run(["openssl", *arguments], cwd=cwd, check=True, capture_output=True)  # noqa: S607 - openssl from PATH, as the CI image has it


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A certificate authority, and a certificate it signed for calendar.example."""
    folder = tmp_path_factory.mktemp("tls")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl(
        "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Test CA", cwd=folder
    )
    openssl("req", *ec, "-keyout", "leaf.key", "-out", "leaf.csr", "-subj", "/CN=calendar.example", cwd=folder)
    (folder / "san.ext").write_text("subjectAltName=DNS:calendar.example\n")
    openssl(
        "x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "leaf.pem", "-days", "2", "-extfile", "san.ext",
        cwd=folder,
    )  # fmt: skip
    return folder


@pytest.fixture
def tls_partner(certificates, loopback_allowed, monkeypatch):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates / "leaf.pem", certificates / "leaf.key")
    seen_names = []
    context.sni_callback = lambda sock, name, ctx: seen_names.append(name)
    # The fetch trusts the system's authorities: this test's one stands in for them.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificates / "ca.pem"))
    server = serve(tls=context)
    server.seen_names = seen_names
    yield server
    server.shutdown()
    server.server_close()


def test_https_verifies_the_certificate_of_the_host_name_at_the_checked_address(tls_partner, monkeypatch):
    Resolver(monkeypatch, calendar_example=["127.0.0.1"])
    port = port_of(tls_partner)

    body = fetch_calendar(f"https://calendar.example:{port}/calendar.ics")

    assert body == CALENDAR
    assert tls_partner.seen_names == ["calendar.example"]
    assert tls_partner.seen == [("/calendar.ics", f"calendar.example:{port}")]


def test_https_refuses_a_certificate_for_another_name(tls_partner, monkeypatch):
    Resolver(monkeypatch, other_example=["127.0.0.1"])

    with pytest.raises(CalendarImportError, match=UNREACHABLE):
        fetch_calendar(f"https://other.example:{port_of(tls_partner)}/calendar.ics")

    assert tls_partner.seen == []
