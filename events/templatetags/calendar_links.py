"""Calendar links for templates: `{% feed_links as links %}` and `{% add_to_calendar_links meeting as links %}`."""

from django import template
from django.http import QueryDict

from events.calendar import links as calendar_links
from events.filters import MeetingQuery

register = template.Library()


@register.simple_tag(takes_context=True)
def feed_links(context):
    """Subscription links for the page's filter: the `query` (MeetingQuery) its view puts in the context.

    A page whose filter lives in its path (an organiser's page, an archive) gives the query that
    selects the same meetings; a page with none subscribes to the whole calendar. A page whose
    filter is invalid (`filter_errors`, a 400) gets None: its feed would be a 400 too.
    """
    if context.get("filter_errors"):
        return None
    request = context["request"]
    return calendar_links.feed_links(request, context.get("query") or MeetingQuery(QueryDict()))


@register.simple_tag(takes_context=True)
def add_to_calendar_links(context, meeting):
    """The meeting page passes `cluster` (its back-to-back meetings, empty when none): no extra query then."""
    cluster = context.get("cluster")
    in_cluster = None if cluster is None else len(cluster) > 1
    return calendar_links.add_to_calendar_links(meeting, in_cluster)
