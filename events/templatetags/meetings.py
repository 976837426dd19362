"""Template helpers for the public pages: words for dates, list entries, sanitised Markdown, page links,
printable output."""

from django import template
from django.utils.safestring import mark_safe

from events.cache import fragments
from events.cache.fragments import joined
from events.dates import local_day_in_words, meeting_dates_in_words, moment_in_words
from events.markdown import render_markdown
from events.models import KOSOVO_FOOTNOTE
from events.text import printable

register = template.Library()


@register.filter
def dates_in_words(meeting):
    return meeting_dates_in_words(meeting)


@register.filter
def day_of(moment):
    """`{{ change.changed_at|day_of }}`: 28 November 2026, the day in the site's zone."""
    return local_day_in_words(moment)


@register.filter
def moment(value):
    """`{{ meeting.publish_at|moment }}`: 28 November 2026, 09:30 CET."""
    return moment_in_words(value)


@register.filter
def status_today(meeting):
    return meeting.status_today()


@register.simple_tag
def list_entries(meetings):
    """`{% list_entries meetings %}`: each meeting's <li>, rendered once per meeting and data version."""
    return joined(fragments.list_entries(meetings), meetings)


@register.filter
def markdown(text):
    return render_markdown(text)


@register.simple_tag(takes_context=True)
def page_query(context, number):
    """`?…` for another page of the same list: the page's canonical query (MeetingQuery) with that page."""
    encoded = context["query"].with_page(number)
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def kosovo_footnote():
    return KOSOVO_FOOTNOTE


class PrintableNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist

    def render(self, context):
        # Removing characters adds no markup: what was escaped stays escaped.
        return mark_safe(printable(self.nodelist.render(context)))  # noqa: S308


@register.tag
def printable_output(parser, token):
    """`{% printable_output %}…{% endprintable_output %}`: the enclosed output without the control
    characters an editor may have pasted (events.text). base.html wraps every public page in it,
    so no field, list entry or fragment can bring one into a page, whichever template shows it."""
    nodelist = parser.parse(("endprintable_output",))
    parser.delete_first_token()
    return PrintableNode(nodelist)
