"""No calendar file makes the import fail other than with a message for the editor: the corpus
files cut, shuffled and spliced with junk still import, partly, or are refused with a reason."""

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events.calendar.fetching import CalendarImportError
from events.calendar.importer import import_calendar
from tests.support.importing import CORPUS

FILES = sorted(path.read_bytes() for path in CORPUS.glob("*.ics"))
JUNK = st.sampled_from(
    [
        b"",
        b"\x00",
        b"\xff\xfe",
        b"DTSTART:99999999T999999Z",
        b"RRULE:FREQ=DAILY;INTERVAL=0",
        b"RRULE:FREQ=YEARLY;BYMONTH=13",
        b"EXDATE:garbage",
        b"RECURRENCE-ID:20300101",
        b"DURATION:-P1D",
        b"DTEND;VALUE=DATE:20000101",
        b"BEGIN:VEVENT",
        b"END:VEVENT",
        b"END:VCALENDAR",
        b"TZID=Nowhere/Atlantis",
        b"X-WR-TIMEZONE:Mars/Olympus",
        b"SUMMARY:" + "é".encode("latin-1") * 3,
        b"URL:javascript:alert(1)",
        b"UID:" + b"u" * 400,
    ]
)


@st.composite
def mutated_calendars(draw):
    lines = draw(st.sampled_from(FILES)).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, len(lines)))
        action = draw(st.sampled_from(["delete", "insert", "duplicate", "cut"]))
        if action == "delete" and lines:
            del lines[min(where, len(lines) - 1)]
        elif action == "insert":
            lines.insert(where, draw(JUNK))
        elif action == "duplicate" and lines:
            lines[where:where] = lines[max(0, where - 5) : where]
        elif action == "cut":
            lines = lines[:where]
    return b"\r\n".join(lines)


@pytest.mark.django_db
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=mutated_calendars())
def test_a_mangled_calendar_imports_or_is_refused_with_a_message(data):
    try:
        with transaction.atomic():
            result = import_calendar(data)
            transaction.set_rollback(True)
    except CalendarImportError as error:
        assert str(error)
    else:
        assert all(reason for _label, reason in result.skipped)
