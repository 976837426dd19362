"""Template helpers for the public pages: words for dates, list entries, sanitised Markdown, page links,
printable output."""

from django import template
from django.utils.dates import MONTHS_3
from django.utils.safestring import mark_safe

from events.cache import fragments
from events.cache.fragments import joined
from events.dates import local_day_in_words, meeting_dates_in_words, moment_in_words
from events.markdown import render_markdown
from events.models import KOSOVO_FOOTNOTE, DatePrecision, Status
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


class DateBlock:
    """What a list entry's date block shows: the day or days large, the month abbreviated, the year.

    kind: "day" (one day or days within one month: "3–5" Oct), "span" (across months or years:
    two dates), "month" (the month only) or "tbc" (no date yet)."""

    def __init__(self, meeting):
        start, end = meeting.start_date, meeting.end_date or meeting.start_date
        self.start, self.end = start, end
        if start is None or meeting.date_precision == DatePrecision.UNKNOWN:
            self.kind = "tbc"
        elif meeting.date_precision == DatePrecision.MONTH:
            self.kind = "month"
        elif (start.year, start.month) == (end.year, end.month):
            self.kind = "day"
            self.days = str(start.day) if start == end else f"{start.day}\u2013{end.day}"
        else:
            self.kind = "span"
        self.across_years = self.kind != "tbc" and start.year != end.year

    @property
    def start_month(self):
        return MONTHS_3[self.start.month].title()

    @property
    def end_month(self):
        return MONTHS_3[self.end.month].title()


@register.filter
def date_block(meeting):
    return DateBlock(meeting)


# What a status badge is called in the stylesheet (its colours); every badge also says its status in words.
BADGE_KINDS = {Status.POSTPONED: "postponed", Status.CANCELLED: "cancelled", Status.TENTATIVE: "tbc"}


@register.filter
def status_badge(meeting):
    """(kind, words) of the badge a list entry shows, or None for a confirmed meeting still to come.

    Postponed and cancelled say so for good; a tentative meeting says so until its dates pass; a
    confirmed one whose last day is over "Took place" (Meeting.status_today: the entry is keyed on the day)."""
    words = meeting.status_today()
    if meeting.status in BADGE_KINDS:
        return BADGE_KINDS[meeting.status], words
    if words != meeting.get_status_display():
        return "took-place", words
    return None


@register.filter
def start_moment(meeting):
    """The start as an ISO date and time with the venue's offset, for <time datetime>; None if untimed."""
    start = meeting.start_datetime()
    return start.isoformat(timespec="minutes") if start else None


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
