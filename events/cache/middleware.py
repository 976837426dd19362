"""Whole public responses for anonymous visitors, shared by every app server through the cache.

The key (events.cache.keys) holds the day, scheme, host, path, the view's canonical query
(MeetingQuery: tracking and unknown parameters left out), language and encoding; the entry
holds the data version it was stored under, read with the version in one round trip.
Every request also pins the calendar version, so it is read once per request, and says where its
reads go (meetings_site/routers.py): with a replica, the requests this cache may answer read from
it once it has replayed that version's change.

Never cached: requests with a session or messages cookie, other methods than GET/HEAD,
conditional requests (the feed views answer those), views outside the public namespace, and
responses that are not a plain public 200 (see response_is_public). What one client can
make the cache store is bounded (events.cache.budget).

Every response leaves with what a shared cache in front (nginx, a CDN) may keep of it
(events.cache.headers): the same rule, so nginx keeps what this cache would, for seconds.
"""

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.urls import Resolver404, get_resolver, get_urlconf
from django.utils import translation
from django.utils.cache import cc_delim_re

from events.cache import budget, headers, version
from events.cache.keys import key
from meetings_site import routers
from meetings_site.i18n import request_language
from meetings_site.security import client_ip_address

CACHEABLE_NAMESPACES = {"events"}
CACHEABLE_CONTENT_TYPES = {"text/html", "text/calendar"}
# Headers a cached response may vary on: the key covers encoding and language, and requests
# with the cookies that change a page (session, messages) are never served from the cache.
ALLOWED_VARY = {"accept-encoding", "accept-language", "cookie"}
UNCACHEABLE_CACHE_CONTROL = {"private", "no-cache", "no-store"}
CACHE_STATUS_HEADER = "X-Page-Cache"


def canonical_query(request, match):
    """The part of the query string the view reads, as the view itself canonicalises it.

    A view that reads parameters says so with a ``page_cache_query(request, match)`` attribute;
    any other view answers the same whatever the query string, so it is left out of the key.
    """
    view = getattr(match.func, "view_class", match.func)
    reader = getattr(view, "page_cache_query", None)
    return reader(request, match) if reader else ""


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.skip_cookies = {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name}

    def __call__(self, request):
        with (
            version.pinned(),
            budget.charged_to(client_ip_address(request)),
            routers.request_reads(request, public=self.reads_are_public(request)) as reads,
        ):
            response = self.serve(request)
            routers.remember_write(request, response, reads)
        if "Cache-Control" not in response:  # a view that said it knows best (feeds, previews, the admin)
            if self.is_personal(request, response):
                headers.mark_private(response)
            elif self.is_public(request, response):
                headers.mark_public(response)
        return response

    def serve(self, request):
        if not self.request_is_cacheable(request):
            return self.get_response(request)
        page_key = self.cache_key(request)
        # The entry carries the data version it was stored under, so the version and the page
        # come in one round trip; an entry of another version is a miss.
        current, entry = version.with_cached(page_key)
        if entry is not None and entry[0] == current.data:
            return self.response_from(entry)
        response = self.get_response(request)
        if request.method == "GET" and self.response_is_cacheable(request, response):
            entry = (current.data, response.content, list(response.items()))
            if budget.store(page_key, entry, len(response.content), settings.PAGE_CACHE_TIMEOUT):
                response[CACHE_STATUS_HEADER] = "miss"
        return response

    def reads_are_public(self, request):
        """With a replica: an anonymous visitor's GET or HEAD of a public page or feed (conditional or not)."""
        if request.method not in ("GET", "HEAD") or not routers.configured():
            return False
        if not self.skip_cookies.isdisjoint(request.COOKIES):
            return False
        if not hasattr(request, "page_cache_match"):
            request.page_cache_language = self.language(request)
            request.page_cache_match = self.resolve(request)
        match = request.page_cache_match
        return match is not None and match.namespace in CACHEABLE_NAMESPACES

    def request_is_cacheable(self, request):
        if request.method not in ("GET", "HEAD"):
            return False
        if not self.skip_cookies.isdisjoint(request.COOKIES):
            return False
        if "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META:
            return False
        request.page_cache_language = self.language(request)
        request.page_cache_match = self.resolve(request)
        return request.page_cache_match is not None and request.page_cache_match.namespace in CACHEABLE_NAMESPACES

    def cache_key(self, request):
        encoding = "gz" if re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) else "id"
        return key(
            "page",
            request.scheme,
            request.get_host(),
            request.path,
            canonical_query(request, request.page_cache_match),
            request.page_cache_language,
            encoding,
            language=False,  # the request's language, decided above: the view has not activated it yet
            daily=True,  # the home page, the list's upcoming/past split and the month grid's today
            versioned=False,  # the entry holds its version (serve)
        )

    def is_personal(self, request, response):
        return (
            not self.skip_cookies.isdisjoint(request.COOKIES)
            or "HTTP_AUTHORIZATION" in request.META
            or bool(response.cookies)
            or bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
        )

    def is_public(self, request, response):
        """The same answer for every anonymous visitor of the address (conditional requests included)."""
        if request.method not in ("GET", "HEAD"):
            return False
        if not hasattr(request, "page_cache_match"):
            request.page_cache_language = self.language(request)
            request.page_cache_match = self.resolve(request)
        match = request.page_cache_match
        if match is None or match.namespace not in CACHEABLE_NAMESPACES:
            return False
        return self.response_is_public(request, response)

    def response_is_cacheable(self, request, response):
        return self.response_is_public(request, response) and len(response.content) <= settings.PAGE_CACHE_MAX_BYTES

    def response_is_public(self, request, response):
        if response.status_code != 200 or response.streaming or response.cookies:
            return False
        if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            return False  # the page holds a CSRF token: it belongs to one visitor
        if response.get("Content-Type", "").split(";")[0].strip() not in CACHEABLE_CONTENT_TYPES:
            return False
        directives = cc_delim_re.split(response.get("Cache-Control", ""))
        cache_control = {directive.split("=")[0].strip().lower() for directive in directives}
        if not cache_control.isdisjoint(UNCACHEABLE_CACHE_CONTROL):
            return False
        vary = {part.strip().lower() for part in cc_delim_re.split(response.get("Vary", "")) if part.strip()}
        return vary <= ALLOWED_VARY

    @staticmethod
    def response_from(entry):
        _version, content, headers = entry
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        response[CACHE_STATUS_HEADER] = "hit"
        return response

    @staticmethod
    def language(request):
        """The language the view will answer in; decided here because a hit never reaches it."""
        return request_language(request)

    @staticmethod
    def resolve(request):
        # In the request's language, so language-prefixed URLs resolve as they will for the view.
        with translation.override(request.page_cache_language):
            try:
                return get_resolver(get_urlconf()).resolve(request.path_info)
            except Resolver404:
                return None
