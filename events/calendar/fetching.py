"""Fetch a partner's calendar from a URL within strict limits: public addresses only, bounded size and time.

Kept apart from ``importer`` (which turns bytes into meetings) because what it guards against is the
network, not the file.
"""

import ipaddress
import socket
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.translation import gettext as _

MAX_CALENDAR_BYTES = 2 * 1024 * 1024
FETCH_TIMEOUT_SECONDS = 10
ALLOWED_SCHEMES = ("http", "https")


class CalendarImportError(Exception):
    """The calendar could not be read at all; the message is for the editor."""


def check_public_address(url):
    """Refuse addresses on this machine or its private network, so the import cannot probe them.

    CALENDAR_IMPORT_ALLOW_PRIVATE_ADDRESSES = True lifts this (tests serve a calendar on loopback).
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ALLOWED_SCHEMES or not parts.hostname:
        raise CalendarImportError(_("Only http and https addresses can be imported."))
    if settings.CALENDAR_IMPORT_ALLOW_PRIVATE_ADDRESSES:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or None)}
    except (socket.gaierror, UnicodeError) as error:
        raise CalendarImportError(_("The address could not be reached.")) from error
    for address in addresses:
        if not ipaddress.ip_address(address.split("%")[0]).is_global:
            raise CalendarImportError(_("Only calendars on the public internet can be imported."))


class _CheckedRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to another public http or https address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        check_public_address(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch_calendar(url, *, timeout=FETCH_TIMEOUT_SECONDS, max_bytes=MAX_CALENDAR_BYTES):
    """The body at ``url`` (http or https only), refused when larger than max_bytes or slower than timeout."""
    check_public_address(url)
    opener = urllib.request.build_opener(_CheckedRedirectHandler)
    request = urllib.request.Request(url, headers={"User-Agent": "meetings-calendar-import/1.0"})  # noqa: S310
    deadline = time.monotonic() + timeout
    chunks, size = [], 0
    try:
        with opener.open(request, timeout=timeout) as response:
            while chunk := response.read(64 * 1024):
                size += len(chunk)
                if size > max_bytes:
                    raise CalendarImportError(
                        _("The calendar is larger than %(limit)d MB; import a smaller one.")
                        % {"limit": max_bytes // (1024 * 1024) or 1}
                    )
                if time.monotonic() > deadline:
                    raise CalendarImportError(_("The calendar took too long to download; try again later."))
                chunks.append(chunk)
    except TimeoutError as error:
        raise CalendarImportError(_("The calendar took too long to download; try again later.")) from error
    except urllib.error.HTTPError as error:
        raise CalendarImportError(_("The address answered with error %(code)d.") % {"code": error.code}) from error
    except (urllib.error.URLError, OSError, ValueError) as error:
        raise CalendarImportError(_("The address could not be reached.")) from error
    return b"".join(chunks)
