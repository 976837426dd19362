"""Editors' write paths: publish, cancel, postpone, duplicate as the next edition.

Each is a small keyword-only function that saves through ``Meeting.save()``, so
the calendar revision, the history (who and when) and the data version follow
every change. Callers run them inside one transaction.
"""

import re

from django.db import transaction
from django.utils.text import slugify

from .models import DatePrecision, Meeting, MeetingFunder, MeetingOrganiser, Publication, Status

SLUG_MAX_LENGTH = Meeting._meta.get_field("slug").max_length

# "7th", "1st", "22nd", "3rd", "35th": the first ordinal in a title is its edition number.
ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b", re.IGNORECASE)


def ordinal(number):
    """1 → "1st", 2 → "2nd", 11 → "11th", 23 → "23rd"."""
    suffix = "th" if 11 <= number % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def next_edition_title(title):
    """The title of the next edition: "7th Meeting of …" → "8th Meeting of …"; unchanged without an ordinal."""

    def increment(match):
        return ordinal(int(match.group(1)) + 1)

    return ORDINAL.sub(increment, title, count=1)


def unique_slug(text, *, exclude_pk=None):
    """A slug for ``text`` that no other meeting has: "…-2", "…-3" when taken."""
    base = slugify(text)[:SLUG_MAX_LENGTH].strip("-") or "meeting"
    taken = set(Meeting.objects.filter(slug__startswith=base).exclude(pk=exclude_pk).values_list("slug", flat=True))
    slug, number = base, 1
    while slug in taken:
        number += 1
        suffix = f"-{number}"
        slug = f"{base[: SLUG_MAX_LENGTH - len(suffix)]}{suffix}"
    return slug


@transaction.atomic
def duplicate_as_next_edition(meeting, *, title=None):
    """Copy ``meeting`` as a new draft of its next edition, with dates to be confirmed.

    Kept: organisers in their roles, funders and instruments, venue, topics,
    programmes, participating countries, access and level. Cleared: dates,
    times, status note, links to other meetings, import UID.
    """
    title = title or next_edition_title(meeting.title)
    copy = Meeting.objects.create(
        title=title,
        slug=unique_slug(title),
        summary=meeting.summary,
        description=meeting.description,
        date_precision=DatePrecision.UNKNOWN,
        status=Status.TENTATIVE,
        publication=Publication.DRAFT,
        access=meeting.access,
        withhold_venue=meeting.withhold_venue,
        level=meeting.level,
        venue=meeting.venue,
        external_url="",
    )
    copy.topics.set(meeting.topics.all())
    copy.programmes.set(meeting.programmes.all())
    copy.countries.set(meeting.countries.all())
    MeetingOrganiser.objects.bulk_create(
        MeetingOrganiser(meeting=copy, organisation_id=role.organisation_id, role=role.role, position=role.position)
        for role in meeting.organiser_roles.all()
    )
    MeetingFunder.objects.bulk_create(
        MeetingFunder(
            meeting=copy,
            organisation_id=funding.organisation_id,
            instrument=funding.instrument,
            position=funding.position,
        )
        for funding in meeting.fundings.all()
    )
    return copy


def publish(meeting):
    """Make a draft public (at its publish-at time if it has one). Returns True when something changed."""
    if meeting.publication == Publication.PUBLISHED:
        return False
    meeting.publication = Publication.PUBLISHED
    meeting.save()
    return True


def unpublish(meeting):
    """Take a meeting back to draft. Returns True when something changed."""
    if meeting.publication == Publication.DRAFT:
        return False
    meeting.publication = Publication.DRAFT
    meeting.save()
    return True


def cancel(meeting, *, reason):
    """Mark a meeting cancelled with a public reason. Returns True when something changed."""
    if meeting.status == Status.CANCELLED and meeting.status_note == reason:
        return False
    meeting.status = Status.CANCELLED
    meeting.status_note = reason
    meeting.save()
    return True


def postpone(meeting, *, start_date=None, end_date=None, note=""):
    """Mark a meeting postponed: to new dates, or to a date still to be confirmed (no start_date)."""
    meeting.status = Status.POSTPONED
    meeting.status_note = note
    if start_date is None:
        meeting.date_precision = DatePrecision.UNKNOWN
        meeting.start_date = meeting.end_date = None
        meeting.start_time = meeting.end_time = None
    else:
        meeting.date_precision = DatePrecision.DAY
        meeting.start_date = start_date
        meeting.end_date = end_date or start_date
    meeting.full_clean(exclude=["slug"])
    meeting.save()
