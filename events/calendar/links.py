"""Links that put meetings into calendar programs: subscriptions to a view, and "Add to calendar".

Templates get these ready-made (through the ``calendar_links`` template tags) so they do no logic.
"""

import datetime
from typing import NamedTuple
from urllib.parse import urlencode

from django.db.models import Q
from django.urls import reverse

from events.calendar import assembly, ical
from events.models import BackToBack, DatePrecision, LinkKind

GOOGLE_TEMPLATE_URL = "https://calendar.google.com/calendar/render"
OUTLOOK_COMPOSE_URL = "https://outlook.live.com/calendar/0/deeplink/compose"


class FeedLinks(NamedTuple):
    """The same feed as a webcal:// link (opens the calendar program) and an https:// link (to copy)."""

    webcal: str
    https: str
    instructions: str
    # At most this many meetings, the newest (events.calendar.assembly.FEED_LIMIT).
    limit: int = assembly.FEED_LIMIT


class AddToCalendarLinks(NamedTuple):
    ics: str
    google: str
    outlook: str
    # The feed of the meeting's back-to-back "week", or "" when it has no such links.
    cluster: str


def feed_links(request, query):
    """Subscription links for the feed holding what a page lists (query: the page's MeetingQuery)."""
    query_string = urlencode(query.subscription_pairs())
    path = reverse("events:ical") + (f"?{query_string}" if query_string else "")
    https = request.build_absolute_uri(path)
    webcal = "webcal://" + https.split("://", 1)[1]
    instructions = reverse("events:subscribe") + (f"?{query_string}" if query_string else "")
    return FeedLinks(webcal=webcal, https=https, instructions=instructions)


def _utc_stamp(moment):
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def google_dates(meeting):
    """Google's `dates`: UTC times for a meeting with both times, else YYYYMMDD/YYYYMMDD with the exclusive end."""
    if ical.has_times(meeting):
        start, end = ical.timed_span(meeting)
        return f"{_utc_stamp(start)}/{_utc_stamp(end)}"
    first_day, day_after = ical.all_day_dates(meeting)
    return f"{first_day:%Y%m%d}/{day_after:%Y%m%d}"


def outlook_dates(meeting):
    """Outlook.com's startdt/enddt (and allday): ISO dates with the exclusive end, or UTC times."""
    if ical.has_times(meeting):
        start, end = ical.timed_span(meeting)
        utc = "%Y-%m-%dT%H:%M:%SZ"
        return {
            "startdt": start.astimezone(datetime.UTC).strftime(utc),
            "enddt": end.astimezone(datetime.UTC).strftime(utc),
        }
    first_day, day_after = ical.all_day_dates(meeting)
    return {"startdt": first_day.isoformat(), "enddt": day_after.isoformat(), "allday": "true"}


def add_to_calendar_links(meeting, in_cluster=None):
    """Download, Google Calendar and Outlook.com links with the same dates; None when the dates are not known.

    in_cluster: whether the meeting is chained to others back to back (the page may know; else one query).
    """
    if meeting.date_precision != DatePrecision.DAY or meeting.start_date is None:
        return None
    page = ical.absolute_url(meeting.get_absolute_url())
    details = ical.calendar_text(f"{meeting.summary}\n\n{page}" if meeting.summary else page)
    place = ical.calendar_text(ical.location(meeting))
    # No ctz parameter: times are already UTC, and a ctz on an all-day link breaks it on Android.
    google = {"action": "TEMPLATE", "text": ical.summary(meeting), "dates": google_dates(meeting), "details": details}
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": ical.summary(meeting),
        **outlook_dates(meeting),
        "body": details,
    }
    if place:
        google["location"] = place
        outlook["location"] = place
    if in_cluster is None:
        in_cluster = BackToBack.objects.filter(
            Q(from_meeting=meeting) | Q(to_meeting=meeting), kind=LinkKind.BACK_TO_BACK
        ).exists()
    return AddToCalendarLinks(
        cluster=reverse("events:cluster-ics", kwargs={"slug": meeting.slug}) if in_cluster else "",
        ics=reverse("events:meeting-ics", kwargs={"slug": meeting.slug}),
        google=f"{GOOGLE_TEMPLATE_URL}?{urlencode(google)}",
        outlook=f"{OUTLOOK_COMPOSE_URL}?{urlencode(outlook)}",
    )
