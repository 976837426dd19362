"""RSS and Atom feeds of newly announced meetings that are still to come (or whose date is not yet known)."""

from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from events.dates import meeting_dates_in_words
from events.models import Meeting
from events.text import printable

FEED_LENGTH = 50


class NewMeetingsFeed(Feed):
    title = _("New and upcoming security-cooperation meetings in the Western Balkans")
    link = reverse_lazy("events:list")
    description = _("Meetings as they are announced, newest announcement first, while they are still to come.")

    def items(self):
        today = timezone.localdate()
        return (
            Meeting.objects.published()
            .filter(Q(end_date__gte=today) | Q(start_date__isnull=True))
            .select_related("venue__country")
            .order_by("-created_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, item):
        return printable(item.title)

    def item_description(self, item):
        """HTML, as readers take RSS <description> and Atom <summary type="html">: the editor's
        text escaped, so nothing typed becomes live markup in a feed reader. The description
        stays on the meeting page: rendering fifty of them would make one feed request cost
        fifty renders of the worst Markdown (docs/performance.md, "Hostile input")."""
        place = ", ".join(part for part in (item.public_city, str(item.public_country or "")) if part)
        parts = [meeting_dates_in_words(item), place, item.get_status_display() if item.shows_status else ""]
        html = format_html("<p>{}</p>", " · ".join(part for part in parts if part))
        if item.summary:
            html += format_html("<p>{}</p>", item.summary)
        return printable(html)

    def item_guid(self, item):
        return f"urn:uuid:{item.uid}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.publish_at or item.created_at

    def item_updateddate(self, item):
        return item.updated_at


class NewMeetingsAtomFeed(NewMeetingsFeed):
    feed_type = Atom1Feed
    subtitle = NewMeetingsFeed.description
