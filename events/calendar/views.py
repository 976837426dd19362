"""Calendar downloads and subscriptions. The views choose meetings; assembly and ical build the calendar."""

import datetime
import gzip
import hashlib
import zlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from events.cache import budget, version
from events.cache.headers import shared_cache_seconds
from events.cache.keys import key
from events.calendar import assembly
from events.filters import MeetingFilter, MeetingQuery

CONTENT_TYPE = "text/calendar; charset=utf-8"
# Browsers may keep a feed five minutes; after that they revalidate (a cheap 304). Shared caches
# (nginx, a CDN) keep it only SHARED_CACHE_SECONDS (s-maxage), as they keep the pages, so an edit
# reaches every subscriber behind them within the same bound.
MAX_AGE = 300
GZIP_LEVEL = 6
GZIP_WINDOW_BITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer, as Content-Encoding: gzip wants
# A plain feed (for a client that does not take gzip) larger than this is decompressed as it is sent,
# a PLAIN_PIECE_BYTES piece at a time: whole, it is about ten times the kept body, held at once in the worker.
PLAIN_WHOLE_MAX_BYTES = 1024 * 1024
PLAIN_PIECE_BYTES = 64 * 1024


def feed_description():
    return _(
        "Regional security-cooperation meetings in the Western Balkans, from the public calendar. "
        "Meetings whose exact dates are not yet known are left out; a postponed one stays at the dates last announced."
    )


class ConditionalHeaders:
    """ETag and Last-Modified of a calendar URL, from the calendar's version (no query).

    A meeting scheduled to appear later needs nothing more: the version carries the next
    publication time and moves on when it passes (events.cache.version).
    """

    def __init__(self, request, query_key=""):
        self.version = version.current()
        # The day too: what a calendar says changes at midnight with no edit (a meeting whose last day
        # has passed took place), so every calendar URL changes then; the day also keys the feed body.
        today = timezone.localdate()
        self.query_key = f"{query_key}|{today.isoformat()}"
        # The release too: new code may write the same meetings differently.
        parts = [settings.RELEASE, self.version.data, translation.get_language() or "", request.path, self.query_key]
        self.etag = '"' + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32] + '"'
        self.gzip_accepted = accepts_gzip(request)
        # Whole seconds, as HTTP dates have them, so If-Modified-Since compares equal; midnight at the latest.
        midnight = datetime.datetime.combine(today, datetime.time(), tzinfo=timezone.get_current_timezone())
        self.last_modified = max(int(self.version.data_changed_at.timestamp()), int(midnight.timestamp()))

    def not_modified(self, request):
        """A 304 (or 412) when the client's copy is current, else None.

        Asked before the filter or the meeting is looked up: the ETag was only ever sent with
        a valid answer, and any edit to what the URL names moves the version.
        """
        response = get_conditional_response(request, etag=self.etag, last_modified=self.last_modified)
        return response and self.finish(response)

    def finish(self, response):
        # The gzip'd body is another representation: its validator is weak (as GZipMiddleware makes it),
        # and a 304 to a client that takes gzip confirms that one.
        compressed = response.get("Content-Encoding") == "gzip" or (response.status_code == 304 and self.gzip_accepted)
        response["ETag"] = f"W/{self.etag}" if compressed else self.etag
        response["Last-Modified"] = http_date(self.last_modified)
        patch_cache_control(response, public=True, max_age=MAX_AGE, s_maxage=shared_cache_seconds())
        return response


def calendar_response(request, headers, queryset, *, name, description, filename, download=False):
    """A text/calendar response for these meetings, whole (feed_body_response)."""
    response = feed_body_response(request, headers, queryset, name, description)
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return headers.finish(response)


def feed_body_response(request, headers, queryset, name, description):
    """The feed whole, or an error: every VEVENT is read or built before the first byte is sent.

    A feed cut off mid-body (the database lost while its pieces were built) would reach the
    calendar program as a 200 without END:VCALENDAR, and some programs keep such a calendar and
    delete the events it lacks. Built first, a database error is the 503 of
    DatabaseUnavailableMiddleware instead; FEED_LIMIT bounds what is held in memory.
    """
    if request.method == "HEAD":
        # The headers are all a HEAD asks for; do not build a body only to drop it. (Streaming, so
        # no "Content-Length: 0" claims the feed is empty.)
        return StreamingHttpResponse((), content_type=CONTENT_TYPE)
    gzip_accepted = accepts_gzip(request)
    body_key = key("feed-body", request.path, headers.query_key, current=headers.version)
    kept = cache.get(body_key)
    if kept is not None:
        return compressed_or_plain(kept, gzip_accepted)
    rows = assembly.feed_rows(queryset)
    chunks = assembly.feed_chunks(rows, name, description, headers.version)
    return compressed_or_plain(compressed_and_kept(chunks, body_key, budget.current_client()), gzip_accepted)


