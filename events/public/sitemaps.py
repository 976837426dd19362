"""sitemap.xml: the site's fixed pages and every published meeting (drafts never)."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from events.models import Meeting


class MeetingSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Meeting.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class PageSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return ["events:home", "events:list", "events:organisers", "events:funders"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"pages": PageSitemap, "meetings": MeetingSitemap}
