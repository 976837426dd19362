"""Pictures drawn on the server: the map of the places of the meetings in view (events.public.maps).

{% load pictures %}
{% venue_map query filter %}   on the list and the archives (the page's MeetingQuery and MeetingFilter)
{% venue_map query %}          on an organiser's or funder's page (its query selects its meetings)
{% home_venue_map %}           on the home page (the meetings it lists)
"""

from django import template
from django.urls import reverse

from events.public import maps

register = template.Library()


def _shown(context, html):
    # The map names Kosovo* whenever it is drawn: the page's footer then carries the footnote.
    if html:
        context.set_upward("designation_needed", True)
    return html


@register.simple_tag(takes_context=True)
def venue_map(context, query, filterset=None):
    """The map of the meetings a MeetingQuery selects; each city links to the list with the same
    filters and that city (an archive's links stay in its year or month)."""
    request = context.get("request")
    base_path = request.path if query.period is not None and request is not None else reverse("events:list")
    return _shown(context, maps.filtered_map(query, base_path, filterset))


@register.simple_tag(takes_context=True)
def home_venue_map(context):
    """The map of the meetings the home page lists."""
    return _shown(context, maps.home_map())
