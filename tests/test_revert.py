"""Reverting a meeting in the admin also restores its organisers, funders and links as they were then."""

import pytest
from django.urls import reverse

from events import models as m
from events.models import BackToBack, OrganiserRole
from tests.support.admin_forms import form_data
from tests.support.factories import (
    BackToBackFactory,
    MeetingFactory,
    MeetingFunderFactory,
    MeetingOrganiserFactory,
    OrganisationFactory,
)
from tests.test_admin import change_url, form_errors, make_editor

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return make_editor()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def revert_to_first_version(client, meeting):
    first = meeting.history.earliest("history_date")
    url = reverse("admin:events_meeting_simple_history", args=[meeting.pk, first.history_id])
    return client.post(url, form_data(client.get(url), form_id="historicalmeeting_form"))


def organisers(meeting):
    return [(row.organisation.acronym, row.role) for row in meeting.organiser_roles.all()]


def funders(meeting):
    return [(row.organisation.acronym, row.instrument) for row in meeting.fundings.all()]


def links(meeting):
    return [(str(label), other.title) for label, other in meeting.linked_meetings()]


def test_revert_restores_organisers_funders_and_links(editor_client, editor):
    meeting = MeetingFactory(title="9th NFP Group meeting")
    far = MeetingFactory(title="Study visit to the port")
    rcc, iisg, eu, un = (OrganisationFactory(acronym=acronym) for acronym in ("RCC", "IISG", "EU", "UN"))
    MeetingOrganiserFactory(meeting=meeting, organisation=rcc, role=OrganiserRole.HOST, position=0)
    MeetingOrganiserFactory(meeting=meeting, organisation=iisg, role=OrganiserRole.CO_ORGANISER, position=1)
    MeetingFunderFactory(meeting=meeting, organisation=eu, instrument="ISF", position=0)
    BackToBackFactory(from_meeting=meeting, to_meeting=far, kind=m.LinkKind.STUDY_VISIT)
    original = (organisers(meeting), funders(meeting), links(meeting), links(far))

    data = form_data(editor_client.get(change_url(meeting)))
    data.update(
        {
            "organiser_roles-0-role": OrganiserRole.CHAIR,
            "organiser_roles-1-DELETE": "on",
            "fundings-1-organisation": un.pk,
            "fundings-1-instrument": "Trust fund",
            "fundings-1-position": "1",
            "links_from-0-DELETE": "on",
        }
    )
    edited = editor_client.post(change_url(meeting), data)
    assert edited.status_code == 302, form_errors(edited)
    assert organisers(meeting) == [("RCC", OrganiserRole.CHAIR)]
    assert funders(meeting) == [("EU", "ISF"), ("UN", "Trust fund")]
    assert links(meeting) == links(far) == []

    reverted = revert_to_first_version(editor_client, meeting)

    assert reverted.status_code == 302
    assert original == (
        [("RCC", OrganiserRole.HOST), ("IISG", OrganiserRole.CO_ORGANISER)],
        [("EU", "ISF")],
        [("Study visit", "Study visit to the port")],
        [("Study visit during", "9th NFP Group meeting")],
    )
    assert (organisers(meeting), funders(meeting), links(meeting), links(far)) == original
    assert meeting.title in editor_client.get(change_url(far)).content.decode()
    # Restored through the ORM: each step is in the history, by the editor who reverted.
    restored = m.MeetingOrganiser.history.filter(meeting_id=meeting.pk).order_by("-history_date", "-history_id")
    assert [(record.history_type, record.role) for record in restored[:2]] == [
        ("+", OrganiserRole.CO_ORGANISER),
        ("~", OrganiserRole.HOST),
    ]
    assert {record.history_user for record in restored[:2]} == {editor}
    assert BackToBack.history.latest("history_date").history_type == "+"


def test_revert_restores_incoming_links_and_skips_links_to_deleted_meetings(editor_client):
    meeting = MeetingFactory(title="Annual conference")
    incoming = BackToBackFactory(from_meeting=MeetingFactory(title="Side event"), to_meeting=meeting)
    gone = MeetingFactory(title="Deleted since")
    BackToBackFactory(from_meeting=meeting, to_meeting=gone)
    data = form_data(editor_client.get(change_url(meeting)))
    assert editor_client.post(change_url(meeting), data).status_code == 302
    incoming.delete()
    gone.delete()

    assert revert_to_first_version(editor_client, meeting).status_code == 302

    assert links(meeting) == [("Back-to-back with", "Side event")]
