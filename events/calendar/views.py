"""Calendar downloads and subscriptions. The views choose meetings; events.feeds and events.ical do the rest."""

import gzip
import zlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe
from django.views.generic import TemplateView

from events.calendar import assembly as feeds
from events.filters import MeetingFilter

CONTENT_TYPE = "text/calendar; charset=utf-8"
# Browsers and CDNs may keep a feed five minutes; after that they revalidate (a cheap 304).
MAX_AGE = 300
# Whole feeds are kept too, so a repeated poll after a change costs one cache read.
BODY_TIMEOUT = 60 * 60
GZIP_LEVEL = 6
GZIP_WINDOW_BITS = 16 + zlib.MAX_WBITS  # a gzip header and trailer, as Content-Encoding: gzip wants


def feed_description():
    return _(
        "Regional security-cooperation meetings in the Western Balkans, from the public calendar. "
        "Meetings whose exact dates are not yet known are left out."
    )


class Validators:
    """ETag and Last-Modified of a calendar URL, from the data version (no database but once per version)."""

    def __init__(self, request, query_key="", windowed=False):
        self.version = feeds.data_version()
        today = timezone.localdate() if windowed else None
        self.etag = feeds.feed_etag(request.path, query_key, self.version, today)
        self.gzip_accepted = accepts_gzip(request)
        # Whole seconds, as HTTP dates have them, so If-Modified-Since compares equal.
        self.last_modified = int(feeds.feed_last_modified(self.version, today).timestamp())

    def not_modified(self, request):
        """A 304 (or 412) when the client's copy is current, else None.

        Asked before the filter or the meeting is looked up: the ETag was only ever sent with
        a valid answer, and any edit to what the URL names moves the data version.
        """
        response = get_conditional_response(request, etag=self.etag, last_modified=self.last_modified)
        return response and self.finish(response)

    def finish(self, response):
        # The gzip'd body is another representation: its validator is weak (as GZipMiddleware makes it),
        # and a 304 to a client that takes gzip confirms that one.
        compressed = response.get("Content-Encoding") == "gzip" or (response.status_code == 304 and self.gzip_accepted)
        response["ETag"] = f"W/{self.etag}" if compressed else self.etag
        response["Last-Modified"] = http_date(self.last_modified)
        patch_cache_control(response, public=True, max_age=MAX_AGE)
        patch_vary_headers(response, ("Accept-Language",))
        return response


def calendar_response(request, validators, queryset, *, name, description, filename, download=False):
    """A text/calendar response for these meetings; streamed when the feed is large."""
    response = feed_body_response(request, queryset, name, description, validators.etag)
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return validators.finish(response)


def feed_body_response(request, queryset, name, description, etag):
    if request.method == "HEAD":
        # The headers are all a HEAD asks for; do not build a body only to drop it. (Streaming, so
        # no "Content-Length: 0" claims the feed is empty.)
        return StreamingHttpResponse((), content_type=CONTENT_TYPE)
    gzip_accepted = accepts_gzip(request)
    body_key = f"ical:feed:gz:{etag}"
    kept = cache.get(body_key)
    if kept is not None:
        return compressed_or_plain(kept, gzip_accepted)
    # The rows are read before the response starts, so a database error is a 500, never an empty 200.
    rows = feeds.feed_rows(queryset)
    chunks = feeds.feed_chunks(rows, name, description)
    if len(rows) > feeds.STREAM_THRESHOLD:
        response = StreamingHttpResponse(streamed_and_kept(chunks, body_key, gzip_accepted), content_type=CONTENT_TYPE)
        return marked_compressed(response) if gzip_accepted else response
    compressed = b"".join(streamed_and_kept(chunks, body_key, compress=True))
    return compressed_or_plain(compressed, gzip_accepted)


