"""Editors' write paths: publish, cancel, postpone, duplicate as the next edition, restore related rows.

Each is a small keyword-only function that saves through ``Meeting.save()``, so
the calendar revision, the history (who and when) and the data version follow
every change. Callers run them inside one transaction.
"""

import re

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname

from events.editors import permissions
from events.models import BackToBack, DatePrecision, Meeting, MeetingFunder, MeetingOrganiser, Publication, Status
from organisations.models import Organisation

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


@transaction.atomic
def duplicate_as_next_edition(meeting, *, title=None):
    """Copy ``meeting`` as a new draft of its next edition, with dates to be confirmed.

    Kept: organisers in their roles, funders and instruments, venue, topics,
    programmes, participating countries, access and level. Cleared: dates,
    times, status note, links to other meetings, import UID.
    """
    # Every language's text, read column by column: through the model, the title would be the one
    # of the editor's admin language, and its copy would land in the English column.
    texts = {}
    for code, _name in settings.LANGUAGES:
        for field in translator.get_options_for_model(Meeting).fields:
            column = build_localized_fieldname(field, code)
            value = getattr(meeting, column)
            texts[column] = next_edition_title(value) if field == "title" and value else value
    title = title or texts[build_localized_fieldname("title", settings.LANGUAGE_CODE)]
    texts[build_localized_fieldname("title", settings.LANGUAGE_CODE)] = title
    copy = Meeting.objects.create(
        **texts,
        slug=Meeting.objects.unique_slug(title),
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


def linked_drafts(meeting):
    """The drafts linked to ``meeting`` directly, by a link made on either meeting."""
    linked = Exists(BackToBack.objects.filter(from_meeting=meeting, to_meeting=OuterRef("pk"))) | Exists(
        BackToBack.objects.filter(to_meeting=meeting, from_meeting=OuterRef("pk"))
    )
    return Meeting.objects.filter(linked, publication=Publication.DRAFT)


def publish_linked_drafts(meeting, *, user=None):
    """Publish the drafts linked to ``meeting``, each through ``publish()``. Returns how many were published.

    With ``user``, only the drafts that user may change: ticking the box on one's own meeting must not
    publish another organisation's draft it links to.
    """
    drafts = linked_drafts(meeting)
    if user is not None:
        drafts = permissions.changeable_meetings(user, drafts)
    return sum(publish(draft) for draft in locked(drafts))


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


def postpone(meeting, *, start_date=None, end_date=None, times=None, note=""):
    """Mark a meeting postponed: to new dates, or to a date still to be confirmed (no start_date).

    ``times`` is the (start time, end time) on the new days, either may be None (no times: all-day);
    without it the meeting keeps its times. Raises ValidationError, with the model's messages, on a
    schedule that cannot be (a one-day meeting ending before it starts).
    """
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
        if times is not None:
            meeting.start_time, meeting.end_time = times
    meeting.full_clean(exclude=["slug"])
    meeting.save()


def version_end(record):
    """When a meeting's historical ``record`` stopped being current: the next version's time, or None if it still is.

    A save records the meeting first and its organisers, funders and links just after, so the rows
    that belong to a version are the ones alive just before the next version, not at the version's own time.
    """
    following = (
        Meeting.history.filter(id=record.id, history_date__gt=record.history_date)
        .order_by("history_date", "history_id")
        .first()
    )
    return following.history_date if following else None


def _rows_alive_before(model, when, condition):
    """Instances of ``model`` matching ``condition`` as they were just before ``when``, by pk."""
    records = model.history.filter(condition, history_date__lt=when).order_by("history_date", "history_id")
    latest = {}
    for record in records:
        latest[record.id] = record
    return {pk: record.instance for pk, record in latest.items() if record.history_type != "-"}


def _organisations_exist(rows):
    """``rows`` without those whose organisation has since been deleted."""
    organisations = Organisation.objects.filter(pk__in={row.organisation_id for row in rows.values()})
    kept = set(organisations.values_list("pk", flat=True))
    return {pk: row for pk, row in rows.items() if row.organisation_id in kept}


def _restore_rows(model, current, wanted, fields):
    """Make ``current`` (pk → instance) equal ``wanted`` through the ORM, so the history records every step."""
    for pk, row in current.items():
        if pk not in wanted:
            row.delete()
    for pk, row in wanted.items():
        existing = current.get(pk)
        if existing is None:
            row._state.adding = True
            row.save(force_insert=True)
        elif any(getattr(existing, field) != getattr(row, field) for field in fields):
            for field in fields:
                setattr(existing, field, getattr(row, field))
            existing.save()


def restore_related(meeting, when):
    """Put the meeting's organiser roles, fundings and links (either direction) back as they were before ``when``.

    Links whose other meeting no longer exists, and rows whose organisation no longer exists, are
    skipped. Call inside the transaction that reverts the meeting.
    """
    organiser_fields = ["organisation_id", "role", "position"]
    _restore_rows(
        MeetingOrganiser,
        {row.pk: row for row in MeetingOrganiser.objects.filter(meeting=meeting)},
        _organisations_exist(_rows_alive_before(MeetingOrganiser, when, Q(meeting_id=meeting.pk))),
        organiser_fields,
    )
    funder_fields = ["organisation_id", "instrument", "position"]
    _restore_rows(
        MeetingFunder,
        {row.pk: row for row in MeetingFunder.objects.filter(meeting=meeting)},
        _organisations_exist(_rows_alive_before(MeetingFunder, when, Q(meeting_id=meeting.pk))),
        funder_fields,
    )
    either_end = Q(from_meeting_id=meeting.pk) | Q(to_meeting_id=meeting.pk)
    links = _rows_alive_before(BackToBack, when, either_end)
    ends = {end for link in links.values() for end in (link.from_meeting_id, link.to_meeting_id)}
    existing = set(Meeting.objects.filter(pk__in=ends).values_list("pk", flat=True))
    links = {pk: link for pk, link in links.items() if {link.from_meeting_id, link.to_meeting_id} <= existing}
    _restore_rows(
        BackToBack,
        {row.pk: row for row in BackToBack.objects.filter(either_end)},
        links,
        ["from_meeting_id", "to_meeting_id", "kind"],
    )


def locked(queryset):
    """The meetings of ``queryset``, row-locked for this transaction in primary-key order.

    Re-selected by bare key: the admin's queryset joins the venue with an outer join (and a
    search may add DISTINCT), and PostgreSQL refuses FOR UPDATE on either.
    """
    keys = list(queryset.values_list("pk", flat=True))
    return Meeting.objects.filter(pk__in=keys).order_by("pk").select_for_update()
