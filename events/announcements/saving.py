"""Reviewed drafts saved as meetings, all of them or none.

Used by the editors' review screen and by the public proposal form, so it lives here and not
with the editors' tools (the public site may not import those).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import build_localized_fieldname

from events.models import (
    DEFAULT_TIMEZONE,
    BackToBack,
    Country,
    Meeting,
    MeetingFunder,
    MeetingOrganiser,
    Publication,
    Venue,
)
from organisations.models import Organisation, OrganisationKind, Programme

from .drafts import Draft, NamedRef

NOT_SAVED_ORGANISER = "Organiser not saved, not on the site yet: {name} ({role})."
NOT_SAVED_FUNDER = "Funder not saved, not on the site yet: {name}{instrument}."
NOT_SAVED_PROGRAMME = "Programme not saved, not on the site yet: {name}."
# Shown to whoever saves (the review screen, the proposal form); the notes below are stored in
# the meetings' editor notes, in the site's language for editors (English), like the rest of them.
DRAFT_NOT_SAVED = _("“%(title)s” cannot be saved, so nothing was: %(errors)s")
NEW_VENUE = "Venue created for {city} ({country}); its time zone {zone} was assumed: please check it."


@transaction.atomic
def save_drafts(drafts: list[Draft], *, user=None, publish: bool = False, create_new_names=()) -> list[Meeting]:
    """Save every draft as a meeting, with its organisers, funders, programmes, topics, place and links.

    Names the database does not have (``pk`` None) are created only when listed in
    ``create_new_names``; otherwise they are left out and the meeting's editor notes say so.
    One transaction: if one draft cannot be saved, none is.
    """
    create = set(create_new_names)
    english = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    slugs = Meeting.objects.unique_slugs([draft.title for draft in drafts])
    meetings = []
    for draft, slug in zip(drafts, slugs, strict=True):
        notes = list(draft.notes)
        venue = _venue(draft, notes)
        meeting = Meeting(
            **{build_localized_fieldname("title", english): draft.title},
            slug=slug,
            date_precision=draft.date_precision,
            start_date=draft.start_date,
            end_date=draft.end_date,
            start_time=draft.start_time,
            end_time=draft.end_time,
            venue=venue,
            publication=Publication.PUBLISHED if publish else Publication.DRAFT,
        )
        organisers = _organisers(draft, create, notes)
        funders = _funders(draft, create, notes)
        programmes = _programmes(draft, create, notes)
        meeting.editor_notes = "\n".join(notes)
        try:
            meeting.full_clean(exclude=["uid", "slug"])
        except ValidationError as error:
            message = DRAFT_NOT_SAVED % {"title": draft.title, "errors": " ".join(error.messages)}
            raise ValidationError(message) from None
        if user is not None:
            meeting._history_user = user
        meeting.save()
        MeetingOrganiser.objects.bulk_create(
            MeetingOrganiser(meeting=meeting, organisation=organisation, role=role, position=position)
            for position, (organisation, role) in enumerate(organisers)
        )
        MeetingFunder.objects.bulk_create(
            MeetingFunder(meeting=meeting, organisation=organisation, instrument=instrument, position=position)
            for position, (organisation, instrument) in enumerate(funders)
        )
        meeting.programmes.set(programmes)
        meeting.topics.set([topic.pk for topic in draft.topics if topic.pk])
        if draft.country and draft.country.pk:
            meeting.countries.set([draft.country.pk])
        meetings.append(meeting)
    for draft, meeting in zip(drafts, meetings, strict=True):
        for kind, index in draft.links:
            link = BackToBack(from_meeting=meeting, to_meeting=meetings[index], kind=kind)
            link.full_clean()
            link.save()
    return meetings


def _venue(draft, notes):
    if draft.venue and draft.venue.pk:
        return Venue.objects.get(pk=draft.venue.pk)
    if not (draft.city and draft.country and draft.country.pk):
        return None
    country = Country.objects.get(pk=draft.country.pk)
    existing = Venue.objects.filter(city__iexact=draft.city, country=country).order_by("-name", "pk")
    if existing.filter(name="").exists():
        return existing.filter(name="").first()
    # A venue is what a meeting needs: the city itself, in the zone of the country's other venues.
    zone = Venue.objects.filter(country=country).values_list("timezone", flat=True).first() or DEFAULT_TIMEZONE
    notes.append(NEW_VENUE.format(city=draft.city, country=country.name, zone=zone))
    return Venue.objects.create(city=draft.city, country=country, timezone=zone)


def _organisation(ref: NamedRef, create):
    if ref.pk:
        return Organisation.objects.get(pk=ref.pk)
    if ref.name not in create:
        return None
    existing = Organisation.objects.filter(name=ref.name).first()
    return existing or Organisation.objects.create(
        name=ref.name, slug=_unique_slug(Organisation, ref.name), kind=OrganisationKind.OTHER
    )


def _organisers(draft, create, notes):
    organisers = []
    for ref in draft.organisers:
        organisation = _organisation(ref, create)
        if organisation is None:
            notes.append(NOT_SAVED_ORGANISER.format(name=ref.name, role=ref.role))
        elif all(organisation != other for other, _role in organisers):
            organisers.append((organisation, ref.role))
    return organisers


def _funders(draft, create, notes):
    funders = []
    for ref in draft.funders:
        organisation = _organisation(ref, create)
        if organisation is None:
            instrument = f", through {ref.instrument}" if ref.instrument else ""
            notes.append(NOT_SAVED_FUNDER.format(name=ref.name, instrument=instrument))
        elif all(organisation != other for other, _instrument in funders):
            funders.append((organisation, ref.instrument[:250]))
    return funders


def _programmes(draft, create, notes):
    programmes = []
    for ref in draft.programmes:
        if ref.pk:
            programmes.append(ref.pk)
        elif ref.name in create:
            programme = Programme.objects.filter(name=ref.name).first() or Programme.objects.create(
                name=ref.name, slug=_unique_slug(Programme, ref.name)
            )
            programmes.append(programme.pk)
        else:
            notes.append(NOT_SAVED_PROGRAMME.format(name=ref.name))
    return programmes


def _unique_slug(model, name):
    max_length = model._meta.get_field("slug").max_length
    base = slugify(name)[: max_length - 4].strip("-") or "new"
    slug, number = base, 1
    while model.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug
