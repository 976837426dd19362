"""Fetch a partner's calendar from a URL within strict limits: public addresses only, bounded size and time.

Kept apart from ``importer`` (which turns bytes into meetings) because what it guards against is the
network, not the file.

- **The address checked is the address connected to.** The host name is resolved once
  (``resolve``), every address it gives is checked, and the connection goes to a checked address,
  never to a second lookup (a name that answers a public address to the check and loopback to the
  connection would otherwise reach this machine). The request still names the host (``Host``,
  and SNI and certificate verification for https), so virtual hosts and TLS work as usual.
- **Public addresses only**: not loopback, private, link-local, reserved or shared space, and no
  IPv6 address that carries an IPv4 one (IPv4-mapped and -compatible, NAT64, 6to4, Teredo),
  which could lead to any IPv4 address whatever it says itself.
- **Redirects** are followed by hand, at most ``MAX_REDIRECTS``, each target checked the same way.
- **One deadline for the whole fetch**, on a monotonic clock: every connect, send and receive
  gets the time that is left as its socket timeout, so a server trickling a byte at a time (in
  its headers or its body) is cut off at the deadline, not between reads. The lookup runs in a
  thread that is waited for only until the deadline.

``CALENDAR_IMPORT_ALLOW_PRIVATE_ADDRESSES``: ``True`` lifts the address check (tests serve a
calendar on loopback); a list of networks (``["127.0.0.1/32"]``) allows just those.
"""

import http.client
import io
import ipaddress
import socket
import ssl
import threading
import time
import urllib.parse

from django.conf import settings
from django.utils.translation import gettext as _

# Room for a 20,000-event calendar (about 400 bytes an event), under nginx's 10 MB body limit.
MAX_CALENDAR_BYTES = 8 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 10
ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_REDIRECTS = 5
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
READ_SIZE = 64 * 1024
USER_AGENT = "meetings-calendar-import/1.0"

