"""The editors' admin through Django's test client: the form, status changes, actions, safety, permissions."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.urls import reverse

from events import models as m
from events.editors import forms as admin_forms
from events.editors.actions import next_edition_title
from events.models import BackToBack, DatePrecision, Meeting, OrganiserRole, Publication, Status
from tests.support.admin_forms import form_data
from tests.support.factories import (
    BackToBackFactory,
    CountryFactory,
    MeetingFactory,
    MeetingFunderFactory,
    MeetingOrganiserFactory,
    OrganisationFactory,
    TopicFactory,
    VenueFactory,
)

D = datetime.date
pytestmark = pytest.mark.django_db

ADD_URL = "/admin/events/meeting/"
CHANGELIST_URL = "/admin/events/meeting/"


def change_url(meeting):
    return reverse("admin:events_meeting_change", args=[meeting.pk])


def make_editor(username="editor@example.org"):
    # No password: tests log in with force_login, and hashing one costs a second per test.
    user = User.objects.create_user(username, email=username, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"), Group.objects.get(name="Regional editors"))
    return user


@pytest.fixture
def editor(db):
    return make_editor()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def form_errors(response):
    return {field: list(errors) for field, errors in response.context["adminform"].form.errors.items()}


def fill_new_meeting(client, **fields):
    data = form_data(client.get(reverse("admin:events_meeting_add")))
    data.update(
        {
            "title_en": "9th Meeting of the Test Network",
            "slug": "9th-meeting-test-network",
            "date_precision": DatePrecision.DAY,
            "start_date": "2030-04-24",
            "end_date": "",
        }
    )
    data.update(fields)
    return data


# --- The form ------------------------------------------------------------------


def test_change_form_groups_fields_in_the_order_an_announcement_reads(editor_client):
    meeting = MeetingFactory()

    response = editor_client.get(change_url(meeting))

    form = response.content.decode().split('id="meeting_form"')[1]
    headings = re.findall(r"<h2[^>]*>(.*?)</h2>", form, flags=re.S)
    headings = [re.sub(r"<[^>]+>|\s+", " ", heading).strip() for heading in headings]
    assert headings == [
        "When",
        "Organisers and their roles",
        "Where",
        "Funders and their instruments",
        "What",
        "Back-to-back and related meetings",
        "Status and publication",
        "For editors",
    ]


def test_venue_field_offers_autocomplete_and_adding_a_new_venue(editor_client):
    response = editor_client.get(reverse("admin:events_meeting_add"))

    html = response.content.decode()
    assert 'data-ajax--url="/admin/autocomplete/"' in html
    assert 'id="add_id_venue"' in html
    assert 'href="/admin/events/venue/add/?_to_field=id&amp;_popup=1"' in html


def test_editor_adds_a_meeting_with_organisers_in_roles_a_funder_and_a_link(editor_client):
    rcc, iisg, eu = OrganisationFactory(acronym="RCC"), OrganisationFactory(acronym="IISG"), OrganisationFactory()
    venue = VenueFactory()
    earlier = MeetingFactory(title="7th NFP Group meeting", start_date=D(2030, 4, 23))
    data = fill_new_meeting(editor_client, venue=venue.pk, publication=Publication.PUBLISHED)
    data.update(
        {
            "organiser_roles-TOTAL_FORMS": "2",
            "organiser_roles-0-organisation": rcc.pk,
            "organiser_roles-0-role": OrganiserRole.ORGANISER,
            "organiser_roles-0-position": "0",
            "organiser_roles-1-organisation": iisg.pk,
            "organiser_roles-1-role": OrganiserRole.CO_ORGANISER,
            "organiser_roles-1-position": "1",
            "fundings-0-organisation": eu.pk,
            "fundings-0-instrument": "IPA II",
            "fundings-0-position": "0",
            "links_from-0-kind": m.LinkKind.BACK_TO_BACK,
            "links_from-0-to_meeting": earlier.pk,
        }
    )

    response = editor_client.post(reverse("admin:events_meeting_add"), data)

    assert response.status_code == 302, form_errors(response) if response.context else response
    meeting = Meeting.objects.get(slug="9th-meeting-test-network")
    assert [(r.organisation.acronym, r.role) for r in meeting.organiser_roles.all()] == [
        ("RCC", OrganiserRole.ORGANISER),
        ("IISG", OrganiserRole.CO_ORGANISER),
    ]
    assert [(f.organisation, f.instrument) for f in meeting.fundings.all()] == [(eu, "IPA II")]
    assert meeting.linked_meetings() == [("Back-to-back with", earlier)]
    assert meeting.history.first().history_user.username == "editor@example.org"


def test_a_link_added_on_one_meeting_shows_read_only_on_the_other(editor_client):
    link = BackToBackFactory(from_meeting__title="NFP Group", to_meeting__title="RNNC meeting")

    response = editor_client.get(change_url(link.to_meeting))

    html = response.content.decode()
    assert "Linked from other meetings (change these on the other meeting)" in html
    assert f'<a href="{change_url(link.from_meeting)}">NFP Group</a>' in html
    assert 'name="links_to-0-from_meeting"' not in html


def test_markdown_preview_shows_the_description_as_the_public_sees_it(editor_client):
    meeting = MeetingFactory(description="Key **objectives**:\n\n- exchange\n- review\n\n<script>alert(1)</script>")

    response = editor_client.get(change_url(meeting))

    html = response.content.decode()
    preview = re.search(r'<div class="markdown-preview"[^>]*>(.*?)</div>', html, flags=re.S).group(1)
    assert "<strong>objectives</strong>" in preview
    assert "<li>exchange</li>" in preview
    assert "<script>" not in preview


def test_end_before_start_is_refused_at_the_end_date(editor_client):
    data = fill_new_meeting(editor_client, start_date="2030-04-24", end_date="2030-04-20")

    response = editor_client.post(reverse("admin:events_meeting_add"), data)

    assert response.status_code == 200
    assert form_errors(response) == {"end_date": [str(m.END_BEFORE_START)]}
    assert not Meeting.objects.exists()


def test_a_time_without_a_date_is_refused_at_the_start_time(editor_client):
    data = fill_new_meeting(editor_client, date_precision=DatePrecision.UNKNOWN, start_date="", start_time="10:00")

    response = editor_client.post(reverse("admin:events_meeting_add"), data)

    assert form_errors(response) == {"start_time": [str(m.TIME_WITHOUT_DATE)]}


def test_a_likely_duplicate_is_refused_at_the_title(editor_client):
    MeetingFactory(title="9th Meeting of the Test Network", start_date=D(2030, 4, 24))

    response = editor_client.post(reverse("admin:events_meeting_add"), fill_new_meeting(editor_client))

    assert form_errors(response) == {
        "title_en": [str(admin_forms.LIKELY_DUPLICATE) % {"title": "9th Meeting of the Test Network"}]
    }
    assert Meeting.objects.count() == 1


def test_a_link_to_itself_is_refused_at_the_linked_meeting(editor_client):
    meeting = MeetingFactory()
    data = form_data(editor_client.get(change_url(meeting)))
    data.update({"links_from-0-kind": m.LinkKind.BACK_TO_BACK, "links_from-0-to_meeting": meeting.pk})

    response = editor_client.post(change_url(meeting), data)

    assert response.status_code == 200
    link_errors = [
        formset for formset in response.context["inline_admin_formsets"] if formset.formset.prefix == "links_from"
    ]
    assert link_errors[0].formset.errors == [{"to_meeting": [str(m.LINK_TO_ITSELF)]}]
    assert not BackToBack.objects.exists()


def test_second_editor_save_is_refused_and_points_to_the_history(client, editor):
    meeting = MeetingFactory(title="Board meeting")
    client.force_login(editor)
    stale = form_data(client.get(change_url(meeting)))
    other = make_editor("second@example.org")
    other_client = client.__class__()
    other_client.force_login(other)
    fresh = form_data(other_client.get(change_url(meeting)))
    fresh["title_en"] = "Board meeting (moved)"
    assert other_client.post(change_url(meeting), fresh).status_code == 302

    stale["title_en"] = "Board meeting, 35th"
    response = client.post(change_url(meeting), stale)

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert len(errors) == 1
    assert errors[0].startswith("second@example.org saved this meeting on ")
    assert "Your changes were not saved, so nothing was overwritten." in errors[0]
    assert f'<a href="/admin/events/meeting/{meeting.pk}/history/">See the history of this meeting</a>' in errors[0]
    meeting.refresh_from_db()
    assert meeting.title == "Board meeting (moved)"


def test_saving_an_unchanged_form_twice_in_a_row_works_for_one_editor(editor_client):
    meeting = MeetingFactory()
    data = form_data(editor_client.get(change_url(meeting)))
    assert editor_client.post(change_url(meeting), data).status_code == 302

    data = form_data(editor_client.get(change_url(meeting)))
    assert editor_client.post(change_url(meeting), data).status_code == 302


def test_clashes_are_warned_about_after_save_without_blocking(editor_client):
    venue = VenueFactory(city="Tirana")
    topic = TopicFactory(name="P-CVE")
    MeetingFactory(title="Same city", venue=VenueFactory(city="Tirana"), start_date=D(2030, 4, 24))
    same_topic = MeetingFactory(title="Same topic", venue=VenueFactory(city="Skopje"), start_date=D(2030, 4, 24))
    same_topic.topics.add(topic)
    MeetingFactory(title="Cancelled", venue=venue, start_date=D(2030, 4, 24), status=Status.CANCELLED)
    MeetingFactory(title="Other week", venue=venue, start_date=D(2030, 5, 24))
    data = fill_new_meeting(editor_client, venue=venue.pk, topics=[topic.pk])

    response = editor_client.post(reverse("admin:events_meeting_add"), data, follow=True)

    assert Meeting.objects.filter(slug="9th-meeting-test-network").exists()
    warnings = [str(msg) for msg in get_messages(response.wsgi_request) if msg.level_tag == "warning"]
    assert warnings == [
        "Possible clash with “Same city” (April 24, 2030, same city, overlapping dates): check with its organisers.",
        "Possible clash with “Same topic” (April 24, 2030, same topic, overlapping dates): check with its organisers.",
    ]


def test_same_organiser_in_the_same_week_is_shown_as_a_clash_on_the_form(editor_client):
    rcc = OrganisationFactory()
    monday = MeetingFactory(title="Monday meeting", start_date=D(2030, 4, 22))
    friday = MeetingFactory(title="Friday meeting", start_date=D(2030, 4, 26), venue=VenueFactory(city="Skopje"))
    next_monday = MeetingFactory(title="Next Monday", start_date=D(2030, 4, 29))
    for meeting in (monday, friday, next_monday):
        MeetingOrganiserFactory(meeting=meeting, organisation=rcc)

    response = editor_client.get(change_url(monday))

    clashes = re.search(r'<div class="readonly"><ul>(.*?)</ul>', response.content.decode(), flags=re.S).group(1)
    assert re.findall(r">([^<]+)</a>", clashes) == ["Friday meeting"]


# --- Status changes -------------------------------------------------------------


def test_cancel_button_asks_for_a_public_reason_and_cancels(editor_client):
    meeting = MeetingFactory()
    url = reverse("admin:events_meeting_cancel", args=[meeting.pk])
    assert f'href="{url}"' in editor_client.get(change_url(meeting)).content.decode()

    refused = editor_client.post(url, {"reason": ""})
    response = editor_client.post(url, {"reason": "Cancelled at the request of the host."})

    assert refused.status_code == 200
    assert refused.context["form"].errors == {"reason": ["This field is required."]}
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.status_note) == (Status.CANCELLED, "Cancelled at the request of the host.")
    assert meeting.sequence == 1


def test_postpone_to_a_new_date(editor_client):
    meeting = MeetingFactory(start_date=D(2030, 4, 12))

    response = editor_client.post(
        reverse("admin:events_meeting_postpone", args=[meeting.pk]),
        {"start_date": "2030-04-19", "end_date": "2030-04-20", "note": "Moved by a week."},
    )

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.status, meeting.start_date, meeting.end_date, meeting.status_note) == (
        Status.POSTPONED,
        D(2030, 4, 19),
        D(2030, 4, 20),
        "Moved by a week.",
    )


def test_postpone_to_a_new_date_and_times_through_the_page(editor_client):
    meeting = MeetingFactory(start_date=D(2030, 4, 12), start_time=datetime.time(10), end_time=datetime.time(12))
    url = reverse("admin:events_meeting_postpone", args=[meeting.pk])

    offered = editor_client.get(url).context["form"]
    response = editor_client.post(
        url, {"start_date": "2030-04-19", "start_time": "09:30", "end_time": "13:00", "note": "Moved by a week."}
    )

    assert (offered["start_time"].value(), offered["end_time"].value()) == (datetime.time(10), datetime.time(12))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.start_date, meeting.start_time, meeting.end_time) == (
        D(2030, 4, 19),
        datetime.time(9, 30),
        datetime.time(13),
    )


def test_postpone_to_a_date_to_be_confirmed(editor_client):
    meeting = MeetingFactory(start_date=D(2030, 4, 12), start_time=datetime.time(10))

    editor_client.post(reverse("admin:events_meeting_postpone", args=[meeting.pk]), {"to_be_confirmed": "on"})

    meeting.refresh_from_db()
    assert (meeting.status, meeting.date_precision, meeting.start_date, meeting.start_time) == (
        Status.POSTPONED,
        DatePrecision.UNKNOWN,
        None,
        None,
    )


def test_postpone_needs_a_new_date_or_to_be_confirmed(editor_client):
    meeting = MeetingFactory(start_date=D(2030, 4, 12))
    url = reverse("admin:events_meeting_postpone", args=[meeting.pk])

    neither = editor_client.post(url, {"note": ""})
    backwards = editor_client.post(url, {"start_date": "2030-04-19", "end_date": "2030-04-18"})

    assert neither.context["form"].errors == {"start_date": [str(admin_forms.NEW_DATE_OR_TO_BE_CONFIRMED)]}
    assert backwards.context["form"].errors == {"end_date": [str(m.END_BEFORE_START)]}
    meeting.refresh_from_db()
    assert meeting.status == Status.CONFIRMED


def test_status_pages_of_an_unknown_meeting_are_404(editor_client):
    assert editor_client.get(reverse("admin:events_meeting_cancel", args=[999])).status_code == 404
    assert editor_client.get(reverse("admin:events_meeting_postpone", args=["nope"])).status_code == 404


# --- Duplicate as next edition ---------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("7th Meeting of the NFP Group", "8th Meeting of the NFP Group"),
        ("1st IISG National Coordination Meeting", "2nd IISG National Coordination Meeting"),
        ("3rd meeting of the IISG Board", "4th meeting of the IISG Board"),
        ("35th Meeting of the Board", "36th Meeting of the Board"),
        ("10th Meeting", "11th Meeting"),
        ("11th Meeting", "12th Meeting"),
        ("21st Meeting", "22nd Meeting"),
        ("Meeting of Heads of PCCCs", "Meeting of Heads of PCCCs"),
    ],
)
def test_next_edition_title(title, expected):
    assert next_edition_title(title) == expected


def test_duplicate_as_next_edition_copies_a_draft_with_dates_to_be_confirmed(editor_client):
    original = MeetingFactory(title="7th Meeting of the NFP Group", slug="7th-meeting-nfp-group")
    topic, country = TopicFactory(), CountryFactory(code="RS", name="Serbia")
    original.topics.add(topic)
    original.countries.add(country)
    MeetingOrganiserFactory(meeting=original, organisation__acronym="RCC", role=OrganiserRole.CHAIR)
    MeetingFunderFactory(meeting=original, organisation__acronym="EU", instrument="IPA II")
    BackToBackFactory(from_meeting=original)
    url = reverse("admin:events_meeting_duplicate", args=[original.pk])

    proposed = editor_client.get(url).context["form"]["title"].value()
    response = editor_client.post(url, {"title": proposed})

    copy = Meeting.objects.get(title="8th Meeting of the NFP Group")
    assert response.status_code == 302
    assert response["Location"] == change_url(copy)
    assert (copy.slug, copy.publication, copy.date_precision, copy.start_date, copy.end_date) == (
        "8th-meeting-of-the-nfp-group",
        Publication.DRAFT,
        DatePrecision.UNKNOWN,
        None,
        None,
    )
    assert copy.venue == original.venue
    assert list(copy.topics.all()) == [topic]
    assert list(copy.countries.all()) == [country]
    assert [(r.organisation.acronym, r.role) for r in copy.organiser_roles.all()] == [("RCC", OrganiserRole.CHAIR)]
    assert [str(f) for f in copy.fundings.all()] == ["EU – IPA II"]
    assert copy.linked_meetings() == []
    assert copy.uid != original.uid


def test_duplicating_twice_gives_unique_slugs(editor_client):
    original = MeetingFactory(title="7th Meeting")
    url = reverse("admin:events_meeting_duplicate", args=[original.pk])

    editor_client.post(url, {"title": "8th Meeting"})
    editor_client.post(url, {"title": "8th Meeting"})

    assert sorted(Meeting.objects.filter(title="8th Meeting").values_list("slug", flat=True)) == [
        "8th-meeting",
        "8th-meeting-2",
    ]


# --- Bulk actions ------------------------------------------------------------------


def run_action(client, action, meetings, **extra):
    data = {"action": action, "_selected_action": [meeting.pk for meeting in meetings], "index": "0", **extra}
    return client.post(CHANGELIST_URL, data)


def test_bulk_publish_and_unpublish(editor_client):
    drafts = [MeetingFactory(publication=Publication.DRAFT) for _ in range(2)]
    untouched = MeetingFactory(publication=Publication.DRAFT)

    run_action(editor_client, "publish_selected", drafts)
    assert sorted(Meeting.objects.published().values_list("pk", flat=True)) == [d.pk for d in drafts]

    run_action(editor_client, "unpublish_selected", drafts[:1])
    assert list(Meeting.objects.published().values_list("pk", flat=True)) == [drafts[1].pk]
    untouched.refresh_from_db()
    assert untouched.publication == Publication.DRAFT


def test_bulk_cancel_asks_for_one_reason_then_cancels_all(editor_client):
    chosen = [MeetingFactory(), MeetingFactory()]
    other = MeetingFactory()

    confirmation = run_action(editor_client, "cancel_selected", chosen)
    data = {"action": "cancel_selected", "_selected_action": [x.pk for x in chosen], "apply": "1"}
    refused = editor_client.post(CHANGELIST_URL, {**data, "reason": ""})
    done = editor_client.post(CHANGELIST_URL, {**data, "reason": "Postponed sine die by the host."})

    assert confirmation.status_code == 200
    assert [x.title for x in confirmation.context["meetings"]] == sorted(x.title for x in chosen)
    assert refused.context["form"].errors == {"reason": ["This field is required."]}
    assert done.status_code == 302
    assert list(Meeting.objects.filter(status=Status.CANCELLED).order_by("pk").values_list("pk", "status_note")) == [
        (chosen[0].pk, "Postponed sine die by the host."),
        (chosen[1].pk, "Postponed sine die by the host."),
    ]
    other.refresh_from_db()
    assert other.status == Status.CONFIRMED


# --- List filters and search --------------------------------------------------------


def listed(client, query):
    response = client.get(CHANGELIST_URL + query)
    assert response.status_code == 200
    return sorted(meeting.title for meeting in response.context["cl"].result_list)


@pytest.fixture
def listing():
    albania, serbia = CountryFactory(code="AL", name="Albania"), CountryFactory(code="RS", name="Serbia")
    tirana = VenueFactory(city="Tirana", country=albania)
    belgrade = VenueFactory(city="Belgrade", country=serbia)
    rcc, undp = OrganisationFactory(name="Regional Cooperation Council", acronym="RCC"), OrganisationFactory()
    salw = TopicFactory(name="SALW")
    a = MeetingFactory(title="Board of the RCC", venue=tirana, start_date=D(2029, 10, 18))
    b = MeetingFactory(
        title="SALW steering group", venue=belgrade, start_date=D(2030, 3, 5), publication=Publication.DRAFT
    )
    c = MeetingFactory(title="PCCC heads", venue=tirana, start_date=D(2030, 6, 1), status=Status.CANCELLED)
    c.countries.add(serbia)
    MeetingOrganiserFactory(meeting=a, organisation=rcc, role=OrganiserRole.ORGANISER)
    MeetingOrganiserFactory(meeting=a, organisation=rcc, role=OrganiserRole.HOST)
    MeetingOrganiserFactory(meeting=b, organisation=undp)
    b.topics.add(salw)
    return {"rcc": rcc, "salw": salw}


def test_list_filters(editor_client, listing):
    rcc, salw = listing["rcc"], listing["salw"]

    assert listed(editor_client, "?status__exact=cancelled") == ["PCCC heads"]
    assert listed(editor_client, "?publication__exact=draft") == ["SALW steering group"]
    assert listed(editor_client, f"?organiser={rcc.pk}") == ["Board of the RCC"]
    assert listed(editor_client, f"?topics__id__exact={salw.pk}") == ["SALW steering group"]
    assert listed(editor_client, "?country=RS") == ["PCCC heads", "SALW steering group"]
    assert listed(editor_client, "?year=2030") == ["PCCC heads", "SALW steering group"]


def test_list_search_across_titles_organisers_and_cities(editor_client, listing):
    assert listed(editor_client, "?q=steering") == ["SALW steering group"]
    assert listed(editor_client, "?q=Regional+Cooperation") == ["Board of the RCC"]
    assert listed(editor_client, "?q=tirana") == ["Board of the RCC", "PCCC heads"]


def test_a_malformed_year_filter_is_not_a_server_error(editor_client, listing):
    response = editor_client.get(CHANGELIST_URL + "?year=twenty")

    assert response.status_code == 302
    assert response["Location"] == "/admin/events/meeting/?e=1"


def test_changelist_and_change_form_queries_are_bounded(editor_client, listing, django_assert_num_queries):
    meeting = Meeting.objects.get(title="Board of the RCC")
    with django_assert_num_queries(16):
        editor_client.get(CHANGELIST_URL)
    with django_assert_num_queries(29):
        editor_client.get(change_url(meeting))


# --- Drafts on the public page ----------------------------------------------------


def test_staff_preview_a_draft_on_the_public_page_with_a_banner(client, editor):
    draft = MeetingFactory(publication=Publication.DRAFT, title="Draft meeting")

    anonymous = client.get(draft.get_absolute_url())
    client.force_login(editor)
    preview = client.get(draft.get_absolute_url())

    assert anonymous.status_code == 404
    assert preview.status_code == 200
    assert "Draft — not public" in preview.content.decode()
    assert sorted(preview["Cache-Control"].split(", ")) == ["no-store", "private"]


def test_published_meeting_has_no_draft_banner(client, editor):
    meeting = MeetingFactory(publication=Publication.PUBLISHED)
    client.force_login(editor)

    assert "not public" not in client.get(meeting.get_absolute_url()).content.decode()


def test_publish_at_in_the_future_keeps_a_published_meeting_hidden(client, editor):
    later = MeetingFactory(publish_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC))

    anonymous = client.get(later.get_absolute_url())
    client.force_login(editor)
    preview = client.get(later.get_absolute_url())

    assert anonymous.status_code == 404
    assert "Scheduled — not public until" in preview.content.decode()


def test_view_on_site_from_the_admin_leads_to_the_public_page_of_a_draft(editor_client):
    draft = MeetingFactory(publication=Publication.DRAFT)

    response = editor_client.get(change_url(draft))

    assert 'class="viewsitelink"' in response.content.decode()
    shortcut = re.search(r'href="([^"]+)" class="viewsitelink"', response.content.decode()).group(1)
    assert editor_client.get(shortcut, follow=True).status_code == 200


# --- History, deletion, permissions -----------------------------------------------


def test_every_change_is_in_the_history_and_can_be_reverted(editor_client):
    meeting = MeetingFactory(title="Original title")
    data = form_data(editor_client.get(change_url(meeting)))
    data["title_en"] = "Edited title"
    editor_client.post(change_url(meeting), data)
    first = meeting.history.earliest("history_date")

    history_page = editor_client.get(reverse("admin:events_meeting_history", args=[meeting.pk]))
    revert_url = reverse("admin:events_meeting_simple_history", args=[meeting.pk, first.history_id])
    revert_data = form_data(editor_client.get(revert_url), form_id="historicalmeeting_form")
    reverted = editor_client.post(revert_url, revert_data)

    assert history_page.status_code == 200
    assert "editor@example.org" in history_page.content.decode()
    assert reverted.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Original title"
    assert [record.title for record in meeting.history.order_by("history_date")] == [
        "Original title",
        "Edited title",
        "Original title",
    ]


def test_deleting_a_published_meeting_asks_first_and_is_recorded(editor_client, editor):
    meeting = MeetingFactory(title="To be deleted", publication=Publication.PUBLISHED)
    url = reverse("admin:events_meeting_delete", args=[meeting.pk])

    confirmation = editor_client.get(url)
    response = editor_client.post(url, {"post": "yes"})

    assert "Are you sure you want to delete" in confirmation.content.decode()
    assert response.status_code == 302
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
    deletion = Meeting.history.filter(id=meeting.pk, history_type="-").get()
    assert (deletion.title, deletion.history_user) == ("To be deleted", editor)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/auth/user/",
        "/admin/auth/user/add/",
        "/admin/auth/group/",
        "/admin/auth/group/add/",
    ],
)
def test_editors_cannot_manage_users_or_groups(editor_client, url):
    assert editor_client.get(url).status_code == 403


def test_editors_cannot_change_their_own_group_or_user(editor_client, editor):
    group = Group.objects.get(name="Editors")

    assert editor_client.get(f"/admin/auth/group/{group.pk}/change/").status_code == 403
    assert editor_client.post(f"/admin/auth/user/{editor.pk}/change/", {"is_superuser": "on"}).status_code == 403
    editor.refresh_from_db()
    assert not editor.is_superuser


def test_editors_see_only_the_calendar_in_the_admin_index(editor_client):
    response = editor_client.get("/admin/")

    models = sorted(model["object_name"] for app in response.context["app_list"] for model in app["models"])
    assert models == ["Country", "Meeting", "Organisation", "Programme", "Proposal", "Topic", "Venue"]


def test_anonymous_users_are_sent_to_the_login_page(client):
    meeting = MeetingFactory()

    response = client.get(reverse("admin:events_meeting_cancel", args=[meeting.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_history_page_lists_changes_to_organisers_funders_and_links(editor_client, django_assert_num_queries):
    meeting = MeetingFactory()
    data = form_data(editor_client.get(change_url(meeting)))
    rcc, eu = OrganisationFactory(acronym="RCC"), OrganisationFactory(acronym="EU")
    other = MeetingFactory(title="NFP Group")
    data.update(
        {
            "organiser_roles-0-organisation": rcc.pk,
            "organiser_roles-0-role": OrganiserRole.HOST,
            "organiser_roles-0-position": "0",
            "fundings-0-organisation": eu.pk,
            "fundings-0-instrument": "ISF",
            "fundings-0-position": "0",
            "links_from-0-kind": m.LinkKind.SIDE_EVENT,
            "links_from-0-to_meeting": other.pk,
        }
    )
    assert editor_client.post(change_url(meeting), data).status_code == 302

    with django_assert_num_queries(19):
        response = editor_client.get(reverse("admin:events_meeting_history", args=[meeting.pk]))

    table = re.search(r'<table id="link-history">.*?</table>', response.content.decode(), flags=re.S).group(0)
    rows = re.findall(r"<tr><td>[^<]*</td><td>([^<]*)</td><td>([^<]*)</td></tr>", table)
    assert sorted(rows) == [
        ("editor@example.org", "Funder added: EU – ISF"),
        ("editor@example.org", f"Linked meeting added: {meeting.title} → NFP Group (Side event)"),
        ("editor@example.org", "Organiser added: RCC (Host)"),
    ]


def test_bulk_action_on_a_search_across_organisers(editor_client, listing):
    board = Meeting.objects.get(title="Board of the RCC")
    data = {"action": "unpublish_selected", "_selected_action": [board.pk], "index": "0"}

    response = editor_client.post(CHANGELIST_URL + "?q=Regional+Cooperation", data)

    assert response.status_code == 302
    assert sorted(Meeting.objects.filter(publication=Publication.DRAFT).values_list("title", flat=True)) == [
        "Board of the RCC",
        "SALW steering group",
    ]


def test_live_markdown_preview_renders_what_the_public_will_see(editor_client):
    url = reverse("admin:events_meeting_preview_markdown")

    response = editor_client.post(url, {"text": "Key **objectives**\n\n<script>alert(1)</script>"})

    assert response.status_code == 200
    assert response.content.decode().strip() == "<p>Key <strong>objectives</strong></p>"
    assert editor_client.get(url).status_code == 405
    assert editor_client.post(url, {"text": "x" * 100_001}).status_code == 400


def test_live_markdown_preview_needs_an_editor(client):
    client.force_login(User.objects.create_user("viewer@example.org", is_staff=True))

    assert client.post(reverse("admin:events_meeting_preview_markdown"), {"text": "x"}).status_code == 403


def test_linked_meetings_are_not_clashes(editor_client):
    rcc = OrganisationFactory()
    meeting = MeetingFactory(title="RNNC meeting", start_date=D(2030, 4, 24))
    back_to_back = MeetingFactory(title="NFP Group", start_date=D(2030, 4, 23), end_date=D(2030, 4, 24))
    unrelated = MeetingFactory(title="Unrelated", start_date=D(2030, 4, 24), venue=meeting.venue)
    BackToBackFactory(from_meeting=back_to_back, to_meeting=meeting)
    for other in (meeting, back_to_back):
        MeetingOrganiserFactory(meeting=other, organisation=rcc)

    response = editor_client.get(change_url(meeting))

    clashes = re.search(r'<div class="readonly"><ul>(.*?)</ul>', response.content.decode(), flags=re.S).group(1)
    assert re.findall(r">([^<]+)</a>", clashes) == [unrelated.title]
