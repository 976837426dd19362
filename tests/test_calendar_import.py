"""The calendar import's promises beyond single files: re-imports of series, slugs that never
collide, the site's own feed imported back, what one import may take, and its history."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from events.calendar.fetching import MAX_CALENDAR_BYTES
from events.models import CalendarImport, Country, Meeting, Publication, Status, Venue
from tests.support.calendars import content_of
from tests.support.factories import MeetingFactory
from tests.support.importing import corpus_file, large_calendar, last_import, log_in_editor, upload

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2030, 1, 15, 9, 0, tzinfo=datetime.UTC)
NINE, FIVE = datetime.time(9), datetime.time(17)
SERIES_UID = "3e5b5a2c-7d1f-4f0e-9a3b-6c2d1e0f9a8b"


def counts(job):
    return {key: job.result[key] for key in ("created", "updated", "unchanged")}


def occurrences():
    return list(
        Meeting.objects.filter(source_uid__startswith=SERIES_UID)
        .order_by("source_uid")
        .values_list("source_uid", "start_date", "start_time", "status")
    )


def test_reimporting_a_series_updates_its_occurrences_by_their_stable_uids(client):
    thunderbird = corpus_file("thunderbird_series_one_cancelled.ics")
    # The April occurrence comes back and moves to the afternoon; May is taken out (EXDATE).
    exdate = b"RRULE:FREQ=MONTHLY;COUNT=3\nEXDATE;TZID=Europe/Sarajevo:20300505T093000\n"
    changed = (
        thunderbird.replace(
            b"STATUS:CANCELLED\nRECURRENCE-ID;TZID=Europe/Sarajevo:20300405T093000\n"
            b"DTSTART;TZID=Europe/Sarajevo:20300405T093000",
            b"STATUS:CONFIRMED\nRECURRENCE-ID;TZID=Europe/Sarajevo:20300405T093000\n"
            b"DTSTART;TZID=Europe/Sarajevo:20300405T140000",
        )
        .replace(b"DTEND;TZID=Europe/Sarajevo:20300405T120000", b"DTEND;TZID=Europe/Sarajevo:20300405T160000")
        .replace(b"RRULE:FREQ=MONTHLY;COUNT=3\n", exdate)
    )
    assert changed.count(b"EXDATE") == 1 and b"20300405T140000" in changed

    with time_machine.travel(TODAY, tick=False):
        log_in_editor(client)
        upload(client, thunderbird)
        first = occurrences()
        upload(client, thunderbird)
        again = last_import()
        upload(client, changed)
        after = last_import()

    nine_thirty = datetime.time(9, 30)
    assert first == [
        (f"{SERIES_UID}/20300305T083000Z", datetime.date(2030, 3, 5), nine_thirty, Status.CONFIRMED),
        (f"{SERIES_UID}/20300405T073000Z", datetime.date(2030, 4, 5), nine_thirty, Status.CANCELLED),
        (f"{SERIES_UID}/20300505T073000Z", datetime.date(2030, 5, 5), nine_thirty, Status.CONFIRMED),
    ]
    assert counts(again) == {"created": 0, "updated": 0, "unchanged": 3}
    assert counts(after) == {"created": 0, "updated": 2, "unchanged": 1}
    assert occurrences() == [
        (f"{SERIES_UID}/20300305T083000Z", datetime.date(2030, 3, 5), nine_thirty, Status.CONFIRMED),
        (f"{SERIES_UID}/20300405T073000Z", datetime.date(2030, 4, 5), datetime.time(14), Status.CONFIRMED),
        # Gone from the calendar: kept, marked cancelled, so subscribers hear of it.
        (f"{SERIES_UID}/20300505T073000Z", datetime.date(2030, 5, 5), nine_thirty, Status.CANCELLED),
    ]
    assert after.result["notes"] == [
        [
            "IISG Support Group monthly meeting",
            "Its occurrence on 5 May 2030 is no longer in the calendar; it is now marked cancelled.",
        ]
    ]


def test_a_meeting_an_earlier_import_made_of_a_whole_series_becomes_its_first_occurrence(client):
    whole = MeetingFactory(title="IISG monthly", source_uid=SERIES_UID, start_date=datetime.date(2030, 3, 5))

    with time_machine.travel(TODAY, tick=False):
        log_in_editor(client)
        upload(client, corpus_file("thunderbird_series_one_cancelled.ics"))

    assert counts(last_import()) == {"created": 2, "updated": 1, "unchanged": 0}
    whole.refresh_from_db()
    assert (whole.source_uid, whole.publication, whole.slug, whole.start_time) == (
        f"{SERIES_UID}/20300305T083000Z",
        Publication.PUBLISHED,
        "iisg-monthly",
        datetime.time(9, 30),
    )
    assert [uid for uid, *_ in occurrences()] == [
        f"{SERIES_UID}/20300305T083000Z",
        f"{SERIES_UID}/20300405T073000Z",
        f"{SERIES_UID}/20300505T073000Z",
    ]


def test_titles_sharing_their_first_120_characters_get_distinct_slugs_import_after_import(client):
    long_titles = corpus_file("hostile_long_titles_sharing_120_characters.ics")
    log_in_editor(client)

    upload(client, long_titles)
    second = upload(client, long_titles.replace(b"UID:long-", b"UID:other-long-"))

    assert second.status_code == 302
    slugs = list(Meeting.objects.order_by("pk").values_list("slug", flat=True))
    stem = slugs[0]
    assert len(stem) == 120 and len(set(slugs)) == 6
    assert slugs[1:] == [f"{stem[:118]}-{number}" for number in (2, 3, 4, 5, 6)]


def test_duplicating_a_long_titled_meeting_twice_as_its_next_edition_gives_distinct_slugs(client):
    title = (
        "7th "
        + "Regional conference on the prevention of violent extremism and radicalisation leading to terrorism " * 2
    )
    original = MeetingFactory(title=title[:300], slug=Meeting.objects.unique_slug(title))
    log_in_editor(client)
    url = reverse("admin:events_meeting_duplicate", args=[original.pk])

    responses = [client.post(url, {"title": "8th" + title[3:300]}) for _ in range(3)]

    assert [response.status_code for response in responses] == [302, 302, 302]
    assert Meeting.objects.values("slug").distinct().count() == 4


def test_the_sites_own_feed_imported_back_keeps_each_meetings_venue_and_status(client):
    bosnia = Country.objects.create(code="BA", name="Bosnia and Herzegovina")
    banja_luka = Venue.objects.create(
        name="Hotel Europa", city="Banja Luka", country=bosnia, timezone="Europe/Sarajevo"
    )
    sarajevo = Venue.objects.create(name="Hotel Europa", city="Sarajevo", country=bosnia, timezone="Europe/Sarajevo")
    city_only = Venue.objects.create(name="", city="Sarajevo", country=bosnia, timezone="Europe/Sarajevo")
    originals = [
        MeetingFactory(
            title="Board of the RCC", venue=sarajevo, start_time=datetime.time(9), end_time=datetime.time(17)
        ),
        MeetingFactory(title="SEESAC working group", venue=banja_luka),
        MeetingFactory(title="IISG plenary", venue=city_only, status=Status.CANCELLED),
    ]
    feed = content_of(client.get("/calendar.ics?date_from=2015-01-01"))
    log_in_editor(client)

    upload(client, feed)

    imported = {meeting.source_uid: meeting for meeting in Meeting.objects.filter(publication=Publication.DRAFT)}
    assert [
        (imported[str(meeting.uid)].title, imported[str(meeting.uid)].venue, imported[str(meeting.uid)].status)
        for meeting in originals
    ] == [
        ("Board of the RCC", sarajevo, Status.CONFIRMED),
        ("SEESAC working group", banja_luka, Status.CONFIRMED),
        # The feed says "Cancelled: IISG plenary": the word is the status, not part of the title.
        ("IISG plenary", city_only, Status.CANCELLED),
    ]
    board = imported[str(originals[0].uid)]
    assert (board.start_date, board.start_time, board.end_time) == (
        originals[0].start_date,
        NINE,
        FIVE,
    )


def test_a_calendar_with_more_events_than_one_import_takes_is_refused_whole(client, settings):
    settings.CALENDAR_IMPORT_MAX_EVENTS = 3
    log_in_editor(client)

    response = upload(client, corpus_file("hostile_broken_series_and_duplicates.ics"))

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "The calendar has more than 3 events to import (4 found); import a shorter one."
    ]
    assert not Meeting.objects.exists()


def test_a_series_repeating_more_often_than_daily_is_skipped_with_its_reason(client):
    minutely = corpus_file("feed_floating_times_new_york.ics").replace(
        b"DTSTART:20300304T090000\n", b"DTSTART:20300304T090000\nRRULE:FREQ=MINUTELY\n"
    )
    daily = minutely.replace(b"FREQ=MINUTELY", b"FREQ=DAILY;COUNT=40").replace(b"UID:event-4412", b"UID:daily")

    with time_machine.travel(TODAY, tick=False):
        log_in_editor(client)
        upload(client, minutely)
        skipped = last_import().result["skipped"]
        upload(client, daily)

    assert skipped == [
        ["Expert group on firearms trafficking", "It repeats more often than once a day, which no meeting does."]
    ]
    assert Meeting.objects.count() == 40


def test_imported_meetings_have_their_history_with_the_editor(client):
    editor = log_in_editor(client)

    upload(client, corpus_file("feed_floating_times_new_york.ics"))

    meeting = Meeting.objects.get()
    assert [(record.history_type, record.history_user, record.title) for record in meeting.history.all()] == [
        ("+", editor, "Expert group on firearms trafficking")
    ]
    assert last_import().state == CalendarImport.State.DONE


def test_an_uploaded_file_over_the_byte_limit_is_refused_before_it_is_read(client):
    log_in_editor(client)
    too_big = large_calendar(1)[:-2] + b" " * MAX_CALENDAR_BYTES + b"\r\n"

    response = upload(client, too_big)

    assert response.context["form"].errors == {"file": ["The file is larger than 8 MB; import a smaller one."]}
    assert not CalendarImport.objects.exists()


def test_reimporting_a_series_moved_this_and_future_updates_the_later_occurrences_and_cancels_none(client):
    # Google writes "this and following events" as RANGE=THISANDFUTURE on the first one moved.
    before = corpus_file("google_series_moved_without_range.ics")
    after = corpus_file("google_series_moved_this_and_future.ics")
    uid = "7nothisandfuture@google.com"

    with time_machine.travel(datetime.datetime(2026, 12, 2, 9, 0, tzinfo=datetime.UTC), tick=False):
        log_in_editor(client)
        upload(client, before)
        upload(client, after)
    job = last_import()

    later = Meeting.objects.filter(source_uid__startswith=uid, start_date__gte=datetime.date(2027, 2, 8))
    assert sorted(later.values_list("start_date", "start_time", "end_time", "title", "status")) == [
        # 8 February is an EXDATE in the second file only.
        (datetime.date(2027, 2, 8), datetime.time(10), datetime.time(11, 30), "P-CVE weekly coordination", "cancelled"),
        (
            datetime.date(2027, 2, 15),
            datetime.time(10),
            datetime.time(11, 30),
            "P-CVE weekly coordination",
            "confirmed",
        ),
        *[
            (day, datetime.time(9), datetime.time(10, 30), "P-CVE weekly coordination (new time)", "confirmed")
            for day in (datetime.date(2027, 2, 22), datetime.date(2027, 3, 1), datetime.date(2027, 3, 8))
        ],
    ]
    assert counts(job) == {"created": 0, "updated": 3, "unchanged": 6}
    assert job.result["skipped"] == []
    assert job.result["notes"] == [
        [
            "P-CVE weekly coordination",
            "Its occurrence on 8 February 2027 is no longer in the calendar; it is now marked cancelled.",
        ]
    ]


def test_a_line_folded_inside_a_utf8_character_is_unfolded_before_it_is_decoded(client):
    log_in_editor(client)

    upload(client, corpus_file("fold_inside_a_utf8_character.ics"))

    meeting = Meeting.objects.get()
    assert meeting.editor_notes == "Place in the imported calendar: Šabac"
    assert last_import().result["notes"] == []


def test_a_guessed_charset_is_named_on_the_imports_page(client):
    log_in_editor(client)

    response = upload(client, corpus_file("iso_8859_2_undeclared_short.ics"))
    page = client.get(response["Location"])

    assert page.status_code == 200
    assert page.context["notes"] == [
        [
            "The whole calendar",
            "The file is not in UTF-8 and names no character set; it was read as ISO-8859-2. "
            "If its letters look wrong, save it as UTF-8 (Unicode) and import it again.",
        ]
    ]
    assert Meeting.objects.get().title == "Sastanak: Đurđevac, Čačak, Šibenik, Žabljak, Ćuprija - ljiljan"


def weekly(uid, *, rule):
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Partner//Series//EN",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20300101T000000Z",
        "DTSTART;TZID=Europe/Sarajevo:20300204T100000",
        "DTEND;TZID=Europe/Sarajevo:20300204T113000",
        *([rule] if rule else []),
        "SUMMARY:Border police working group",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_a_series_turned_back_into_one_event_keeps_one_meeting_and_cancels_the_other_occurrences(client):
    with time_machine.travel(TODAY, tick=False):
        log_in_editor(client)
        upload(client, weekly("ser-1", rule="RRULE:FREQ=WEEKLY;COUNT=3"))
        first = Meeting.objects.get(start_date=datetime.date(2030, 2, 4))
        upload(client, weekly("ser-1", rule=None))
    job = last_import()

    assert list(
        Meeting.objects.order_by("start_date").values_list("pk", "source_uid", "start_date", "start_time", "status")
    ) == [
        # The occurrence on the event's start is the event's meeting now, not a second one beside it.
        (first.pk, "ser-1", datetime.date(2030, 2, 4), datetime.time(10), Status.CONFIRMED),
        (first.pk + 1, "ser-1/20300211T090000Z", datetime.date(2030, 2, 11), datetime.time(10), Status.CANCELLED),
        (first.pk + 2, "ser-1/20300218T090000Z", datetime.date(2030, 2, 18), datetime.time(10), Status.CANCELLED),
    ]
    assert counts(job) == {"created": 0, "updated": 3, "unchanged": 0}
    assert job.result["notes"] == [
        [
            "Border police working group",
            "Its occurrence on 11 February 2030 is no longer in the calendar; it is now marked cancelled.",
        ],
        [
            "Border police working group",
            "Its occurrence on 18 February 2030 is no longer in the calendar; it is now marked cancelled.",
        ],
    ]


def test_a_series_in_an_unknown_zone_is_imported_with_one_note_naming_the_zone(client):
    series = weekly("ser-2", rule="RRULE:FREQ=WEEKLY;COUNT=2").replace(b"TZID=Europe/Sarajevo", b"TZID=Unknown/Zone")

    with time_machine.travel(TODAY, tick=False):
        log_in_editor(client)
        upload(client, series)
    job = last_import()

    assert list(Meeting.objects.order_by("start_date").values_list("start_date", "start_time", "end_time")) == [
        (datetime.date(2030, 2, 4), datetime.time(10), datetime.time(11, 30)),
        (datetime.date(2030, 2, 11), datetime.time(10), datetime.time(11, 30)),
    ]
    assert job.result["notes"] == [
        [
            "Border police working group",
            "Its time zone (TZID) “Unknown/Zone” is not known and the calendar does not describe it; "
            "its times were read as local times where the meeting is held.",
        ]
    ]
