"""Template helpers for the public pages: words for dates, sanitised Markdown, query strings."""

from django import template

from events.cache.fragments import meeting_list_entries
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
    return meeting_list_entries(meetings)


@register.filter
def markdown(text):
    return render_markdown(text)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (None removes one); for pagination links."""
    query = context["request"].GET.copy()
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag
def kosovo_footnote():
    return KOSOVO_FOOTNOTE
