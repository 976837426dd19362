"""The sitemap: an index (/sitemap.xml) of sections, the site's fixed pages and every published
meeting (drafts never), each in every language with its alternates, the meetings split into pages
of at most URLS_PER_PAGE addresses (a meeting in nine languages is nine).

Building a sitemap costs time in proportion to the meetings it lists, so each response is built
once per data version (any public change moves it) and kept gzip'd under one key per scheme,
host, section and page. Only the query parameter the views read (``p``, in its canonical form)
is in the key: other parameters change nothing, and a page number that is not canonical or
beyond the last page is a 404 that stores nothing.
"""

import gzip
import re
from functools import wraps

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps import views as sitemap_views
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import Http404, HttpResponse
from django.middleware.gzip import re_accepts_gzip
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from events.cache.keys import key
from events.models import Meeting

# The protocol allows 50,000 URLs a page; a smaller page bounds what one cache miss costs to build.
URLS_PER_PAGE = 5_000
CANONICAL_PAGE = re.compile(r"[1-9][0-9]{0,8}")
KEPT_HEADERS = ("Content-Type", "Last-Modified", "X-Robots-Tag")


class InEveryLanguage:
    """Each page once per language, with the others as its alternates (hreflang) and English as x-default."""

    i18n = True
    alternates = True
    x_default = True


class MeetingsInEveryLanguage(Paginator):
    """Pages of meetings, each once per language; counted and sliced in the database.

    Django's i18n sitemap pairs every item with every language in memory before paginating,
    which would read every meeting to build any page.
    """

    def __init__(self, queryset, per_page, languages):
        super().__init__(queryset, per_page)
        self.languages = languages

    def _get_page(self, object_list, number, paginator):
        pairs = [(item, code) for item in object_list for code in self.languages]
        return super()._get_page(pairs, number, paginator)


class MeetingSitemap(InEveryLanguage, Sitemap):
    changefreq = "weekly"
    limit = URLS_PER_PAGE

    @property
    def paginator(self):
        languages = self._languages()
        return MeetingsInEveryLanguage(self.items(), max(1, self.limit // len(languages)), languages)

    def items(self):
        return Meeting.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at

    def get_latest_lastmod(self):
        # Django's default calls lastmod() on every item: the index would read every meeting.
        return self.items().aggregate(latest=Max("updated_at"))["latest"]


class PageSitemap(InEveryLanguage, Sitemap):
    changefreq = "daily"

    def items(self):
        return ["events:home", "events:list", "events:organisers", "events:funders"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"pages": PageSitemap, "meetings": MeetingSitemap}


def built_once_per_version(view):
    """The sitemap view, its 200 responses kept per data version and served gzip'd or plain."""

    @wraps(view)
    def respond(request, sitemaps, section=None, **kwargs):
        page = request.GET.get("p", "1")
        if section is not None and (section not in sitemaps or not CANONICAL_PAGE.fullmatch(page)):
            raise Http404(_("There is no such sitemap page."))
        if section is not None:
            kwargs["section"] = section
        # The path too: /sq/sitemap.xml lists the /sq/ sections, /sitemap.xml the unprefixed ones.
        entry_key = key("sitemap", request.scheme, request.get_host(), request.path, page, language=False)
        entry = cache.get(entry_key)
        if entry is None:
            response = view(request, sitemaps, **kwargs)
            response.render()
            headers = [(name, response[name]) for name in KEPT_HEADERS if response.has_header(name)]
            entry = (gzip.compress(response.content, compresslevel=6), headers)
            cache.set(entry_key, entry, settings.PAGE_CACHE_TIMEOUT)
        return response_from(request, entry)

    return respond


def response_from(request, entry):
    compressed, headers = entry
    if re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
        response = HttpResponse(compressed)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(compressed))
    for name, value in headers:
        response[name] = value
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


index = built_once_per_version(sitemap_views.index)
section = built_once_per_version(sitemap_views.sitemap)
