"""Importing calendars through the admin, as an editor does: upload, land on the import's page."""

import datetime
from pathlib import Path

from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile

from events.models import CalendarImport

IMPORT_URL = "/admin/events/meeting/import-ics/"
CORPUS = Path(__file__).resolve().parent.parent / "calendars"


def log_in_editor(client, email="editor@example.org"):
    user = User.objects.create_user(email, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"), Group.objects.get(name="Regional editors"))
    client.force_login(user)
    return user


def upload(client, content, name="partner.ics"):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content, content_type="text/calendar")})


def corpus_file(name):
    return (CORPUS / name).read_bytes()


def last_import():
    return CalendarImport.objects.order_by("-pk").first()


LARGE_CALENDAR_PLACES = ("Hotel Europa, Sarajevo", "Belgrade, Serbia", "Tirana", "Somewhere not in the site")


def large_calendar(count, *, first_day=datetime.date(2030, 1, 7)):
    """A calendar of ``count`` single events, as a big partner's export looks: timed (UTC and with a
    TZID) and all-day, with descriptions, places and links, one every few hours."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Partner//Large export//EN", "X-WR-TIMEZONE:Europe/Belgrade"]
    for number in range(count):
        day = first_day + datetime.timedelta(days=number // 4)
        lines += ["BEGIN:VEVENT", f"UID:large-{number}@partner.example", "DTSTAMP:20300101T000000Z"]
        if number % 3 == 0:
            lines += [f"DTSTART;VALUE=DATE:{day:%Y%m%d}", f"DTEND;VALUE=DATE:{day + datetime.timedelta(days=2):%Y%m%d}"]
        elif number % 3 == 1:
            lines += [f"DTSTART:{day:%Y%m%d}T080000Z", f"DTEND:{day:%Y%m%d}T153000Z"]
        else:
            lines += [f"DTSTART;TZID=Europe/Skopje:{day:%Y%m%d}T093000", "DURATION:PT2H30M"]
        lines += [
            f"SUMMARY:Regional working group on border security, session {number}",
            "DESCRIPTION:Agenda: opening\\, national reports\\, next steps. Co-chaired by RCC and DCAF.",
            f"LOCATION:{LARGE_CALENDAR_PLACES[number % len(LARGE_CALENDAR_PLACES)]}",
            f"URL:https://partner.example/events/{number}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()