def accepts_gzip(request):
    return bool(re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")))


def compressed_or_plain(compressed, gzip_accepted):
    if gzip_accepted:
        return marked_compressed(HttpResponse(compressed, content_type=CONTENT_TYPE))
    return HttpResponse(gzip.decompress(compressed), content_type=CONTENT_TYPE)


def marked_compressed(response):
    """What GZipMiddleware would have set (it leaves a response that has an encoding alone)."""
    response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    return response


def streamed_and_kept(chunks, body_key, compress):
    """Pass a feed on as it is built, and keep it, gzip'd, once it is complete.

    Feeds are kept compressed: at 100,000 meetings the default feed is 22 MB of text and 2 MB
    gzip'd. Kept plain, every poll fetched the 22 MB from the cache and compressed it again
    (2.8 s with Redis). The client gets the same gzip stream as it is produced (or the plain
    chunks when it does not accept gzip). The copy kept is capped, so memory stays bounded for
    the largest feeds (over the cap, nothing is kept and the next poll builds the feed again,
    from the cached pieces).
    """
    limit = getattr(settings, "FEED_BODY_CACHE_MAX_BYTES", 16 * 1024 * 1024)
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, GZIP_WINDOW_BITS)
    kept, size = [], 0
    for chunk in chunks:
        packed = compressor.compress(chunk)
        if kept is not None and packed:
            size += len(packed)
            if size <= limit:
                kept.append(packed)
            else:
                kept = None
        if not compress:
            yield chunk
        elif packed:
            yield packed
    tail = compressor.flush()
    if compress:
        yield tail
    if kept is not None and size + len(tail) <= limit:
        cache.set(body_key, b"".join([*kept, tail]), timeout=BODY_TIMEOUT)


@gzip_page
@require_safe
def calendar_feed(request):
    """/calendar.ics: published meetings filtered exactly as the list is; the last year onwards by default."""
    query_key = feeds.canonical_query(request.GET)
    windowed = feeds.uses_default_window(request.GET)
    validators = Validators(request, query_key, windowed)
    if not_modified := validators.not_modified(request):
        return not_modified
    filterset = MeetingFilter(request.GET, queryset=feeds.feed_queryset())
    if not filterset.is_valid():
        return HttpResponseBadRequest(feeds.filter_reason(filterset), content_type="text/plain; charset=utf-8")
    queryset = filterset.qs
    if windowed:
        queryset = queryset.filter(end_date__gte=feeds.window_start())
    return calendar_response(
        request,
        validators,
        queryset,
        name=feeds.ical.calendar_name(feeds.filter_labels(filterset.form.cleaned_data)),
        description=feed_description(),
        filename="security-meetings.ics",
    )


def meeting_calendar(request, slug, *, meetings, name, filename, download=False):
    """A feed about one meeting (404 for an unknown or undated one, 304 when unchanged).

    ``meetings``, ``name`` and ``filename`` take the meeting and say what the feed holds and is called.
    """
    validators = Validators(request)
    if not_modified := validators.not_modified(request):
        return not_modified
    meeting = get_object_or_404(feeds.feed_queryset(), slug=slug)
    return calendar_response(
        request,
        validators,
        meetings(meeting),
        name=name(meeting),
        description=feed_description(),
        filename=filename(meeting),
        download=download,
    )


@gzip_page
@require_safe
def meeting_ics(request, slug):
    """/meetings/<slug>.ics: one meeting for "Add to calendar". A meeting without exact dates has none."""
    return meeting_calendar(
        request,
        slug,
        meetings=lambda meeting: feeds.feed_queryset().filter(pk=meeting.pk),
        name=lambda meeting: meeting.title,
        filename=lambda meeting: f"{meeting.slug}.ics",
        download=True,
    )


@gzip_page
@require_safe
def cluster_ics(request, slug):
    """/meetings/<slug>/cluster.ics: the meeting and the meetings held back to back with it, as one feed."""
    return meeting_calendar(
        request,
        slug,
        meetings=lambda meeting: feeds.feed_queryset().filter(pk__in=feeds.cluster_ids(meeting)),
        name=lambda meeting: _("Security meetings — the week of %(title)s") % {"title": meeting.title},
        filename=lambda meeting: f"{meeting.slug}-cluster.ics",
    )


class SubscribeView(TemplateView):
    """How to subscribe in Outlook, Google Calendar, Apple Calendar and Thunderbird."""

    template_name = "events/subscribe.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["window_days"] = feeds.DEFAULT_WINDOW.days
        return context
