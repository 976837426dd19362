"""New meetings from an announcement, through the admin: paste, review beside the text, correct, save."""

import datetime
import http.server
import re
import threading
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.urls import reverse

from events.editors import announcement_forms as forms
from events.models import BackToBack, LinkKind, Meeting, Publication
from organisations.models import Organisation
from tests.support.admin_forms import form_data
from tests.test_admin import messages_of

pytestmark = pytest.mark.django_db

URL = reverse("admin:events_meeting_announcement")
SEED_TEXT = Path("/work/shared/seed/announcements.txt").read_text()
WBCTI = (
    "12th WBCTi Steering Group Meeting\n\n"
    "On 15 October 2027 the Ministry of Interior of Montenegro hosts the 12th Meeting of the Western Balkans "
    "Counter-Terrorism initiative (WBCTi) Steering Group in Podgorica, Montenegro, starting at 09:30. The meeting "
    "is co-chaired by the IISG Support Group and DG HOME, and funded by the EU under IPA II.\n\n"
    "The Steering Group meets back-to-back with the CTI Network meeting, held the day before, on 14 October 2027.\n"
)


def make_editor(username="editor@example.org", *, regional=True):
    user = User.objects.create_user(username, email=username, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    if regional:
        user.groups.add(Group.objects.get(name="Regional editors"))
    return user


@pytest.fixture
def editor_client(client, seed):
    client.force_login(make_editor())
    return client


@pytest.fixture
def no_meetings(seed):
    """The seed's organisations, programmes, places and topics, but none of its meetings (so none is a duplicate)."""
    Meeting.objects.all().delete()


def read(client, text):
    return client.post(URL, {"text": text})


def drafts_of(response):
    return [form.draft for form in response.context["draft_forms"]]


def marks(response):
    return re.findall(r'<mark class="evidence draft-(\d+)"[^>]*>([^<]*)</mark>', response.content.decode())


def review(response, **changes):
    """What the review form submits as the page left it, with ``changes`` made (None: a box unticked)."""
    data = form_data(response, "announcement_review")
    for name, value in changes.items():
        name = name.replace("__", "-", 1) if name.startswith("draft__") else name
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def test_the_page_is_linked_from_the_meeting_list(editor_client):
    response = editor_client.get(reverse("admin:events_meeting_changelist"))
    assert f'href="{URL}"' in response.content.decode()


def test_pasting_the_seed_gives_twelve_drafts_beside_the_text_with_their_phrases_marked(editor_client):
    response = read(editor_client, SEED_TEXT)

    assert response.status_code == 200
    drafts = drafts_of(response)
    assert len(drafts) == 12
    assert drafts[0].title == (
        "3rd Meeting of the Regional Network of the National P-CVE Coordinators (RNNC) of the Western Balkans"
    )
    marked = marks(response)
    # Every meeting has its title marked in the text, at the words it was read from.
    assert {int(draft) for draft, _words in marked} == set(range(12))
    assert ("0", drafts[0].title) in marked
    assert ("3", "Vienna") in marked


def test_the_marked_text_is_escaped(editor_client, no_meetings):
    response = read(
        editor_client, "Meeting of Border Police Chiefs <script>alert(1)</script>\n\nOn 18 July 2027 in Skopje."
    )

    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_pasting_the_seed_flags_every_meeting_already_on_the_site(editor_client):
    response = read(editor_client, SEED_TEXT)

    forms_ = response.context["draft_forms"]
    flagged = [form for form in forms_ if form.duplicates]
    assert len(flagged) == 12
    first = forms_[0]
    twin = Meeting.objects.get(title_en=first.draft.title)
    assert first.duplicates == [twin]
    assert first["merge_with"].value() == twin.pk
    assert "Likely already on the site" in response.content.decode()


def test_merging_every_draft_into_the_meetings_on_the_site_creates_nothing(editor_client):
    before = set(Meeting.objects.values_list("pk", flat=True))
    links_before = BackToBack.objects.count()
    response = read(editor_client, SEED_TEXT)
    merges = {f"draft__{form.index}-merge_with": str(form.duplicates[0].pk) for form in response.context["draft_forms"]}

    saved = editor_client.post(URL, review(response, save="drafts", **merges))

    assert saved.status_code == 302
    assert set(Meeting.objects.values_list("pk", flat=True)) == before
    assert BackToBack.objects.count() == links_before
    assert "12 meetings were already on the site and were kept as they are." in messages_of(saved)


def test_one_draft_saved_as_new_beside_its_merged_twins_is_linked_to_them(editor_client):
    response = read(editor_client, SEED_TEXT)
    forms_ = response.context["draft_forms"]
    rnnc, nfp = forms_[0], forms_[1]
    assert (LinkKind.BACK_TO_BACK, 1) in rnnc.draft.links
    twin = Meeting.objects.get(title_en=rnnc.draft.title)
    # Only the RNNC meeting is kept, as a new meeting with a corrected title; the NFP meeting is merged.
    changes = {f"draft__{i}-keep": None for i in range(2, 12)}
    changes.update({"draft__0-merge_with": "", "draft__0-title": "3rd RNNC Meeting (corrected)", "save": "drafts"})

    saved = editor_client.post(URL, review(response, **changes))

    assert saved.status_code == 302, saved.context and saved.context.get("errors")
    new = Meeting.objects.get(title_en="3rd RNNC Meeting (corrected)")
    assert new.publication == Publication.DRAFT
    nfp_meeting = Meeting.objects.get(title_en=nfp.draft.title)
    links = BackToBack.objects.filter(Q(from_meeting=new) | Q(to_meeting=new))
    assert list(links.values_list("from_meeting", "to_meeting", "kind")) == [
        (new.pk, nfp_meeting.pk, LinkKind.BACK_TO_BACK)
    ]
    assert Meeting.objects.filter(title_en=twin.title_en).count() == 1


def test_correcting_dropping_and_saving_as_drafts_creates_exactly_those_meetings_with_their_links(
    editor_client, no_meetings
):
    response = read(editor_client, SEED_TEXT)
    drafts = drafts_of(response)
    changes = {f"draft__{i}-keep": None for i in range(3, 12)}
    changes.update({"draft__2-keep": None, "draft__1-title": "7th NFP Group Meeting", "save": "drafts"})

    saved = editor_client.post(URL, review(response, **changes))

    assert saved.status_code == 302, saved.context and saved.context.get("errors")
    assert sorted(Meeting.objects.values_list("title_en", flat=True)) == sorted(
        [drafts[0].title, "7th NFP Group Meeting"]
    )
    assert set(Meeting.objects.values_list("publication", flat=True)) == {Publication.DRAFT}
    rnnc = Meeting.objects.get(title_en=drafts[0].title)
    nfp = Meeting.objects.get(title_en="7th NFP Group Meeting")
    assert rnnc.start_date == datetime.date(2019, 4, 24)
    links = [(link.from_meeting, link.to_meeting, link.kind) for link in BackToBack.objects.all()]
    assert len(links) == 1
    assert {links[0][0], links[0][1]} == {rnnc, nfp}
    assert links[0][2] == LinkKind.BACK_TO_BACK
    # The editor lands on the meeting list showing just the meetings saved.
    assert saved["Location"] == f"{reverse('admin:events_meeting_changelist')}?when=all&id__in={rnnc.pk},{nfp.pk}"
    listing = editor_client.get(saved["Location"])
    assert sorted(str(meeting.title_en) for meeting in listing.context["cl"].result_list) == sorted(
        [rnnc.title_en, nfp.title_en]
    )
    assert "2 meetings were saved as drafts." in messages_of(saved)


def test_save_and_publish_publishes_the_meetings_kept(editor_client, no_meetings):
    response = read(editor_client, SEED_TEXT)
    changes = {f"draft__{i}-keep": None for i in range(1, 12)}

    saved = editor_client.post(URL, review(response, **changes, save="publish"))

    assert saved.status_code == 302, saved.context and saved.context.get("errors")
    assert list(Meeting.objects.values_list("publication", flat=True)) == [Publication.PUBLISHED]
    assert "1 meeting was saved and published." in messages_of(saved)


def test_a_new_name_is_proposed_and_created_only_when_ticked(editor_client, no_meetings):
    response = read(editor_client, SEED_TEXT)
    changes = {f"draft__{i}-keep": None for i in range(1, 12)}
    changes.update({"draft__0-organiser_0_name": "Balkan Example Bureau", "save": "drafts"})

    refused = editor_client.post(URL, review(response, **changes))

    assert refused.status_code == 200
    assert refused.context["errors"] == [
        forms.NEW_NAMES_NOT_TICKED % {"names": "“Balkan Example Bureau”"},
    ]
    assert "new organisation: Balkan Example Bureau" in refused.content.decode()
    assert not Meeting.objects.exists()
    assert not Organisation.objects.filter(name="Balkan Example Bureau").exists()

    saved = editor_client.post(URL, review(refused, create="organisation:Balkan Example Bureau", save="drafts"))

    assert saved.status_code == 302, saved.context and saved.context.get("errors")
    bureau = Organisation.objects.get(name="Balkan Example Bureau")
    assert bureau in Meeting.objects.get().organisers.all()


def test_a_corrected_field_is_checked_on_the_server(editor_client, no_meetings):
    response = read(editor_client, SEED_TEXT)
    changes = {f"draft__{i}-keep": None for i in range(1, 12)}
    changes.update({"draft__0-end_date": "01/01/2019", "save": "drafts"})

    refused = editor_client.post(URL, review(response, **changes))

    assert refused.status_code == 200
    assert refused.context["draft_forms"][0].errors["end_date"] == ["The meeting cannot end before it starts."]
    assert not Meeting.objects.exists()


def test_a_topic_the_site_does_not_have_is_refused_at_the_topics(editor_client, no_meetings):
    response = read(editor_client, SEED_TEXT)
    changes = {f"draft__{i}-keep": None for i in range(1, 12)}
    changes.update({"draft__0-topics": "Counter-terrorism\nBeekeeping", "save": "drafts"})

    refused = editor_client.post(URL, review(response, **changes))

    assert refused.status_code == 200
    assert refused.context["draft_forms"][0].errors["topics"] == [forms.UNKNOWN_TOPICS % {"names": "“Beekeeping”"}]
    assert not Meeting.objects.exists()


def test_dropping_every_meeting_saves_nothing(editor_client, no_meetings):
    response = read(editor_client, SEED_TEXT)

    refused = editor_client.post(URL, review(response, save="drafts", **{f"draft__{i}-keep": None for i in range(12)}))

    assert refused.status_code == 200
    assert refused.context["errors"] == [forms.NOTHING_KEPT]
    assert not Meeting.objects.exists()


def source_errors(response):
    form = response.context["form"]
    return [str(error) for errors in form.errors.values() for error in errors]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"text": "   "}, forms.TEXT_FILE_OR_URL),
        (
            {"text": "x" * (forms.MAX_TEXT_CHARS + 1)},
            forms.TEXT_TOO_LONG % {"length": "100,001", "limit": "100,000"},
        ),
        ({"text": "1234"}, forms.NO_MEETING_FOUND),
        ({"text": "Meeting on 1 May 2027", "url": "https://example.org/a"}, forms.ONLY_ONE_SOURCE),
        ({"url": "http://127.0.0.1/announcement.html"}, "Only calendars on the public internet can be imported."),
        ({"url": "ftp://example.org/a.txt"}, "Enter a valid URL."),
    ],
)
def test_bad_input_gets_a_clear_message_on_the_form(editor_client, data, error):
    response = editor_client.post(URL, data)

    assert response.status_code == 200
    assert source_errors(response) == [error]


