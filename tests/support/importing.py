"""Importing calendars through the admin, as an editor does: upload, land on the import's page."""

from pathlib import Path

from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile

from events.models import CalendarImport

IMPORT_URL = "/admin/events/meeting/import-ics/"
CORPUS = Path(__file__).resolve().parent.parent / "calendars"


def log_in_editor(client, email="editor@example.org"):
    user = User.objects.create_user(email, is_staff=True)
    user.groups.add(Group.objects.get(name="Editors"))
    client.force_login(user)
    return user


def upload(client, content, name="partner.ics"):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, content, content_type="text/calendar")})


def corpus_file(name):
    return (CORPUS / name).read_bytes()


def last_import():
    return CalendarImport.objects.order_by("-pk").first()
