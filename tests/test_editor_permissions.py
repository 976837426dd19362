"""Each organisation edits its own: every write path of the admin tried by an editor of another
organisation (refused, nothing changed), and the positive cases (their own meetings in any role,
regional editors and superusers everything)."""

import datetime
import importlib
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from events.admin import TranslatedMeetingAdminForm
from events.editors import permissions
from events.models import Meeting, OrganiserRole, Publication, Status, Topic, Venue
from organisations.editors import REGIONAL_EDITORS_GROUP
from organisations.models import Organisation, Programme
from tests.support.admin_forms import form_data
from tests.support.factories import (
    CountryFactory,
    MeetingFactory,
    MeetingOrganiserFactory,
    OrganisationFactory,
    ProgrammeFactory,
    TopicFactory,
)
from tests.support.importing import IMPORT_URL

pytestmark = pytest.mark.django_db

CHANGELIST_URL = reverse("admin:events_meeting_changelist")
LEFT_OUT = "1 of the selected meetings was left as it was: you may change only meetings your organisations organise."


def make_editor(username, *, organisations=(), regional=False):
    user = User.objects.create_user(username, email=username, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    if regional:
        user.groups.add(Group.objects.get(name=REGIONAL_EDITORS_GROUP))
    user.editing_organisations.set(organisations)
    return user


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def org_a(db):
    return OrganisationFactory(name="Alpha Initiative", acronym="ALPHA", slug="alpha")


@pytest.fixture
def org_b(db):
    return OrganisationFactory(name="Beta Centre", acronym="BETA", slug="beta")


@pytest.fixture
def theirs(org_b):
    """A meeting organised by B only."""
    meeting = MeetingFactory(title="Beta's own meeting", publication=Publication.DRAFT)
    MeetingOrganiserFactory(meeting=meeting, organisation=org_b, role=OrganiserRole.ORGANISER)
    return meeting


@pytest.fixture
def ours(org_a, org_b):
    """A meeting B organises and A joins in a minor role: still A's to change."""
    meeting = MeetingFactory(title="Meeting in cooperation with Alpha", publication=Publication.DRAFT)
    MeetingOrganiserFactory(meeting=meeting, organisation=org_b, role=OrganiserRole.ORGANISER, position=0)
    MeetingOrganiserFactory(meeting=meeting, organisation=org_a, role=OrganiserRole.IN_COOPERATION_WITH, position=1)
    return meeting


@pytest.fixture
def editor_a(org_a):
    return make_editor("a@example.org", organisations=[org_a])


@pytest.fixture
def client_a(editor_a):
    return logged_in(editor_a)


@pytest.fixture
def regional_client(db):
    return logged_in(make_editor("regional@example.org", regional=True))


@pytest.fixture
def superuser_client(db):
    return logged_in(User.objects.create_superuser("root@example.org", "root@example.org"))


def change_url(meeting):
    return reverse("admin:events_meeting_change", args=[meeting.pk])


def change_form(client, meeting, **changes):
    """The change form as a regional editor would submit it, with ``changes``."""
    data = form_data(client.get(change_url(meeting)))
    data.update(changes)
    return data


def title_of(meeting):
    return Meeting.objects.get(pk=meeting.pk).title


def run_action(client, action, meetings, **extra):
    data = {"action": action, "_selected_action": [meeting.pk for meeting in meetings], "index": "0", **extra}
    return client.post(CHANGELIST_URL, data)


# --- Another organisation's meeting: every write refused ------------------------


def test_change_form_of_another_organisations_meeting_is_read_only_and_its_post_refused(
    client_a, regional_client, theirs
):
    data = change_form(regional_client, theirs, title_en="Taken over")

    shown = client_a.get(change_url(theirs))
    posted = client_a.post(change_url(theirs), data)

    assert shown.status_code == 200
    assert 'name="_save"' not in shown.content.decode()
    assert posted.status_code == 403
    assert title_of(theirs) == "Beta's own meeting"


def test_deleting_another_organisations_meeting_is_refused(client_a, theirs):
    url = reverse("admin:events_meeting_delete", args=[theirs.pk])

    assert client_a.get(url).status_code == 403
    assert client_a.post(url, {"post": "yes"}).status_code == 403
    assert Meeting.objects.filter(pk=theirs.pk).exists()


def test_delete_selected_refuses_when_another_organisations_meeting_is_among_them(client_a, theirs, ours):
    response = run_action(client_a, "delete_selected", [ours, theirs], post="yes")

    assert response.status_code == 403
    assert sorted(Meeting.objects.values_list("title", flat=True)) == [
        "Beta's own meeting",
        "Meeting in cooperation with Alpha",
    ]


@pytest.mark.parametrize(
    ("action", "extra", "field", "before", "after"),
    [
        ("publish_selected", {}, "publication", Publication.DRAFT, Publication.PUBLISHED),
        ("cancel_selected", {"apply": "1", "reason": "Called off."}, "status", Status.CONFIRMED, Status.CANCELLED),
    ],
)
def test_bulk_actions_change_only_the_editors_own_meetings(client_a, theirs, ours, action, extra, field, before, after):
    Meeting.objects.filter(pk__in=[theirs.pk, ours.pk]).update(status=Status.CONFIRMED)

    response = run_action(client_a, action, [ours, theirs], **extra)

    assert response.status_code == 302
    assert getattr(Meeting.objects.get(pk=ours.pk), field) == after
    assert getattr(Meeting.objects.get(pk=theirs.pk), field) == before
    assert LEFT_OUT in messages_of(response)


def test_bulk_unpublish_leaves_another_organisations_meeting_published(client_a, theirs, ours):
    Meeting.objects.filter(pk__in=[theirs.pk, ours.pk]).update(publication=Publication.PUBLISHED)

    run_action(client_a, "unpublish_selected", [ours, theirs])

    assert Meeting.objects.get(pk=ours.pk).publication == Publication.DRAFT
    assert Meeting.objects.get(pk=theirs.pk).publication == Publication.PUBLISHED


@pytest.mark.parametrize(
    ("page", "data"),
    [
        ("postpone", {"to_be_confirmed": "on", "note": "Later."}),
        ("cancel", {"reason": "Called off."}),
        ("duplicate", {"title": "Beta's next meeting"}),
    ],
)
def test_status_pages_and_duplicate_refuse_another_organisations_meeting(client_a, theirs, page, data):
    url = reverse(f"admin:events_meeting_{page}", args=[theirs.pk])

    assert client_a.get(url).status_code == 403
    assert client_a.post(url, data).status_code == 403
    assert list(Meeting.objects.values_list("title", "status")) == [("Beta's own meeting", Status.CONFIRMED)]


def test_history_revert_of_another_organisations_meeting_is_refused(client_a, regional_client, theirs):
    theirs.title = "Beta's renamed meeting"
    theirs.save()
    first = theirs.history.earliest("history_date")
    url = reverse("admin:events_meeting_simple_history", args=[theirs.pk, first.history_id])
    data = form_data(regional_client.get(url), form_id="historicalmeeting_form")

    shown = client_a.get(url)
    posted = client_a.post(url, data)

    assert shown.status_code == 200
    assert 'name="_save"' not in shown.content.decode()
    assert posted.status_code == 403
    assert title_of(theirs) == "Beta's renamed meeting"


def test_reverting_to_a_version_without_the_editors_organisation_is_refused(client_a, regional_client, org_a, org_b):
    meeting = MeetingFactory(title="First title")
    MeetingOrganiserFactory(meeting=meeting, organisation=org_b)
    meeting.title = "Second title"
    meeting.save()
    MeetingOrganiserFactory(meeting=meeting, organisation=org_a, position=1)
    meeting.title = "Third title"
    meeting.save()
    first = meeting.history.earliest("history_date")
    url = reverse("admin:events_meeting_simple_history", args=[meeting.pk, first.history_id])
    data = form_data(regional_client.get(url), form_id="historicalmeeting_form")

    response = client_a.post(url, data)

    assert response.status_code == 403
    assert title_of(meeting) == "Third title"
    assert sorted(meeting.organisers.values_list("slug", flat=True)) == ["alpha", "beta"]


def test_import_is_for_regional_editors(client_a, regional_client):
    assert client_a.get(IMPORT_URL).status_code == 403
    assert regional_client.get(IMPORT_URL).status_code == 200


# --- Their own meetings ---------------------------------------------------------


def test_editor_changes_a_meeting_their_organisation_joins_in_any_role(client_a, regional_client, ours):
    data = change_form(regional_client, ours, title_en="Renamed by Alpha")

    response = client_a.post(change_url(ours), data)

    assert response.status_code == 302
    assert title_of(ours) == "Renamed by Alpha"


def test_editor_postpones_and_duplicates_their_own_meeting(client_a, ours):
    postponed = client_a.post(
        reverse("admin:events_meeting_postpone", args=[ours.pk]), {"to_be_confirmed": "on", "note": ""}
    )
    duplicated = client_a.post(reverse("admin:events_meeting_duplicate", args=[ours.pk]), {"title": "Next one"})

    assert (postponed.status_code, duplicated.status_code) == (302, 302)
    assert Meeting.objects.get(pk=ours.pk).status == Status.POSTPONED
    copy = Meeting.objects.get(title="Next one")
    assert permissions.may_change_meeting(User.objects.get(username="a@example.org"), copy)


def test_editor_may_not_drop_their_own_organisation_from_a_meeting(client_a, regional_client, ours, org_a):
    data = change_form(regional_client, ours)
    alpha_row = next(key for key, value in data.items() if key.endswith("-organisation") and value == str(org_a.pk))
    data[alpha_row.replace("-organisation", "-DELETE")] = "on"

    response = client_a.post(change_url(ours), data)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.non_form_errors() == [
        "Keep one of your organisations (ALPHA) among the organisers, in any role: "
        "otherwise you could no longer change this meeting."
    ]
    assert list(Meeting.objects.get(pk=ours.pk).organisers.order_by("slug").values_list("slug", flat=True)) == [
        "alpha",
        "beta",
    ]


def new_meeting_data(client, organisation):
    data = form_data(client.get(reverse("admin:events_meeting_add")))
    data.update(
        {
            "title_en": "Alpha's new meeting",
            "slug": "alphas-new-meeting",
            "date_precision": "day",
            "start_date": "2031-03-04",
            "organiser_roles-TOTAL_FORMS": "1",
            "organiser_roles-0-organisation": organisation.pk,
            "organiser_roles-0-role": OrganiserRole.ORGANISER,
            "organiser_roles-0-position": "0",
        }
    )
    return data


def test_a_new_meeting_must_carry_one_of_the_editors_organisations(client_a, org_a, org_b):
    refused = client_a.post(reverse("admin:events_meeting_add"), new_meeting_data(client_a, org_b))
    added = client_a.post(reverse("admin:events_meeting_add"), new_meeting_data(client_a, org_a))

    assert refused.status_code == 200
    assert added.status_code == 302
    assert list(Meeting.objects.values_list("title", flat=True)) == ["Alpha's new meeting"]


def test_an_editor_of_no_organisation_changes_nothing(theirs):
    client = logged_in(make_editor("nobody@example.org"))

    response = client.post(reverse("admin:events_meeting_cancel", args=[theirs.pk]), {"reason": "x"})

    assert response.status_code == 403


# --- Regional editors and superusers ------------------------------------------


@pytest.mark.parametrize("who", ["regional_client", "superuser_client"])
def test_regional_editors_and_superusers_change_every_meeting(request, regional_client, theirs, who):
    client = request.getfixturevalue(who)
    data = change_form(regional_client, theirs, title_en="Changed from the region")

    response = client.post(change_url(theirs), data)

    assert response.status_code == 302
    assert title_of(theirs) == "Changed from the region"


def test_regional_editor_may_leave_a_meeting_without_organisers(regional_client, theirs):
    data = change_form(regional_client, theirs, **{"organiser_roles-0-DELETE": "on"})

    response = regional_client.post(change_url(theirs), data)

    assert response.status_code == 302
    assert not Meeting.objects.get(pk=theirs.pk).organisers.exists()


# --- What meetings need: venues, organisations, programmes, topics --------------


def venue_form(client, venue, **changes):
    url = reverse("admin:events_venue_change", args=[venue.pk])
    data = form_data(client.get(url), form_id="venue_form")
    data.update(changes)
    return url, data


def test_a_venue_another_organisations_meeting_uses_is_changed_by_regional_editors_only(
    client_a, regional_client, theirs, ours
):
    shared = ours.venue
    Meeting.objects.filter(pk=theirs.pk).update(venue=shared)
    url, data = venue_form(regional_client, shared, name="Renamed hall")

    refused = client_a.post(url, data)
    done = regional_client.post(url, data)

    assert (refused.status_code, done.status_code) == (403, 302)
    assert Venue.objects.get(pk=shared.pk).name == "Renamed hall"


def test_a_venue_only_the_editors_meetings_use_is_theirs_to_change(client_a, regional_client, ours):
    url, data = venue_form(regional_client, ours.venue, name="Alpha's hall")

    response = client_a.post(url, data)

    assert response.status_code == 302
    assert Venue.objects.get(pk=ours.venue_id).name == "Alpha's hall"


def test_a_venue_revert_needs_the_change_permission(client_a, regional_client, theirs):
    venue = theirs.venue
    venue.name = "Renamed"
    venue.save()
    first = venue.history.earliest("history_date")
    url = reverse("admin:events_venue_simple_history", args=[venue.pk, first.history_id])
    data = form_data(regional_client.get(url), form_id="historicalvenue_form")

    assert client_a.post(url, data).status_code == 403
    assert Venue.objects.get(pk=venue.pk).name == "Renamed"


def test_an_editor_adds_a_venue_which_takes_its_countrys_time_zone(client_a):
    bosnia = CountryFactory(code="BA", name="Bosnia and Herzegovina")
    data = form_data(client_a.get(reverse("admin:events_venue_add")), form_id="venue_form")
    data.update({"name": "Hotel Europe", "city": "Sarajevo", "country": bosnia.pk, "timezone": ""})

    response = client_a.post(reverse("admin:events_venue_add"), data)

    assert response.status_code == 302
    assert list(Venue.objects.values_list("name", "timezone")) == [("Hotel Europe", "Europe/Sarajevo")]


def test_the_venue_time_zone_menu_offers_the_regions_zones_then_all(client_a):
    CountryFactory(code="AL", name="Albania")
    CountryFactory(code="RS", name="Serbia")
    CountryFactory(code="XK", name="Kosovo", needs_designation=True)

    field = client_a.get(reverse("admin:events_venue_add")).context["adminform"].form.fields["timezone"]

    empty, (region_label, region), (all_label, every) = field.choices
    assert empty == ("", "The country's time zone")
    assert (str(region_label), str(all_label)) == ("Time zones of the region", "All time zones")
    assert region == [
        ("Europe/Belgrade", "Europe/Belgrade (Kosovo*, Serbia)"),
        ("Europe/Tirane", "Europe/Tirane (Albania)"),
    ]
    assert ("America/New_York", "America/New_York") in every


@pytest.mark.parametrize(
    ("admin_name", "factory", "model", "field", "value"),
    [
        ("organisations_organisation", lambda: OrganisationFactory(name="Gamma Network"), Organisation, "name_en", "X"),
        ("organisations_programme", lambda: ProgrammeFactory(name="Gamma Programme"), Programme, "name_en", "X"),
        ("events_topic", lambda: TopicFactory(name="Gamma topic"), Topic, "name_en", "X"),
    ],
)
def test_existing_shared_records_are_changed_by_regional_editors_only(
    client_a, regional_client, admin_name, factory, model, field, value
):
    record = factory()
    url = reverse(f"admin:{admin_name}_change", args=[record.pk])
    data = form_data(regional_client.get(url), form_id=f"{model._meta.model_name}_form")
    data[field] = "Renamed"

    refused = client_a.post(url, data)
    done = regional_client.post(url, data)

    assert (refused.status_code, done.status_code) == (403, 302)
    assert getattr(model.objects.get(pk=record.pk), field) == "Renamed"


def test_an_editor_adds_an_organisation(client_a):
    url = reverse("admin:organisations_organisation_add")
    data = form_data(client_a.get(url), form_id="organisation_form")
    data.update({"name_en": "Delta Forum", "slug": "delta-forum", "kind": "regional"})

    response = client_a.post(url, data)

    assert response.status_code == 302
    assert Organisation.objects.filter(slug="delta-forum").exists()


def test_only_superusers_see_who_edits_for_an_organisation(regional_client, superuser_client, org_a):
    url = reverse("admin:organisations_organisation_change", args=[org_a.pk])

    assert "editors" not in regional_client.get(url).context["adminform"].form.fields
    assert "editors" in superuser_client.get(url).context["adminform"].form.fields


# --- The rules' answers, for other screens (the announcement screen) ----------


def test_rules_answer_for_the_editors_organisations(editor_a, org_a, org_b, theirs, ours):
    assert list(permissions.editing_organisations(editor_a)) == [org_a]
    assert permissions.may_change_meeting(editor_a, ours)
    assert not permissions.may_change_meeting(editor_a, theirs)
    assert list(permissions.changeable_meetings(editor_a)) == [ours]
    assert permissions.carries_own_organisation(editor_a, [org_b.pk, org_a.pk])
    assert not permissions.carries_own_organisation(editor_a, [org_b.pk])


# --- Upgrading: nobody loses access ---------------------------------------------


def test_the_upgrade_makes_editors_without_an_organisation_regional(org_a):
    Group.objects.filter(name=REGIONAL_EDITORS_GROUP).delete()
    unattached = make_editor("old@example.org")
    attached = make_editor("attached@example.org", organisations=[org_a])
    migration = importlib.import_module("organisations.migrations.0006_regional_editors_group")

    migration.create_regional_editors(apps, None)

    regional = Group.objects.get(name=REGIONAL_EDITORS_GROUP)
    assert list(regional.user_set.values_list("username", flat=True)) == [unattached.username]
    assert not attached.groups.filter(name=REGIONAL_EDITORS_GROUP).exists()


# --- The meeting list -------------------------------------------------------------


def test_the_meeting_list_opens_on_upcoming_meetings_soonest_first(regional_client):
    today = datetime.date.today()
    for title, days in [("Later", 60), ("Past", -30), ("Soon", 3)]:
        MeetingFactory(title=title, start_date=today + datetime.timedelta(days=days))
    MeetingFactory(title="Date to be confirmed", date_precision="unknown", start_date=None, end_date=None)

    opened = regional_client.get(CHANGELIST_URL)
    everything = regional_client.get(CHANGELIST_URL + "?when=all")
    past = regional_client.get(CHANGELIST_URL + "?when=past")

    def titles(response):
        return [meeting.title for meeting in response.context["cl"].result_list]

    assert titles(opened) == ["Soon", "Later", "Date to be confirmed"]
    assert titles(everything) == ["Date to be confirmed", "Later", "Soon", "Past"]
    assert titles(past) == ["Past"]


def test_a_search_looks_through_past_meetings_too_latest_first(regional_client):
    MeetingFactory(title="Old steering group", start_date=datetime.date(2015, 3, 1))
    MeetingFactory(title="Newer steering group", start_date=datetime.date(2019, 3, 1))

    response = regional_client.get(CHANGELIST_URL + "?q=steering")

    assert [meeting.title for meeting in response.context["cl"].result_list] == [
        "Newer steering group",
        "Old steering group",
    ]


def test_linked_meetings_show_their_publication_and_status(regional_client, ours):
    partner = MeetingFactory(title="Side event", publication=Publication.DRAFT, status=Status.CONFIRMED)
    ours.links_from.create(to_meeting=partner, kind="side_event")

    response = regional_client.get(change_url(ours))

    group = response.content.decode().split('id="links_from-group"')[1].split("</fieldset>")[0]
    shown = [
        re.sub(r"<[^>]+>|\s+", " ", cell).strip()
        for cell in re.findall(r'<td class="field-linked_(?:publication|status)">(.*?)</td>', group, flags=re.S)
    ]
    # The link's row, then the empty row for a new link and the template "Add another" copies: blank.
    assert shown == ["Draft", "Confirmed", "", "", "", ""]


# --- The announcement screen ------------------------------------------------------

ANNOUNCEMENT_URL = reverse("admin:events_meeting_announcement")
SEED_ANNOUNCEMENTS = Path("/work/shared/seed/announcements.txt")


def save_one_draft(client, index):
    """Read the seed's announcements, keep only draft ``index``, create every new name it needs, save it."""
    page = client.post(ANNOUNCEMENT_URL, {"text": SEED_ANNOUNCEMENTS.read_text()})
    drafts = len(page.context["draft_forms"])
    data = form_data(page, "announcement_review")
    for other in set(range(drafts)) - {index}:
        data.pop(f"draft-{other}-keep", None)
    data["save"] = "drafts"
    # Ticking every new name offered (a place, a body): the screen creates only those the kept draft needs.
    data["create"] = re.findall(r'<input[^>]*name="create"[^>]*value="([^"]*)"', page.content.decode())
    return page.context["draft_forms"][index].draft, client.post(ANNOUNCEMENT_URL, data)


@pytest.fixture
def rcc_editor_client(seed):
    Meeting.objects.all().delete()
    editor = make_editor("rcc-editor@example.org", organisations=[Organisation.objects.get(acronym="RCC")])
    return logged_in(editor)


@pytest.mark.skipif(not SEED_ANNOUNCEMENTS.exists(), reason="the seed's announcements are not on this machine")
def test_announcement_drafts_an_organisations_editor_saves_must_carry_their_organisation(rcc_editor_client):
    others, refused = save_one_draft(rcc_editor_client, 0)
    own, saved = save_one_draft(rcc_editor_client, 1)

    assert [ref.name for ref in others.organisers] != ["Regional Cooperation Council"]
    assert refused.status_code == 403
    assert [ref.name for ref in own.organisers] == ["Regional Cooperation Council"]
    assert saved.status_code == 302
    assert [(m.title, list(m.organisers.values_list("acronym", flat=True))) for m in Meeting.objects.all()] == [
        (own.title, ["RCC"])
    ]


@pytest.mark.skipif(
    "publish_linked_drafts" not in TranslatedMeetingAdminForm.declared_fields, reason="the form has no such box yet"
)
def test_publishing_linked_drafts_publishes_only_those_the_editor_may_change(client_a, regional_client, ours, org_a):
    own_draft = MeetingFactory(title="Alpha's side event", publication=Publication.DRAFT)
    MeetingOrganiserFactory(meeting=own_draft, organisation=org_a)
    others_draft = MeetingFactory(title="Someone else's study visit", publication=Publication.DRAFT)
    ours.links_from.create(to_meeting=own_draft, kind="side_event")
    ours.links_from.create(to_meeting=others_draft, kind="study_visit")
    data = change_form(regional_client, ours, publish_linked_drafts="on")

    response = client_a.post(change_url(ours), data)

    assert response.status_code == 302
    assert sorted(Meeting.objects.filter(publication=Publication.PUBLISHED).values_list("title", flat=True)) == [
        "Alpha's side event"
    ]


def test_the_meeting_list_gives_the_title_column_its_room(regional_client, ours):
    response = regional_client.get(CHANGELIST_URL + "?when=all")

    content = response.content.decode()
    assert '<link href="/static/css/admin-list.css" media="all" rel="stylesheet">' in content
    assert '<th class="field-title">' in content


def test_an_organisations_editor_narrows_the_list_to_their_meetings(client_a, regional_client, ours, theirs):
    def titles(response):
        return [meeting.title for meeting in response.context["cl"].result_list]

    assert titles(client_a.get(CHANGELIST_URL)) == ["Beta's own meeting", "Meeting in cooperation with Alpha"]
    assert titles(client_a.get(CHANGELIST_URL + "?yours=1")) == ["Meeting in cooperation with Alpha"]
    assert "whose" not in [str(spec.title) for spec in regional_client.get(CHANGELIST_URL).context["cl"].filter_specs]


def test_the_change_form_offers_postpone_cancel_and_duplicate_only_on_meetings_the_editor_may_change(
    client_a, theirs, ours
):
    tools = {"postpone", "cancel", "duplicate"}

    def offered(meeting):
        page = client_a.get(change_url(meeting)).content.decode()
        return {tool for tool in tools if reverse(f"admin:events_meeting_{tool}", args=[meeting.pk]) in page}

    assert (offered(ours), offered(theirs)) == (tools, set())