def test_an_upload_that_is_not_text_or_html_is_refused(editor_client):
    upload = SimpleUploadedFile("scan.pdf", b"%PDF-1.4 binary", content_type="application/pdf")

    response = editor_client.post(URL, {"file": upload})

    assert source_errors(response) == [str(forms.NOT_TEXT_OR_HTML)]


def test_an_uploaded_html_page_is_read_as_its_words(editor_client, no_meetings):
    page = (
        "<!doctype html><html><head><title>x</title><script>var a = 1;</script></head><body>"
        "<h2>Meeting of Border Police Chiefs</h2><p>On 18 July 2027 the Meeting of Border Police Chiefs "
        "takes place in Skopje, North Macedonia.</p></body></html>"
    )
    upload = SimpleUploadedFile("news.html", page.encode(), content_type="text/html")

    response = editor_client.post(URL, {"file": upload})

    assert response.status_code == 200
    assert [draft.title for draft in drafts_of(response)] == ["Meeting of Border Police Chiefs"]
    assert "var a" not in response.context["text_form"].initial["text"]


class _PageHandler(http.server.BaseHTTPRequestHandler):
    body = (
        b"<!doctype html><html><body><h1>Meeting of Border Police Chiefs</h1>"
        b"<p>On 18 July 2027 the Meeting of Border Police Chiefs takes place in Skopje, North Macedonia.</p>"
        b"</body></html>"
    )

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def page_server(settings):
    # Tests serve the page on loopback, which the safety rules otherwise refuse (see the 127.0.0.1 case above).
    settings.CALENDAR_IMPORT_ALLOW_PRIVATE_ADDRESSES = ["127.0.0.1/32"]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PageHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/news/border-police.html"
    server.shutdown()
    server.server_close()


