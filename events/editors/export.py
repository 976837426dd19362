"""The meetings an editor's list shows, as a spreadsheet (CSV)."""

import csv

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

CSV_COLUMNS = [
    ("title", _("title")),
    ("start_date", _("start date")),
    ("end_date", _("end date")),
    ("start_time", _("start time")),
    ("end_time", _("end time")),
    ("date_precision", _("how precise the date is")),
    ("status", _("status")),
    ("status_note", _("public note on the status")),
    ("publication", _("publication")),
    ("venue", _("venue")),
    ("city", _("city")),
    ("country", _("country")),
    ("organisers", _("organisers")),
    ("funders", _("funders")),
    ("topics", _("topics")),
    ("countries", _("participating countries")),
    ("external_url", _("external link")),
    ("uid", _("calendar UID")),
]


def csv_safe(value):
    """Text a spreadsheet will not run as a formula (cells starting with = + - @ are formulas)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_row(meeting):
    venue = meeting.venue
    return {
        "title": meeting.title,
        "start_date": meeting.start_date,
        "end_date": meeting.end_date,
        "start_time": meeting.start_time,
        "end_time": meeting.end_time,
        "date_precision": meeting.get_date_precision_display(),
        "status": meeting.get_status_display(),
        "status_note": meeting.status_note,
        "publication": meeting.get_publication_display(),
        "venue": venue.name if venue else "",
        "city": venue.city if venue else "",
        "country": venue.country.display_name if venue else "",
        "organisers": "; ".join(
            f"{role.organisation.short_name} ({role.get_role_display()})" for role in meeting.organiser_roles.all()
        ),
        "funders": "; ".join(str(funding) for funding in meeting.fundings.all()),
        "topics": "; ".join(topic.name for topic in meeting.topics.all()),
        "countries": "; ".join(country.display_name for country in meeting.countries.all()),
        "external_url": meeting.external_url,
        "uid": meeting.uid,
    }


def csv_response(meetings):
    """An attachment with one row per meeting (read with MeetingQuerySet.with_related())."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="meetings-{timezone.localdate():%Y-%m-%d}.csv"'
    writer = csv.DictWriter(response, fieldnames=[name for name, _label in CSV_COLUMNS])
    writer.writerow({name: capfirst(str(label)) for name, label in CSV_COLUMNS})
    for meeting in meetings:
        writer.writerow({name: csv_safe(value) for name, value in csv_row(meeting).items()})
    return response