# IPv6 ranges whose addresses embed an IPv4 address (RFC 4291, 6052, 8215, 3056, 4380).
IPV4_EMBEDDING_NETWORKS = tuple(
    ipaddress.ip_network(network)
    for network in ("::/96", "::ffff:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "2002::/16", "2001::/32")
)


class CalendarImportError(Exception):
    """The calendar could not be read at all; the message is for the editor."""


def too_slow():
    return CalendarImportError(_("The calendar took too long to download; try again later."))


def unreachable():
    return CalendarImportError(_("The address could not be reached."))


def not_public():
    return CalendarImportError(_("Only calendars on the public internet can be imported."))


def resolve(host, port):
    """Every address ``host`` resolves to, as strings; tests substitute it to play a resolver."""
    return [info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


class Deadline:
    """The time left of one fetch, on a monotonic clock."""

    def __init__(self, seconds):
        self.ends = time.monotonic() + seconds

    def left(self):
        remaining = self.ends - time.monotonic()
        if remaining <= 0:
            raise too_slow()
        return remaining


def resolved_addresses(host, port, deadline):
    """The addresses of ``host``, looked up once, within the deadline."""
    outcome = {}

    def look_up():
        try:
            outcome["addresses"] = resolve(host, port)
        except (OSError, UnicodeError) as error:
            outcome["error"] = error

    # getaddrinfo takes no timeout: it runs aside, and is abandoned at the deadline.
    lookup = threading.Thread(target=look_up, daemon=True)
    lookup.start()
    lookup.join(deadline.left())
    if lookup.is_alive():
        raise too_slow()
    if "error" in outcome or not outcome.get("addresses"):
        raise unreachable()
    return list(dict.fromkeys(outcome["addresses"]))


def is_public(address):
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip.version == 6 and any(ip in network for network in IPV4_EMBEDDING_NETWORKS):
        return False
    return ip.is_global


def allowed(address):
    allowance = settings.CALENDAR_IMPORT_ALLOW_PRIVATE_ADDRESSES
    if allowance is True:
        return True
    if is_public(address):
        return True
    ip = ipaddress.ip_address(address.split("%")[0])
    return any(ip in ipaddress.ip_network(network) for network in allowance or ())


def checked_target(url, deadline):
    """(scheme, host, port, path, addresses) of a URL the import may fetch; refused otherwise."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ALLOWED_SCHEMES or not parts.hostname:
        raise CalendarImportError(_("Only http and https addresses can be imported."))
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as error:
        raise unreachable() from error
    addresses = resolved_addresses(parts.hostname, port, deadline)
    if not all(allowed(address) for address in addresses):
        raise not_public()
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return parts.scheme, parts.hostname, port, path, addresses


class _DeadlineReader(io.RawIOBase):
    """A socket's reading side whose every receive waits at most the time left."""

    def __init__(self, owner):
        super().__init__()
        self._owner = owner

    def readable(self):
        return True

    def readinto(self, buffer):
        self._owner.sock.settimeout(self._owner.deadline.left())
        return self._owner.sock.recv_into(buffer)

    def close(self):
        if not self.closed:
            super().close()
            self._owner.release()


class _DeadlineSocket:
    """What http.client needs of a socket (send, makefile, close), each bounded by the deadline.

    As with a real socket, closing it while a response is still being read (http.client closes
    the connection of a response that ends the connection) waits for the reader to close.
    """

    def __init__(self, sock, deadline):
        self.sock, self.deadline = sock, deadline
        self._readers, self._closed = 0, False

    def sendall(self, data):
        self.sock.settimeout(self.deadline.left())
        self.sock.sendall(data)

    def makefile(self, mode, *args, **kwargs):
        self._readers += 1
        return io.BufferedReader(_DeadlineReader(self))

    def release(self):
        self._readers -= 1
        if self._closed and not self._readers:
            self.sock.close()

    def close(self):
        self._closed = True
        if not self._readers:
            self.sock.close()


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP connection to one checked address, naming the original host in its requests."""

    def __init__(self, scheme, host, port, addresses, deadline):
        super().__init__(host, port)
        self.scheme, self.addresses, self.deadline = scheme, addresses, deadline
        # The Host header leaves out the scheme's own port.
        self.default_port = DEFAULT_PORTS[scheme]

    def connect(self):
        last_error = None
        for address in self.addresses:
            try:
                sock = socket.create_connection((address, self.port), timeout=self.deadline.left())
            except OSError as error:
                last_error = error
                continue
            if self.scheme == "https":
                sock.settimeout(self.deadline.left())
                # Verified against the host name, which is also sent as SNI: the address is only where to connect.
                sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
            self.sock = _DeadlineSocket(sock, self.deadline)
            return
        raise last_error or OSError("no address")


def fetch_calendar(url, *, timeout=FETCH_TIMEOUT_SECONDS, max_bytes=MAX_CALENDAR_BYTES):
    """The body at ``url`` (http or https only), refused when larger than max_bytes or slower than timeout."""
    deadline = Deadline(timeout)
    for _redirect in range(MAX_REDIRECTS + 1):
        scheme, host, port, path, addresses = checked_target(url, deadline)
        connection = _PinnedConnection(scheme, host, port, addresses, deadline)
        try:
            connection.request("GET", path, headers={"User-Agent": USER_AGENT, "Accept": "text/calendar, */*"})
            response = connection.getresponse()
            if response.status in REDIRECT_STATUSES and response.getheader("Location"):
                url = urllib.parse.urljoin(url, response.getheader("Location"))
                continue
            if response.status != 200:
                raise CalendarImportError(_("The address answered with error %(code)d.") % {"code": response.status})
            return read_body(response, max_bytes)
        except CalendarImportError:
            raise
        except TimeoutError as error:
            raise too_slow() from error
        except (OSError, http.client.HTTPException, ValueError) as error:
            raise unreachable() from error
        finally:
            connection.close()
    raise CalendarImportError(_("The address redirected too many times."))


def read_body(response, max_bytes):
    chunks, size = [], 0
    # read1: at most one receive each, so the deadline is checked between receives, not 64 KB.
    while chunk := response.read1(READ_SIZE):
        size += len(chunk)
        if size > max_bytes:
            raise CalendarImportError(
                _("The calendar is larger than %(limit)d MB; import a smaller one.")
                % {"limit": max_bytes // (1024 * 1024) or 1}
            )
        chunks.append(chunk)
    return b"".join(chunks)
