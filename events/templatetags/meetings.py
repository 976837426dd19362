"""Template helpers for the public pages: words for dates, list entries, sanitised Markdown, page links."""

from django import template

from events.cache import fragments
from events.cache.fragments import joined
from events.dates import meeting_dates_in_words
from events.markdown import render_markdown
from events.models import KOSOVO_FOOTNOTE

register = template.Library()


@register.filter
def dates_in_words(meeting):
    return meeting_dates_in_words(meeting)


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
