"""Whole-page cache for anonymous visitors, shared by every app server through Django's cache.

A public page or feed is the same for every anonymous visitor who asks for the
same URL in the same language, so the finished response (already gzip'd when the
client accepts it) is kept in the cache under a key made of:

    data version · scheme · host · full path with query string · language · gzip or not

The data version (events.versioning) changes on every committed public write, so
an edit makes every page miss on the next request, on every app server sharing
the cache (Redis in production), with no list of keys to invalidate. Old entries
simply expire (PAGE_CACHE_TIMEOUT).

What is never cached:
- requests that carry a session or messages cookie (an editor may see more than
  the public), that are not GET/HEAD, or that are conditional (If-None-Match,
  If-Modified-Since: the feed views answer those themselves, without a body);
- views outside the public namespaces (admin, /healthz);
- responses that are not 200, are streamed, set a cookie, used a CSRF token, say
  Cache-Control private/no-cache/no-store, vary on anything but Accept-Encoding,
  Accept-Language and Cookie, or are larger than PAGE_CACHE_MAX_BYTES.

It sits just inside WhiteNoise and outside GZipMiddleware in MIDDLEWARE: a hit
skips sessions, locale, CSRF, auth, the view and the compression.
"""

import hashlib

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.urls import Resolver404, get_resolver, get_urlconf
from django.utils import translation
from django.utils.cache import cc_delim_re

from events.cache.version import data_version

CACHEABLE_NAMESPACES = {"events", "organisations"}
CACHEABLE_CONTENT_TYPES = {"text/html", "text/calendar"}
# Headers a cached response may vary on: the key covers encoding and language, and requests
# with the cookies that change a page (session, messages) are never served from the cache.
ALLOWED_VARY = {"accept-encoding", "accept-language", "cookie"}
UNCACHEABLE_CACHE_CONTROL = {"private", "no-cache", "no-store"}
CACHE_STATUS_HEADER = "X-Page-Cache"


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.timeout = getattr(settings, "PAGE_CACHE_TIMEOUT", 600)
        self.max_bytes = getattr(settings, "PAGE_CACHE_MAX_BYTES", 4 * 1024 * 1024)
        self.skip_cookies = {settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name}

    def __call__(self, request):
        if not self.request_is_cacheable(request):
            return self.get_response(request)
        key = self.cache_key(request)
        entry = cache.get(key)
        if entry is not None:
            return self.response_from(entry)
        response = self.get_response(request)
        if request.method == "GET" and self.response_is_cacheable(request, response):
            cache.set(key, (response.content, list(response.items())), self.timeout)
            response[CACHE_STATUS_HEADER] = "miss"
        return response

    def request_is_cacheable(self, request):
        if request.method not in ("GET", "HEAD"):
            return False
        if not self.skip_cookies.isdisjoint(request.COOKIES):
            return False
        if "HTTP_IF_NONE_MATCH" in request.META or "HTTP_IF_MODIFIED_SINCE" in request.META:
            return False
        request.page_cache_language = self.language(request)
        return self.namespace(request) in CACHEABLE_NAMESPACES

    def cache_key(self, request):
        gzip = "gz" if re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")) else "id"
        parts = [request.scheme, request.get_host(), request.get_full_path(), request.page_cache_language, gzip]
        digest = hashlib.md5("\n".join(parts).encode(), usedforsecurity=False).hexdigest()
        return f"page:{data_version()}:{digest}"

    def response_is_cacheable(self, request, response):
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
        if not vary <= ALLOWED_VARY:
            return False
        match = request.resolver_match
        if match is None or match.namespace not in CACHEABLE_NAMESPACES:
            return False
        return len(response.content) <= self.max_bytes

    @staticmethod
    def response_from(entry):
        content, headers = entry
        response = HttpResponse(content)
        for name, value in headers:
            response[name] = value
        response[CACHE_STATUS_HEADER] = "hit"
        return response

    @staticmethod
    def language(request):
        """The language LocaleMiddleware will choose; decided here because a hit never reaches it."""
        i18n_patterns_used, _ = is_language_prefix_patterns_used(get_urlconf() or settings.ROOT_URLCONF)
        return translation.get_language_from_request(request, check_path=i18n_patterns_used)

    @staticmethod
    def namespace(request):
        # Resolved in the request's language, so language-prefixed URLs resolve as they will for the view.
        with translation.override(request.page_cache_language):
            try:
                match = get_resolver(get_urlconf()).resolve(request.path_info)
            except Resolver404:
                return None
        return match.namespace
