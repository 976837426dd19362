"""Which language a request is answered in, the visitor's saved choice, and a page's other languages.

Public pages have one language per URL: ``/sq/meetings/`` is Albanian for everyone and an
unprefixed public URL is English, so a shared link opens in the language it was shared in and a
cache or a search engine sees one language per address. Only ``/`` and the editors' pages (the
admin, password resets), which have no language in their URL, follow the visitor: the language
saved by the switcher, then the browser's Accept-Language.
"""

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.middleware.locale import LocaleMiddleware
from django.urls import Resolver404, get_resolver, get_urlconf, translate_url
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from meetings_site.languages import BY_CODE, OFFERED

# The URL namespaces under i18n_patterns (meetings_site/urls.py): one language per address.
LANGUAGE_PER_URL_NAMESPACES = {"events"}
LANGUAGE_FIELD = "language"
# Addresses outside the public pages, which follow the visitor's language (meetings_site/urls.py).
VISITOR_LANGUAGE_PREFIXES = ("/admin/", "/language/", "/healthz", "/readyz")


def chosen_language(request):
    """The visitor's saved choice, else the best match for Accept-Language, else English."""
    return translation.get_language_from_request(request, check_path=False)


def language_in_path(path):
    """The language an address names (/sq/…), matched as i18n_patterns matches it: the exact code.

    Not Django's get_language_from_path, which for every unprefixed address ("/meetings/") looks
    for a catalog named after its first segment on disk, and does not remember that it found none.
    """
    first = path.split("/", 2)[1] if path.startswith("/") else ""
    return first if first in BY_CODE else None


def has_language_per_url(path):
    """Whether the address says its language (a prefixed public URL, or an unprefixed one: English)."""
    if language_in_path(path):
        return True
    return unprefixed_namespace(get_urlconf() or settings.ROOT_URLCONF, path) in LANGUAGE_PER_URL_NAMESPACES


# Asked on every request, before the page cache: remembered per path (bounded, junk paths only evict).
@functools.lru_cache(maxsize=4096)
def unprefixed_namespace(urlconf, path):
    with translation.override(settings.LANGUAGE_CODE):
        try:
            return get_resolver(urlconf).resolve(path).namespace
        except Resolver404:
            return None


def request_language(request):
    """The language a request is answered in: its URL's, or for pages without one, the visitor's.

    Decided once per request (the first middleware asks, the page cache and the view's middleware
    read it again)."""
    language = getattr(request, "_language", None)
    if language is None:
        from_path = language_in_path(request.path_info)
        if from_path:
            language = from_path
        elif has_language_per_url(request.path_info):
            language = settings.LANGUAGE_CODE
        else:
            language = chosen_language(request)
        request._language = language
    return language


class LanguageMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware, with the language chosen by request_language.

    Django's would answer the admin in English only (an unprefixed URL is the default language
    once the public URLs have prefixes), and say ``Vary: Accept-Language`` on public pages whose
    language is in their address, which would split every shared cache's entries by browser.
    """

    def process_request(self, request):
        translation.activate(request_language(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        if not has_language_per_url(request.path_info):
            patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


class EarlyLanguageMiddleware:
    """The request's language from its first middleware on, and ``/`` in the visitor's language.

    Before the page cache: what answers before any view (an outage met in the cache, a 400 for
    a bad Host) speaks the request's language, not whatever the thread served last; and ``/``
    redirects by the saved choice, then Accept-Language, where the cache would otherwise answer
    every visitor with the English home page. LanguageMiddleware, later, does the same for views.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        translation.activate(request_language(request))
        if request.path_info != "/" or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        language = chosen_language(request)
        if language == settings.LANGUAGE_CODE:
            response = self.get_response(request)
        else:
            response = HttpResponseRedirect(url_in_language("/", language) + query_suffix(request))
            response["Cache-Control"] = "private"
        # Whoever asks for "/" with another cookie or browser language may get another answer.
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response


def query_suffix(request):
    query = request.META.get("QUERY_STRING", "")
    return f"?{query}" if query else ""


def url_in_language(path, language):
    """The same page (and query) in another language.

    An address that resolves to nothing (a 404) still has its language prefix swapped, so the
    switcher on a "not found" page opens that page in the chosen language. Pages without a
    language in their address (the admin) stay as they are."""
    parts = urlsplit(path)
    current = language_in_path(parts.path) or settings.LANGUAGE_CODE
    with translation.override(current):
        translated = translate_url(path, language)
    if translated != path or language == current or not has_language_prefix_or_is_public(parts.path):
        return translated
    bare = parts.path[len(current) + 1 :] if language_in_path(parts.path) else parts.path
    prefixed = bare if language == settings.LANGUAGE_CODE else f"/{language}{bare}"
    return parts._replace(path=prefixed).geturl()


def has_language_prefix_or_is_public(path):
    """Whether an address that resolves to nothing is still a public one (not under /admin/…)."""
    if language_in_path(path):
        return True
    return not path.startswith(VISITOR_LANGUAGE_PREFIXES)


def page_in_every_language(request):
    """(language, absolute URL) of the current public page in each offered language, for hreflang."""
    path = request.get_full_path()
    return [(language, settings.SITE_URL + url_in_language(path, language.code)) for language in OFFERED]


@csrf_exempt  # public pages carry no CSRF token (they are cached whole); a forged post only picks a language
@require_POST
def choose_language(request):
    """The language switcher: saves the choice and opens the same page, with its filters, in it."""
    code = request.POST.get(LANGUAGE_FIELD, "")
    if code not in BY_CODE:
        return HttpResponseBadRequest(_("There is no such language on this site."), content_type="text/plain")
    next_url = request.POST.get("next", "")
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(url_in_language(next_url, code))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
