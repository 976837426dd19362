"""The admin smoothed (issue 17): linked drafts published together, the object tools, wide titles,
local times without the admin's clock shortcuts, the Postpone form's times."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import ValidationError
from django.urls import reverse

from events import models as m
from events.editors import actions
from events.editors import forms as admin_forms
from events.models import LinkKind, Meeting, Publication, Status
from organisations.editors import REGIONAL_EDITORS_GROUP
from tests.support.admin_forms import form_data
from tests.support.factories import MeetingFactory, MeetingOrganiserFactory, OrganisationFactory

D = datetime.date
T = datetime.time
pytestmark = pytest.mark.django_db

POPUP_NOTE = (
    "This new meeting is saved as a draft unless you publish it here. To publish it with the meeting you came "
    "from, tick “Also publish the linked meetings that are drafts” on that meeting before saving it."
)


def change_url(meeting):
    return reverse("admin:events_meeting_change", args=[meeting.pk])


def make_editor(username="regional@example.org", *, organisations=()):
    """A regional editor, or with ``organisations`` an editor of those bodies only."""
    user = User.objects.create_user(username, email=username, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    if not organisations:
        user.groups.add(Group.objects.get(name=REGIONAL_EDITORS_GROUP))
    user.editing_organisations.set(organisations)
    return user


@pytest.fixture
def editor_client(client):
    client.force_login(make_editor())
    return client


def published_titles():
    return sorted(Meeting.objects.filter(publication=Publication.PUBLISHED).values_list("title", flat=True))


# --- Linked drafts -------------------------------------------------------------


@pytest.fixture
def main_meeting():
    return MeetingFactory(title="Ministerial meeting", publication=Publication.PUBLISHED)


def test_publish_linked_drafts_publishes_the_drafts_linked_either_way_and_counts_them(main_meeting):
    side_event = MeetingFactory(title="Side event", publication=Publication.DRAFT)
    preparatory = MeetingFactory(title="Preparatory meeting", publication=Publication.DRAFT)
    MeetingFactory(title="Unlinked draft", publication=Publication.DRAFT)
    main_meeting.links_from.create(to_meeting=side_event, kind=LinkKind.SIDE_EVENT)
    preparatory.links_from.create(to_meeting=main_meeting, kind=LinkKind.BACK_TO_BACK)

    published = actions.publish_linked_drafts(main_meeting)

    assert published == 2
    assert published_titles() == ["Ministerial meeting", "Preparatory meeting", "Side event"]
    # Through publish(), hence Meeting.save(): the history has the change.
    assert side_event.history.first().publication == Publication.PUBLISHED


def test_publish_linked_drafts_leaves_published_partners_as_they_are(main_meeting):
    partner = MeetingFactory(title="Study visit", publication=Publication.PUBLISHED)
    main_meeting.links_from.create(to_meeting=partner, kind=LinkKind.STUDY_VISIT)
    versions = partner.history.count()

    assert actions.publish_linked_drafts(main_meeting) == 0
    assert partner.history.count() == versions


def test_publish_linked_drafts_for_an_editor_publishes_only_the_drafts_they_may_change(main_meeting):
    own, other = OrganisationFactory(acronym="OWN"), OrganisationFactory(acronym="OTHER")
    own_draft = MeetingFactory(title="Own side event", publication=Publication.DRAFT)
    MeetingOrganiserFactory(meeting=own_draft, organisation=own)
    others_draft = MeetingFactory(title="Other body's side event", publication=Publication.DRAFT)
    MeetingOrganiserFactory(meeting=others_draft, organisation=other)
    for draft in (own_draft, others_draft):
        main_meeting.links_from.create(to_meeting=draft, kind=LinkKind.SIDE_EVENT)
    editor = make_editor("own@example.org", organisations=[own])

    published = actions.publish_linked_drafts(main_meeting, user=editor)

    assert published == 1
    assert published_titles() == ["Ministerial meeting", "Own side event"]


def test_ticking_the_box_on_the_meeting_form_publishes_its_linked_drafts(editor_client, main_meeting):
    draft = MeetingFactory(title="Side event", publication=Publication.DRAFT)
    main_meeting.links_from.create(to_meeting=draft, kind=LinkKind.SIDE_EVENT)
    page = editor_client.get(change_url(main_meeting))
    data = form_data(page)

    untouched = editor_client.post(change_url(main_meeting), data)
    assert untouched.status_code == 302
    assert published_titles() == ["Ministerial meeting"]
    data = form_data(editor_client.get(change_url(main_meeting)))
    ticked = editor_client.post(change_url(main_meeting), {**data, "publish_linked_drafts": "on"})

    assert re.findall(r'<label[^>]* for="id_publish_linked_drafts">(.*?)</label>', page.content.decode()) == [
        "Also publish the linked meetings that are drafts"
    ]
    assert ticked.status_code == 302
    assert published_titles() == ["Ministerial meeting", "Side event"]


def test_a_meeting_added_in_the_pop_up_of_a_link_says_it_will_be_a_draft(editor_client):
    add_url = reverse("admin:events_meeting_add")

    popup = editor_client.get(add_url, {"_to_field": "id", "_popup": "1"}).content.decode()
    plain = editor_client.get(add_url).content.decode()

    assert re.findall(r'<p class="popup-draft-note" id="popup-draft-note">(.*?)</p>', popup, flags=re.S) == [POPUP_NOTE]
    assert "popup-draft-note" not in plain


# --- The change form -------------------------------------------------------------


def test_the_object_tools_say_cancel_meeting(editor_client):
    meeting = MeetingFactory()
    cancel_url = reverse("admin:events_meeting_cancel", args=[meeting.pk])

    page = editor_client.get(change_url(meeting)).content.decode()

    assert f'<li><a href="{cancel_url}">Cancel meeting</a></li>' in page


def test_titles_and_summaries_have_wide_inputs_in_every_language(editor_client):
    page = editor_client.get(reverse("admin:events_meeting_add")).content.decode()

    wide = re.findall(r'<input type="text" name="(\w+)"[^>]*class="[^"]*\bwide-text\b', page)

    assert sorted(wide) == sorted(
        f"{field}_{code}"
        for field in ("title", "summary")
        for code in ("en", "sq", "bs", "hr", "mk", "cnr", "sr", "sr_latn", "sl")
    )
    assert 'name="slug"' in page and not re.search(r'name="slug"[^>]*wide-text', page)


def test_times_are_plain_time_inputs_without_the_admins_clock(editor_client):
    meeting = MeetingFactory(start_date=D(2030, 4, 12), start_time=T(9, 30))

    page = editor_client.get(change_url(meeting)).content.decode()

    assert '<input type="time" name="start_time" value="09:30" class="local-time"' in page
    assert '<input type="time" name="end_time" class="local-time"' in page
    assert "vTimeField" not in re.search(r'<input[^>]*name="start_time"[^>]*>', page).group(0)
    assert "Local time at the venue." in page
    assert '<script src="/static/js/admin-local-times.js"></script>' in page


def test_a_time_entered_in_the_time_input_is_saved(editor_client):
    meeting = MeetingFactory(start_date=D(2030, 4, 12), end_date=D(2030, 4, 12))
    data = form_data(editor_client.get(change_url(meeting)))

    response = editor_client.post(change_url(meeting), {**data, "start_time": "09:30", "end_time": "17:00"})

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.start_time, meeting.end_time) == (T(9, 30), T(17))


def test_a_multi_day_meeting_with_a_start_time_and_no_end_time_is_warned_at_the_end_time(editor_client):
    meeting = MeetingFactory(start_date=D(2030, 4, 12), end_date=D(2030, 4, 13), start_time=T(9, 30))

    page = editor_client.get(change_url(meeting)).content.decode()

    assert re.findall(r'id="id_(\w+)_warnings">\s*<li class="warning">(.*?)</li>', page) == [
        ("end_time", str(admin_forms.MULTI_DAY_START_WITHOUT_END))
    ]


# --- Postpone with times ------------------------------------------------------------


def test_the_postpone_page_has_time_fields_and_sentence_case_labels(editor_client):
    meeting = MeetingFactory()

    page = editor_client.get(reverse("admin:events_meeting_postpone", args=[meeting.pk])).content.decode()

    assert re.findall(r'<label for="id_\w+">(.*?):</label>', page) == [
        "New start date",
        "New end date",
        "New start time",
        "New end time",
        "New date to be confirmed",
        "Public note",
    ]
    assert '<input type="time" name="start_time" class="local-time"' in page


def postpone_form(**data):
    form = admin_forms.PostponeForm(data)
    form.is_valid()
    return form


def test_the_postpone_form_takes_new_times():
    form = postpone_form(start_date="2030-04-19", start_time="09:30", end_time="17:00")

    assert form.errors == {}
    assert (form.cleaned_data["start_time"], form.cleaned_data["end_time"]) == (T(9, 30), T(17))


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        (
            {"start_date": "2030-04-19", "start_time": "17:00", "end_time": "09:30"},
            {"end_time": [str(m.END_TIME_BEFORE_START_TIME)]},
        ),
        ({"start_date": "2030-04-19", "end_time": "09:30"}, {"end_time": [str(m.END_TIME_WITHOUT_START_TIME)]}),
        ({"to_be_confirmed": "on", "start_time": "09:30"}, {"start_time": [str(admin_forms.TIME_WITHOUT_NEW_DATE)]}),
        ({"start_time": "09:30"}, {"start_date": [str(admin_forms.NEW_DATE_OR_TO_BE_CONFIRMED)]}),
        ({"start_date": "2030-04-19", "start_time": "9h30"}, {"start_time": ["Enter a valid time."]}),
    ],
)
def test_the_postpone_form_refuses_times_that_cannot_be_at_the_field(data, errors):
    assert postpone_form(**data).errors == errors


def test_a_later_end_time_on_a_later_day_is_fine():
    form = postpone_form(start_date="2030-04-19", end_date="2030-04-20", start_time="17:00", end_time="09:30")

    assert form.errors == {}


def test_postpone_stores_the_new_times():
    meeting = MeetingFactory(start_date=D(2030, 4, 12), start_time=T(10), end_time=T(12))

    actions.postpone(meeting, start_date=D(2030, 4, 19), times=(T(9, 30), T(17)), note="Moved by a week.")

    meeting.refresh_from_db()
    assert (meeting.status, meeting.start_date, meeting.end_date, meeting.start_time, meeting.end_time) == (
        Status.POSTPONED,
        D(2030, 4, 19),
        D(2030, 4, 19),
        T(9, 30),
        T(17),
    )


def test_postpone_with_no_times_makes_it_all_day_and_without_times_keeps_them():
    timed = MeetingFactory(title="Timed", start_date=D(2030, 4, 12), start_time=T(10))
    cleared = MeetingFactory(title="Cleared", start_date=D(2030, 4, 12), start_time=T(10))

    actions.postpone(timed, start_date=D(2030, 4, 19))
    actions.postpone(cleared, start_date=D(2030, 4, 19), times=(None, None))

    assert Meeting.objects.get(pk=timed.pk).start_time == T(10)
    assert Meeting.objects.get(pk=cleared.pk).start_time is None


def test_postpone_refuses_a_one_day_meeting_ending_before_it_starts_and_saves_nothing():
    meeting = MeetingFactory(start_date=D(2030, 4, 12))

    with pytest.raises(ValidationError) as refused:
        actions.postpone(meeting, start_date=D(2030, 4, 19), times=(T(17), T(9)))

    assert refused.value.message_dict == {"end_time": [str(m.END_TIME_BEFORE_START_TIME)]}
    assert Meeting.objects.get(pk=meeting.pk).status == Status.CONFIRMED