def test_a_page_given_by_its_address_is_fetched_and_read(editor_client, no_meetings, page_server):
    response = editor_client.post(URL, {"url": page_server})

    assert response.status_code == 200
    assert [draft.title for draft in drafts_of(response)] == ["Meeting of Border Police Chiefs"]
    assert drafts_of(response)[0].start_date == datetime.date(2027, 7, 18)


def test_a_tampered_hidden_text_is_read_again_not_trusted(editor_client, no_meetings):
    response = read(editor_client, SEED_TEXT)
    data = review(response, save="drafts", text="")

    refused = editor_client.post(URL, data)

    assert refused.status_code == 302
    assert refused["Location"] == URL
    assert messages_of(refused) == [str(forms.NO_TEXT)]
    assert not Meeting.objects.exists()


def test_a_user_without_meeting_permissions_is_refused(client, seed):
    user = User.objects.create_user("viewer@example.org", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_meeting"))
    client.force_login(user)

    assert client.get(URL).status_code == 403
    assert client.post(URL, {"text": SEED_TEXT}).status_code == 403


def test_a_visitor_is_sent_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_a_meeting_saved_outside_the_editors_organisations_undoes_the_whole_save(client, no_meetings):
    editor = make_editor("bureau@example.org", regional=False)
    Organisation.objects.get(acronym="RCC").editors.add(editor)
    client.force_login(editor)
    response = read(client, SEED_TEXT)
    # Meeting 2 is RCC's own; meeting 1 is organised by others: saving both is refused as a whole.
    assert [ref.name for ref in drafts_of(response)[1].organisers] == ["Regional Cooperation Council"]

    refused = client.post(URL, review(response, save="publish", **{f"draft__{i}-keep": None for i in range(2, 12)}))

    assert refused.status_code == 403
    assert not Meeting.objects.exists()