def accepts_gzip(request):
    return bool(re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def compressed_or_plain(compressed, gzip_accepted):
    if gzip_accepted:
        return marked_compressed(HttpResponse(compressed, content_type=CONTENT_TYPE))
    length = plain_length(compressed)
    if length <= PLAIN_WHOLE_MAX_BYTES:
        return HttpResponse(gzip.decompress(compressed), content_type=CONTENT_TYPE)
    response = StreamingHttpResponse(decompressed(compressed), content_type=CONTENT_TYPE)
    response["Content-Length"] = length
    return response


def plain_length(compressed):
    """The feed's length decompressed: a gzip member ends with it (ISIZE, modulo 2**32; a feed is far smaller)."""
    return int.from_bytes(compressed[-4:], "little")


def decompressed(compressed):
    """The gzip'd feed as plain text, PLAIN_PIECE_BYTES at a time."""
    decompressor = zlib.decompressobj(GZIP_WINDOW_BITS)
    pending = compressed
    while pending:
        yield decompressor.decompress(pending, PLAIN_PIECE_BYTES)
        pending = decompressor.unconsumed_tail
    yield decompressor.flush()


def marked_compressed(response):
    """What GZipMiddleware would have set (it leaves a response that has an encoding alone)."""
    response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def compressed_and_kept(chunks, body_key, charge):
    """The feed gzip'd, compressed as its pieces come; kept in the cache once it is complete.

    Feeds are kept compressed: the largest are ten times smaller so (docs/performance.md), and a
    poll then costs one cache read and no compression. The copy kept is capped (over the cap,
    nothing is kept and the next poll builds the feed again, from the cached VEVENTs).
    """
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, GZIP_WINDOW_BITS)
    body = b"".join([*map(compressor.compress, chunks), compressor.flush()])
    if len(body) <= settings.FEED_BODY_CACHE_MAX_BYTES:
        budget.store(body_key, body, len(body), settings.PAGE_CACHE_TIMEOUT, charge)
    return body


def feed_cache_query(request, match):
    return MeetingQuery.from_request(request).filter_key


@require_safe
def calendar_feed(request):
    """/calendar.ics: published meetings filtered exactly as the list is, the newest assembly.FEED_LIMIT."""
    query = MeetingQuery.from_request(request)
    headers = ConditionalHeaders(request, urlencode(query.subscription_pairs()))
    if not_modified := headers.not_modified(request):
        return not_modified
    filterset = MeetingFilter(query.querydict(), queryset=assembly.feed_queryset())
    if not filterset.is_valid():
        return HttpResponseBadRequest(assembly.filter_reason(filterset), content_type="text/plain; charset=utf-8")
    return calendar_response(
        request,
        headers,
        assembly.newest(assembly.filtered(filterset)),
        name=assembly.ical.calendar_name(assembly.filter_labels(filterset.form.cleaned_data)),
        description=feed_description(),
        filename="security-meetings.ics",
    )


calendar_feed.page_cache_query = feed_cache_query


def meeting_calendar(request, slug, *, meetings, name, filename, download=False):
    """A feed about one meeting (404 for an unknown one or one never announced with dates, 304 when unchanged).

    ``meetings``, ``name`` and ``filename`` take the meeting and say what the feed holds and is called.
    """
    headers = ConditionalHeaders(request)
    if not_modified := headers.not_modified(request):
        return not_modified
    meeting = get_object_or_404(assembly.feed_queryset(), slug=slug)
    return calendar_response(
        request,
        headers,
        meetings(meeting),
        name=name(meeting),
        description=feed_description(),
        filename=filename(meeting),
        download=download,
    )


@require_safe
def meeting_ics(request, slug):
    """/meetings/<slug>.ics: one meeting for "Add to calendar"; a postponed one at its last announced dates."""
    return meeting_calendar(
        request,
        slug,
        meetings=lambda meeting: assembly.feed_queryset().filter(pk=meeting.pk),
        name=lambda meeting: meeting.title,
        filename=lambda meeting: f"{meeting.slug}.ics",
        download=True,
    )


@require_safe
def cluster_ics(request, slug):
    """/meetings/<slug>/cluster.ics: the meeting and the meetings held back to back with it, as one feed."""
    return meeting_calendar(
        request,
        slug,
        meetings=lambda meeting: assembly.feed_queryset().filter(pk__in=assembly.cluster_ids(meeting)),
        name=lambda meeting: _("Security meetings — the week of %(title)s") % {"title": meeting.title},
        filename=lambda meeting: f"{meeting.slug}-cluster.ics",
    )


class SubscribeView(TemplateView):
    """How to subscribe in Outlook, Google Calendar, Apple Calendar and Thunderbird."""

    template_name = "events/subscribe.html"
    # The page's links subscribe to the filter in its query.
    page_cache_query = staticmethod(feed_cache_query)

    def get(self, request, *args, **kwargs):
        query = MeetingQuery.from_request(request)
        # A filter the feed would answer with a 400 gets no subscription address, and says why.
        filterset = MeetingFilter(query.querydict(), queryset=assembly.feed_queryset())
        invalid = bool(query.pairs) and not filterset.is_valid()
        context = self.get_context_data(
            query=query,
            filter_errors=invalid,
            filter_reason=assembly.filter_reason(filterset) if invalid else "",
            feed_limit=assembly.FEED_LIMIT,
        )
        return self.render_to_response(context, status=400 if invalid else 200)
