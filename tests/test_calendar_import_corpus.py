"""The calendar import on files as real programs write them (tests/calendars/), and hostile ones.

One parametrised test: each file is uploaded through the admin as an editor does, and what it
made is compared exactly: the counts, what was skipped and why, and the key fields of every
meeting. The clock is pinned so the series window (a year back, two ahead) is the same every run.
"""

import datetime

import pytest
import time_machine

from events.models import CalendarImport, Country, Meeting, Status, Venue
from tests.support.importing import corpus_file, last_import, log_in_editor, upload

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2030, 1, 15, 9, 0, tzinfo=datetime.UTC)
WINDOW_NOTE = "It repeats; only its occurrences from 15 January 2029 to 15 January 2032 were imported."
OUTSIDE_YEARS = "Its dates lie outside the years 1900 to 2199 that this calendar accepts."
OLDER_VERSION = (
    "Another event in this calendar has the same UID; the latest version (by SEQUENCE), else the first, was imported."
)
TOO_LONG = "It lasts more than 366 days, longer than any meeting; check its end (DTEND or DURATION)."
CONFIRMED, CANCELLED = Status.CONFIRMED, Status.CANCELLED
IISG = "IISG Support Group monthly meeting"
WEEKLY = "P-CVE weekly coordination"
TOWNS = "Sastanak: Đurđevac, Čačak, Šibenik, Žabljak, Ćuprija - ljiljan"
ARMS = "Regionalni sastanak o suzbijanju krijumčarenja oružja"
WORKSHOP = "Radionica: Đakovo, Šibenik, Čakovec, Žminj, Ćićarija"
DASHED = "Sastanak: Đurđevac, Čačak, Šibenik, Žabljak, Ćuprija – ljiljan"
CYRILLIC = "Састанак у Београду о граничној безбедности и шверцу оружја"


def read_as(charset):
    return [
        "The whole calendar",
        f"The file is not in UTF-8 and names no character set; it was read as {charset}. "
        "If its letters look wrong, save it as UTF-8 (Unicode) and import it again.",
    ]


@pytest.fixture
def venues():
    bosnia = Country.objects.create(code="BA", name="Bosnia and Herzegovina")
    serbia = Country.objects.create(code="RS", name="Serbia")
    albania = Country.objects.create(code="AL", name="Albania")
    return {
        "Belgrade": Venue.objects.create(name="", city="Belgrade", country=serbia, timezone="Europe/Belgrade"),
        "Sarajevo": Venue.objects.create(name="", city="Sarajevo", country=bosnia, timezone="Europe/Sarajevo"),
        "Tirana": Venue.objects.create(name="", city="Tirana", country=albania, timezone="Europe/Tirane"),
        # Created first, so a match on the name alone would pick it.
        "Hotel Europa, Banja Luka": Venue.objects.create(
            name="Hotel Europa", city="Banja Luka", country=bosnia, timezone="Europe/Sarajevo"
        ),
        "Hotel Europa, Sarajevo": Venue.objects.create(
            name="Hotel Europa", city="Sarajevo", country=bosnia, timezone="Europe/Sarajevo"
        ),
    }


def when(day, clock=None):
    return f"{day:%Y-%m-%d}" + (f" {clock:%H:%M}" if clock else "")


def key_fields(meeting):
    venue = meeting.venue
    place = ", ".join(part for part in (venue.name, venue.city) if part) if venue else ""
    return (
        meeting.title,
        when(meeting.start_date, meeting.start_time),
        when(meeting.end_date, meeting.end_time),
        meeting.status,
        place,
        meeting.external_url,
    )


