"""Calendar links for templates: `{% feed_links as links %}` and `{% add_to_calendar_links meeting as links %}`."""

from django import template

from events import calendar_links

register = template.Library()


@register.simple_tag(takes_context=True)
def feed_links(context):
    """Subscription links for the page's current filter.

    A page whose filter lives in its path (an organiser's page, say) sets `feed_query`
    in its context to the query that selects the same meetings.
    """
    return calendar_links.feed_links(context["request"], context.get("feed_query"))


@register.simple_tag
def add_to_calendar_links(meeting):
    return calendar_links.add_to_calendar_links(meeting)
