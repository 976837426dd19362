"""RSS and Atom feeds of newly announced meetings that are still to come (or whose date is not yet known)."""

from django.contrib.syndication.views import Feed
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from events.dates import meeting_dates_in_words
from events.models import Meeting

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
        return item.title

    def item_description(self, item):
        place = ", ".join(part for part in (item.public_city, str(item.public_country or "")) if part)
        parts = [meeting_dates_in_words(item), place, item.get_status_display() if item.shows_status else ""]
        heading = " · ".join(part for part in parts if part)
        return f"{heading}. {item.summary}" if item.summary else heading

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
