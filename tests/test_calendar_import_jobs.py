"""Large calendars import in the background; every import has a page with its result, and an import
whose process died is shown as failed, never pending for ever."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import User

from events.calendar import import_jobs
from events.models import CalendarImport, Meeting, Publication
from tests.support.importing import IMPORT_URL, large_calendar, last_import, log_in_editor, upload

LOST = "The import stopped before it finished (its server process ended); nothing was imported. Import it again."


@pytest.mark.django_db(transaction=True)
def test_a_calendar_of_4777_events_imports_in_the_background_and_its_page_shows_the_result(client):
    # A transactional test may follow another's flush, which took the Editors group with it.
    client.force_login(User.objects.create_superuser("chief@example.org"))

    response = upload(client, large_calendar(4777), name="partner-archive.ics")
    import_jobs.wait_for_background_imports(timeout=120)
    page = client.get(response["Location"])

    job = last_import()
    assert response["Location"] == f"{IMPORT_URL}{job.pk}/"
    assert (job.state, job.source, bytes(job.data)) == (CalendarImport.State.DONE, "partner-archive.ics", b"")
    assert page.context["summary"] == "Calendar imported: 4777 new draft meetings, 0 updated."
    assert "Refresh" not in page
    assert Meeting.objects.filter(publication=Publication.DRAFT).count() == 4777
    last = Meeting.objects.get(source_uid="large-4776@partner.example")
    assert (last.title, last.start_date, last.start_time) == (
        "Regional working group on border security, session 4776",
        datetime.date(2030, 1, 7) + datetime.timedelta(days=4776 // 4),
        None,
    )


@pytest.mark.django_db
def test_an_import_waiting_or_running_has_a_page_that_reloads_itself(client):
    log_in_editor(client)
    job = CalendarImport.objects.create(source="big.ics", data=b"BEGIN:VCALENDAR", state=CalendarImport.State.RUNNING)

    page = client.get(f"{IMPORT_URL}{job.pk}/")

    assert page["Refresh"] == "5"
    assert "This page shows the result when the import is done" in page.content.decode()


@pytest.mark.django_db
def test_an_import_left_behind_by_a_killed_worker_is_shown_as_failed(client, settings):
    started = datetime.datetime(2030, 1, 15, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(started, tick=False):
        job = CalendarImport.objects.create(source="big.ics", data=b"x", state=CalendarImport.State.RUNNING)
    later = started + datetime.timedelta(seconds=settings.CALENDAR_IMPORT_JOB_TIMEOUT_SECONDS + 1)

    with time_machine.travel(later, tick=False):
        log_in_editor(client)
        page = client.get(f"{IMPORT_URL}{job.pk}/")

    job.refresh_from_db()
    assert (job.state, job.result, bytes(job.data)) == (CalendarImport.State.FAILED, {"error": LOST}, b"")
    assert page.context["error"] == LOST
    assert "Refresh" not in page


@pytest.mark.django_db
def test_an_import_page_that_does_not_exist_is_a_404(client):
    log_in_editor(client)

    assert client.get(f"{IMPORT_URL}999/").status_code == 404


@pytest.mark.django_db
def test_import_pages_need_the_right_to_import(client):
    job = CalendarImport.objects.create(source="partner.ics", state=CalendarImport.State.DONE)
    viewer = User.objects.create_user("viewer@example.org", is_staff=True)
    client.force_login(viewer)

    assert client.get(f"{IMPORT_URL}{job.pk}/").status_code == 403
