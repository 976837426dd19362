"""Clash warnings for editors: meetings that may compete for the same people or rooms.

A clash is a hint, never a block. Meetings linked to each other (back to back, side
events) are planned together, so they never clash; cancelled meetings clash with nothing.
"""

import datetime

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from events.models import BackToBack, Meeting, Status

SAME_CITY = _("same city, overlapping dates")
SAME_TOPIC = _("same topic, overlapping dates")
SAME_ORGANISER_WEEK = _("same organiser, same week")


def week_of(day):
    """Monday and Sunday of the ISO week that contains ``day``."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


def find_clashes(meeting):
    """Other meetings that clash with ``meeting``, as (reason, meeting) pairs in date order.

    Six queries at most, whatever the size of the calendar.
    """
    if meeting.pk is None or meeting.start_date is None or meeting.is_cancelled:
        return []
    linked = {
        pk
        for pair in BackToBack.objects.filter(Q(from_meeting=meeting) | Q(to_meeting=meeting)).values_list(
            "from_meeting_id", "to_meeting_id"
        )
        for pk in pair
    }
    others = (
        Meeting.objects.exclude(pk__in=linked | {meeting.pk})
        .exclude(status=Status.CANCELLED)
        .filter(start_date__isnull=False)
        .select_related("venue__country")
    )
    overlapping = others.overlapping(meeting.start_date, meeting.end_date or meeting.start_date)
    reasons = {}
    if meeting.venue_id:
        same_city = overlapping.filter(
            venue__city__iexact=meeting.venue.city, venue__country_id=meeting.venue.country_id
        )
        for other in same_city:
            reasons.setdefault(other, []).append(SAME_CITY)
    topic_ids = list(meeting.topics.values_list("pk", flat=True))
    if topic_ids:
        for other in overlapping.filter(topics__in=topic_ids).distinct():
            reasons.setdefault(other, []).append(SAME_TOPIC)
    organisation_ids = list(meeting.organiser_roles.values_list("organisation_id", flat=True))
    if organisation_ids:
        monday, sunday = week_of(meeting.start_date)
        for other in others.overlapping(monday, sunday).filter(organisers__in=organisation_ids).distinct():
            reasons.setdefault(other, []).append(SAME_ORGANISER_WEEK)
    return sorted(
        ((", ".join(str(reason) for reason in why), other) for other, why in reasons.items()),
        key=lambda pair: (pair[1].start_date, pair[1].title),
    )