CORPUS = [
    pytest.param(
        "google_series_with_override.ics",
        {
            "created": 4,
            "skipped": [],
            "notes": [],
            "meetings": [
                ("P-CVE working group call", "2030-02-04 10:00", "2030-02-04 11:30", CONFIRMED, "", ""),
                # 11 February is an EXDATE; 18 February an override moved to the afternoon.
                ("P-CVE working group call (afternoon)", "2030-02-18 14:00", "2030-02-18 15:30", CONFIRMED, "", ""),
                ("P-CVE working group call", "2030-02-25 10:00", "2030-02-25 11:30", CONFIRMED, "", ""),
                # "Cancelled: " is the status, not the title; Hotel Europa in Sarajevo, not Banja Luka.
                (
                    "Regional Steering Group on SALW",
                    "2030-03-10 09:00",
                    "2030-03-10 17:00",
                    CANCELLED,
                    "Hotel Europa, Sarajevo",
                    "",
                ),
            ],
        },
        id="google-series-exdate-override",
    ),
    pytest.param(
        "feed_floating_times_new_york.ics",
        {
            "created": 1,
            "skipped": [],
            "notes": [],
            # Floating 09:00 in X-WR-TIMEZONE America/New_York is 15:00 in Belgrade, not 09:00.
            "meetings": [
                ("Expert group on firearms trafficking", "2030-03-04 15:00", "2030-03-04 23:00", CONFIRMED, "", "")
            ],
        },
        id="x-wr-timezone-new-york",
    ),
    pytest.param(
        "apple_ical1_floating_pacific.ics",
        {
            "created": 1,
            "skipped": [],
            "notes": [],
            "meetings": [
                (
                    "Video conference with the PCC SEE secretariat",
                    "2030-01-15 18:30",
                    "2030-01-15 20:00",
                    CONFIRMED,
                    "",
                    "",
                )
            ],
        },
        id="apple-ical-1.0-x-wr-timezone-pacific",
    ),
    pytest.param(
        "outlook_windows_zone_names.ics",
        {
            "created": 3,
            "skipped": [],
            "notes": [],
            "meetings": [
                # "GTB Standard Time" is Athens/Bucharest, an hour ahead of Belgrade.
                ("Meeting of Heads of PCCCs", "2030-03-12 09:00", "2030-03-12 15:00", CONFIRMED, "Belgrade", ""),
                # "Pacific Standard Time" with no VTIMEZONE: US summer time has begun, Europe's not.
                ("Online briefing for donors", "2030-03-20 16:00", "2030-03-20 17:00", CONFIRMED, "", ""),
                # X-MICROSOFT-CDO-ALLDAYEVENT midnight to midnight: whole days.
                ("National holiday (office closed)", "2030-04-01", "2030-04-02", CONFIRMED, "", ""),
            ],
        },
        id="outlook-windows-zone-names",
    ),
    pytest.param(
        "exchange_x_wr_timezone_windows_name.ics",
        {
            "created": 1,
            "skipped": [],
            "notes": [],
            # X-WR-TIMEZONE "GTB Standard Time" is Bucharest's zone, an hour ahead of Tirana.
            "meetings": [
                (
                    "Border police liaison officers meeting",
                    "2030-06-17 08:30",
                    "2030-06-17 12:00",
                    CONFIRMED,
                    "Tirana",
                    "",
                )
            ],
        },
        id="x-wr-timezone-windows-name",
    ),
    pytest.param(
        "thunderbird_series_one_cancelled.ics",
        {
            "created": 3,
            "skipped": [],
            "notes": [],
            "meetings": [
                (IISG, "2030-03-05 09:30", "2030-03-05 12:00", CONFIRMED, "Sarajevo", ""),
                # The one occurrence Thunderbird cancelled, not the whole series.
                (IISG, "2030-04-05 09:30", "2030-04-05 12:00", CANCELLED, "Sarajevo", ""),
                (IISG, "2030-05-05 09:30", "2030-05-05 12:00", CONFIRMED, "Sarajevo", ""),
            ],
        },
        id="thunderbird-series-one-cancelled",
    ),
    pytest.param(
        "sabredav_all_day_with_tzid.ics",
        {
            "created": 1,
            "skipped": [],
            "notes": [],
            "meetings": [("Summer school holidays (no trainings)", "2030-07-01", "2030-08-09", CONFIRMED, "", "")],
        },
        id="sabredav-all-day-with-tzid",
    ),
    pytest.param(
        "latin1_undeclared.ics",
        {
            "created": 2,
            "skipped": [],
            "notes": [read_as("windows-1252")],
            "meetings": [
                ("Réunion régionale à Genève sur la sécurité des frontières", *["2030-05-06"] * 2, CONFIRMED, "", ""),
                ("Arbeitstreffen in Zürich: Grenzüberschreitende Kriminalität", *["2030-05-12"] * 2, CONFIRMED, "", ""),
            ],
        },
        id="latin-1-detected",
    ),
    pytest.param(
        "vcalendar1_declared_charset.ics",
        {
            "created": 1,
            "skipped": [],
            "notes": [],
            "meetings": [("Sastanak u Nišu o krijumčarenju oružja", "2030-06-10", "2030-06-10", CONFIRMED, "", "")],
        },
        id="declared-charset-iso-8859-2",
    ),
    pytest.param(
        "utf16_with_byte_order_mark.ics",
        {
            "created": 1,
            "skipped": [],
            "notes": [],
            "meetings": [("Sjednica u Podgorici – Đurđevdan", "2030-10-01", "2030-10-01", CONFIRMED, "", "")],
        },
        id="utf-16-byte-order-mark",
    ),
    pytest.param(
        "discourse_relative_urls.ics",
        {
            "created": 4,
            "skipped": [],
            "notes": [
                [
                    "Community call on P-CVE",
                    "Its link (URL) “/t/community-call-on-p-cve/101” is not a full web address of at most "
                    "200 characters; it was left out.",
                ],
                [
                    "Community call on border security",
                    "Its link (URL) “/t/community-call-on-border-security/102” is not a full web address of at "
                    "most 200 characters; it was left out.",
                ],
                [
                    "Community call on small arms",
                    "Its link (URL) “/t/community-call-on-small-arms/103” is not a full web address of at most "
                    "200 characters; it was left out.",
                ],
                ["Community call on cybercrime", "Its end (DTEND) could not be read and was left out."],
            ],
            "meetings": [
                ("Community call on P-CVE", "2030-06-01 10:00", "2030-06-01 12:00", CONFIRMED, "", ""),
                ("Community call on border security", "2030-06-08 10:00", "2030-06-08 12:00", CONFIRMED, "", ""),
                ("Community call on small arms", "2030-06-15 10:00", "2030-06-15 12:00", CONFIRMED, "", ""),
                (
                    "Community call on cybercrime",
                    "2030-06-22 10:00",
                    "2030-06-22",
                    CONFIRMED,
                    "",
                    "https://forum.example/t/community-call-on-cybercrime/104",
                ),
            ],
        },
        id="discourse-relative-urls-and-a-broken-dtend",
    ),
    pytest.param(
        "hostile_control_characters.ics",
        {
            "created": 1,
            "skipped": [],
            "notes": [],
            "meetings": [("Null byte and [31mescape", "2030-09-01", "2030-09-01", CONFIRMED, "Tirana", "")],
        },
        id="hostile-nul-bel-esc",
    ),
    pytest.param(
        "hostile_overflowing_dates.ics",
        {
            "created": 1,
            "skipped": [
                ["Huge duration", OUTSIDE_YEARS],
                ["Year 9999", OUTSIDE_YEARS],
                ["Year 9999 all day", OUTSIDE_YEARS],
            ],
            "notes": [],
            "meetings": [("A fine event", "2030-08-02", "2030-08-02", CONFIRMED, "", "")],
        },
        id="hostile-huge-duration-year-9999",
    ),
    pytest.param(
        "hostile_broken_series_and_duplicates.ics",
        {
            "created": 4,
            "skipped": [
                ["No UID at all", "The event has no UID, so a later import could not update it."],
                ["Broken repeat rule", "Its repetition (RRULE, RDATE or EXDATE) could not be read."],
                ["Second with this UID", OLDER_VERSION],
                # dateutil would loop for ever on it.
                ["Every zero days", "Its repetition (RRULE, RDATE or EXDATE) could not be read."],
                # dateutil would search to the year 9999 for it.
                ["Every 30 February", "Its repetition (RRULE, RDATE or EXDATE) could not be read."],
            ],
            "notes": [["Yearly for ever", WINDOW_NOTE]],
            "meetings": [
                ("Yearly for ever", "2030-01-06", "2030-01-06", CONFIRMED, "", ""),
                ("First with this UID", "2030-03-02", "2030-03-02", CONFIRMED, "", ""),
                ("Yearly for ever", "2031-01-06", "2031-01-06", CONFIRMED, "", ""),
                ("Yearly for ever", "2032-01-06", "2032-01-06", CONFIRMED, "", ""),
            ],
        },
        id="hostile-broken-rrule-duplicate-uid-endless-series",
    ),
    pytest.param(
        "google_series_this_and_future.ics",
        {
            # The tester's file is of 2027: its window is read from the day it was written.
            "today": datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC),
            "created": 9,
            "skipped": [],
            "notes": [],
            "meetings": [
                (WEEKLY, "2027-01-04 10:00", "2027-01-04 11:30", CONFIRMED, "", ""),
                (WEEKLY, "2027-01-11 10:00", "2027-01-11 11:30", CONFIRMED, "", ""),
                # 18 January is an EXDATE.
                (
                    f"{WEEKLY} (moved to afternoon)",
                    "2027-01-25 14:00",
                    "2027-01-25 15:30",
                    CONFIRMED,
                    "Hotel Europa, Sarajevo",
                    "",
                ),
                (WEEKLY, "2027-02-01 10:00", "2027-02-01 11:30", CANCELLED, "", ""),
                (WEEKLY, "2027-02-08 10:00", "2027-02-08 11:30", CONFIRMED, "", ""),
                (WEEKLY, "2027-02-15 10:00", "2027-02-15 11:30", CONFIRMED, "", ""),
                # RANGE=THISANDFUTURE: this occurrence and every later one an hour earlier, renamed.
                (f"{WEEKLY} (new time)", "2027-02-22 09:00", "2027-02-22 10:30", CONFIRMED, "", ""),
                (f"{WEEKLY} (new time)", "2027-03-01 09:00", "2027-03-01 10:30", CONFIRMED, "", ""),
                (f"{WEEKLY} (new time)", "2027-03-08 09:00", "2027-03-08 10:30", CONFIRMED, "", ""),
            ],
        },
        id="google-series-range-this-and-future",
    ),
    pytest.param(
        "fold_inside_a_utf8_character.ics",
        {
            "created": 1,
            "skipped": [],
            "notes": [],
            # Folded between the two bytes of "Č" (and of "Š" in LOCATION): unfolded, then decoded.
            "meetings": [
                (
                    "Regionalni sastanak o granicama – Čačak Šid Đakovo Žepče Ćićarija ššš",
                    "2027-04-20 10:00",
                    "2027-04-20 16:00",
                    CONFIRMED,
                    "",
                    "",
                )
            ],
        },
        id="utf-8-folded-inside-a-character",
    ),
    # Neither UTF-8 nor declared: read in the region's legacy charsets, windows-1250 and ISO-8859-2
    # told apart by their Š Ž š ž, and said so on the import's page.
    pytest.param(
        "cp1250_undeclared_short.ics",
        {
            "created": 1,
            "skipped": [],
            "notes": [read_as("windows-1250")],
            "meetings": [(TOWNS, "2027-04-20 10:00", "2027-04-20 16:00", CONFIRMED, "", "")],
        },
        id="windows-1250-short",
    ),
    pytest.param(
        "cp1250_undeclared_with_calendar_name.ics",
        {
            "created": 1,
            "skipped": [],
            "notes": [read_as("windows-1250")],
            "meetings": [(TOWNS, "2027-04-20 10:00", "2027-04-20 16:00", CONFIRMED, "", "")],
        },
        id="windows-1250-short-x-wr-calname",
    ),
    pytest.param(
        "iso_8859_2_undeclared_short.ics",
        {
            "created": 1,
            "skipped": [],
            "notes": [read_as("ISO-8859-2")],
            "meetings": [(TOWNS, "2027-04-20 10:00", "2027-04-20 16:00", CONFIRMED, "", "")],
        },
        id="iso-8859-2-short",
    ),
    pytest.param(
        "cp1250_undeclared_long.ics",
        {
            "created": 2,
            "skipped": [],
            "notes": [read_as("windows-1250")],
            "meetings": [
                (ARMS, "2027-04-20 10:00", "2027-04-20 16:00", CONFIRMED, "", ""),
                (WORKSHOP, "2027-05-05", "2027-05-05", CONFIRMED, "", ""),
            ],
        },
        id="windows-1250-long",
    ),
    pytest.param(
        "iso_8859_2_undeclared_long.ics",
        {
            "created": 2,
            "skipped": [],
            "notes": [read_as("ISO-8859-2")],
            "meetings": [
                (ARMS, "2027-04-20 10:00", "2027-04-20 16:00", CONFIRMED, "", ""),
                (WORKSHOP, "2027-05-05", "2027-05-05", CONFIRMED, "", ""),
            ],
        },
        id="iso-8859-2-long",
    ),
    pytest.param(
        "cp1251_undeclared_cyrillic.ics",
        {
            "created": 1,
            "skipped": [],
            "notes": [read_as("windows-1251")],
            "meetings": [(CYRILLIC, "2030-06-01", "2030-06-01", CONFIRMED, "", "")],
        },
        id="windows-1251-cyrillic",
    ),
    pytest.param(
        "iso_8859_5_undeclared_cyrillic.ics",
        {
            "created": 1,
            "skipped": [],
            "notes": [read_as("ISO-8859-5")],
            "meetings": [(CYRILLIC, "2030-06-01", "2030-06-01", CONFIRMED, "", "")],
        },
        id="iso-8859-5-cyrillic",
    ),
    pytest.param(
        "iso_8859_2_declared_on_a_property.ics",
        {
            "created": 1,
            "skipped": [],
            # Declared (CHARSET= on SUMMARY), so not guessed: no note.
            "notes": [],
            "meetings": [(TOWNS, "2027-04-20 10:00", "2027-04-20 16:00", CONFIRMED, "", "")],
        },
        id="iso-8859-2-declared-on-a-property",
    ),
    pytest.param(
        "edges_of_the_accepted_years.ics",
        {
            "created": 3,
            "skipped": [
                ["Already 2200 in Belgrade", OUTSIDE_YEARS],
                ["A day before the first accepted", OUTSIDE_YEARS],
            ],
            "notes": [],
            # The bound is on the days the meeting gets: an all-day DTEND is exclusive, and a time is
            # placed in the venue's zone (Belgrade here) first.
            "meetings": [
                ("First day accepted, 1899 in UTC", "1900-01-01 00:30", "1900-01-01 01:30", CONFIRMED, "", ""),
                ("Late in 2199, timed", "2199-12-30 10:00", "2199-12-30 12:00", CONFIRMED, "", ""),
                ("Last day accepted, all day", "2199-12-31", "2199-12-31", CONFIRMED, "", ""),
            ],
        },
        id="edges-of-the-accepted-years",
    ),
    pytest.param(
        "hostile_impossible_lengths_and_unknown_zone.ics",
        {
            "created": 3,
            # An end before the start is refused whether the event is all-day or timed; nothing
            # that long is a meeting.
            "skipped": [
                ["Ten years long", TOO_LONG],
                ["Two years all day", TOO_LONG],
                ["All-day end before start", "The meeting cannot end before it starts."],
                ["Timed end before start", "The meeting cannot end before it starts."],
            ],
            "notes": [
                [
                    "In an unknown zone",
                    "Its time zone (TZID) “Unknown/Zone” is not known and the calendar does not describe it; "
                    "its times were read as local times where the meeting is held.",
                ]
            ],
            "meetings": [
                ("Programme year 2030", "2030-01-01", "2030-12-31", CONFIRMED, "", ""),
                ("All-day end equal to start", "2030-05-12", "2030-05-12", CONFIRMED, "", ""),
                ("In an unknown zone", "2030-06-15 10:00", "2030-06-15 12:00", CONFIRMED, "", ""),
            ],
        },
        id="hostile-end-before-start-ten-years-unknown-zone",
    ),
    pytest.param(
        "bare_cr_line_endings.ics",
        {
            "created": 1,
            "skipped": [],
            "notes": [],
            "meetings": [(DASHED, "2027-04-20 10:00", "2027-04-20 16:00", CONFIRMED, "", "")],
        },
        id="bare-cr-line-endings",
    ),
    pytest.param(
        "utf16le_without_byte_order_mark.ics",
        {
            "created": 1,
            "skipped": [],
            "notes": [read_as("UTF-16 (little-endian, without a byte order mark)")],
            "meetings": [(DASHED, "2027-04-20 10:00", "2027-04-20 16:00", CONFIRMED, "", "")],
        },
        id="utf-16-le-without-byte-order-mark",
    ),
    pytest.param(
        "utf16be_without_byte_order_mark.ics",
        {
            "created": 1,
            "skipped": [],
            "notes": [read_as("UTF-16 (big-endian, without a byte order mark)")],
            "meetings": [(DASHED, "2027-04-20 10:00", "2027-04-20 16:00", CONFIRMED, "", "")],
        },
        id="utf-16-be-without-byte-order-mark",
    ),
    pytest.param(
        "two_versions_of_one_event.ics",
        {
            "created": 1,
            # The second, SEQUENCE:3, is the later version of the first (SEQUENCE:0).
            "skipped": [["Seq 0 original", OLDER_VERSION]],
            "notes": [],
            "meetings": [("Seq 3 moved", "2027-06-17 10:00", "2027-06-17", CONFIRMED, "", "")],
        },
        id="two-versions-of-one-event-by-sequence",
    ),
]


