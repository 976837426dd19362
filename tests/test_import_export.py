"""Importing a partner's .ics as drafts (matched by UID) and exporting the filtered admin list as CSV."""

import csv
import datetime
import http.server
import io
import threading
import time

import pytest
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.urls import reverse

from events.calendar.fetching import CalendarImportError, fetch_calendar
from events.editors import forms as admin_forms
from events.models import DatePrecision, Meeting, Publication, Status
from tests.support.factories import MeetingFactory, MeetingOrganiserFactory, OrganisationFactory, VenueFactory
from tests.support.importing import IMPORT_URL, log_in_editor, upload

D = datetime.date
pytestmark = pytest.mark.django_db
EXPORT_URL = "/admin/events/meeting/export-csv/"

PARTNER_CALENDAR = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Partner//Calendar//EN\r
BEGIN:VEVENT\r
UID:rsg-salw-2030@partner.example\r
DTSTAMP:20300101T000000Z\r
SUMMARY:Regional Steering Group on SALW\r
DTSTART;VALUE=DATE:20300305\r
DTEND;VALUE=DATE:20300307\r
LOCATION:Belgrade, Serbia\r
DESCRIPTION:Co-chaired by RCC and UNDP.\r
URL:https://partner.example/rsg\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:pccc-heads-2030@partner.example\r
DTSTAMP:20300101T000000Z\r
SUMMARY:Meeting of Heads of PCCCs\r
DTSTART:20300412T080000Z\r
DTEND:20300412T150000Z\r
LOCATION:Somewhere new\r
STATUS:TENTATIVE\r
END:VEVENT\r
BEGIN:VEVENT\r
DTSTAMP:20300101T000000Z\r
SUMMARY:Event without a UID\r
DTSTART;VALUE=DATE:20300501\r
END:VEVENT\r
END:VCALENDAR\r
"""


@pytest.fixture
def editor_client(client):
    log_in_editor(client)
    return client


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_import_creates_draft_meetings_from_an_uploaded_calendar(editor_client):
    belgrade = VenueFactory(name="", city="Belgrade", timezone="Europe/Belgrade")

    response = upload(editor_client, PARTNER_CALENDAR)

    assert response.status_code == 302
    assert messages_of(response) == ["Calendar imported: 2 new draft meetings, 0 updated."]
    page = editor_client.get(response["Location"])
    assert page.context["summary"] == "Calendar imported: 2 new draft meetings, 0 updated."
    assert page.context["skipped"] == [
        ["Event without a UID", "The event has no UID, so a later import could not update it."]
    ]
    assert "“Event without a UID”: The event has no UID, so a later import" in page.content.decode()
    salw = Meeting.objects.get(source_uid="rsg-salw-2030@partner.example")
    assert (salw.title, salw.publication, salw.start_date, salw.end_date, salw.venue) == (
        "Regional Steering Group on SALW",
        Publication.DRAFT,
        D(2030, 3, 5),
        D(2030, 3, 6),  # DTEND of an all-day event is exclusive
        belgrade,
    )
    assert (salw.description, salw.external_url, salw.date_precision) == (
        "Co-chaired by RCC and UNDP.",
        "https://partner.example/rsg",
        DatePrecision.DAY,
    )
    pccc = Meeting.objects.get(source_uid="pccc-heads-2030@partner.example")
    # 08:00 UTC is 10:00 in Belgrade's summer time; no venue matched, so the place is kept for editors.
    assert (pccc.start_date, pccc.start_time, pccc.end_time, pccc.status, pccc.venue) == (
        D(2030, 4, 12),
        datetime.time(10),
        datetime.time(17),
        Status.TENTATIVE,
        None,
    )
    assert pccc.editor_notes == "Place in the imported calendar: Somewhere new"
    assert Meeting.objects.count() == 2


def test_a_second_import_updates_instead_of_duplicating(editor_client):
    upload(editor_client, PARTNER_CALENDAR)
    meeting = Meeting.objects.get(source_uid="rsg-salw-2030@partner.example")
    meeting.publication = Publication.PUBLISHED
    meeting.save()
    changed = PARTNER_CALENDAR.replace(b"DTSTART;VALUE=DATE:20300305", b"DTSTART;VALUE=DATE:20300306").replace(
        b"STATUS:TENTATIVE", b"STATUS:CANCELLED"
    )

    response = upload(editor_client, changed)

    assert "Calendar imported: 0 new draft meetings, 2 updated." in messages_of(response)
    assert Meeting.objects.count() == 2
    meeting.refresh_from_db()
    assert (meeting.start_date, meeting.publication, meeting.slug) == (
        D(2030, 3, 6),
        Publication.PUBLISHED,
        "regional-steering-group-on-salw",
    )
    assert Meeting.objects.get(source_uid="pccc-heads-2030@partner.example").status == Status.CANCELLED
    assert Meeting.objects.get(source_uid="pccc-heads-2030@partner.example").editor_notes == (
        "Place in the imported calendar: Somewhere new"
    )


def test_an_unreadable_file_is_a_form_error_and_imports_nothing(editor_client):
    response = upload(editor_client, b"this is not a calendar")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["This is not a readable iCalendar (.ics) file."]
    assert not Meeting.objects.exists()


def test_an_event_with_an_impossible_date_is_skipped_with_a_reason(editor_client):
    calendar = PARTNER_CALENDAR.replace(b"DTEND:20300412T150000Z", b"DTEND:20300412T060000Z")

    response = upload(editor_client, calendar)

    assert editor_client.get(response["Location"]).context["skipped"] == [
        ["Event without a UID", "The event has no UID, so a later import could not update it."],
        ["Meeting of Heads of PCCCs", "A one-day meeting cannot end before it starts."],
    ]
    assert list(Meeting.objects.values_list("source_uid", flat=True)) == ["rsg-salw-2030@partner.example"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, admin_forms.FILE_OR_URL),
        ({"url": "ftp://partner.example/calendar.ics"}, None),
        ({"url": "file:///etc/passwd"}, None),
    ],
)
def test_import_form_refuses_missing_or_non_web_sources(editor_client, data, error):
    response = editor_client.post(IMPORT_URL, data)

    assert response.status_code == 200
    form = response.context["form"]
    if error:
        assert form.non_field_errors() == [str(error)]
    else:
        assert form.errors == {"url": ["Enter a valid URL."]}
    assert not Meeting.objects.exists()


def test_fetch_refuses_non_web_schemes_before_connecting():
    with pytest.raises(CalendarImportError, match=r"Only http and https addresses can be imported\."):
        fetch_calendar("file:///etc/passwd")


class _CalendarHandler(http.server.BaseHTTPRequestHandler):
    body = PARTNER_CALENDAR

    def do_GET(self):
        if self.path == "/slow.ics":
            time.sleep(1.5)
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def calendar_server(settings):
    settings.CALENDAR_IMPORT_ALLOW_PRIVATE_ADDRESSES = True
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CalendarHandler)
    server.daemon_threads = True  # do not wait for the deliberately slow response on close
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/calendar.ics"
    server.shutdown()
    server.server_close()


def test_import_from_an_address(editor_client, calendar_server):
    response = editor_client.post(IMPORT_URL, {"url": calendar_server})

    assert messages_of(response)[0] == "Calendar imported: 2 new draft meetings, 0 updated."
    assert sorted(Meeting.objects.values_list("title", flat=True)) == [
        "Meeting of Heads of PCCCs",
        "Regional Steering Group on SALW",
    ]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.0.0.8", "[::1]", "169.254.169.254"])
def test_fetch_refuses_addresses_on_this_machine_or_a_private_network(host):
    with pytest.raises(CalendarImportError, match=r"Only calendars on the public internet can be imported\."):
        fetch_calendar(f"http://{host}:8103/calendar.ics")


def test_fetch_refuses_a_calendar_over_the_size_limit(calendar_server):
    with pytest.raises(CalendarImportError, match="larger than"):
        fetch_calendar(calendar_server, max_bytes=100)


def test_fetch_gives_up_on_a_slow_server(calendar_server):
    started = time.monotonic()

    with pytest.raises(CalendarImportError, match="took too long"):
        fetch_calendar(calendar_server.replace("calendar.ics", "slow.ics"), timeout=0.5)

    assert time.monotonic() - started < 1.4


def test_editors_need_add_permission_to_import(client):
    viewer = User.objects.create_user("viewer@example.org", is_staff=True)
    client.force_login(viewer)

    assert client.get(IMPORT_URL).status_code == 403


# --- CSV export -----------------------------------------------------------------------


def read_csv(response):
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_csv_export_follows_the_list_filters(editor_client):
    rcc = OrganisationFactory(acronym="RCC")
    board = MeetingFactory(title="Board of the RCC", start_date=D(2030, 10, 18), venue__city="Sarajevo")
    MeetingOrganiserFactory(meeting=board, organisation=rcc)
    MeetingFactory(title="Draft meeting", publication=Publication.DRAFT)
    MeetingFactory(title="=HYPERLINK(evil)", status=Status.CANCELLED, status_note="Cancelled.")

    published = editor_client.get(EXPORT_URL + "?publication__exact=published&status__exact=confirmed")
    cancelled = editor_client.get(EXPORT_URL + "?status__exact=cancelled")

    assert published["Content-Type"] == "text/csv; charset=utf-8"
    assert published["Content-Disposition"].startswith('attachment; filename="meetings-')
    rows = read_csv(published)
    assert [row["Title"] for row in rows] == ["Board of the RCC"]
    assert (rows[0]["Start date"], rows[0]["City"], rows[0]["Organisers"], rows[0]["Status"]) == (
        "2030-10-18",
        "Sarajevo",
        "RCC (Organiser)",
        "Confirmed",
    )
    assert [(row["Title"], row["Public note on the status"]) for row in read_csv(cancelled)] == [
        ("'=HYPERLINK(evil)", "Cancelled.")
    ]


def test_csv_export_link_carries_the_current_filters(editor_client):
    response = editor_client.get("/admin/events/meeting/?status__exact=cancelled")

    assert f'href="{EXPORT_URL}?status__exact=cancelled"' in response.content.decode()


def test_csv_export_with_bad_filters_is_a_400(editor_client):
    MeetingFactory()

    assert editor_client.get(EXPORT_URL + "?year=abc").status_code == 400


def test_csv_export_needs_a_staff_login(client):
    response = client.get(EXPORT_URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert reverse("admin:events_meeting_export") == EXPORT_URL


def test_csv_export_queries_do_not_grow_with_meetings(editor_client, django_assert_num_queries):
    def add_meetings(count):
        for _ in range(count):
            meeting = MeetingFactory()
            MeetingOrganiserFactory(meeting=meeting)

    add_meetings(3)
    with django_assert_num_queries(23):
        few = read_csv(editor_client.get(EXPORT_URL))
    add_meetings(30)
    with django_assert_num_queries(23):
        many = read_csv(editor_client.get(EXPORT_URL))

    assert (len(few), len(many)) == (3, 33)