@pytest.mark.parametrize(("name", "expected"), CORPUS)
def test_importing_the_corpus(client, venues, name, expected):
    with time_machine.travel(expected.get("today", TODAY), tick=False):
        log_in_editor(client)
        response = upload(client, corpus_file(name), name=name)

    job = last_import()
    assert response.status_code == 302
    assert response["Location"] == f"/admin/events/meeting/import-ics/{job.pk}/"
    assert (job.state, job.source) == (CalendarImport.State.DONE, name)
    assert {key: job.result[key] for key in ("created", "updated", "unchanged", "skipped", "notes")} == {
        "created": expected["created"],
        "updated": 0,
        "unchanged": 0,
        "skipped": expected["skipped"],
        "notes": expected["notes"],
    }
    meetings = Meeting.objects.order_by("start_date", "start_time", "pk")
    assert [key_fields(meeting) for meeting in meetings] == expected["meetings"]
    assert all("\ufffd" not in meeting.title for meeting in meetings)


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("hostile_not_a_calendar.ics", "This is not a readable iCalendar (.ics) file."),
        (
            "hostile_unknown_charset.ics",
            "The file is not in UTF-8 and its character set could not be recognised; "
            "save it as UTF-8 (Unicode) and import it again.",
        ),
        (
            "hostile_utf16_without_byte_order_mark_cut.ics",
            "The file looks like UTF-16 without a byte order mark, and could not be read as such; "
            "save it as UTF-8 (Unicode) and import it again.",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_with_the_reason(client, name, error):
    log_in_editor(client)

    response = upload(client, corpus_file(name))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [error]
    assert not Meeting.objects.exists()
